"""Rules of the ``drop.*`` family: outsiders' submissions, their photos, replies, and
the «published» mark, and their expiry (docs/dropbox.md).

Only a member can enter a submission (the member whose drop box received it), and only
that member adds its photos; any member may reply or mark it published. Each
submission and everything hanging on it is forgotten `days` days after it entered the
log, on every member alike: `expires` gives the stored events' deadline, `expire`
drops them from the state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from hasteh.org._checks import require_member
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import EventEnvelope, EventId, LeafIndex
from hasteh.org.events.base import DAY
from hasteh.org.events.drop import DropImage, DropPublished, DropReplied, DropSubmitted
from hasteh.org.policy import MembershipPolicy
from hasteh.org.state import OrgState, Submission

__all__ = [
    "JPEG_MAGIC",
    "MAX_REPLIES",
    "MAX_SUBMISSIONS",
    "Expired",
    "check_image",
    "check_published",
    "check_replied",
    "check_submitted",
    "expire",
    "expires_part",
    "expires_submitted",
    "fold_image",
    "fold_published",
    "fold_replied",
    "fold_submitted",
]

#: Submissions held at once: beyond it the drop box is full until some expire.
MAX_SUBMISSIONS: Final = 500
MAX_REPLIES: Final = 20
JPEG_MAGIC: Final = b"\xff\xd8\xff"


def _submission(state: OrgState, submission_id: bytes) -> Submission:
    found = state.drops.get(EventId(submission_id))
    if found is None:
        raise InvalidEvent("unknown-submission")
    return found


def check_submitted(state: OrgState, env: EventEnvelope, body: DropSubmitted) -> None:
    require_member(state, env.author)
    if env.event_id in state.drops:
        raise InvalidEvent("duplicate-id")
    if len(state.drops) >= MAX_SUBMISSIONS:
        raise InvalidEvent("too-many-items", limit=MAX_SUBMISSIONS)
    if not body.text.strip() and body.images == 0:
        raise InvalidEvent("drop-empty")


def fold_submitted(
    state: OrgState, env: EventEnvelope, body: DropSubmitted, policy: MembershipPolicy
) -> OrgState:
    sid = EventId(env.event_id)
    held = Submission(
        submission_id=sid,
        text=body.text,
        at=env.at,
        expires_at=env.at + body.days * DAY,
        member=LeafIndex(env.author),
        route=body.route,
        expected_images=body.images,
        event_ids=(sid,),
    )
    return replace(state, drops=state.drops.set(sid, held))


def check_image(state: OrgState, env: EventEnvelope, body: DropImage) -> None:
    require_member(state, env.author)
    held = _submission(state, body.submission_id)
    if held.member != env.author:
        raise InvalidEvent("drop-not-yours")
    if len(held.images) >= held.expected_images:
        raise InvalidEvent("too-many-items", limit=held.expected_images)
    if not body.data.startswith(JPEG_MAGIC):
        raise InvalidEvent("drop-bad-image")


def _update(
    state: OrgState, env: EventEnvelope, submission_id: bytes, **changes: object
) -> OrgState:
    held = state.drops.get(EventId(submission_id))
    if held is None:  # expired on this device before a replay reached it
        return state
    new = replace(held, event_ids=(*held.event_ids, EventId(env.event_id)), **changes)  # type: ignore[arg-type]
    return replace(state, drops=state.drops.set(held.submission_id, new))


def fold_image(
    state: OrgState, env: EventEnvelope, body: DropImage, policy: MembershipPolicy
) -> OrgState:
    held = state.drops.get(EventId(body.submission_id))
    images = () if held is None else (*held.images, body.data)
    return _update(state, env, body.submission_id, images=images)


def check_replied(state: OrgState, env: EventEnvelope, body: DropReplied) -> None:
    require_member(state, env.author)
    if len(_submission(state, body.submission_id).replies) >= MAX_REPLIES:
        raise InvalidEvent("too-many-items", limit=MAX_REPLIES)


def fold_replied(
    state: OrgState, env: EventEnvelope, body: DropReplied, policy: MembershipPolicy
) -> OrgState:
    held = state.drops.get(EventId(body.submission_id))
    replies = () if held is None else (*held.replies, body.text)
    return _update(state, env, body.submission_id, replies=replies)


def check_published(state: OrgState, env: EventEnvelope, body: DropPublished) -> None:
    require_member(state, env.author)
    _submission(state, body.submission_id)


def fold_published(
    state: OrgState, env: EventEnvelope, body: DropPublished, policy: MembershipPolicy
) -> OrgState:
    return _update(state, env, body.submission_id, published=True)


def expires_submitted(state: OrgState, env: EventEnvelope, body: DropSubmitted) -> int:
    """A submission is deleted from storage `days` after it entered the log."""
    return env.at + body.days * DAY


def expires_part(
    state: OrgState, env: EventEnvelope, body: DropImage | DropReplied | DropPublished
) -> int | None:
    """A photo, reply or mark goes with its submission (`state`: after the fold)."""
    held = state.drops.get(EventId(body.submission_id))
    return None if held is None else held.expires_at


@dataclass(frozen=True, slots=True)
class Expired:
    """The state without the submissions due, and the ids of their events (sorted)."""

    state: OrgState
    forget: tuple[EventId, ...]


def expire(state: OrgState, now: int) -> Expired:
    """Drop every submission with ``expires_at <= now`` (and its photos and replies).
    `now` comes from the caller; at most `MAX_SUBMISSIONS` are held, so a scan is cheap."""
    due = [held for held in state.drops.values() if held.expires_at <= now]
    drops = state.drops
    forget: list[EventId] = []
    for held in due:
        drops = drops.delete(held.submission_id)
        forget.extend(held.event_ids)
    if not due:
        return Expired(state, ())
    return Expired(replace(state, drops=drops), tuple(sorted(forget)))
