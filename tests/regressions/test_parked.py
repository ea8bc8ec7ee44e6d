"""Finding A3: messages parked for a later epoch were kept unchecked and unbounded."""

from __future__ import annotations

from hasteh.app import parked
from hasteh.mls.framing import ContentType, MLSMessage, PrivateMessage

GROUP = b"g" * 32


def wire(group: bytes = GROUP, epoch: int = 5, size: int = 100) -> bytes:
    return MLSMessage(
        PrivateMessage(group, epoch, ContentType.APPLICATION, b"", b"s" * 16, b"c" * size)
    ).to_bytes()


def test_only_this_group_a_little_ahead() -> None:
    kept: list[bytes] = []
    assert parked.park(kept, wire(epoch=5), group_id=GROUP, epoch=4)
    assert parked.park(kept, wire(epoch=6), group_id=GROUP, epoch=4)
    assert not parked.park(kept, wire(epoch=7), group_id=GROUP, epoch=4)  # too far ahead
    assert not parked.park(kept, wire(epoch=4), group_id=GROUP, epoch=4)  # not ahead
    assert not parked.park(kept, wire(b"h" * 32), group_id=GROUP, epoch=4)  # other group
    assert not parked.park(kept, b"\x00\x01junk", group_id=GROUP, epoch=4)  # not MLS
    assert not parked.park(kept, wire(epoch=5), group_id=GROUP, epoch=4)  # already kept
    assert len(kept) == 2


def test_bounded_by_count_and_bytes() -> None:
    kept: list[bytes] = []
    for n in range(parked.MAX_COUNT + 10):
        parked.park(kept, wire(size=10 + n), group_id=GROUP, epoch=4)
    assert len(kept) == parked.MAX_COUNT
    big: list[bytes] = []
    for n in range(40):
        parked.park(big, wire(size=100_000 + n), group_id=GROUP, epoch=4)
    assert sum(map(len, big)) <= parked.MAX_BYTES
    assert 19 <= len(big) <= 20
