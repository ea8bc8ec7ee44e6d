"""Contacts family (``contact.*``): what each member lets the cell see of their contacts
with leading workers — a count and the code names they chose (need-to-know; the contacts
stay on the member's device, `hasteh.app.contacts`). A member's latest report replaces
the previous one; a removed member's report goes with them from the faces (they show
members only)."""

from __future__ import annotations

from dataclasses import replace

from hasteh.org._checks import require_member
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import ContactsShared, EventEnvelope, LeafIndex
from hasteh.org.names import require_clean
from hasteh.org.policy import MembershipPolicy
from hasteh.org.state import OrgState

__all__ = ["check_contacts_shared", "fold_contacts_shared"]


def check_contacts_shared(state: OrgState, env: EventEnvelope, body: ContactsShared) -> None:
    require_member(state, env.author)
    if len(body.names) > body.count:
        raise InvalidEvent("too-many-items", limit=body.count)
    if len(set(body.names)) != len(body.names):
        raise InvalidEvent("duplicate-option")
    for name in body.names:
        require_clean(name)


def fold_contacts_shared(
    state: OrgState, env: EventEnvelope, body: ContactsShared, policy: MembershipPolicy
) -> OrgState:
    shared = {**state.contacts, LeafIndex(env.author): (body.count, body.names)}
    return replace(state, contacts=shared)
