"""Running votes on the web (facilitators): open a ballot, record room votes, close, export.

Every view sits in a blueprint that refuses anyone but the project's facilitators with 403
before a service runs; the services check the role again.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from voisinage.ballot_votes import record_paper_ballots, record_room_votes
from voisinage.ballots import close_ballot, load_ballot, open_ballot
from voisinage.consent_rounds import next_round as open_next_round
from voisinage.documents import list_documents, load_document
from voisinage.enums import Role
from voisinage.people import list_members
from voisinage.tallies import Method, Threshold
from webforms import auth
from webforms.ballots import ballot_page
from webforms.db import get_session
from webforms.forms import Form, options
from webforms.vote_forms import (
    METHOD_CHOICES,
    RANKED_PAPER_ROWS,
    THRESHOLD_CHOICES,
    BallotForm,
    NextRoundForm,
    paper_choice,
    prefixed_fields,
    room_papers,
)

facilitation = auth.project_blueprint("votes_admin", __name__, role=Role.FACILITATOR)


def _project_id() -> int:
    return auth.current().project.id


def _member_id() -> int:
    return auth.current().member.id


def _timezone() -> str:
    return auth.current().project.timezone


def _article_choices() -> list:
    session = get_session()
    choices = [("", gettext("None: a free question"))]
    for document in list_documents(session, project_id=_project_id()):
        view = load_document(session, project_id=_project_id(), document_id=document.id)
        choices += [
            (str(article.id), f"{document.title} · {article.number}. {article.title}")
            for article in view.articles
        ]
    return options(choices)


def _new_ballot_page(form: BallotForm | None = None):
    project = auth.current().project
    # A consent ballot starts from the project's fallback, which the facilitator may change.
    form = form or BallotForm(
        formdata=None,
        article=request.args.get("article", ""),
        fallback_after_rounds=project.consent_fallback_after_rounds,
        fallback_threshold=project.consent_fallback_threshold or Threshold.TWO_THIRDS.value,
    )
    form.article.choices = _article_choices()
    return render_template(
        "votes/new.html",
        form=form,
        method_hints=[hint for _, _, hint in METHOD_CHOICES],
        threshold_hints=[hint for _, _, hint in THRESHOLD_CHOICES],
    ), form.status


@facilitation.get("/votes/new")
def new_ballot():
    """Show the form that opens a ballot, each method and rule explained in a sentence."""
    return _new_ballot_page()


@facilitation.post("/votes/new")
def create_ballot():
    """Open the ballot: it takes votes at once."""
    form = BallotForm()
    form.article.choices = _article_choices()
    opened = form.submit(
        lambda db: open_ballot(
            db,
            project_id=_project_id(),
            actor_id=_member_id(),
            **form.service_arguments(_timezone()),
        )
    )
    if opened is None:
        return _new_ballot_page(form)
    flash(gettext("The ballot is open."))
    return redirect(url_for("votes.ballot", ballot_id=opened.id))


@facilitation.post("/votes/<int:ballot_id>/close")
def close(ballot_id: int):
    """Close the ballot now and record its result."""
    form = Form()
    closed = form.submit(
        lambda db: close_ballot(
            db, project_id=_project_id(), ballot_id=ballot_id, actor_id=_member_id()
        )
    )
    if closed is None:
        return ballot_page(ballot_id, form=form, status=form.status)
    flash(gettext("The ballot is closed."))
    return redirect(url_for("votes.results", ballot_id=ballot_id))


def _room_page(ballot_id: int, form: Form | None = None, status: int = 200):
    session = get_session()
    view = load_ballot(session, project_id=_project_id(), ballot_id=ballot_id)
    residents = [
        member
        for member in list_members(session, project_id=_project_id())
        if member.role == Role.RESIDENT
    ]
    return render_template(
        "votes/room.html",
        ballot=view,
        residents=residents,
        form=form or Form(formdata=None),
        counts=_count_choices(view),
        ranked_rows=range(RANKED_PAPER_ROWS),
    ), status


def _count_choices(view) -> list[tuple[str, str]]:
    """Return the papers a secret for / against or consent vote in the room is counted by."""
    if view.method is Method.THRESHOLD:
        return [
            ("for", gettext("For")),
            ("against", gettext("Against")),
            ("abstain", gettext("Abstain")),
        ]
    if view.method is Method.CONSENT:
        return [("consent", gettext("I consent")), ("stand_aside", gettext("I stand aside"))]
    return []


@facilitation.get("/votes/<int:ballot_id>/room")
def room(ballot_id: int):
    """Show the forms that record a vote held in the room."""
    return _room_page(ballot_id)


def _room_write(db, view):
    present = [int(value) for value in request.form.getlist("present") if value.isdigit()]
    if view.secret:
        return record_paper_ballots(
            db,
            project_id=_project_id(),
            ballot_id=view.id,
            voter_ids=present,
            ballots=room_papers(view, request.form, papers=len(present)),
            actor_id=_member_id(),
        )
    votes = {
        member_id: paper_choice(view, prefixed_fields(request.form, f"m{member_id}-"))
        for member_id in present
    }
    return record_room_votes(
        db, project_id=_project_id(), ballot_id=view.id, votes=votes, actor_id=_member_id()
    )


@facilitation.post("/votes/<int:ballot_id>/room")
def record_room(ballot_id: int):
    """Record the room's votes: member by member, or for a secret vote the counts per choice."""
    view = load_ballot(get_session(), project_id=_project_id(), ballot_id=ballot_id)
    form = Form()
    recorded = form.submit(lambda db: _room_write(db, view))
    if recorded is None:
        return _room_page(ballot_id, form, form.status)
    flash(gettext("%(count)s votes from the room are recorded.", count=recorded))
    return redirect(url_for("votes.ballot", ballot_id=ballot_id))


def _next_round_page(ballot_id: int, form: NextRoundForm | None = None):
    session = get_session()
    view = load_ballot(session, project_id=_project_id(), ballot_id=ballot_id)
    form = form or NextRoundForm(formdata=None)
    return render_template("votes/next_round.html", ballot=view, form=form), form.status


@facilitation.get("/votes/<int:ballot_id>/next-round")
def next_round(ballot_id: int):
    """Show the form that opens a blocked consent ballot's next round."""
    return _next_round_page(ballot_id)


@facilitation.post("/votes/<int:ballot_id>/next-round")
def open_round(ballot_id: int):
    """Open the next round, on the amended wording if given."""
    form = NextRoundForm()
    opened = form.submit(
        lambda db: open_next_round(
            db,
            project_id=_project_id(),
            ballot_id=ballot_id,
            closes_at=form.closing(_timezone()),
            text=(form.text.data or "").strip() or None,
            actor_id=_member_id(),
        )
    )
    if opened is None:
        return _next_round_page(ballot_id, form)
    flash(gettext("The next round is open."))
    return redirect(url_for("votes.ballot", ballot_id=opened.id))
