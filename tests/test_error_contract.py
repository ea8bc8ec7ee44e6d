"""One error contract (hasteh.errors): every code of every package has an English template,
a Persian translation, and a next step on each face; every template renders with its
parameters in fa and en; a hostile parameter reaches no screen as markup or a direction
control; and no face reads an error's text to decide anything."""

from __future__ import annotations

import ast
import importlib.util
import string
import subprocess
import sys
import typing
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hasteh.app.errors import (
    APP_MESSAGES,
    CARD_REASONS,
    AppCode,
    AppError,
    CardError,
    CardReason,
    GroupError,
    Refused,
    mls_errors,
)
from hasteh.app.sync import NOTICES, NoticeCode
from hasteh.cli import next_steps as cli_steps
from hasteh.course.errors import COURSE_MESSAGES, CourseCode, CourseError
from hasteh.envelope import (
    ENVELOPE_MESSAGES,
    WRITE_AUTH_MESSAGES,
    EnvelopeCode,
    EnvelopeError,
    WriteAuthCode,
    WriteAuthError,
)
from hasteh.errors import Domain, HastehError, placeholders
from hasteh.i18n import display_text, error_text, translations
from hasteh.jalali import TIME_MESSAGES, TimeCode, TimeInputError
from hasteh.mls.errors import InvalidMessage, MLSError, UsageError
from hasteh.next_step_kinds import KINDS, OWN_WORDS, StepKind
from hasteh.org.errors import MESSAGES as ORG_MESSAGES
from hasteh.org.errors import InvalidEvent, OrgCode, OrgError
from hasteh.org.policy import ALARMS, AlarmCode
from hasteh.publish.errors import PUBLISH_MESSAGES, PublishCode, PublishError
from hasteh.relay.errors import RELAY_MESSAGES, RelayCode, RelayError
from hasteh.tor.errors import TOR_MESSAGES, TorCode, TorError
from hasteh.transport.errors import (
    TRANSPORT_MESSAGES,
    RelayRefused,
    TransportCode,
    TransportError,
)
from hasteh.vault.errors import VAULT_MESSAGES, VaultCode, VaultError
from hasteh.web import next_steps as web_steps
from hasteh.web.app import render_template
from hasteh.web.i18n import Ui

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "hasteh"

#: Each domain: its root error class, its `Literal` of codes, its table of templates.
DOMAINS: dict[str, tuple[type[HastehError], Any, Mapping[Any, str]]] = {
    "org": (OrgError, OrgCode, ORG_MESSAGES),
    "app": (AppError, AppCode, APP_MESSAGES),
    "vault": (VaultError, VaultCode, VAULT_MESSAGES),
    "transport": (TransportError, TransportCode, TRANSPORT_MESSAGES),
    "relay": (RelayError, RelayCode, RELAY_MESSAGES),
    "envelope": (EnvelopeError, EnvelopeCode, ENVELOPE_MESSAGES),
    "write-auth": (WriteAuthError, WriteAuthCode, WRITE_AUTH_MESSAGES),
    "time": (TimeInputError, TimeCode, TIME_MESSAGES),
    "tor": (TorError, TorCode, TOR_MESSAGES),
    "course": (CourseError, CourseCode, COURSE_MESSAGES),
    "publish": (PublishError, PublishCode, PUBLISH_MESSAGES),
}
CODES = [(domain, code) for domain, (_, lit, _) in DOMAINS.items() for code in typing.get_args(lit)]
FA = translations("fa")


def build(domain: str, code: str, **params: Any) -> HastehError:
    """An error of `domain` with `code`, made through the root's own constructor."""
    root = DOMAINS[domain][0]
    err = root.__new__(root)
    HastehError.__init__(err, code, **params)
    return err


def sample_params(template: str) -> dict[str, Any]:
    """A value for each placeholder: numbers where the name says a count."""
    numeric = {"n", "count", "cap", "hard", "limit", "size", "low", "high", "have", "needed"}
    numeric |= {"leaf", "epoch", "last", "found", "supported", "step", "minimum", "days"}
    numeric |= {"version", "index", "status"}
    return {name: 1234 if name in numeric else "x-y" for name in placeholders(template)}


def test_every_domain_is_listed() -> None:
    assert set(DOMAINS) == set(typing.get_args(Domain))
    assert set(DOMAINS) == set(cli_steps.CLI_NEXT_STEPS) == set(web_steps.WEB_NEXT_STEPS)
    assert set(DOMAINS) == set(KINDS)
    for domain, (root, _, _) in DOMAINS.items():
        assert root.domain == domain


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_literal_codes_and_templates_agree(domain: str) -> None:
    root, lit, table = DOMAINS[domain]
    assert set(typing.get_args(lit)) == set(table)
    assert root.templates is table
    assert len(typing.get_args(lit)) == len(set(typing.get_args(lit)))


@pytest.mark.parametrize(("domain", "code"), CODES, ids=[f"{d}:{c}" for d, c in CODES])
def test_every_code_has_persian_and_a_step_on_each_face(domain: str, code: str) -> None:
    template = DOMAINS[domain][2][code]
    fa = FA.gettext(template)
    assert fa != template, "no Persian translation"
    assert any("\u0600" <= c <= "\u06ff" for c in fa)
    assert placeholders(fa) == placeholders(template)
    cli = cli_steps.CLI_NEXT_STEPS[domain][code]
    web = web_steps.WEB_NEXT_STEPS[domain][code]
    for step in (cli, web.text):
        assert step and FA.gettext(step) != step, step
        assert placeholders(step) <= placeholders(template)  # a step names only the params
        assert placeholders(FA.gettext(step)) == placeholders(step)
    # The web offers buttons and pages, never a command of the CLI.
    assert "`hasteh" not in web.text and "--" not in web.text
    assert web.href == "" or (web.href.startswith("/") and not web.href.startswith("//"))


# --------------------------------------------------------------------------- kinds of step

KIND_NAMES: tuple[str, ...] = typing.get_args(StepKind)


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_the_shared_table_gives_every_code_a_kind_and_nothing_else(domain: str) -> None:
    """One row per code in `hasteh.next_step_kinds`: a new code with no kind, or a row
    for a code that no longer exists, fails here."""
    assert set(KINDS[domain]) == set(typing.get_args(DOMAINS[domain][1]))
    assert set(KINDS[domain].values()) <= set(KIND_NAMES)


@pytest.mark.parametrize("kind", [k for k in KIND_NAMES if k != "own"])
def test_every_kind_has_words_on_both_faces(kind: str) -> None:
    cli = cli_steps.WORDS[typing.cast(StepKind, kind)]
    web = web_steps.WORDS[typing.cast(StepKind, kind)]
    for step in (cli, web.text):
        assert step and FA.gettext(step) != step, step
    assert "`hasteh" not in web.text and "--" not in web.text
    assert any(kind == k for table in KINDS.values() for k in table.values()), "unused kind"


def test_a_step_of_its_own_has_words_on_both_faces_and_no_kind_has_words_for_it() -> None:
    assert "own" not in cli_steps.WORDS and "own" not in web_steps.WORDS
    for domain, table in KINDS.items():
        for code, kind in table.items():
            if kind == "own":
                key = (domain, code)
                assert key in cli_steps.OVERRIDES or key in OWN_WORDS, key
                assert key in web_steps.OVERRIDES or key in OWN_WORDS, key


def test_overrides_and_own_words_name_real_codes_and_say_something_else() -> None:
    """An override that repeats its kind's words, or names a code that does not exist,
    is a row to delete; words both faces share have no command and no button."""
    real = set(CODES)
    for faces_words, overrides in (
        (cli_steps.WORDS, cli_steps.OVERRIDES),
        (web_steps.WORDS, web_steps.OVERRIDES),
    ):
        for (domain, code), step in overrides.items():
            assert (domain, code) in real, (domain, code)
            assert faces_words.get(KINDS[domain][code]) != step, (domain, code)
    for (domain, code), text in OWN_WORDS.items():
        assert (domain, code) in real and KINDS[domain][code] == "own", (domain, code)
        assert "`hasteh" not in text and "--" not in text and "Press" not in text


def test_a_kind_is_said_by_each_face_in_its_own_words() -> None:
    """The same code reaches the words of its kind on each face: a command on the
    command line, a page or button on the web."""
    err = AppError("unknown-decision")
    assert KINDS["app"]["unknown-decision"] == "decisions"
    assert cli_steps.next_step(err) == "See the decisions with `hasteh decide show CELL`."
    web = web_steps.next_step(err)
    assert web is not None and web.text == "Go back to the list of decisions."


def test_the_shared_table_loads_no_face_and_no_app() -> None:
    """Both faces import `hasteh.next_step_kinds`; it must not pull the app, a face or
    httpx into `hasteh --version` (tests/test_cli_basics.py checks the whole start)."""
    code = (
        "import sys\n"
        "import hasteh.next_step_kinds\n"
        "heavy = ('hasteh.app', 'hasteh.web', 'hasteh.cli', 'hasteh.org', 'httpx')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("domain", "code"), CODES, ids=[f"{d}:{c}" for d, c in CODES])
def test_every_code_renders_in_fa_and_en(domain: str, code: str) -> None:
    template = DOMAINS[domain][2][code]
    err = build(domain, code, **sample_params(template))
    en = error_text(err, "en")
    fa = error_text(err, "fa")
    assert en == str(err) == err.message
    assert "{" not in en and "{" not in fa
    assert en.count("?") == template.count("?")  # every parameter was filled
    if any(isinstance(v, int) for v in err.params.values()):
        assert "1234" in en and "۱۲۳۴" in fa and "1234" not in fa
    assert fa != en


def test_a_missing_parameter_shows_a_question_mark_not_a_crash() -> None:
    err = InvalidEvent("not-approved", have=1)
    assert err.message.endswith("1 of the ? approvals the cell requires.")
    assert "?" in error_text(err, "fa")


def test_unknown_codes_are_refused() -> None:
    for domain in DOMAINS:
        with pytest.raises(KeyError):
            build(domain, "no-such-code")


def test_a_translation_that_names_a_foreign_placeholder_falls_back_to_english() -> None:
    err = InvalidEvent("cap-reached", cap=5)
    text = err.render(lambda _m: "{secret} {cap}", str)
    assert text == err.message


# --------------------------------------------------------------------------- hostile params

HOSTILE = "\u202e<script>alert(1)</script>\u2066&amp;\u200f\x1b[31m"


def test_hostile_parameters_lose_direction_controls() -> None:
    err = Refused("cover-name-taken", name=HOSTILE)
    for lang in ("fa", "en"):
        text = error_text(err, lang)
        assert not set(text) & {"\u202e", "\u2066", "\u200f", "\x1b"}
        assert "<script>" in text  # plain text here: escaping is the web template's job


def test_hostile_parameters_are_escaped_on_the_web() -> None:
    err = Refused("cover-name-taken", name=HOSTILE)
    lines = web_steps.explain(Ui("fa"), err)
    html = render_template("_errors.html", Ui("fa"), page=SimpleNamespace(errors=lines))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&amp;amp;" in html
    assert not set(html) & {"\u202e", "\u2066", "\u200f", "\x1b"}
    assert FA.gettext("Type the name again, by hand; nothing was changed.") in html


def test_a_link_step_is_a_link_and_its_text_is_escaped() -> None:
    lines = web_steps.explain(Ui("en"), AppError("no-relay"))
    html = render_template("_errors.html", Ui("en"), page=SimpleNamespace(errors=lines))
    assert '<a href="/settings">Add a relay in Settings' in html
    lines = web_steps.explain(Ui("en"), AppError("empty-message"))
    html = render_template("_errors.html", Ui("en"), page=SimpleNamespace(errors=lines))
    assert "<a " not in html and "Nothing was changed." in html


def test_a_hostile_relay_refusal_shows_only_a_plain_slug() -> None:
    for slug in (HOSTILE, "budget exhausted", "A" * 41, ""):
        err = RelayRefused(400, slug, detail=HOSTILE)
        assert err.error == "unknown" and err.params["error"] == "unknown"
        assert HOSTILE not in error_text(err, "fa")
    assert RelayRefused(429, "budget_exhausted").params["error"] == "budget_exhausted"


@given(st.text(max_size=300))
def test_display_text_never_lets_a_control_through(text: str) -> None:
    shown = display_text(text)
    assert len(shown) <= 200
    assert not any(
        ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u061c\u200e\u200f" for c in shown
    )
    assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in shown)


@given(
    st.dictionaries(st.sampled_from(["name", "word", "x"]), st.text(max_size=50) | st.integers())
)
def test_any_parameters_render_without_a_crash(params: dict[str, Any]) -> None:
    err = InvalidEvent("cover-name-taken", **params)
    for lang in ("fa", "en"):
        assert error_text(err, lang)


# --------------------------------------------------------------------------- MLS boundary


def test_mls_error_is_its_own_root_and_is_wrapped_at_the_app_boundary() -> None:
    assert not issubclass(MLSError, HastehError)
    with pytest.raises(GroupError) as err:
        with mls_errors():
            raise InvalidMessage("bad-signature", "detail the peer chose")
    assert err.value.code == "group-unprocessable"
    assert err.value.params == {"reason": "bad-signature"}
    assert "detail the peer chose" not in error_text(err.value, "fa")
    with pytest.raises(GroupError) as moved:
        with mls_errors():
            raise InvalidMessage("wrong-epoch", "message epoch 1, ours 2")
    assert moved.value.code == "group-moved-on" and moved.value.params == {}


def test_commit_required_is_told_by_reason_not_by_text() -> None:
    with pytest.raises(GroupError) as err:
        with mls_errors():
            raise UsageError("a text that does not start with the slug", reason="commit-required")
    assert err.value.reason == "commit-required"
    with pytest.raises(GroupError) as other:
        with mls_errors():
            raise UsageError("commit-required: but the reason says usage")
    assert other.value.reason == "usage"


def test_card_reasons_and_codes_agree() -> None:
    assert set(CARD_REASONS) == set(typing.get_args(CardReason))
    for reason in typing.get_args(CardReason):
        err = CardError(reason)
        assert err.reason == reason and err.code == f"card-{reason}"
        assert err.template == CARD_REASONS[reason]


def test_refused_keeps_the_org_code_and_params() -> None:
    err = Refused("cap-reached", cap=5)
    assert (err.domain, err.code, err.params) == ("org", "cap-reached", {"cap": 5})
    assert isinstance(err, AppError) and err.template == ORG_MESSAGES["cap-reached"]


# --------------------------------------------------------------------------- faces


#: What a face must not read from a caught error: its text, or advice it no longer carries.
TEXT_ATTRIBUTES = ("args", "message", "template", "next_step")


def _face_files() -> list[Path]:
    return sorted([*(SRC / "web").rglob("*.py"), *(SRC / "cli").rglob("*.py")])


def _except_names(tree: ast.AST) -> set[str]:
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ExceptHandler) and node.name is not None
    }


@pytest.mark.parametrize("path", _face_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_face_reads_an_errors_text(path: Path) -> None:
    """The faces choose by code: no `str(exc)`, `exc.args`, `exc.message` or
    `exc.template` of a caught error, no `exc.next_step` (errors carry no advice: the
    face's table does), and no search for text inside a message."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    caught = _except_names(tree) - {"_"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("str", "repr", "format") and any(
                isinstance(a, ast.Name) and a.id in caught for a in node.args
            ):
                pytest.fail(f"{path.name}:{node.lineno} turns a caught error into text")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in caught and node.attr in (
                "args",
                "message",
                "template",
                "next_step",
            ):
                pytest.fail(f"{path.name}:{node.lineno} reads .{node.attr} of a caught error")
        if isinstance(node, ast.JoinedStr) and any(
            isinstance(v, ast.FormattedValue)
            and isinstance(v.value, ast.Name)
            and v.value.id in caught
            for v in node.values
        ):
            pytest.fail(f"{path.name}:{node.lineno} formats a caught error as text")
    assert '"`hasteh" in' not in source


def test_the_cli_prints_translated_text_and_the_step_of_the_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import typer

    from hasteh.cli import options

    printed: list[str] = []
    monkeypatch.setattr(options.err, "print", lambda text, **_kw: printed.append(text))

    @options.handles_errors
    def command() -> None:
        raise AppError("no-relay")

    monkeypatch.setenv("HASTEH_LANG", "fa")
    with pytest.raises(typer.Exit):
        command()
    assert printed == [
        FA.gettext("No relay is configured."),
        FA.gettext("Give one with --relay URL (an address your cell agreed on)."),
    ]


def test_template_fields_are_plain_names() -> None:
    """Templates use only ``{name}`` fields (no attribute, index or format spec), so a
    translation cannot reach into a parameter."""
    for _domain, (_root, _lit, table) in DOMAINS.items():
        for template in table.values():
            for _, name, spec, conv in string.Formatter().parse(template):
                if name is not None:
                    assert name.isidentifier() and not spec and not conv, template


def test_the_reference_in_the_docs_is_current() -> None:
    """docs/errors.md lists every code with its template and steps (scripts/errors_doc.py)."""
    spec = importlib.util.spec_from_file_location("errors_doc", ROOT / "scripts/errors_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc = (ROOT / "docs/errors.md").read_text(encoding="utf-8")
    assert doc == module.render(doc), "run: uv run python scripts/errors_doc.py"
    for domain, code in CODES:
        assert f"| `{code}` |" in doc.split(f"### `{domain}`")[1].split("###")[0], code


# --------------------------------------------------------------------------- related codes


@pytest.mark.parametrize(
    ("lit", "table"),
    [(NoticeCode, NOTICES), (AlarmCode, ALARMS)],
    ids=["notices", "alarms"],
)
def test_notice_and_alarm_codes_are_literals_with_persian(
    lit: Any, table: Mapping[str, str]
) -> None:
    assert set(typing.get_args(lit)) == set(table)
    for template in table.values():
        fa = FA.gettext(template)
        assert fa != template and placeholders(fa) == placeholders(template), template


def test_every_notice_the_runtime_raises_has_a_code() -> None:
    """`_notice(rt, "code")` and `set_aside(id, "code")` only with a `NoticeCode`."""
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in (SRC / "app").glob("*.py")]
    used = {
        node.args[1].value
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("_notice", "set_aside")
        and len(node.args) > 1
        and isinstance(node.args[1], ast.Constant)
    }
    assert used and used <= set(typing.get_args(NoticeCode))


def test_every_alarm_code_the_policy_refuses_with_is_an_org_code() -> None:
    assert set(typing.get_args(AlarmCode)) - {"seizure-disputed", "manual"} <= set(ORG_MESSAGES)
