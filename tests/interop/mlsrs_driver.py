"""MLS interop driver wrapping mls-rs (AWS's Rust MLS) through its UniFFI Python bindings.

Speaks the JSON-lines protocol of `/work/shared/specs/mls-interop-driver.md` (also summarised in
`docs/interop.md`) on stdin/stdout, so that a harness can pair mls-rs with hasteh's own driver:

    uv run python tests/interop/mlsrs_driver.py

The bindings come from the PyPI wheel `agentvault-mls-rs-uniffi` (module `mls_rs_uniffi`), which
exposes only part of mls-rs. Operations or arguments it cannot express are answered with
`ok:false` and an `error` starting with `unsupported`; `docs/interop.md` ("mls-rs wheel
coverage") lists them. Where the wheel returns no epoch authenticator, the results that carry
one (`join_group`, `handle_commit`, `handle_pending_commit`) report `epoch_authenticator: null`
and `state_auth` answers `unsupported`.

Independent of hasteh: this file imports nothing from `hasteh`.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import mls_rs_uniffi as mls  # type: ignore[import-untyped]

SUITE = 1  # MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, the wheel's only suite
WHEEL = "agentvault-mls-rs-uniffi"

# RFC 9420 §6: WireFormat and ContentType values.
WIRE_PUBLIC = 1
WIRE_PRIVATE = 2
CONTENT_APPLICATION = 1
CONTENT_PROPOSAL = 2
CONTENT_COMMIT = 3


class Unsupported(Exception):
    """The wheel cannot do what was asked; the message is sent after `unsupported: `."""


class BadRequest(Exception):
    """The request itself is wrong (unknown handle, missing argument, wrong message kind)."""


# --- minimal TLS-presentation readers (RFC 9420 §2.1) for the few fields we need -----------


def _varint(buf: bytes, off: int) -> tuple[int, int]:
    """Read an MLS variable-size length (RFC 9420 §2.1.2); return (value, new offset)."""
    first = buf[off]
    prefix = first >> 6
    if prefix == 0:
        return first & 0x3F, off + 1
    if prefix == 1:
        return int.from_bytes(buf[off : off + 2], "big") & 0x3FFF, off + 2
    if prefix == 2:
        return int.from_bytes(buf[off : off + 4], "big") & 0x3FFFFFFF, off + 4
    raise BadRequest("invalid variable-length integer")


def _opaque(buf: bytes, off: int) -> tuple[bytes, int]:
    length, off = _varint(buf, off)
    end = off + length
    if end > len(buf):
        raise BadRequest("truncated vector")
    return buf[off:end], end


def wire_format(message: bytes) -> int:
    """The `wire_format` of an MLSMessage (version u16 then wire_format u16)."""
    if len(message) < 4:
        raise BadRequest("MLSMessage too short")
    return int.from_bytes(message[2:4], "big")


def private_header(message: bytes) -> tuple[int, bytes]:
    """(content_type, authenticated_data) from a PrivateMessage's cleartext header (§6.3)."""
    if wire_format(message) != WIRE_PRIVATE:
        raise BadRequest("not a PrivateMessage")
    off = 4
    _, off = _opaque(message, off)  # group_id
    off += 8  # epoch
    content_type = message[off]
    aad, _ = _opaque(message, off + 1)
    return content_type, aad


def public_commit_has_path(message: bytes) -> bool:
    """Whether a PublicMessage Commit carries an UpdatePath (§6.2, §12.4)."""
    if wire_format(message) != WIRE_PUBLIC:
        raise BadRequest("not a PublicMessage")
    off = 4
    _, off = _opaque(message, off)  # group_id
    off += 8  # epoch
    sender_type = message[off]
    off += 1
    if sender_type in (1, 2):  # member / external: leaf_index or sender_index
        off += 4
    _, off = _opaque(message, off)  # authenticated_data
    if message[off] != CONTENT_COMMIT:
        raise BadRequest("not a Commit")
    _, off = _opaque(message, off + 1)  # proposals<V>
    return message[off] == 1  # optional<UpdatePath>


# --- state ---------------------------------------------------------------------------------


class MemoryStorage(mls.GroupStateStorage):  # type: ignore[misc]
    """In-memory group state storage, shared by a member's two clients (see `Member.group_for`)."""

    def __init__(self) -> None:
        self.states: dict[bytes, bytes] = {}
        self.epochs: dict[tuple[bytes, int], bytes] = {}

    def state(self, group_id: bytes) -> bytes | None:
        return self.states.get(group_id)

    def epoch(self, group_id: bytes, epoch_id: int) -> bytes | None:
        return self.epochs.get((group_id, epoch_id))

    def write(
        self,
        group_id: bytes,
        group_state: bytes,
        epoch_inserts: list[Any],
        epoch_updates: list[Any],
    ) -> None:
        self.states[group_id] = group_state
        for record in [*epoch_inserts, *epoch_updates]:
            self.epochs[(group_id, record.id)] = record.data

    def max_epoch_id(self, group_id: bytes) -> int | None:
        ids = [epoch for (gid, epoch) in self.epochs if gid == group_id]
        return max(ids) if ids else None


@dataclass
class Identity:
    """One BasicCredential identity and its two clients.

    The wheel fixes `use_ratchet_tree_extension` per client, so each identity has one client
    with the extension (tree in-band in Welcomes) and one without (`external_tree`); both share
    the signature key and the group storage, and a group moves between them through storage.
    """

    name: bytes
    keypair: Any
    storage: MemoryStorage
    clients: dict[bool, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, name: bytes) -> Identity:
        keypair = mls.generate_signature_keypair(mls.CipherSuite.CURVE25519_AES128)
        return cls(name=name, keypair=keypair, storage=MemoryStorage())

    def client(self, tree_in_band: bool) -> Any:
        if tree_in_band not in self.clients:
            config = mls.ClientConfig(
                group_state_storage=self.storage, use_ratchet_tree_extension=tree_in_band
            )
            self.clients[tree_in_band] = mls.Client(self.name, self.keypair, config)
        return self.clients[tree_in_band]


@dataclass
class Member:
    """A driver `state`: one member's view of one group."""

    identity: Identity
    group: Any
    group_id: bytes
    tree_in_band: bool
    encrypt_handshake: bool
    pending_commit: bytes | None = None
    # Proposal messages created or processed in the current epoch, in order.
    proposals: list[bytes] = field(default_factory=list)
    removed: bool = False

    def group_for(self, tree_in_band: bool) -> Any:
        """The group, held by the client whose ratchet-tree-extension setting is asked for."""
        if tree_in_band != self.tree_in_band:
            self.group.write_to_storage()
            self.group = self.identity.client(tree_in_band).load_group(self.group_id)
            self.tree_in_band = tree_in_band
        return self.group

    def rollback(self) -> None:
        """Back to the last `write_to_storage` (drops a pending commit)."""
        self.group = self.identity.client(self.tree_in_band).load_group(self.group_id)
        self.pending_commit = None

    def new_epoch(self) -> None:
        self.pending_commit = None
        self.proposals.clear()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any, name: str) -> bytes:
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise BadRequest(f"{name} is not valid base64") from exc


def _message(data: bytes) -> Any:
    return mls.Message.from_bytes(data)


class Driver:
    """Handles for key packages (`tx`) and group states, and one method per protocol op."""

    def __init__(self) -> None:
        self.next_handle = 1
        self.txs: dict[int, Identity] = {}
        self.members: dict[int, Member] = {}
        self.ops: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "name": self.op_name,
            "supported_suites": self.op_supported_suites,
            "create_key_package": self.op_create_key_package,
            "create_group": self.op_create_group,
            "join_group": self.op_join_group,
            "add_proposal": self.op_add_proposal,
            "update_proposal": self.op_update_proposal,
            "remove_proposal": self.op_remove_proposal,
            "commit": self.op_commit,
            "handle_pending_commit": self.op_handle_pending_commit,
            "handle_commit": self.op_handle_commit,
            "protect": self.op_protect,
            "unprotect": self.op_unprotect,
            "export": self.op_export,
            "state_auth": self.op_state_auth,
            "group_info": self.op_group_info,
            "free": self.op_free,
        }

    # -- helpers --

    def _handle(self) -> int:
        handle = self.next_handle
        self.next_handle += 1
        return handle

    def _member(self, req: dict[str, Any]) -> Member:
        handle = req.get("state")
        if not isinstance(handle, int) or handle not in self.members:
            raise BadRequest(f"unknown state {handle!r}")
        member = self.members[handle]
        if member.removed:
            raise BadRequest("this member was removed from the group")
        return member

    @staticmethod
    def _suite(req: dict[str, Any]) -> None:
        if req.get("suite") != SUITE:
            raise Unsupported(f"cipher suite {req.get('suite')!r}: the wheel has suite 1 only")

    @staticmethod
    def _can_send_handshake(member: Member) -> None:
        if member.encrypt_handshake:
            raise Unsupported(
                "encrypt_handshake: the wheel sends proposals and commits as PublicMessage only"
            )

    @staticmethod
    def _signing_identity(name: bytes) -> Any:
        # The wheel finds the member to remove by the BasicCredential identity alone
        # (BasicIdentityProvider::identity), so any key pair gives a usable SigningIdentity.
        keypair = mls.generate_signature_keypair(mls.CipherSuite.CURVE25519_AES128)
        config = mls.ClientConfig(
            group_state_storage=MemoryStorage(), use_ratchet_tree_extension=True
        )
        return mls.Client(name, keypair, config).signing_identity()

    def _process_proposal(self, member: Member, proposal: bytes) -> None:
        if proposal in member.proposals:
            return
        if wire_format(proposal) == WIRE_PRIVATE:
            content_type, _ = private_header(proposal)
            if content_type != CONTENT_PROPOSAL:
                raise BadRequest("expected a proposal")
        received = member.group.process_incoming_message(_message(proposal))
        if not isinstance(received, mls.ReceivedMessage.RECEIVED_PROPOSAL):
            raise BadRequest(f"expected a proposal, processed {type(received).__name__}")
        member.proposals.append(proposal)

    # -- ops --

    def op_name(self, req: dict[str, Any]) -> dict[str, Any]:
        return {"name": f"mls-rs ({WHEEL} {metadata.version(WHEEL)})"}

    def op_supported_suites(self, req: dict[str, Any]) -> dict[str, Any]:
        return {"suites": [SUITE]}

    def op_create_key_package(self, req: dict[str, Any]) -> dict[str, Any]:
        self._suite(req)
        identity = Identity.new(_unb64(req.get("identity"), "identity"))
        key_package = identity.client(True).generate_key_package_message().to_bytes()
        tx = self._handle()
        self.txs[tx] = identity
        return {"tx": tx, "key_package": _b64(key_package)}

    def op_create_group(self, req: dict[str, Any]) -> dict[str, Any]:
        self._suite(req)
        identity = Identity.new(_unb64(req.get("identity"), "identity"))
        group_id = _unb64(req.get("group_id"), "group_id")
        group = identity.client(True).create_group(group_id)
        state = self._handle()
        self.members[state] = Member(
            identity=identity,
            group=group,
            group_id=group_id,
            tree_in_band=True,
            encrypt_handshake=bool(req.get("encrypt_handshake")),
        )
        return {"state": state}

    def op_join_group(self, req: dict[str, Any]) -> dict[str, Any]:
        tx = req.get("tx")
        if not isinstance(tx, int) or tx not in self.txs:
            raise BadRequest(f"unknown tx {tx!r}")
        identity = self.txs[tx]
        welcome = _message(_unb64(req.get("welcome"), "welcome"))
        tree_b64 = req.get("ratchet_tree")
        tree = None if tree_b64 is None else mls.RatchetTree(bytes=_unb64(tree_b64, "ratchet_tree"))
        joined = identity.client(True).join_group(tree, welcome)
        group = joined.group
        # The wheel does not expose the group id; storage learns it on the first write.
        group.write_to_storage()
        (group_id,) = identity.storage.states.keys()
        del self.txs[tx]
        state = self._handle()
        self.members[state] = Member(
            identity=identity,
            group=group,
            group_id=group_id,
            tree_in_band=True,
            encrypt_handshake=bool(req.get("encrypt_handshake")),
        )
        return {"state": state, "epoch_authenticator": None}

    def op_add_proposal(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        self._can_send_handshake(member)
        key_package = _unb64(req.get("key_package"), "key_package")
        (proposal,) = member.group.propose_add_members([_message(key_package)])
        data: bytes = proposal.to_bytes()
        member.proposals.append(data)
        return {"proposal": _b64(data)}

    def op_update_proposal(self, req: dict[str, Any]) -> dict[str, Any]:
        self._member(req)
        raise Unsupported("update_proposal: the wheel has no propose_update")

    def op_remove_proposal(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        self._can_send_handshake(member)
        removed = _unb64(req.get("removed_identity"), "removed_identity")
        (proposal,) = member.group.propose_remove_members([self._signing_identity(removed)])
        data: bytes = proposal.to_bytes()
        member.proposals.append(data)
        return {"proposal": _b64(data)}

    def op_commit(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        self._can_send_handshake(member)
        if member.pending_commit is not None:
            raise BadRequest("a commit is already pending")
        by_reference = [_unb64(p, "by_reference") for p in req.get("by_reference") or []]
        adds = [_unb64(k, "add") for k in req.get("add") or []]
        removes = [_unb64(i, "remove") for i in req.get("remove") or []]
        force_path = bool(req.get("force_path"))
        external_tree = bool(req.get("external_tree"))
        if adds and removes:
            raise Unsupported(
                "commit with adds and removes by value together: the wheel commits either"
                " add_members or remove_members"
            )
        for proposal in by_reference:
            self._process_proposal(member, proposal)
        extra = [p for p in member.proposals if p not in by_reference]
        if extra:
            raise Unsupported(
                f"commit of a subset of proposals: the wheel commits every proposal it holds"
                f" ({len(extra)} not listed in by_reference)"
            )
        group = member.group_for(not external_tree)
        group.write_to_storage()  # rollback point should the commit not match the request
        if adds:
            output = group.add_members([_message(k) for k in adds])
        elif removes:
            output = group.remove_members([self._signing_identity(i) for i in removes])
        else:
            output = group.commit()
        commit: bytes = output.commit_message.to_bytes()
        if force_path and not public_commit_has_path(commit):
            member.rollback()
            raise Unsupported(
                "force_path: the wheel's commit rules add an UpdatePath only where RFC 9420"
                " requires one (not for add-only commits)"
            )
        member.pending_commit = commit
        welcome = output.welcome_message
        tree = output.ratchet_tree if external_tree else None
        if external_tree and welcome is not None and tree is None:
            member.rollback()
            raise BadRequest("the wheel returned no ratchet tree for an external-tree commit")
        return {
            "commit": _b64(commit),
            "welcome": None if welcome is None else _b64(welcome.to_bytes()),
            "ratchet_tree": None if tree is None else _b64(tree.bytes),
        }

    def op_handle_pending_commit(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        if member.pending_commit is None:
            raise BadRequest("no pending commit")
        # mls-rs recognises its own commit by hash and merges the staged state.
        received = member.group.process_incoming_message(_message(member.pending_commit))
        if not isinstance(received, mls.ReceivedMessage.COMMIT):
            raise BadRequest(f"own commit processed as {type(received).__name__}")
        member.new_epoch()
        return {"epoch_authenticator": None}

    def op_handle_commit(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        for proposal in req.get("proposals") or []:
            self._process_proposal(member, _unb64(proposal, "proposals"))
        commit = _unb64(req.get("commit"), "commit")
        if wire_format(commit) == WIRE_PRIVATE and private_header(commit)[0] != CONTENT_COMMIT:
            raise BadRequest("expected a commit")
        received = member.group.process_incoming_message(_message(commit))
        if not isinstance(received, mls.ReceivedMessage.COMMIT):
            raise BadRequest(f"expected a commit, processed {type(received).__name__}")
        member.new_epoch()
        if isinstance(received.effect, mls.CommitEffect.REMOVED):
            member.removed = True
            return {"epoch_authenticator": None, "removed": True}
        return {"epoch_authenticator": None}

    def op_protect(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        aad = _unb64(req.get("authenticated_data") or "", "authenticated_data")
        plaintext = _unb64(req.get("plaintext"), "plaintext")
        if aad:
            raise Unsupported(
                "authenticated_data: the wheel's encrypt_application_message takes none"
            )
        ciphertext: bytes = member.group.encrypt_application_message(plaintext).to_bytes()
        return {"ciphertext": _b64(ciphertext)}

    def op_unprotect(self, req: dict[str, Any]) -> dict[str, Any]:
        handle = req.get("state")
        if not isinstance(handle, int) or handle not in self.members:
            raise BadRequest(f"unknown state {handle!r}")
        member = self.members[handle]  # a removed member may try, and must fail
        ciphertext = _unb64(req.get("ciphertext"), "ciphertext")
        content_type, aad = private_header(ciphertext)
        if content_type != CONTENT_APPLICATION:
            raise BadRequest("not an application message")
        received = member.group.process_incoming_message(_message(ciphertext))
        if not isinstance(received, mls.ReceivedMessage.APPLICATION_MESSAGE):
            raise BadRequest(f"expected an application message, got {type(received).__name__}")
        # The AEAD covers the cleartext header, so the parsed authenticated_data is authentic.
        return {"authenticated_data": _b64(aad), "plaintext": _b64(received.data)}

    def op_export(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        label = req.get("label")
        length = req.get("length")
        if not isinstance(label, str) or not isinstance(length, int):
            raise BadRequest("label must be a string and length an integer")
        context = _unb64(req.get("context") or "", "context")
        secret: bytes = member.group.export_secret(label.encode("utf-8"), context, length)
        return {"secret": _b64(secret)}

    def op_state_auth(self, req: dict[str, Any]) -> dict[str, Any]:
        self._member(req)
        raise Unsupported("state_auth: the wheel does not expose the epoch_authenticator")

    def op_group_info(self, req: dict[str, Any]) -> dict[str, Any]:
        self._member(req)
        raise Unsupported("group_info: the wheel has no call that signs a GroupInfo on demand")

    def op_free(self, req: dict[str, Any]) -> dict[str, Any]:
        handle = req.get("state")
        if not isinstance(handle, int) or handle not in self.members:
            raise BadRequest(f"unknown state {handle!r}")
        del self.members[handle]
        return {}

    # -- framing --

    def handle_line(self, line: str) -> dict[str, Any]:
        req_id: Any = None
        try:
            req = json.loads(line)
            if not isinstance(req, dict):
                raise BadRequest("request must be a JSON object")
            req_id = req.get("id")
            op = req.get("op")
            if not isinstance(op, str) or op not in self.ops:
                raise Unsupported(f"op {op!r}")
            result = self.ops[op](req)
            return {"id": req_id, "ok": True, **result}
        except Unsupported as exc:
            return {"id": req_id, "ok": False, "error": _one_line(f"unsupported: {exc}")}
        except Exception as exc:  # any failure is an answer, never the end of the driver
            return {"id": req_id, "ok": False, "error": _one_line(f"{type(exc).__name__}: {exc}")}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main() -> int:
    driver = Driver()
    for line in sys.stdin:
        if not line.strip():
            continue
        response = driver.handle_line(line)
        sys.stdout.write(json.dumps(response) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
