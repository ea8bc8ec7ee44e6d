"""Message protection (RFC 9420 §6): the message-protection.json vectors, and every
tampering or misuse mapped to its pinned `InvalidMessage.reason` / `UsageError`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from hasteh.mls.cipher_suite import CipherSuite, get_suite
from hasteh.mls.commit import Commit
from hasteh.mls.errors import InvalidMessage, UsageError
from hasteh.mls.framing import (
    FramedContent,
    FramedContentAuthData,
    PrivateContentAAD,
    PrivateMessage,
    PrivateMessageContent,
    PublicMessage,
    Sender,
    SenderData,
    SenderDataAAD,
    WireFormat,
)
from hasteh.mls.group_context import GroupContext
from hasteh.mls.message_protection import (
    authenticate,
    protect_private,
    protect_public,
    seal_private,
    seal_public,
    unprotect_private,
    unprotect_public,
)
from hasteh.mls.proposals import Remove
from hasteh.mls.secret_tree import RatchetKind, SecretTree, sender_data_key_nonce
from hasteh.mls.tree_math import LeafIndex
from hasteh.mls.vectors import run_file

from ..conftest import vectors_dir


def test_message_protection_vectors() -> None:
    result = run_file(vectors_dir() / "message-protection.json")
    assert result.failures == []
    assert result.passed == 7  # one per cipher suite


@dataclass
class Env:
    suite: CipherSuite
    context: GroupContext
    signing_key: bytes
    verification_key: bytes
    membership_key: bytes
    sender_data_secret: bytes
    encryption_secret: bytes

    def tree(self) -> SecretTree:
        return SecretTree(self.suite, self.encryption_secret, 2)

    def key(self, content: FramedContent) -> bytes:
        return self.verification_key

    def framed(self, body: bytes | Remove | Commit = b"hello", leaf: int = 1) -> FramedContent:
        return FramedContent(
            self.context.group_id, self.context.epoch, Sender.member(leaf), b"ad", body
        )


@pytest.fixture(params=[1, 2, 4], ids=lambda s: f"suite{s}")
def env(request: pytest.FixtureRequest) -> Env:
    cases: list[dict[str, Any]] = json.loads(
        (vectors_dir() / "message-protection.json").read_text()
    )
    c = next(c for c in cases if c["cipher_suite"] == request.param)
    suite = get_suite(c["cipher_suite"])
    context = GroupContext(
        suite.id,
        bytes.fromhex(c["group_id"]),
        c["epoch"],
        bytes.fromhex(c["tree_hash"]),
        bytes.fromhex(c["confirmed_transcript_hash"]),
    )
    return Env(
        suite,
        context,
        bytes.fromhex(c["signature_priv"]),
        bytes.fromhex(c["signature_pub"]),
        bytes.fromhex(c["membership_key"]),
        bytes.fromhex(c["sender_data_secret"]),
        bytes.fromhex(c["encryption_secret"]),
    )


def fixed_rng(value: bytes) -> Callable[[int], bytes]:
    return lambda n: value[:n]


def flip(data: bytes, index: int = -1) -> bytes:
    b = bytearray(data)
    b[index] ^= 0x01
    return bytes(b)


def reason(exc: pytest.ExceptionInfo[InvalidMessage]) -> str:
    return exc.value.reason


# --- PublicMessage ----------------------------------------------------------------


REMOVE_0 = Remove(0)


def public(env: Env, body: bytes | Remove | Commit = REMOVE_0) -> PublicMessage:
    tag = b"t" * env.suite.nh if isinstance(body, Commit) else None
    return protect_public(
        env.suite,
        env.framed(body),
        context=env.context,
        signing_key=env.signing_key,
        membership_key=env.membership_key,
        confirmation_tag=tag,
    )


def open_public(env: Env, msg: PublicMessage) -> None:
    unprotect_public(
        env.suite,
        msg,
        context=env.context,
        membership_key=env.membership_key,
        verification_key=env.key,
    )


def test_public_round_trip_of_a_commit(env: Env) -> None:
    msg = public(env, Commit((Remove(0),)))
    got = unprotect_public(
        env.suite,
        msg,
        context=env.context,
        membership_key=env.membership_key,
        verification_key=env.key,
    )
    assert got.content == msg.content and got.auth.confirmation_tag == b"t" * env.suite.nh


def test_public_bad_membership_tag(env: Env) -> None:
    msg = public(env)
    assert msg.membership_tag is not None
    with pytest.raises(InvalidMessage) as exc:
        open_public(env, replace(msg, membership_tag=flip(msg.membership_tag)))
    assert reason(exc) == "bad-membership-tag"
    with pytest.raises(InvalidMessage) as exc:
        open_public(env, replace(msg, content=replace(msg.content, authenticated_data=b"x")))
    assert reason(exc) == "bad-membership-tag"


def test_public_bad_signature(env: Env) -> None:
    msg = public(env)
    forged = replace(msg, auth=FramedContentAuthData(flip(msg.auth.signature, 10)))
    # Re-tag so only the signature is wrong, as an insider holding membership_key could.
    forged = seal_public(
        env.suite,
        replace(_authenticated(msg), auth=forged.auth),
        context=env.context,
        membership_key=env.membership_key,
    )
    with pytest.raises(InvalidMessage) as exc:
        open_public(env, forged)
    assert reason(exc) == "bad-signature"


def _authenticated(msg: PublicMessage) -> Any:
    from hasteh.mls.framing import AuthenticatedContent

    return AuthenticatedContent(WireFormat.PUBLIC_MESSAGE, msg.content, msg.auth)


def test_public_wrong_epoch_and_group(env: Env) -> None:
    msg = public(env)
    with pytest.raises(InvalidMessage) as exc:
        open_public(env, replace(msg, content=replace(msg.content, epoch=env.context.epoch + 1)))
    assert reason(exc) == "wrong-epoch"
    with pytest.raises(InvalidMessage) as exc:
        open_public(env, replace(msg, content=replace(msg.content, group_id=b"other")))
    assert reason(exc) == "wrong-group"


def test_public_application_refused_both_ways(env: Env) -> None:
    with pytest.raises(UsageError):
        public(env, b"secret")
    auth = FramedContentAuthData(b"sig")
    msg = PublicMessage(env.framed(b"secret"), auth, b"tag")
    with pytest.raises(InvalidMessage) as exc:
        open_public(env, msg)
    assert reason(exc) == "public-application"


def test_public_sender_type_must_fit_content(env: Env) -> None:
    content = replace(env.framed(Commit(())), sender=Sender.external(0))
    msg = PublicMessage(content, FramedContentAuthData(b"sig", b"tag"))
    with pytest.raises(InvalidMessage) as exc:
        open_public(env, msg)
    assert reason(exc) == "bad-sender"
    content = replace(env.framed(Remove(0)), sender=Sender.new_member_proposal())
    with pytest.raises(InvalidMessage) as exc:
        open_public(env, PublicMessage(content, FramedContentAuthData(b"sig")))
    assert reason(exc) == "bad-sender"


def test_external_sender_signature_has_no_context(env: Env) -> None:
    content = replace(env.framed(Remove(0)), sender=Sender.external(0))
    msg = protect_public(
        env.suite,
        content,
        context=env.context,
        signing_key=env.signing_key,
        membership_key=env.membership_key,
    )
    assert msg.membership_tag is None
    other_epoch = replace(env.context, tree_hash=b"x" * 32)
    unprotect_public(
        env.suite, msg, context=other_epoch, membership_key=b"", verification_key=env.key
    )


# --- PrivateMessage ---------------------------------------------------------------


def private(
    env: Env,
    tree: SecretTree,
    body: bytes | Remove | Commit = b"hello",
    guard: bytes = b"\x11\x22\x33\x44",
    padding_block: int = 0,
) -> PrivateMessage:
    tag = b"t" * env.suite.nh if isinstance(body, Commit) else None
    return protect_private(
        env.suite,
        env.framed(body),
        context=env.context,
        signing_key=env.signing_key,
        sender_data_secret=env.sender_data_secret,
        secret_tree=tree,
        rng=fixed_rng(guard),
        padding_block=padding_block,
        confirmation_tag=tag,
    )


def open_private(env: Env, msg: PrivateMessage, tree: SecretTree | None = None) -> Any:
    return unprotect_private(
        env.suite,
        msg,
        context=env.context,
        sender_data_secret=env.sender_data_secret,
        secret_tree=tree or env.tree(),
        verification_key=env.key,
    )


@pytest.mark.parametrize(
    "body", [b"hello", Remove(0), Commit((Remove(0),))], ids=["application", "proposal", "commit"]
)
def test_private_round_trip(env: Env, body: bytes | Remove | Commit) -> None:
    msg = private(env, env.tree(), body)
    got = open_private(env, msg)
    assert got.content == env.framed(body)
    assert got.wire_format == WireFormat.PRIVATE_MESSAGE


def test_private_tampered_ciphertext(env: Env) -> None:
    msg = private(env, env.tree())
    with pytest.raises(InvalidMessage) as exc:
        open_private(env, replace(msg, ciphertext=flip(msg.ciphertext)))
    # The sender-data key depends on the ciphertext sample, so a flip in the last
    # (tag) byte passes the sender data and fails the content AEAD.
    assert reason(exc) == "aead-open-failed"
    with pytest.raises(InvalidMessage) as exc:
        open_private(env, replace(msg, ciphertext=flip(msg.ciphertext, 0)))
    assert reason(exc) == "aead-open-failed"


def test_private_tampered_sender_data_and_header(env: Env) -> None:
    msg = private(env, env.tree())
    for bad in (
        replace(msg, encrypted_sender_data=flip(msg.encrypted_sender_data)),
        replace(msg, authenticated_data=b"changed"),
    ):
        with pytest.raises(InvalidMessage) as exc:
            open_private(env, bad)
        assert reason(exc) == "aead-open-failed"
    with pytest.raises(InvalidMessage) as exc:
        open_private(env, replace(msg, epoch=msg.epoch + 1))
    assert reason(exc) == "wrong-epoch"
    with pytest.raises(InvalidMessage) as exc:
        open_private(env, replace(msg, group_id=b"another"))
    assert reason(exc) == "wrong-group"


def test_private_bad_signature(env: Env) -> None:
    other_key, _ = env.suite.generate_signature_key(lambda n: bytes(range(1, n + 1)))
    msg = protect_private(
        env.suite,
        env.framed(),
        context=env.context,
        signing_key=other_key,
        sender_data_secret=env.sender_data_secret,
        secret_tree=env.tree(),
        rng=fixed_rng(bytes(4)),
    )
    with pytest.raises(InvalidMessage) as exc:
        open_private(env, msg)
    assert reason(exc) == "bad-signature"


def test_private_signature_is_bound_to_the_context(env: Env) -> None:
    msg = private(env, env.tree())
    moved = replace(env.context, confirmed_transcript_hash=b"\x00" * env.suite.nh)
    with pytest.raises(InvalidMessage) as exc:
        unprotect_private(
            env.suite,
            msg,
            context=moved,
            sender_data_secret=env.sender_data_secret,
            secret_tree=env.tree(),
            verification_key=env.key,
        )
    assert reason(exc) == "bad-signature"


def _encrypt_raw(env: Env, plaintext: bytes, sender_data: bytes | None = None) -> PrivateMessage:
    """Encrypt arbitrary plaintext the way §6.3 does, to forge malformed content."""
    suite, ctx = env.suite, env.context
    key = env.tree().next_key(LeafIndex(1), RatchetKind.APPLICATION)
    aad = PrivateContentAAD(ctx.group_id, ctx.epoch, env.framed().content_type, b"ad")
    ct = suite.aead_seal(key.key, key.nonce, aad.to_bytes(), plaintext)
    sd_key, sd_nonce = sender_data_key_nonce(suite, env.sender_data_secret, ct)
    sd = sender_data if sender_data is not None else SenderData(1, 0, bytes(4)).to_bytes()
    sd_aad = SenderDataAAD(ctx.group_id, ctx.epoch, env.framed().content_type).to_bytes()
    esd = suite.aead_seal(sd_key, sd_nonce, sd_aad, sd)
    return PrivateMessage(ctx.group_id, ctx.epoch, env.framed().content_type, b"ad", esd, ct)


def test_private_bad_padding(env: Env) -> None:
    signed = authenticate(
        env.suite,
        WireFormat.PRIVATE_MESSAGE,
        env.framed(),
        context=env.context,
        signing_key=env.signing_key,
    )
    plain = PrivateMessageContent(b"hello", signed.auth, padding=8).to_bytes()
    assert open_private(env, _encrypt_raw(env, plain)).content == env.framed()
    with pytest.raises(InvalidMessage) as exc:
        open_private(env, _encrypt_raw(env, plain[:-3] + b"\x01" + plain[-2:]))
    assert reason(exc) == "bad-padding"


def test_private_malformed_plaintexts(env: Env) -> None:
    with pytest.raises(InvalidMessage) as exc:
        open_private(env, _encrypt_raw(env, b"\x40"))
    assert reason(exc) == "malformed-content"
    with pytest.raises(InvalidMessage) as exc:
        open_private(env, _encrypt_raw(env, b"\x00\x00", sender_data=b"short"))
    assert reason(exc) == "malformed-sender-data"


def test_private_unknown_sender_and_replay(env: Env) -> None:
    tree = env.tree()
    msg = private(env, env.tree())
    open_private(env, msg, tree)
    with pytest.raises(InvalidMessage) as exc:
        open_private(env, msg, tree)
    assert reason(exc) == "key-consumed"
    forged = _encrypt_raw(env, b"", sender_data=SenderData(5, 0, bytes(4)).to_bytes())
    with pytest.raises(InvalidMessage) as exc:
        open_private(env, forged)
    assert reason(exc) == "unknown-sender"


def test_reuse_guard_changes_the_nonce(env: Env) -> None:
    a = private(env, env.tree(), guard=bytes(4))
    b = private(env, env.tree(), guard=b"\xff\x00\x00\x01")
    assert a.ciphertext != b.ciphertext  # same key and generation, different nonce
    assert open_private(env, a).content == open_private(env, b).content


def test_reuse_guard_is_xored_into_the_first_four_nonce_bytes(env: Env) -> None:
    guard = b"\xa5\x5a\x0f\xf0"
    msg = private(env, env.tree(), guard=guard)
    key = env.tree().next_key(LeafIndex(1), RatchetKind.APPLICATION)
    nonce = bytes(x ^ y for x, y in zip(key.nonce[:4], guard, strict=True)) + key.nonce[4:]
    aad = PrivateContentAAD(msg.group_id, msg.epoch, msg.content_type, msg.authenticated_data)
    env.suite.aead_open(key.key, nonce, aad.to_bytes(), msg.ciphertext)


@pytest.mark.parametrize("block", [0, 1, 32, 256])
def test_padding_block(env: Env, block: int) -> None:
    msg = private(env, env.tree(), padding_block=block)
    if block > 1:
        assert (len(msg.ciphertext) - 16) % block == 0
    assert open_private(env, msg).content == env.framed()


def test_misuse_is_a_usage_error(env: Env) -> None:
    signed = authenticate(
        env.suite,
        WireFormat.PUBLIC_MESSAGE,
        env.framed(Remove(0)),
        context=env.context,
        signing_key=env.signing_key,
    )
    with pytest.raises(UsageError):
        seal_private(
            env.suite,
            signed,
            sender_data_secret=env.sender_data_secret,
            secret_tree=env.tree(),
            rng=fixed_rng(bytes(4)),
        )
    external = replace(env.framed(Remove(0)), sender=Sender.external(0))
    with pytest.raises(UsageError):
        protect_private(
            env.suite,
            external,
            context=env.context,
            signing_key=env.signing_key,
            sender_data_secret=env.sender_data_secret,
            secret_tree=env.tree(),
            rng=fixed_rng(bytes(4)),
        )
    with pytest.raises(UsageError):
        authenticate(
            env.suite,
            WireFormat.WELCOME,
            env.framed(),
            context=env.context,
            signing_key=env.signing_key,
        )
    with pytest.raises(UsageError):
        private(env, env.tree(), guard=b"ab")


def test_forged_message_does_not_burn_the_senders_key(env: Env) -> None:
    """Any member can derive every leaf's keys; a forgery with a valid AEAD tag but a
    bad signature must not consume the generation the honest sender will use."""
    forger_key, _ = env.suite.generate_signature_key(lambda n: bytes(range(1, n + 1)))
    forged = protect_private(
        env.suite,
        env.framed(b"forged"),
        context=env.context,
        signing_key=forger_key,
        sender_data_secret=env.sender_data_secret,
        secret_tree=env.tree(),
        rng=fixed_rng(bytes(4)),
    )
    honest = private(env, env.tree(), b"hello")
    receiver = env.tree()
    with pytest.raises(InvalidMessage) as exc:
        open_private(env, forged, receiver)
    assert reason(exc) == "bad-signature"
    got = open_private(env, honest, receiver)
    assert got.content == env.framed(b"hello")
    with pytest.raises(InvalidMessage) as exc:
        open_private(env, honest, receiver)
    assert reason(exc) == "key-consumed"
