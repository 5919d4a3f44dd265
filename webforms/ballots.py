"""Votes on the web: the list, a ballot's paper, its results, and the members' proxies.

Residents vote (for themselves and for the voices they hold by proxy) and change their vote
until the close; everyone in the project reads results once they are shown. The rules, the
secrecy and the counts live in `voisinage.ballots`, `ballot_votes` and `ballot_rules`.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from voisinage.ballot_exports import export_ballot
from voisinage.ballot_overview import OpenBallotLine, open_ballot_lines
from voisinage.ballot_results import describe_result, grade_label, method_name
from voisinage.ballot_votes import cast_vote, my_voices, named_votes
from voisinage.ballots import (
    BallotNotOpen,
    BallotState,
    BallotView,
    ResultsHidden,
    ballot_result,
    list_ballots,
    load_ballot,
    participation,
)
from voisinage.decision_log import decision_log
from voisinage.enums import Role
from voisinage.models import utcnow
from voisinage.people import list_members
from voisinage.project_summary import item_subject
from voisinage.proxies import give_proxy, proxies_of, revoke_proxy
from voisinage.tallies import Method
from webforms import auth, i18n
from webforms.db import get_session
from webforms.downloads import json_download
from webforms.forms import Form
from webforms.nudges import panel
from webforms.vote_forms import paper_choice, paper_voices

bp = auth.project_blueprint("votes", __name__)


def _project_id() -> int:
    return auth.current().project.id


def _member_id() -> int:
    return auth.current().member.id


def _is_resident() -> bool:
    return auth.current().member.role == Role.RESIDENT


@bp.app_template_global()
def open_votes() -> list[OpenBallotLine]:
    """Return the ballots open now, each with whether the member's voice voted (one query)."""
    member = auth.current().member
    return open_ballot_lines(
        get_session(),
        project_id=_project_id(),
        member_id=member.id,
        role=member.role,
        household_id=member.household_id,
    )


@bp.app_template_global()
def result_sentence(result: dict[str, Any], labels: dict[str, str]) -> str:
    """Return a recorded result in one sentence, in the reader's language."""
    return describe_result(result, i18n.translator(), labels=labels)


@bp.app_template_global()
def method_label(method: str) -> str:
    return method_name(method, i18n.translator())


@bp.app_template_global()
def grade_name(grade: str) -> str:
    return grade_label(grade, i18n.translator())


@bp.app_template_global()
def choice_text(view: BallotView, choice: Any) -> str:
    """Return a voter's stored choice in words, for the recap of their vote."""
    labels = {option.key: option.label for option in view.options}
    method = view.method
    if method is Method.THRESHOLD:
        return {
            "for": gettext("For"),
            "against": gettext("Against"),
            "abstain": gettext("Abstain"),
        }.get(choice, choice)
    if method is Method.CONSENT:
        if choice["choice"] == "objection":
            return gettext("I object: %(reason)s", reason=choice["reason"])
        if choice["choice"] == "stand_aside":
            return gettext("I stand aside")
        return gettext("I consent")
    if method is Method.MAJORITY_JUDGMENT:
        return "; ".join(
            gettext("%(option)s: %(grade)s", option=labels[key], grade=grade_name(grade))
            for key, grade in choice.items()
        )
    if method is Method.APPROVAL:
        if not choice:
            return gettext("You approve no option.")
        return gettext(
            "You approve: %(options)s.", options=", ".join(labels[key] for key in choice)
        )
    return " > ".join(labels[key] for key in choice)


@bp.get("/votes")
def index():
    """List the open ballots (voted or not) and the closed ones with their results."""
    now = utcnow()
    scheduled = (
        [
            view
            for view in list_ballots(get_session(), project_id=_project_id())
            if view.state(now) is BallotState.SCHEDULED
        ]
        if auth.current().is_facilitator
        else []
    )
    return render_template(
        "votes/index.html",
        open_ballots=open_votes(),
        scheduled=scheduled,
        decisions=decision_log(get_session(), project_id=_project_id()),
    )


def _result_or_none(view: BallotView) -> dict[str, Any] | None:
    try:
        return ballot_result(
            get_session(), project_id=_project_id(), ballot_id=view.id, viewer_id=_member_id()
        )
    except (ResultsHidden, BallotNotOpen):
        return None


def ballot_page(ballot_id: int, *, form: Form | None = None, posted=None, status: int = 200):
    """Render a ballot's page: its paper (with the member's vote so far) and the results link."""
    session = get_session()
    view = load_ballot(session, project_id=_project_id(), ballot_id=ballot_id)
    state = view.state(utcnow())
    voices = (
        my_voices(session, project_id=_project_id(), ballot_id=ballot_id, member_id=_member_id())
        if _is_resident()
        else []
    )
    own = voices[0] if voices else None
    form = form or Form(formdata=None)
    return render_template(
        "votes/ballot.html",
        ballot=view,
        state=state.value,
        voices=voices,
        own=own,
        current=posted if posted is not None else (own.choice if own else None),
        form=form,
        labels={option.key: option.label for option in view.options},
        result_shown=_result_or_none(view) is not None,
        closed=state is BallotState.CLOSED,
        nudges=panel(item_subject("ballot", view.id)) if auth.current().is_facilitator else None,
    ), status


@bp.get("/votes/<int:ballot_id>")
def ballot(ballot_id: int):
    """Show a ballot with the paper to fill in, or the member's vote to change."""
    return ballot_page(ballot_id)


def _posted(view: BallotView) -> Any:
    """Return what the member ticked, to show the paper again as sent when it is refused."""
    form = request.form
    if view.method is Method.MAJORITY_JUDGMENT:
        return {o.key: form.get(f"grade-{o.key}") for o in view.options}
    if view.method is Method.APPROVAL:
        return form.getlist("approve")
    if view.method is Method.RANKED:
        ranked = sorted(
            (int(form[f"rank-{o.key}"]), o.key)
            for o in view.options
            if (form.get(f"rank-{o.key}") or "").isdigit()
        )
        return [key for _, key in ranked]
    if view.method is Method.CONSENT:
        return {"choice": form.get("choice"), "reason": form.get("reason", "")}
    return form.get("choice")


@bp.post("/votes/<int:ballot_id>")
def vote(ballot_id: int):
    """Cast or change the member's vote, and those of the voices ticked that they hold."""
    view = load_ballot(get_session(), project_id=_project_id(), ballot_id=ballot_id)
    # The page offers a tick box per voice only to a member holding proxies.
    offered = "voices" in request.form
    form = Form()
    receipts = form.submit(
        lambda db: cast_vote(
            db,
            project_id=_project_id(),
            ballot_id=ballot_id,
            member_id=_member_id(),
            choice=paper_choice(view, request.form),
            for_member_ids=paper_voices(request.form, own_id=_member_id(), offered=offered),
        )
    )
    if receipts is None:
        return ballot_page(ballot_id, form=form, posted=_posted(view), status=form.status)
    names = ", ".join(receipt.voice.name for receipt in receipts)
    if any(receipt.changed for receipt in receipts):
        flash(gettext("Your vote is changed (%(names)s).", names=names))
    else:
        flash(gettext("Your vote is recorded (%(names)s).", names=names))
    return redirect(url_for("votes.ballot", ballot_id=ballot_id))


@bp.get("/votes/<int:ballot_id>/export.json")
def export(ballot_id: int):
    """Send a closed ballot's export, for any member to recount: papers anonymous if secret."""
    data = export_ballot(
        get_session(), project_id=_project_id(), ballot_id=ballot_id, viewer_id=_member_id()
    )
    return json_download(data, filename=f"ballot-{ballot_id}.json")


@bp.get("/votes/<int:ballot_id>/results")
def results(ballot_id: int):
    """Show a ballot's result with charts and participation, once results are shown."""
    session = get_session()
    view = load_ballot(session, project_id=_project_id(), ballot_id=ballot_id)
    result = ballot_result(
        session, project_id=_project_id(), ballot_id=ballot_id, viewer_id=_member_id()
    )
    figures = participation(session, project_id=_project_id(), ballot_id=ballot_id)
    # Who chose what, for named ballots only: a secret ballot has no such link to show.
    votes = (
        [] if view.secret else named_votes(session, project_id=_project_id(), ballot_id=ballot_id)
    )
    labels = {option.key: option.label for option in view.options}
    approval_rows = [
        (labels[row["option"]], row["approvals"], str(row["approvals"]))
        for row in result["figures"].get("options", ())
        if isinstance(row, dict)
    ]
    return render_template(
        "votes/results.html",
        ballot=view,
        result=result,
        figures=figures,
        labels=labels,
        approval_rows=approval_rows,
        votes=votes,
        closed=view.state(utcnow()) is BallotState.CLOSED,
    )


def proxies_page(form: Form | None = None, status: int = 200):
    session = get_session()
    member_id = _member_id()
    members = [
        member
        for member in list_members(session, project_id=_project_id())
        if member.role == Role.RESIDENT and member.id != member_id
    ]
    now = utcnow()
    ballots = [
        view
        for view in list_ballots(session, project_id=_project_id())
        if view.state(now) is not BallotState.CLOSED
    ]
    return render_template(
        "votes/proxies.html",
        proxies=proxies_of(session, project_id=_project_id(), member_id=member_id),
        members=members,
        ballots=ballots,
        form=form or Form(formdata=None),
        max_proxies=auth.current().project.max_proxies,
    ), status


@bp.get("/proxies")
def proxies():
    """List the proxies the member gave and holds, with the form to give one."""
    return proxies_page()


def _int(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if value.isdigit() else None


@bp.post("/proxies")
def give():
    """Give the member's voice to another resident, for one ballot or all until revoked."""
    form = Form()
    holder_id = _int("holder")
    given = form.submit(
        lambda db: give_proxy(
            db,
            project_id=_project_id(),
            giver_id=_member_id(),
            holder_id=holder_id if holder_id is not None else 0,
            ballot_id=_int("ballot"),
        )
    )
    if given is None:
        return proxies_page(form, form.status)
    flash(gettext("Your proxy is given. You can revoke it at any time."))
    return redirect(url_for("votes.proxies"))


@bp.post("/proxies/<int:proxy_id>/revoke")
def revoke(proxy_id: int):
    """Take a proxy back."""
    form = Form()
    revoked = form.submit(
        lambda db: revoke_proxy(
            db, project_id=_project_id(), proxy_id=proxy_id, actor_id=_member_id()
        )
    )
    if revoked is None:
        return proxies_page(form, form.status)
    flash(gettext("The proxy is revoked."))
    return redirect(url_for("votes.proxies"))
