"""A cell's delegates page in real Chromium, JavaScript on and off: two people (two real
`hasteh up` processes, A's embedded relay) form a cell, elect by STV from the decisions
page, A records the election on the delegates page, and both see who speaks for the cell.
A screenshot of the page (fa) goes to `$HASTEH_SCREENSHOTS`:

    HASTEH_SCREENSHOTS=docs/screenshots \\
        uv run pytest tests/web/test_browser_delegates.py -k "js and not no-js"
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect

from hasteh import vault
from hasteh.app import cards, open_workspace
from tests.app.conftest import FAST

from .test_browser import Up, screenshots_dir
from .test_browser_cells import PASS_A, PASS_B, fa, fetch_now, open_person, shoot, two_ups
from .test_browser_fund import form_cell

__all__ = ["two_ups"]  # a shared fixture (Chromium: conftest)

pytestmark = pytest.mark.slow

PASS_C = "correct horse battery staple"


def rank(page: Page, first: str, second: str) -> None:
    page.get_by_label(fa("Choice {n}").format(n="۱")).select_option(label=first)
    page.get_by_label(fa("Choice {n}").format(n="۲")).select_option(label=second)
    page.get_by_role("button", name=fa("Vote"), exact=True).click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_delegates_page_in_chromium(
    browser: Browser, two_ups: tuple[Up, Up], tmp_path: Path, javascript: bool
) -> None:
    up_a, up_b = two_ups
    folder = screenshots_dir(tmp_path) if javascript else None
    context_a, a, requests_a = open_person(browser, up_a, PASS_A, javascript)
    context_b, b, requests_b = open_person(browser, up_b, PASS_B, javascript)
    cell_path = form_cell(a, b, up_a, up_b)

    a.goto(f"{up_a.origin}{cell_path}")
    a.get_by_role("link", name=fa("Delegates"), exact=True).click()
    assert a.url == f"{up_a.origin}{cell_path}/delegates"
    expect(a.locator("main")).to_contain_text(fa("The cell has not elected its delegates yet."))

    a.get_by_role("link", name=fa("Decisions"), exact=True).click()
    assert a.url == f"{up_a.origin}{cell_path}/decisions"
    elect_in_chromium(
        a, b, up_a, up_b, cell_path, ranking=("رضا", "سپیده"), mandate="اعتصاب فقط با رأی هسته"
    )
    table = a.locator("table.balances")
    expect(table).to_contain_text("رضا")
    expect(table).to_contain_text("سپیده")
    expect(table).to_contain_text("شمال-۱")
    if folder is not None:
        shoot(a, folder, "delegates-fa")

    b.goto(f"{up_b.origin}{cell_path}")
    fetch_now(b)
    b.goto(f"{up_b.origin}{cell_path}/delegates")
    expect(b.locator("table.balances")).to_contain_text("اعتصاب فقط با رأی هسته")
    for requests, up in ((requests_a, up_a), (requests_b, up_b)):
        assert all(r.startswith(up.origin) for r in requests), requests
    context_a.close()
    context_b.close()


def third_delegates_card(home: Path, relay_url: str, pseudonym: str) -> str:
    """A card made by the delegate of a third cell (an in-process profile: the test has
    two browsers), under the cell's pseudonym, on A's relay."""
    ws_home = home / "third"
    vault.create(ws_home, PASS_C, kdf=FAST, min_kdf=FAST)
    ws = open_workspace(ws_home, PASS_C, min_kdf=FAST)
    try:
        return cards.create_card(ws, pseudonym, relays=[relay_url])
    finally:
        ws.close()


def elect_in_chromium(
    a: Page,
    b: Page,
    up_a: Up,
    up_b: Up,
    cell_path: str,
    *,
    ranking: tuple[str, str] = ("سپیده", "رضا"),
    mandate: str = "",
) -> None:
    """An STV election from the decisions page, both ranking `ranking` (by default سپیده
    (A) the delegate, رضا (B) the alternate); A records it, with `mandate`, on the
    delegates page."""
    a.goto(f"{up_a.origin}{cell_path}/decisions")
    a.get_by_label(fa("Kind")).select_option("stv")
    a.get_by_label(fa("Question")).fill("نماینده‌های ما؟")
    a.get_by_label(fa("Options, one per line (for single, multiple, ranked and STV)")).fill(
        "سپیده\nرضا"
    )
    a.get_by_role("button", name=fa("Open the decision")).click()
    decision = a.url.split(up_a.origin)[1].split("?")[0]
    rank(a, *ranking)
    b.goto(f"{up_b.origin}{cell_path}")
    fetch_now(b)
    b.goto(f"{up_b.origin}{decision}")
    rank(b, *ranking)
    fetch_now(a)
    a.goto(f"{up_a.origin}{decision}")
    a.get_by_role("button", name=fa("Close the decision")).click()
    expect(a.locator(".outcome")).to_contain_text(ranking[0])
    a.goto(f"{up_a.origin}{cell_path}/delegates")
    a.get_by_label(fa("The cell's pseudonym in alliances (never its name)")).fill("شمال-۱")
    if mandate:
        a.get_by_label(fa("The written mandate.")).fill(mandate)
    a.get_by_role("button", name=fa("Record the delegates")).click()
    assert a.get_by_role("status").inner_text() == fa("The cell's delegates are recorded.")


def card_for(page: Page, up: Up, pseudonym: str) -> str:
    """The person makes a card under `pseudonym` on the Join page; its code."""
    page.goto(f"{up.origin}/join")
    page.get_by_label(fa("Your cover name in the cell you join")).fill(pseudonym)
    page.get_by_role("button", name=fa("Make my card")).click()
    card = page.locator("article.card", has_text=pseudonym)
    return card.locator("textarea").input_value()


def status_is(page: Page, msgid: str) -> None:
    expect(page.get_by_role("status")).to_have_text(fa(msgid))


def test_a_delegates_whole_work_in_chromium_without_javascript(
    browser: Browser, two_ups: tuple[Up, Up], tmp_path: Path
) -> None:
    """Form an alliance, elect, make the cell's key and hand it to the alternate, propose
    and approve cells, register the key and the alternate, a question decided by the cell
    and voted as it decided: every step a form, JavaScript off. Screenshots (fa)."""
    up_a, up_b = two_ups
    folder = screenshots_dir(tmp_path)
    context_a, a, requests_a = open_person(browser, up_a, PASS_A, javascript=False)
    context_b, b, requests_b = open_person(browser, up_b, PASS_B, javascript=False)
    relay_url = a.locator(".relay code").inner_text()
    cell_path = form_cell(a, b, up_a, up_b)
    elect_in_chromium(a, b, up_a, up_b, cell_path)
    delegates = f"{cell_path}/delegates"

    # The cell's key: made by the election, its code shown once, kept by the alternate.
    a.get_by_label(fa("The decision that allows it")).select_option("1")
    a.get_by_role("button", name=fa("Make the key"), exact=True).click()
    status_is(a, "The cell's key is made. Show its code to the other holder in person.")
    a.get_by_role("button", name=fa("Show the key code")).click()
    assert a.url == f"{up_a.origin}{delegates}/key-code"  # the answer to a POST only
    expect(a.get_by_role("alert")).to_contain_text(
        fa("Whoever has this code speaks for the cell. Show it only in person; never send it.")
    )
    code = a.get_by_label(fa("The code"), exact=True).input_value()
    assert code.startswith("HK1: ")
    shoot(a, folder, "delegates-key-code-fa")
    a.get_by_role("link", name=fa("Done: back to the Delegates page")).click()
    assert code.split(": ")[1][:12] not in a.content()

    b.goto(f"{up_b.origin}{delegates}")
    fetch_now(b)
    status_is(b, "Fetched: everything new is shown.")
    b.get_by_label(fa("The key code the other holder showed you")).fill(code)
    b.get_by_role("button", name=fa("Keep the key"), exact=True).click()
    status_is(b, "You hold the cell's key. Compare its fingerprint with the other holder.")
    fingerprint = b.locator("table.balances span[dir=ltr]").inner_text()
    expect(a.locator("table.balances")).to_contain_text(fingerprint)

    # The alliance: A forms it from the list and registers the cell's key.
    a.get_by_role("link", name=fa("The alliances on this device")).click()
    a.get_by_label(fa("The alliance's name")).fill("اتحاد شمال")
    a.get_by_label(fa("Your cell's pseudonym in the new alliance (never its name)")).fill("شمال-۱")
    a.get_by_role("button", name=fa("Form the alliance")).click()
    status_is(
        a,
        "The alliance is formed. Propose other cells by the cards their delegates hand you "
        "in person.",
    )
    alliance = a.url.split(up_a.origin)[1].split("?")[0]
    a.locator("#key-cell").select_option(label="نانوایی")
    a.get_by_role("button", name=fa("Register the key"), exact=True).click()
    status_is(a, "The alliance knows the cell's key.")

    # A second cell: its delegate (B, as «جنوب-۱») hands A a card; A proposes; B joins.
    south = card_for(b, up_b, "جنوب-۱")
    a.get_by_label(fa("The delegate's card code")).fill(south)
    a.get_by_role("button", name=fa("Propose"), exact=True).click()
    status_is(a, "Proposed. Every member cell must approve.")
    b.goto(f"{up_b.origin}/join")
    b.get_by_role("button", name=fa("Join"), exact=True).click()
    assert b.url == f"{up_b.origin}{alliance}?done=joined", b.url

    # A third cell, proposed by B: cell «شمال-۱» (A) approves it too.
    b.get_by_label(fa("The delegate's card code")).fill(
        third_delegates_card(tmp_path, relay_url, "غرب-۱")
    )
    b.get_by_role("button", name=fa("Propose"), exact=True).click()
    status_is(b, "Proposed. Every member cell must approve.")
    fetch_now(a)
    status_is(a, "Fetched: everything new is shown.")
    a.get_by_label(fa("The proposed cell")).select_option("غرب-۱")
    shoot(a, folder, "alliance-approve-fa")
    a.get_by_role("button", name=fa("Approve"), exact=True).click()
    status_is(a, "Approved.")

    # The alternate's card, under the cell's pseudonym, registered by the delegate.
    alternate = card_for(b, up_b, "شمال-۱")
    a.goto(f"{up_a.origin}{alliance}")
    a.locator("#alternate-cell").select_option(label="نانوایی")
    a.get_by_label(fa("The alternate's card code")).fill(alternate)
    a.get_by_role("button", name=fa("Register the alternate"), exact=True).click()
    status_is(a, "The alternate is registered with the alliance.")
    expect(a.locator("main")).to_contain_text(fa("key registered"))
    expect(a.locator("main")).to_contain_text(fa("alternate registered"))

    # A question to the cells; the cell decides it first; the delegate votes so.
    a.get_by_label(fa("Question"), exact=True).fill("اعتصاب مشترک در اول ماه مه؟")
    a.get_by_role("button", name=fa("Put the question")).click()
    status_is(
        a,
        "The question is put to the cells. Each cell decides first, then its delegate votes "
        "as it decided.",
    )
    a.goto(f"{up_a.origin}{cell_path}/decisions")
    a.get_by_label(fa("Kind")).select_option("proposal")
    a.get_by_label(fa("Question")).fill("در اعتصاب مشترک شرکت کنیم؟")
    a.get_by_role("button", name=fa("Open the decision")).click()
    decision = a.url.split(up_a.origin)[1].split("?")[0]
    a.get_by_role("button", name=fa("Vote"), exact=True).click()
    b.goto(f"{up_b.origin}{cell_path}")
    fetch_now(b)
    b.goto(f"{up_b.origin}{decision}")
    b.get_by_role("button", name=fa("Vote"), exact=True).click()
    fetch_now(a)
    a.goto(f"{up_a.origin}{decision}")
    a.get_by_role("button", name=fa("Close the decision")).click()
    a.goto(f"{up_a.origin}{delegates}")
    a.get_by_label(fa("The alliance's motion")).select_option(index=0)
    a.get_by_label(fa("The cell's decision on it")).select_option("2")
    a.get_by_role("button", name=fa("Record the mandate")).click()
    status_is(a, "Mandate recorded.")
    expect(a.locator("main")).to_contain_text("اعتصاب مشترک در اول ماه مه؟")
    shoot(a, folder, "delegates-work-fa")
    a.goto(f"{up_a.origin}{alliance}")
    a.get_by_role("button", name=fa("Vote as the cell decided")).click()
    status_is(a, "Voted as the cell decided.")
    expect(a.locator("ul.reports")).to_contain_text("شمال-۱: " + fa("yes"))
    shoot(a, folder, "alliance-fa")

    for requests, up in ((requests_a, up_a), (requests_b, up_b)):
        assert all(r.startswith(up.origin) for r in requests), requests
    context_a.close()
    context_b.close()

    # A thief with either computer: the key's code, and the key itself, are nowhere on
    # disk in the clear (only inside the encrypted vault), nor in what `hasteh up` said.
    body = code.split(": ", 1)[1].replace(" ", "")
    seed = base64.b32decode(body + "=" * (-len(body) % 8))[:32]
    secrets = [body.encode(), body[:16].encode(), seed, seed.hex().encode()]
    for up in (up_a, up_b):
        up.stop()
        assert up.proc.stdout is not None
        said = "".join(up.output) + up.proc.stdout.read()
        assert body[:16] not in said and seed.hex() not in said
    found = [
        str(path)
        for path in tmp_path.rglob("*")
        if path.is_file() and any(secret in path.read_bytes() for secret in secrets)
    ]
    assert found == []
