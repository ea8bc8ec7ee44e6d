"""A republished issue as a cell reads it (`federation.read_chain`, `bulletin_statuses`):
whatever text a member's hacked client carries in, the parser gives a chain or a
`ValueError`, the check never crashes, and nothing but a claim signed over that very
text, by a key on a chain that holds, is ever called genuine."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hasteh.app import federation
from hasteh.org.events import EventId, LeafIndex
from hasteh.org.reports import Report
from hasteh.publish.claim import make_claim
from hasteh.publish.issue import parse_issue
from hasteh.publish.keys import BulletinKey

KEY = BulletinKey.from_seed(b"\x05" * 32)
SOURCE = "---\ntitle: W\nnumber: 1\ndate: 1405/01/01\n---\n\n# Night shifts\n\nNobody alone.\n"
CLAIM = make_claim(KEY, 1, parse_issue(SOURCE.encode()).digest()).to_text()
CHAIN = f"keys:{KEY.public.hex()}"


def report(text: str, n: int = 1) -> Report:
    return Report(EventId(bytes([n]) * 16), LeafIndex(0), "bulletin", "north", text, None, (), n)


def test_a_genuine_issue_and_its_control() -> None:
    assert federation.bulletin_statuses([report(f"{CLAIM}\n{CHAIN}\n{SOURCE}")]) == {0: "genuine"}
    altered = f"{CLAIM}\n{CHAIN}\n{SOURCE.replace('alone', 'together')}"
    assert federation.bulletin_statuses([report(altered)]) == {0: "altered"}
    assert federation.bulletin_statuses([report(f"{CLAIM}\n{SOURCE}")]) == {0: "other-key"}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_chain_line_parses_or_is_refused_precisely(line: str) -> None:
    try:
        root, links = federation.read_chain(line)
    except ValueError:
        return
    assert len(root) == 32 and len(links) <= federation.MAX_CHAIN_LINKS


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=300),
            st.builds(lambda s: f"{CLAIM}\n{s}\n{SOURCE}", st.text(max_size=200)),
            st.builds(lambda s: f"{CLAIM}\n{CHAIN}\n{s}", st.text(max_size=200)),
            st.builds(lambda s: f"{s}\n{CHAIN}\n{SOURCE}", st.text(max_size=200)),
        ),
        max_size=4,
    )
)
def test_any_reports_are_checked_without_a_crash(texts: list[str]) -> None:
    reports = [report(t, i + 1) for i, t in enumerate(texts)]
    found = federation.bulletin_statuses(reports)
    assert set(found) == set(range(len(reports)))
    for i, status in found.items():
        if status == "genuine":
            claim, chain, source = reports[i].text.split("\n", 2)
            assert claim == CLAIM and source == SOURCE and chain.startswith(CHAIN)
