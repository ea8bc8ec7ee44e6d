"""key-schedule.json: epochs chained through the key schedule (RFC 9420 §8).

Verification (test-vectors.md), for each `epochs[i]`, starting from
`initial_init_secret`:

* build GroupContext{cipher_suite, group_id, epoch = i, tree_hash,
  confirmed_transcript_hash, extensions = {}} and compare with `group_context`;
* run the key schedule on the prior `init_secret`, `commit_secret`, `psk_secret` and
  that GroupContext; every output secret matches;
* `external_pub` is the public half of KEM.DeriveKeyPair(external_secret);
* `exporter.secret == MLS-Exporter(exporter.label, exporter.context, exporter.length)`.

We also check that the joiner's path (from `joiner_secret`) reaches the same secrets.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from hasteh.mls import key_schedule as ks
from hasteh.mls.cipher_suite import get_suite
from hasteh.mls.group_context import GroupContext
from hasteh.mls.vectors import expect, h


def check(case: dict[str, Any]) -> None:
    suite = get_suite(case["cipher_suite"])
    group_id = h(case["group_id"])
    init_secret = h(case["initial_init_secret"])
    for i, ep in enumerate(case["epochs"]):
        gc = GroupContext(
            cipher_suite=suite.id,
            group_id=group_id,
            epoch=i,
            tree_hash=h(ep["tree_hash"]),
            confirmed_transcript_hash=h(ep["confirmed_transcript_hash"]),
        ).to_bytes()
        expect(f"epoch {i} group_context", gc, h(ep["group_context"]))

        psk_secret = h(ep["psk_secret"]) if ep.get("psk_secret") else ks.zero_secret(suite)
        secrets = ks.derive_epoch_secrets(
            suite, init_secret, h(ep["commit_secret"]), psk_secret, gc
        )
        for f in fields(secrets):
            if f.name == "epoch_secret":
                continue  # not in the vectors
            expect(f"epoch {i} {f.name}", getattr(secrets, f.name), h(ep[f.name]))
        joined = ks.epoch_secrets_from_joiner(suite, secrets.joiner_secret, psk_secret, gc)
        expect(f"epoch {i} joiner path", joined, secrets)
        expect(
            f"epoch {i} welcome_secret (direct)",
            ks.welcome_secret(suite, secrets.joiner_secret, psk_secret),
            secrets.welcome_secret,
        )

        expect(
            f"epoch {i} external_pub",
            ks.external_pub(suite, secrets.external_secret),
            h(ep["external_pub"]),
        )
        ex = ep["exporter"]
        # `label` is a JSON string (test-vectors.md), used as its UTF-8 bytes, though it
        # looks like hex; `context` is hex.
        exported = ks.exporter(
            suite, secrets.exporter_secret, ex["label"].encode(), h(ex["context"]), ex["length"]
        )
        expect(f"epoch {i} exporter", exported, h(ex["secret"]))
        init_secret = secrets.init_secret
