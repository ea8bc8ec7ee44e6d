"""The transport commands in-process (CliRunner) against a real relay on 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from hasteh import vault
from hasteh.cli.main import app
from hasteh.envelope import Kind, seal
from hasteh.transport import outbox as ob
from hasteh.vault.keyfile import MIN_KDF
from tests.relay.harness import Group, RelayProcess

from .conftest import PASS


def run(args: list[str], stdin: str | None = None, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, args, input=stdin, env={"HASTEH_LANG": "en", "HASTEH_PASSPHRASE": PASS, **env}
    )
    return result.exit_code, result.output


def profile(tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    vault.create(home, PASS, kdf=MIN_KDF)
    return home


def test_export_import_sync(tmp_path: Path, relay: RelayProcess) -> None:
    a, b, c = profile(tmp_path, "a"), profile(tmp_path, "b"), profile(tmp_path, "c")
    g = Group()
    mb = g.mailbox
    with vault.opened(a, PASS) as v:
        v.write(
            lambda conn: [
                ob.stage(
                    conn,
                    seal(kind=Kind.MESSAGE, mailbox=mb, payload=b"%d" % i, rng=os.urandom),
                    [relay.url],
                    now=0.0,
                    auth=lambda r: g.auth(),
                )
                for i in range(2)
            ]
        )
    bundle = tmp_path / "stick" / "bundle.bin"
    bundle.parent.mkdir()
    code, output = run(["courier", "export", str(bundle), "--home", str(a)])
    assert code == 0, output
    assert "carries 2 envelopes" in output
    courier_code = output.strip().splitlines()[-1]
    assert len(courier_code) == 24

    tampered = tmp_path / "tampered.bin"
    data = bundle.read_bytes()
    tampered.write_bytes(data[:50] + bytes([data[50] ^ 1]) + data[51:])
    code, output = run(
        ["courier", "import", str(tampered), "--home", str(b)], HASTEH_COURIER_CODE=courier_code
    )
    assert code == 1 and "refused whole" in output

    # B uses no relay: the bundle's relay is named, and contacted only after a yes.
    code, output = run(
        ["courier", "import", str(bundle), "--home", str(b)],
        stdin="n\n",
        HASTEH_COURIER_CODE=courier_code,
    )
    assert code == 0, output
    assert relay.url in output and "Queued for relays: 0" in output
    code, output = run(
        ["courier", "import", str(bundle), "--home", str(b)],
        stdin="y\n",
        HASTEH_COURIER_CODE=courier_code,
    )
    assert code == 0, output
    assert "Queued for relays: 2" in output
    code, output = run(["sync", "--home", str(b)])
    assert code == 0 and "Sent: 2." in output, output

    key = g.auth().key.hex()
    code, output = run(
        ["mailbox", "add", mb.hex(), "--relay", relay.url, "--key", key, "--home", str(c)]
    )
    assert code == 0, output
    code, output = run(["sync", "--home", str(c)])
    assert code == 0 and "waiting in your mailboxes: 2" in output, output


def test_persian_by_default(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["courier", "--help"], env={"HASTEH_LANG": "fa"})
    assert result.exit_code == 0
    assert "پیک" in result.output or "courier" in result.output
