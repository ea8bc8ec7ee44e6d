"""hasteh's MLS interop driver: JSON lines on stdin/stdout (shared/specs/mls-interop-driver.md).

    uv run python -m hasteh.mls.interop

A harness pairs this driver with drivers for other implementations (mls-rs, ...) and
relays MLSMessages between them. Every operation of the spec is supported, with
PublicMessage or PrivateMessage handshakes (`encrypt_handshake`).

Two layers, as everywhere in `hasteh.mls`:

* `InteropDriver.handle(request) -> response` is the protocol, sans-I/O: randomness and
  the clock are constructor arguments, and the driver's "mutable states" are handles on
  immutable `GroupState` values that it swaps as operations advance them;
* `main()` is the process shell: it reads stdin, writes stdout, and supplies the
  operating system's randomness and clock. It is the only I/O in this package outside
  the vector runner (a development tool, like it).

The spec's rules map onto the group API as follows: `commit` stages (`GroupState.commit`)
and `handle_pending_commit` merges (`merge_pending`) — RFC 9420 §14; proposals a member
sent or already processed are remembered per state by their message bytes, so a
`by_reference` or `handle_commit.proposals` list may repeat them harmlessly; a member
removed by a commit answers `removed: true` and keeps its old epoch, which cannot open
later epochs' messages.

Beyond the spec's table, optional arguments and ops cover the rest of RFC 9420 (a
harness that does not know them never sends them; they follow the MLS working group's
`mls_client` ops where it has one):

* `update_proposal` and `commit` take `new_signature_key` (bool): the Update's leaf, or
  the committer's path leaf, gets a fresh signature key, same credential (§12.1.2, §7.5);
* `external_join` (`identity`, `group_info`, `ratchet_tree` or null, `encrypt_handshake`,
  `resync` bool): join by an external Commit (§12.4.3.2); answers `state`, `commit` (for
  the members' `handle_commit`) and `epoch_authenticator`. `resync` removes the member
  with the same identity in the same Commit;
* `create_external_signer` (`suite`, `identity`): answers `signer` and `external_sender`
  (an encoded ExternalSender, §12.1.8.1); `create_group` takes `external_senders` (a list
  of them) for its GroupContext;
* `external_signer_proposal` (`signer`, `sender_index`, `group_id`, `epoch`, and
  `key_package` for an Add or `removed_leaf` for a Remove): answers `proposal`, which
  members take in `handle_commit.proposals` or `commit.by_reference` (§12.1.8).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from ..cipher_suite import SUITES, Rng, get_suite
from ..codec import decode_all, encode
from ..commit import ProposalRef
from ..credential import BasicCredential
from ..errors import MLSError
from ..extensions import RATCHET_TREE
from ..external_proposals import propose_as_external_sender
from ..external_senders import ExternalSender, external_senders_extension
from ..framing import MLSMessage
from ..group import (
    CommitApplied,
    GroupConfig,
    GroupState,
    PendingCommit,
    ProposalReceived,
    create_group,
    join_by_external_commit,
    join_from_welcome,
)
from ..key_package import KeyPackage
from ..key_package_ops import KeyPackageSecrets, create_key_package
from ..proposals import Add, Proposal, Remove
from ..ratchet_tree import RatchetTree
from ..tree_math import LeafIndex
from ..welcome import GroupInfo

#: The name this driver reports (`name` op).
DRIVER_NAME = "hasteh"


class DriverError(Exception):
    """A request the driver refuses (bad arguments, unknown handle); one line of text."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise DriverError(f"{what}: expected base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise DriverError(f"{what}: invalid base64") from None


def _int(req: dict[str, Any], key: str) -> int:
    value = req.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise DriverError(f"{key}: expected an integer")
    return value


def _bool(req: dict[str, Any], key: str, default: bool = False) -> bool:
    value = req.get(key, default)
    if not isinstance(value, bool):
        raise DriverError(f"{key}: expected a boolean")
    return value


def _list(req: dict[str, Any], key: str) -> list[bytes]:
    value = req.get(key) or []
    if not isinstance(value, list):
        raise DriverError(f"{key}: expected a list")
    return [_unb64(v, key) for v in value]


def _key_package(data: bytes) -> KeyPackage:
    msg = MLSMessage.from_bytes(data)
    if not isinstance(msg.body, KeyPackage):
        raise DriverError("key_package: the MLSMessage does not carry a KeyPackage")
    return msg.body


@dataclass
class _Member:
    """A driver "state": the current immutable GroupState and driver bookkeeping."""

    state: GroupState
    pending: PendingCommit | None = None
    removed: bool = False
    #: Proposal messages sent or processed in the current epoch, with their reference.
    seen: dict[bytes, ProposalRef] = field(default_factory=dict)

    def advance(self, state: GroupState) -> None:
        self.state = state
        self.pending = None
        self.seen = {}


class InteropDriver:
    """The driver protocol over hasteh's group API, without I/O."""

    def __init__(self, rng: Rng, clock: Callable[[], int]) -> None:
        self._rng = rng
        self._clock = clock
        self._members: dict[int, _Member] = {}
        self._txs: dict[int, KeyPackageSecrets] = {}
        self._signers: dict[int, tuple[int, bytes]] = {}  # handle -> (suite, private key)
        self._next = 1
        self._ops: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "name": self._name,
            "supported_suites": self._supported_suites,
            "create_key_package": self._create_key_package,
            "create_group": self._create_group,
            "join_group": self._join_group,
            "add_proposal": self._add_proposal,
            "update_proposal": self._update_proposal,
            "remove_proposal": self._remove_proposal,
            "commit": self._commit,
            "handle_pending_commit": self._handle_pending_commit,
            "handle_commit": self._handle_commit,
            "protect": self._protect,
            "unprotect": self._unprotect,
            "export": self._export,
            "state_auth": self._state_auth,
            "group_info": self._group_info,
            "free": self._free,
            "external_join": self._external_join,
            "create_external_signer": self._create_external_signer,
            "external_signer_proposal": self._external_signer_proposal,
        }

    # --- protocol entry ---------------------------------------------------------------

    def handle(self, request: Any) -> dict[str, Any]:
        """One request object in, one response object out; never raises."""
        req_id = request.get("id") if isinstance(request, dict) else None
        try:
            if not isinstance(request, dict):
                raise DriverError("a request is a JSON object")
            op = request.get("op")
            handler = self._ops.get(op) if isinstance(op, str) else None
            if handler is None:
                raise DriverError(f"unsupported operation {op!r}")
            result = handler(request)
        except DriverError as exc:
            return {"id": req_id, "ok": False, "error": _one_line(str(exc))}
        except MLSError as exc:
            return {"id": req_id, "ok": False, "error": _one_line(f"{type(exc).__name__}: {exc}")}
        except Exception as exc:  # a bug, reported without ending the driver
            return {
                "id": req_id,
                "ok": False,
                "error": _one_line(f"internal {type(exc).__name__}: {exc}"),
            }
        return {"id": req_id, "ok": True, **result}

    def _handle_id(self) -> int:
        value = self._next
        self._next += 1
        return value

    def _member(self, req: dict[str, Any]) -> _Member:
        handle = _int(req, "state")
        member = self._members.get(handle)
        if member is None:
            raise DriverError(f"unknown state {handle}")
        return member

    def _new_key_package(self, suite_id: int, identity: bytes) -> KeyPackageSecrets:
        suite = get_suite(suite_id)
        signature_private, _ = suite.generate_signature_key(self._rng)
        return create_key_package(
            suite_id, BasicCredential(identity), signature_private, rng=self._rng, now=self._clock()
        )

    # --- operations -----------------------------------------------------------------------

    def _name(self, req: dict[str, Any]) -> dict[str, Any]:
        return {"name": DRIVER_NAME}

    def _supported_suites(self, req: dict[str, Any]) -> dict[str, Any]:
        return {"suites": sorted(SUITES)}

    def _create_key_package(self, req: dict[str, Any]) -> dict[str, Any]:
        kps = self._new_key_package(_int(req, "suite"), _unb64(req.get("identity"), "identity"))
        tx = self._handle_id()
        self._txs[tx] = kps
        return {"tx": tx, "key_package": _b64(MLSMessage(kps.key_package).to_bytes())}

    def _create_group(self, req: dict[str, Any]) -> dict[str, Any]:
        suite_id = _int(req, "suite")
        kps = self._new_key_package(suite_id, _unb64(req.get("identity"), "identity"))
        senders = [decode_all(raw, ExternalSender.decode) for raw in _list(req, "external_senders")]
        state = create_group(
            suite_id,
            _unb64(req.get("group_id"), "group_id"),
            kps,
            rng=self._rng,
            extensions=(external_senders_extension(senders),) if senders else (),
            config=GroupConfig(encrypt_handshake=_bool(req, "encrypt_handshake")),
        )
        handle = self._handle_id()
        self._members[handle] = _Member(state)
        return {"state": handle}

    def _join_group(self, req: dict[str, Any]) -> dict[str, Any]:
        tx = _int(req, "tx")
        kps = self._txs.get(tx)
        if kps is None:
            raise DriverError(f"unknown tx {tx}")
        tree = req.get("ratchet_tree")
        state = join_from_welcome(
            _unb64(req.get("welcome"), "welcome"),
            kps,
            None if tree is None else _unb64(tree, "ratchet_tree"),
            now=self._clock(),
            config=GroupConfig(encrypt_handshake=_bool(req, "encrypt_handshake")),
        )
        del self._txs[tx]  # a KeyPackage is used once (§10, §16.8)
        handle = self._handle_id()
        self._members[handle] = _Member(state)
        return {"state": handle, "epoch_authenticator": _b64(state.epoch_authenticator)}

    def _proposed(self, member: _Member, state: GroupState, message: bytes) -> dict[str, Any]:
        ref = state.proposals.entries[-1].ref
        member.state = state
        member.seen[message] = ref
        return {"proposal": _b64(message)}

    def _add_proposal(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        kp = _key_package(_unb64(req.get("key_package"), "key_package"))
        state, message = member.state.propose_add(kp, rng=self._rng)
        return self._proposed(member, state, message)

    def _update_proposal(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        state, message = member.state.propose_update(
            rng=self._rng, signature_private=self._new_signature_key(member.state, req)
        )
        return self._proposed(member, state, message)

    def _new_signature_key(self, state: GroupState, req: dict[str, Any]) -> bytes | None:
        if not _bool(req, "new_signature_key"):
            return None
        return state.suite.generate_signature_key(self._rng)[0]

    def _leaf_of(self, state: GroupState, identity: bytes) -> LeafIndex:
        leaf = state.leaf_of_identity(identity)
        if leaf is None:
            raise DriverError("no member has that identity")
        return leaf

    def _remove_proposal(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        leaf = self._leaf_of(member.state, _unb64(req.get("removed_identity"), "removed_identity"))
        state, message = member.state.propose_remove(leaf, rng=self._rng)
        return self._proposed(member, state, message)

    def _absorb_proposal(self, member: _Member, message: bytes) -> ProposalRef:
        """Process a proposal message once; repeats and our own are looked up."""
        ref = member.seen.get(message)
        if ref is not None:
            return ref
        result = member.state.process(message, now=self._clock())
        if not isinstance(result, ProposalReceived):
            raise DriverError("a proposal message does not carry a proposal")
        member.state = result.new_state
        member.seen[message] = result.ref
        return result.ref

    def _commit(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        refs = [self._absorb_proposal(member, m) for m in _list(req, "by_reference")]
        state = member.state
        by_value: list[Proposal] = [Add(_key_package(kp)) for kp in _list(req, "add")]
        by_value += [Remove(self._leaf_of(state, i)) for i in _list(req, "remove")]
        external_tree = _bool(req, "external_tree")
        out = state.commit(
            by_value,
            by_reference=refs,
            force_path=_bool(req, "force_path"),
            inline_tree=not external_tree,
            signature_private=self._new_signature_key(state, req),
            rng=self._rng,
            now=self._clock(),
        )
        member.pending = out.pending
        return {
            "commit": _b64(out.commit),
            "welcome": None if out.welcome is None else _b64(out.welcome),
            "ratchet_tree": _b64(out.ratchet_tree) if external_tree else None,
        }

    def _handle_pending_commit(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        if member.pending is None:
            raise DriverError("no pending commit")
        member.advance(member.state.merge_pending(member.pending))
        return {"epoch_authenticator": _b64(member.state.epoch_authenticator)}

    def _handle_commit(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        if member.removed:
            raise DriverError("this member was removed from the group")
        for message in _list(req, "proposals"):
            self._absorb_proposal(member, message)
        result = member.state.process(_unb64(req.get("commit"), "commit"), now=self._clock())
        if not isinstance(result, CommitApplied):
            raise DriverError("the message is not a commit")
        if result.removed_self or result.new_state is None:
            member.removed = True
            member.pending = None
            return {"epoch_authenticator": None, "removed": True}
        member.advance(result.new_state)
        return {"epoch_authenticator": _b64(member.state.epoch_authenticator)}

    def _protect(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        if member.removed:
            raise DriverError("this member was removed from the group")
        ciphertext = member.state.protect(
            _unb64(req.get("plaintext"), "plaintext"),
            _unb64(req.get("authenticated_data", ""), "authenticated_data"),
            rng=self._rng,
        )
        return {"ciphertext": _b64(ciphertext)}

    def _unprotect(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        data = member.state.unprotect(_unb64(req.get("ciphertext"), "ciphertext"))
        return {
            "authenticated_data": _b64(data.authenticated_data),
            "plaintext": _b64(data.data),
        }

    def _export(self, req: dict[str, Any]) -> dict[str, Any]:
        member = self._member(req)
        label = req.get("label")
        if not isinstance(label, str):
            raise DriverError("label: expected a string")
        secret = member.state.export(
            label.encode(), _unb64(req.get("context", ""), "context"), _int(req, "length")
        )
        return {"secret": _b64(secret)}

    def _state_auth(self, req: dict[str, Any]) -> dict[str, Any]:
        return {"epoch_authenticator": _b64(self._member(req).state.epoch_authenticator)}

    def _group_info(self, req: dict[str, Any]) -> dict[str, Any]:
        state = self._member(req).state
        external = _bool(req, "external_tree")
        return {
            "group_info": _b64(state.group_info(external_tree=external)),
            "ratchet_tree": _b64(state.ratchet_tree()) if external else None,
        }

    def _free(self, req: dict[str, Any]) -> dict[str, Any]:
        self._members.pop(_int(req, "state"), None)
        return {}

    def _external_join(self, req: dict[str, Any]) -> dict[str, Any]:
        info_bytes = _unb64(req.get("group_info"), "group_info")
        msg = MLSMessage.from_bytes(info_bytes)
        if not isinstance(msg.body, GroupInfo):
            raise DriverError("group_info: the MLSMessage does not carry a GroupInfo")
        identity = _unb64(req.get("identity"), "identity")
        kps = self._new_key_package(msg.body.group_context.cipher_suite, identity)
        tree = req.get("ratchet_tree")
        tree_bytes = None if tree is None else _unb64(tree, "ratchet_tree")
        resync = None
        if _bool(req, "resync"):
            resync = _leaf_in_tree(
                msg.body.group_context.cipher_suite, msg.body, tree_bytes, identity
            )
        joined = join_by_external_commit(
            info_bytes,
            kps,
            tree_bytes,
            rng=self._rng,
            resync=resync,
            now=self._clock(),
            config=GroupConfig(encrypt_handshake=_bool(req, "encrypt_handshake")),
        )
        handle = self._handle_id()
        self._members[handle] = _Member(joined.new_state)
        return {
            "state": handle,
            "commit": _b64(joined.commit),
            "epoch_authenticator": _b64(joined.new_state.epoch_authenticator),
        }

    def _create_external_signer(self, req: dict[str, Any]) -> dict[str, Any]:
        suite_id = _int(req, "suite")
        private, public = get_suite(suite_id).generate_signature_key(self._rng)
        handle = self._handle_id()
        self._signers[handle] = (suite_id, private)
        sender = ExternalSender(public, BasicCredential(_unb64(req.get("identity"), "identity")))
        return {"signer": handle, "external_sender": _b64(encode(sender))}

    def _external_signer_proposal(self, req: dict[str, Any]) -> dict[str, Any]:
        signer = self._signers.get(_int(req, "signer"))
        if signer is None:
            raise DriverError("unknown signer")
        suite_id, private = signer
        proposal: Proposal
        if req.get("key_package") is not None:
            proposal = Add(_key_package(_unb64(req.get("key_package"), "key_package")))
        else:
            proposal = Remove(_int(req, "removed_leaf"))
        message = propose_as_external_sender(
            suite_id,
            _unb64(req.get("group_id"), "group_id"),
            _int(req, "epoch"),
            proposal,
            sender_index=_int(req, "sender_index"),
            signature_private=private,
        )
        return {"proposal": _b64(message)}


def _leaf_in_tree(
    suite_id: int, info: GroupInfo, tree_bytes: bytes | None, identity: bytes
) -> LeafIndex:
    """The leaf with BasicCredential `identity` in the GroupInfo's (or the given) tree."""
    if tree_bytes is None:
        tree_bytes = next(
            (e.extension_data for e in info.extensions if e.extension_type == RATCHET_TREE), None
        )
    if tree_bytes is None:
        raise DriverError("resync needs the ratchet tree")
    tree = RatchetTree.from_bytes(get_suite(suite_id), tree_bytes)
    for index, leaf in tree.leaves():
        if getattr(leaf.credential, "identity", None) == identity:
            return index
    raise DriverError("resync: no member has that identity")


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "error"


def serve(driver: InteropDriver, stdin: IO[str], stdout: IO[str]) -> None:
    """Answer each request line, in order, flushing after each; stop at end of input."""
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError:
            response: dict[str, Any] = {"id": None, "ok": False, "error": "invalid JSON"}
        else:
            response = driver.handle(request)
        stdout.write(json.dumps(response) + "\n")
        stdout.flush()
