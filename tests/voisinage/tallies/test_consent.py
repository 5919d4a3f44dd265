"""Consent: any objection blocks and its reason reaches the facilitator."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.voisinage.tallies.helpers import PROPERTIES, repeat
from voisinage.errors import InvalidValue
from voisinage.tallies import Outcome, tally_consent

CONSENT = ("consent", "")
STAND_ASIDE = ("stand_aside", "")


def test_consents_and_stand_asides_without_objection_adopt():
    result = tally_consent(repeat((10, CONSENT), (2, STAND_ASIDE)))
    assert result.outcome is Outcome.ADOPTED
    figures = result.figures
    assert (figures.consents, figures.objections, figures.stand_asides) == (10, 0, 2)
    assert figures.reasons == ()


def test_one_objection_among_thirty_consents_blocks_and_gives_its_reason():
    result = tally_consent(
        [*repeat((30, CONSENT)), ("objection", "Le local vélos est trop petit pour 20 foyers.")]
    )
    assert result.outcome is Outcome.BLOCKED
    assert not result.adopted
    assert result.figures.reasons == ("Le local vélos est trop petit pour 20 foyers.",)


def test_reasons_come_back_trimmed_and_sorted_whatever_the_storage_order():
    responses = [
        ("objection", "  Pas de place pour les poussettes "),
        CONSENT,
        ("objection", "Bruit après 22 h"),
    ]
    forward = tally_consent(responses).figures.reasons
    backward = tally_consent(list(reversed(responses))).figures.reasons
    assert forward == backward == ("Bruit après 22 h", "Pas de place pour les poussettes")


def test_everyone_standing_aside_adopts_nothing():
    result = tally_consent(repeat((6, STAND_ASIDE)))
    assert result.outcome is Outcome.REJECTED
    assert tally_consent([]).outcome is Outcome.REJECTED


def test_pairs_read_from_json_lists_are_accepted():
    result = tally_consent([["consent", None], ["objection", "Trop cher"]])
    assert result.outcome is Outcome.BLOCKED


def test_missed_quorum_still_shows_the_objections():
    result = tally_consent([CONSENT, ("objection", "Trop tôt")], eligible=12, quorum=Fraction(1, 2))
    assert result.outcome is Outcome.NO_QUORUM
    assert result.figures.reasons == ("Trop tôt",)


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (("objection", ""), "An objection needs a reason."),
        (("objection", "   "), "An objection needs a reason."),
        (("objection", None), "An objection needs a reason."),
        (("consent", "Super"), "Only an objection carries a reason."),
        (("stand_aside", "Bof"), "Only an objection carries a reason."),
        (("block", ""), "Unknown choice %(value)s."),
        ("consent", "This ballot is not in the expected form."),
        (("objection", 3), "This ballot is not in the expected form."),
        (("consent",), "This ballot is not in the expected form."),
    ],
)
def test_malformed_responses_are_refused(response, message):
    with pytest.raises(InvalidValue) as refused:
        tally_consent([CONSENT, response])
    assert refused.value.message == message


@PROPERTIES
@given(
    consents=st.integers(0, 60),
    stand_asides=st.integers(0, 60),
    reasons=st.lists(st.text(min_size=1, max_size=40).filter(str.strip), min_size=1, max_size=5),
)
def test_any_objection_blocks_regardless_of_count(consents, stand_asides, reasons):
    objections = [("objection", reason) for reason in reasons]
    result = tally_consent([*repeat((consents, CONSENT), (stand_asides, STAND_ASIDE)), *objections])
    assert result.outcome is Outcome.BLOCKED
    assert result.winners == ()
    assert result.figures.objections == len(reasons)
    assert sorted(result.figures.reasons) == sorted(reason.strip() for reason in reasons)
