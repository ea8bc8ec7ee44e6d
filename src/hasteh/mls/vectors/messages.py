"""messages.json: every wire structure decodes and re-encodes to the same bytes (RFC 9420).

Verification (test-vectors.md):
* The contents of each field must decode using the corresponding structure.
* Each decoded object must re-encode to produce the bytes in the test vector.
The MLSMessage fields must also carry the wire format their name says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hasteh.mls.codec import Reader, Writer, decode_all
from hasteh.mls.commit import Commit
from hasteh.mls.framing import ContentType, MLSMessage, PublicMessage, WireFormat
from hasteh.mls.proposals import (
    Add,
    ExternalInit,
    GroupContextExtensions,
    PreSharedKey,
    ReInit,
    Remove,
    Update,
)
from hasteh.mls.ratchet_tree_codec import RatchetTree
from hasteh.mls.vectors import Mismatch, expect, h
from hasteh.mls.welcome import GroupSecrets

#: Field name -> decoder of the structure it holds.
FIELDS: dict[str, Callable[[Reader], Any]] = {
    "mls_welcome": MLSMessage.decode,
    "mls_group_info": MLSMessage.decode,
    "mls_key_package": MLSMessage.decode,
    "ratchet_tree": RatchetTree.decode,
    "group_secrets": GroupSecrets.decode,
    "add_proposal": Add.decode,
    "update_proposal": Update.decode,
    "remove_proposal": Remove.decode,
    "pre_shared_key_proposal": PreSharedKey.decode,
    "re_init_proposal": ReInit.decode,
    "external_init_proposal": ExternalInit.decode,
    "group_context_extensions_proposal": GroupContextExtensions.decode,
    "commit": Commit.decode,
    "public_message_application": MLSMessage.decode,
    "public_message_proposal": MLSMessage.decode,
    "public_message_commit": MLSMessage.decode,
    "private_message": MLSMessage.decode,
}

#: MLSMessage fields -> (wire format, content type of a PublicMessage or None).
WIRE: dict[str, tuple[WireFormat, ContentType | None]] = {
    "mls_welcome": (WireFormat.WELCOME, None),
    "mls_group_info": (WireFormat.GROUP_INFO, None),
    "mls_key_package": (WireFormat.KEY_PACKAGE, None),
    "public_message_application": (WireFormat.PUBLIC_MESSAGE, ContentType.APPLICATION),
    "public_message_proposal": (WireFormat.PUBLIC_MESSAGE, ContentType.PROPOSAL),
    "public_message_commit": (WireFormat.PUBLIC_MESSAGE, ContentType.COMMIT),
    "private_message": (WireFormat.PRIVATE_MESSAGE, None),
}


def check(case: dict[str, Any]) -> None:
    for name, decode in FIELDS.items():
        if name not in case:
            raise Mismatch(f"{name}: missing from the case")
        data = h(case[name])
        value = decode_all(data, decode)
        w = Writer()
        value.encode(w)
        expect(f"{name} re-encoded", w.getvalue(), data)
        if name in WIRE:
            wire_format, content_type = WIRE[name]
            expect(f"{name} wire format", value.wire_format, wire_format)
            if content_type is not None:
                assert isinstance(value.body, PublicMessage)
                expect(f"{name} content type", value.body.content.content_type, content_type)
