"""Counting, with elections whose winners are known by hand."""

from __future__ import annotations

from itertools import permutations

from hasteh.org import Choice, Choices, Consent, Objection, ProposalStance, Ranking
from hasteh.org.tally import consent, droop_quota, irv, multiple, proposal, single, stv


def ballots(*groups: tuple[int, tuple[int, ...]]) -> list[Ranking]:
    return [Ranking(order) for count, order in groups for _ in range(count)]


# Tennessee capital (the classic IRV example): Memphis 0, Nashville 1, Chattanooga 2,
# Knoxville 3, voters as per cent. Plurality picks Memphis; IRV eliminates Chattanooga
# (15), then Nashville (26), and Knoxville wins 58 to 42.
TENNESSEE = ballots(
    (42, (0, 1, 2, 3)),
    (26, (1, 2, 3, 0)),
    (15, (2, 3, 1, 0)),
    (17, (3, 2, 1, 0)),
)


def test_irv_tennessee_knoxville_wins() -> None:
    result = irv(TENNESSEE, 4)
    assert result.status == "elected"
    assert result.winners == (3,)
    assert result.counts == (42, 26, 15, 17)


def test_irv_majority_in_first_round() -> None:
    result = irv(ballots((3, (1,)), (2, (0, 1))), 2)
    assert result.winners == (1,)


def test_irv_exhausted_ballots_do_not_count() -> None:
    # A: 4, B: 3, C: 2 (C voters rank nobody else). C is eliminated, its ballots exhaust;
    # A has 4 of the 7 still counting: a majority.
    result = irv(ballots((4, (0,)), (3, (1,)), (2, (2,))), 3)
    assert result.winners == (0,)


def test_irv_tie_for_last_eliminates_the_later_option() -> None:
    # Round 1: A 2, B 1, C 1. B and C tie with no earlier round: C (listed later) goes,
    # its ballot moves to B: A 2, B 2. Tie again with history A 2 > B 1: B goes. A wins.
    result = irv(ballots((2, (0,)), (1, (1,)), (1, (2, 1))), 3)
    assert result.winners == (0,)


def test_irv_tie_looks_back_at_earlier_rounds() -> None:
    # Round 1: A 3, B 3, C 2, D 1. D's voter ranks C next: A 3, B 3, C 3.
    # All tie; the latest earlier round (round 1) has C 2 < A 3 = B 3: C goes.
    # C's three ballots: two go to B, one to A: A 4, B 5. B wins.
    b = ballots((3, (0,)), (3, (1,)), (1, (2, 1)), (1, (2, 0)), (1, (3, 2, 1)))
    result = irv(b, 4)
    assert result.winners == (1,)


def test_irv_no_ballots_is_no_quorum() -> None:
    assert irv([], 3).status == "no-quorum"


def test_irv_ballot_order_does_not_matter() -> None:
    small = ballots((2, (0, 1)), (2, (1, 2)), (1, (2, 0)))
    winners = {irv(list(p), 3).winners for p in permutations(small)}
    assert winners == {irv(small, 3).winners}


# The "food" election often used to explain STV: 20 voters, 3 seats, Droop quota 6.
# Oranges 0, Pears 1, Chocolate 2, Strawberries 3, Hamburgers 4.
# Chocolate (12) is elected; its surplus 6 moves at 1/2: Strawberries 4, Hamburgers 2.
# Nobody reaches 6: Pears (2) goes, to Oranges: 6, elected. Then Hamburgers (3) goes and
# Strawberries takes the last seat.
FOOD = ballots(
    (4, (0,)),
    (2, (1, 0)),
    (8, (2, 3)),
    (4, (2, 4)),
    (1, (3,)),
    (1, (4,)),
)


def test_droop_quota() -> None:
    assert droop_quota(20, 3) == 6
    assert droop_quota(100, 1) == 51
    assert droop_quota(7, 2) == 3


def test_stv_food_election() -> None:
    result = stv(FOOD, 5, 3)
    assert result.status == "elected"
    assert result.winners == (2, 0, 3)
    assert result.counts == (4, 2, 12, 1, 1)


def test_stv_fractional_transfer_decides() -> None:
    # 12 voters, 2 seats, quota 5. A 7 (all rank B next), B 2, C 3. A is elected with a
    # surplus of 2: its 7 ballots go on at 2/7 each, so B has 2 + 2 = 4 against C's 3.
    # Nobody reaches 5; C is eliminated (its ballots exhaust) and B takes the seat.
    # Without the transfer C would lead B 3 to 2.
    b = ballots((7, (0, 1)), (2, (1,)), (3, (2,)))
    assert stv(b, 3, 2).winners == (0, 1)


def test_stv_first_preferences_alone_would_pick_differently() -> None:
    b = ballots((7, (0,)), (2, (1,)), (3, (2,)))
    assert stv(b, 3, 2).winners == (0, 2)


def test_stv_surplus_can_elect_a_second_choice() -> None:
    # 10 voters, 2 seats, quota 4. A 8 (surplus 4, factor 1/2), all A voters rank B next:
    # B gets 4 -> elected although B had no first preferences; C (2) is not.
    b = ballots((8, (0, 1)), (2, (2,)))
    assert stv(b, 3, 2).winners == (0, 1)


def test_stv_fills_remaining_seats_when_few_continue() -> None:
    b = ballots((3, (0,)), (1, (1,)))
    assert stv(b, 2, 2).winners == (0, 1)


def test_stv_one_seat_agrees_with_irv_on_tennessee() -> None:
    assert stv(TENNESSEE, 4, 1).winners == (3,)


def test_stv_is_order_independent() -> None:
    reordered = list(reversed(FOOD))
    assert stv(reordered, 5, 3) == stv(FOOD, 5, 3)


def test_consent_counts_and_reasons() -> None:
    result = consent([Consent(), Objection("too risky"), Objection("bad timing")])
    assert result.status == "rejected"
    assert result.counts == (1, 2)
    assert result.reasons == ("bad timing", "too risky")
    assert consent([Consent(), Consent()]).status == "adopted"


def test_proposal_rules() -> None:
    agree, abstain = ProposalStance("agree"), ProposalStance("abstain")
    disagree, block = ProposalStance("disagree"), ProposalStance("block", "unsafe")
    assert proposal([agree, agree, disagree]).status == "adopted"
    assert proposal([agree, disagree, abstain]).status == "rejected"
    assert proposal([agree, agree, block]).status == "blocked"
    assert proposal([agree, abstain, abstain]).counts == (1, 2, 0, 0)


def test_single_and_multiple() -> None:
    assert single([Choice(1), Choice(1), Choice(0)], 3).winners == (1,)
    tie = single([Choice(0), Choice(2)], 3)
    assert (tie.status, tie.winners) == ("tie", (0, 2))
    result = multiple([Choices((0, 1)), Choices((1,)), Choices(())], 3)
    assert (result.status, result.winners, result.counts) == ("decided", (1,), (1, 2, 0))
