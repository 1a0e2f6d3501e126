"""One role vocabulary (model.Role) and one reading of a segment's credits (credits_of)."""

from __future__ import annotations

import pickle

import pytest

from publisher.model import Credit, Role, Segment, credits_of


def seg(kind: str, *credits: Credit) -> Segment:
    return Segment(0, 60, kind, "t", "Topic", [], list(credits), "yt-x-00000")


MOD, AUD = Credit("Mo", "moderator"), Credit("Audience", "audience")
P1, P2, PRE = Credit("Pat", "panelist"), Credit("Sam", "panel"), Credit("Pia", "presenter")


@pytest.mark.parametrize(
    ("segment", "asked", "answered", "panel"),
    [
        (seg("question", MOD, P1, P2), [MOD], [P1], False),  # Sam not shown speaking
        (seg("question", AUD, P2), [AUD], [], True),  # nobody named: "the panel"
        (seg("question", MOD, PRE), [MOD], [PRE], False),
        (seg("intro", MOD, P1), [], [MOD, P1], False),  # no one asks in an intro
    ],
)
def test_credits_of(segment, asked, answered, panel):
    cr = credits_of(segment)
    assert list(cr.asked) == asked and list(cr.answered) == answered
    assert cr.panel is panel
    assert AUD not in cr.people and all(c.named for c in cr.people)


def test_one_vocabulary():
    assert [r.label for r in Role] == ["Moderator", "Presenter", "Panelist", "Panel", "Audience"]
    assert {r.person for r in Role} == {"host", "guest"} and Role.MODERATOR.person == "host"
    assert [r for r in Role if r.asks] == [Role.MODERATOR, Role.AUDIENCE]
    with pytest.raises(ValueError):
        Credit("X", "boss")
    assert AUD.display == "a member of the audience" and MOD.display == "Mo (Moderator)"


def test_a_credit_pickled_with_a_plain_role_reads_back_typed():
    old = Credit("Mo", "moderator")
    object.__setattr__(old, "role", "moderator")  # as records written before Role kept it
    back = pickle.loads(pickle.dumps(old))
    assert back.role is Role.MODERATOR and back.role.person == "host"
