"""The screens of the "Votes" door: texts and inline keyboards, in the reader's language.

A draft vote is the choice being put together before it is confirmed, in the stored form that
`voisinage.ballot_rules.check_choice` accepts: "for"; {"choice", "reason"}; {option: grade};
the approved options; the options ranked so far.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import encode
from voisinage.ballot_results import describe_result, grade_label, method_name
from voisinage.ballot_votes import OpenBallot, VoiceStatus
from voisinage.ballots import BallotState, BallotView
from voisinage.errors import N_
from voisinage.i18n import Translator
from voisinage.tallies import Consent, Method, Vote
from voisinage.workshop_notices import moment

# The choices of the methods that say yes or no to one proposal, in button order.
PICKS: dict[Method, tuple[str, ...]] = {
    Method.THRESHOLD: (Vote.FOR, Vote.AGAINST, Vote.ABSTAIN),
    Method.CONSENT: (Consent.CONSENT, Consent.OBJECTION, Consent.STAND_ASIDE),
}
PICK_LABELS = {
    Vote.FOR: N_("👍 For"),
    Vote.AGAINST: N_("👎 Against"),
    Vote.ABSTAIN: N_("⚪ Abstain"),
    Consent.CONSENT: N_("✅ I consent"),
    Consent.OBJECTION: N_("✋ I object"),
    Consent.STAND_ASIDE: N_("↪️ I stand aside"),
}
CHOICE_NAMES = {
    Vote.FOR: N_("for"),
    Vote.AGAINST: N_("against"),
    Vote.ABSTAIN: N_("abstain"),
    Consent.CONSENT: N_("consent"),
    Consent.OBJECTION: N_("objection"),
    Consent.STAND_ASIDE: N_("stand aside"),
}
LABEL_MAX = 48
CLOSED_SHOWN = 5


@dataclass(frozen=True)
class Listing:
    """What the door shows: the ballots open now, and the latest closed ones with results."""

    open: list[OpenBallot]
    closed: list[tuple[BallotView, dict[str, Any]]]
    timezone: str


@dataclass(frozen=True)
class Card:
    """One ballot as a member sees it: their voices, and the result when it may be shown."""

    ballot: BallotView
    state: BallotState
    voices: list[VoiceStatus]
    wording: str  # the article's wording voted on, or ""
    result: dict[str, Any] | None
    timezone: str


def _short(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _button(text: str, kind: str, *args: int | str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode(kind, *args))


def labels_of(ballot: BallotView) -> dict[str, str]:
    return {option.key: option.label for option in ballot.options}


def back_to_votes(t: Translator, project_id: int) -> InlineKeyboardButton:
    return _button(t.gettext("Back to the votes"), "menu", project_id, "votes")


def cancel_button(t: Translator, project_id: int, ballot_id: int) -> InlineKeyboardButton:
    """Return the button that leaves a vote unconfirmed, back to the ballot's card."""
    return _button(t.gettext("Cancel"), "vb", project_id, ballot_id)


# The door.


def listing_text(t: Translator, project_name: str, listing: Listing) -> str:
    lines = [t.gettext("Votes of %(project)s", project=project_name)]
    if listing.open:
        lines += ["", t.gettext("Open ballots:")]
        for item in listing.open:
            status = t.gettext("✅ you have voted") if item.voted else t.gettext("▫️ not voted yet")
            closes = ""
            if item.ballot.closes_at is not None:
                closes = ", " + t.gettext(
                    "closes on %(moment)s",
                    moment=moment(t, item.ballot.closes_at, listing.timezone),
                )
            lines.append(f"• {item.ballot.question} — {status}{closes}")
    else:
        lines += ["", t.gettext("No ballot is open for now.")]
    if listing.closed:
        lines += ["", t.gettext("Latest results:")]
        for ballot, result in listing.closed:
            lines.append(
                f"• {ballot.question} — {describe_result(result, t, labels=labels_of(ballot))}"
            )
    return "\n".join(lines)


def listing_keyboard(t: Translator, project_id: int, listing: Listing) -> InlineKeyboardMarkup:
    rows = [
        [_button(_short(f"🗳 {item.ballot.question}"), "vb", project_id, item.ballot.id)]
        for item in listing.open
    ]
    rows += [
        [_button(_short(f"📊 {ballot.question}"), "vb", project_id, ballot.id)]
        for ballot, _ in listing.closed
    ]
    rows.append([_button(t.gettext("Back to the menu"), "menu", project_id, "main")])
    return InlineKeyboardMarkup(rows)


# A ballot.


def choice_text(t: Translator, ballot: BallotView, choice: Any) -> str:
    """Return a choice in words: "for", "objection: <reason>", "a: Good; b: Excellent"…"""
    labels = labels_of(ballot)
    method = ballot.method
    if method is Method.THRESHOLD:
        return t.gettext(CHOICE_NAMES[choice])
    if method is Method.CONSENT:
        name = t.gettext(CHOICE_NAMES[choice["choice"]])
        return f"{name}: {choice['reason']}" if choice.get("reason") else name
    if method is Method.MAJORITY_JUDGMENT:
        return "; ".join(f"{labels[key]}: {grade_label(grade, t)}" for key, grade in choice.items())
    if method is Method.APPROVAL:
        if not choice:
            return t.gettext("no option approved")
        return t.gettext("approved: %(options)s", options=", ".join(labels[key] for key in choice))
    if not choice:
        return t.gettext("no option ranked")
    return " > ".join(labels[key] for key in choice)


def _voice_line(t: Translator, card: Card, status: VoiceStatus) -> str:
    if not status.voted:
        how = t.gettext("not voted yet")
    elif status.channel == "room":
        how = t.gettext("voted in the room")
    elif status.choice is None:
        how = t.gettext("voted")
    else:
        how = t.gettext("voted: %(choice)s", choice=choice_text(t, card.ballot, status.choice))
    if status.by_proxy:
        return t.gettext("By proxy, %(name)s: %(how)s", name=status.voice.name, how=how)
    return t.gettext("Your voice (%(name)s): %(how)s", name=status.voice.name, how=how)


def result_lines(t: Translator, ballot: BallotView, result: Mapping[str, Any]) -> list[str]:
    """Return a result: its sentence, the quorum, and a majority judgment's merit profiles."""
    labels = labels_of(ballot)
    lines = [describe_result(result, t, labels=labels)]
    quorum = result.get("quorum")
    if quorum:
        lines.append(
            t.gettext(
                "Quorum: %(needed)s of %(eligible)s voices, reached.",
                needed=quorum["needed"],
                eligible=result["eligible"],
            )
            if quorum["reached"]
            else t.gettext(
                "Quorum: %(needed)s of %(eligible)s voices, not reached.",
                needed=quorum["needed"],
                eligible=result["eligible"],
            )
        )
    if result["method"] == Method.MAJORITY_JUDGMENT:
        grades = result["figures"]["grades"]
        lines.append(t.gettext("Merit profiles (voices per grade, best first):"))
        for profile in result["figures"]["profiles"]:
            counts = " · ".join(
                f"{grade_label(grade, t)} {count}"
                for grade, count in zip(grades, profile["counts"], strict=True)
                if count
            )
            lines.append(f"{labels.get(profile['option'], profile['option'])}: {counts or '—'}")
    return lines


def card_text(t: Translator, card: Card, *, notice: str | None = None) -> str:
    ballot = card.ballot
    lines = [f"🗳 {ballot.question}"]
    kind = t.gettext("secret ballot") if ballot.secret else t.gettext("named ballot")
    lines.append(f"{method_name(ballot.method, t)}, {kind}")
    if card.wording:
        lines += ["", card.wording]
    if ballot.method in (Method.MAJORITY_JUDGMENT, Method.APPROVAL, Method.RANKED):
        lines.append("")
        for option in ballot.options:
            lines.append(f"• {option.label}")
            if option.text and option.text != card.wording:
                lines.append(option.text)
    lines.append("")
    if card.state is BallotState.CLOSED:
        lines.append(t.gettext("This ballot is closed."))
    elif ballot.closes_at is not None:
        lines.append(
            t.gettext(
                "Vote until %(moment)s; you can change your vote until then.",
                moment=moment(t, ballot.closes_at, card.timezone),
            )
        )
    lines += [_voice_line(t, card, status) for status in card.voices]
    if card.result is not None:
        lines.append("")
        lines.append(
            t.gettext("Result:")
            if card.state is BallotState.CLOSED
            else t.gettext("Results so far:")
        )
        lines += result_lines(t, ballot, card.result)
    text = "\n".join(lines)
    return f"{notice}\n\n{text}" if notice else text


def card_keyboard(t: Translator, project_id: int, card: Card) -> InlineKeyboardMarkup:
    """Return a vote button per voice (and one for all of them at once), and back."""
    rows = []
    if card.state is BallotState.OPEN:
        online = [status for status in card.voices if status.channel != "room"]
        ballot_id = card.ballot.id
        if len(online) == 1:
            label = N_("✏️ Change my vote") if online[0].voted else N_("🗳 Vote")
            rows.append(
                [_button(t.gettext(label), "vw", project_id, ballot_id, online[0].member_id)]
            )
        elif online:
            rows += [
                [
                    _button(
                        _short(t.gettext("🗳 Vote as %(name)s", name=status.voice.name)),
                        "vw",
                        project_id,
                        ballot_id,
                        status.member_id,
                    )
                ]
                for status in online
            ]
            rows.append(
                [
                    _button(
                        t.gettext("🗳 One vote for all %(count)s voices", count=len(online)),
                        "vc",
                        project_id,
                        ballot_id,
                        "all",
                        0,
                    )
                ]
            )
    rows.append([back_to_votes(t, project_id)])
    return InlineKeyboardMarkup(rows)


# Voting.


def _whose(t: Translator, voices: Sequence[VoiceStatus]) -> str:
    names = ", ".join(
        t.gettext("%(name)s (by proxy)", name=status.voice.name)
        if status.by_proxy
        else status.voice.name
        for status in voices
    )
    return t.gettext("Voting for: %(names)s", names=names)


def next_to_grade(ballot: BallotView, draft: Mapping[str, str]) -> int | None:
    """Return the index of the first option without a grade; None when all have one."""
    return next(
        (index for index, option in enumerate(ballot.options) if option.key not in draft), None
    )


def voting_text(
    t: Translator, ballot: BallotView, voices: Sequence[VoiceStatus], draft: Any
) -> str:
    lines = [f"🗳 {ballot.question}", _whose(t, voices), ""]
    labels = labels_of(ballot)
    method = ballot.method
    if method in PICKS:
        lines.append(t.gettext("What is your choice?"))
    elif method is Method.MAJORITY_JUDGMENT:
        index = next_to_grade(ballot, draft)
        for option in ballot.options:
            if option.key in draft:
                lines.append(f"✓ {option.label}: {grade_label(draft[option.key], t)}")
        option = ballot.options[index]
        lines += [
            "",
            t.gettext(
                "Option %(number)s of %(count)s: %(option)s",
                number=index + 1,
                count=len(ballot.options),
                option=option.label,
            ),
        ]
        if option.text:
            lines.append(option.text)
        lines.append(t.gettext("Which grade do you give it?"))
    elif method is Method.APPROVAL:
        lines.append(t.gettext("Tick every option you approve, then press Done."))
    else:
        if draft:
            lines.append(t.gettext("Your order so far:"))
            lines += [f"{rank}. {labels[key]}" for rank, key in enumerate(draft, start=1)]
            lines.append("")
        lines.append(
            t.gettext(
                "Tap the options in your order of preference, the one you prefer first; "
                "press Done when you have ranked those you want to."
            )
        )
    return "\n".join(lines)


def voting_keyboard(
    t: Translator, project_id: int, ballot: BallotView, draft: Any
) -> InlineKeyboardMarkup:
    ballot_id = ballot.id
    method = ballot.method
    rows: list[list[InlineKeyboardButton]] = []
    if method in PICKS:
        rows.append(
            [
                _button(t.gettext(PICK_LABELS[choice]), "vc", project_id, ballot_id, "pick", index)
                for index, choice in enumerate(PICKS[method])
            ]
        )
    elif method is Method.MAJORITY_JUDGMENT:
        index = next_to_grade(ballot, draft)
        rows += [
            [_button(grade_label(grade, t), "vg", project_id, ballot_id, index, number)]
            for number, grade in enumerate(ballot.rules.grades)
        ]
        if draft:
            rows.append([_button(t.gettext("↩️ Back"), "vc", project_id, ballot_id, "undo", 0)])
    elif method is Method.APPROVAL:
        rows += [
            [
                _button(
                    _short(("✓ " if option.key in draft else "") + option.label),
                    "vc",
                    project_id,
                    ballot_id,
                    "tog",
                    index,
                )
            ]
            for index, option in enumerate(ballot.options)
        ]
        rows.append([_button(t.gettext("Done"), "vc", project_id, ballot_id, "done", 0)])
    else:
        rows += [
            [_button(_short(option.label), "vc", project_id, ballot_id, "rank", index)]
            for index, option in enumerate(ballot.options)
            if option.key not in draft
        ]
        steps = []
        if draft:
            steps.append(_button(t.gettext("↩️ Undo"), "vc", project_id, ballot_id, "undo", 0))
        steps.append(_button(t.gettext("Done"), "vc", project_id, ballot_id, "done", 0))
        rows.append(steps)
    rows.append([cancel_button(t, project_id, ballot_id)])
    return InlineKeyboardMarkup(rows)


def reason_text(t: Translator, ballot: BallotView) -> str:
    return "\n".join(
        [
            f"🗳 {ballot.question}",
            "",
            t.gettext(
                "An objection needs a reason: type it in a message, so that the group can work "
                "on the wording. Send /cancel to leave without voting."
            ),
        ]
    )


def recap_text(
    t: Translator, ballot: BallotView, voices: Sequence[VoiceStatus], choice: Any
) -> str:
    return "\n".join(
        [
            f"🗳 {ballot.question}",
            _whose(t, voices),
            "",
            t.gettext("Your vote: %(choice)s", choice=choice_text(t, ballot, choice)),
            "",
            t.gettext("Confirm this vote?"),
        ]
    )


def recap_keyboard(t: Translator, project_id: int, ballot_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(t.gettext("✅ Confirm my vote"), "vc", project_id, ballot_id, "ok", 0)],
            [_button(t.gettext("✏️ Change"), "vc", project_id, ballot_id, "edit", 0)],
            [cancel_button(t, project_id, ballot_id)],
        ]
    )


# Notifications (sent by bot.outbox_sender).

NOTICE_FAMILIES = ("ballot.", "amendment.", "nudge.ballot")
# Posted in the project's linked group chat rather than to the member holding the row.
GROUP_NOTICES = frozenset({"ballot.group_opened"})


def notice_keyboard(
    kind: str, project_id: int, params: dict[str, Any], t: Translator
) -> InlineKeyboardMarkup | None:
    """Return the button that goes with a ballot's notification: vote, or read the result."""
    if kind in ("ballot.opened", "ballot.reminder", "nudge.ballot"):
        label = N_("🗳 Vote")
    elif kind == "ballot.closed":
        label = N_("📊 See the result")
    else:
        return None
    return InlineKeyboardMarkup(
        [[_button(t.gettext(label), "vb", project_id, params["ballot_id"])]]
    )


def group_notice_keyboard(t: Translator, bot_username: str) -> InlineKeyboardMarkup:
    """Return a button opening the private chat where members vote."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t.gettext("🗳 Vote in private"), url=f"https://t.me/{bot_username}")]]
    )
