"""Digests: who sets them, when they fall due in the project's time zone (daylight saving
included), exactly once per period whoever runs them, late after an outage, and a group digest
that names nobody."""

from __future__ import annotations

import itertools
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from tests.voisinage.ballots_support import NOW, make_group
from tests.voisinage.test_project_summary import (
    SECRET_WORDS,
    build_ballots,
    build_path,
    build_questionnaires,
)
from voisinage.db import read_session, unit_of_work
from voisinage.digest_text import (
    FACILITATOR_DIGEST,
    GROUP_DIGEST,
    MESSAGE_LIMIT,
    fit_message,
    render_digest,
)
from voisinage.digests import (
    digest_schedule,
    enqueue_due_digests,
    latest_moment,
    set_digest_schedule,
)
from voisinage.enums import Role
from voisinage.errors import Forbidden, InvalidValue
from voisinage.i18n import translator
from voisinage.models import Member, Project
from voisinage.models.followup import DigestRun, DigestSchedule
from voisinage.models.outbox import Notification
from voisinage.people import add_member
from voisinage.projects import create_project
from voisinage.summary_text import Section

PARIS = ZoneInfo("Europe/Paris")
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Long before every moment the tests read: schedules set then apply to all of them.
SET_AT = datetime(2026, 1, 1, tzinfo=UTC)


def paris(*args: int) -> datetime:
    """Return a Paris wall-clock time as UTC (its first occurrence when it happens twice)."""
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def _schedule(engine, project_id, *, at=SET_AT, actor_id=None, **choices):
    values = {"frequency": "daily", "weekday": 0, "hour": 9, "group_digest": False, **choices}
    with unit_of_work(engine) as session:
        set_digest_schedule(session, project_id=project_id, actor_id=actor_id, now=at, **values)


def _run(engine, now):
    with unit_of_work(engine) as session:
        return enqueue_due_digests(session, now=now)


def _runs(engine, project_id):
    with read_session(engine) as session:
        return list(
            session.exec(
                select(DigestRun)
                .where(col(DigestRun.project_id) == project_id)
                .order_by(col(DigestRun.scheduled_for))
            )
        )


def _notifications(engine, kind=None):
    with read_session(engine) as session:
        statement = select(Notification).where(col(Notification.kind).startswith("digest."))
        if kind is not None:
            statement = statement.where(col(Notification.kind) == kind)
        return list(session.exec(statement.order_by(col(Notification.id))))


def _link_group(engine, project_id, facilitator_id, chat_id=-100123):
    with unit_of_work(engine) as session:
        project = session.get(Project, project_id)
        project.telegram_chat_id = chat_id
        facilitator = session.get(Member, facilitator_id)
        facilitator.telegram_user_id = 1001
        session.add_all([project, facilitator])


# Setting the schedule.


def test_a_project_without_a_schedule_has_digests_off(engine, world):
    with read_session(engine) as session:
        schedule = digest_schedule(
            session, project_id=world.project.id, actor_id=world.facilitator.id
        )
    assert (schedule.frequency, schedule.hour, schedule.group_digest) == ("off", 9, False)


def test_a_facilitator_sets_the_schedule_and_reads_it_back(engine, world):
    _schedule(engine, world.project.id, actor_id=world.facilitator.id, frequency="weekly",
              weekday=4, hour=18)  # fmt: skip
    with read_session(engine) as session:
        schedule = digest_schedule(
            session, project_id=world.project.id, actor_id=world.facilitator.id
        )
    assert (schedule.frequency, schedule.weekday, schedule.hour) == ("weekly", 4, 18)


@pytest.mark.parametrize("who", ["resident", "other_facilitator"])
def test_only_the_projects_facilitators_set_its_digests(engine, world, who):
    actor = getattr(world, who)
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        set_digest_schedule(
            session, project_id=world.project.id, actor_id=actor.id, frequency="daily",
            weekday=0, hour=9, group_digest=False,
        )  # fmt: skip
    with pytest.raises(Forbidden), read_session(engine) as session:
        digest_schedule(session, project_id=world.project.id, actor_id=actor.id)
    with read_session(engine) as session:
        assert session.get(DigestSchedule, world.project.id) is None


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        pytest.param({"frequency": "hourly"}, "daily, weekly, or not at all", id="frequency"),
        pytest.param({"weekday": 7}, "day of the week", id="weekday-7"),
        pytest.param({"weekday": -1}, "day of the week", id="weekday-negative"),
        pytest.param({"hour": 24}, "from 0 to 23", id="hour-24"),
        pytest.param({"group_digest": True}, "link a group to the project first", id="no-group"),
    ],
)
def test_a_bad_schedule_is_refused_with_a_reason_and_nothing_is_written(
    engine, world, choices, message
):
    with pytest.raises(InvalidValue) as refused:
        _schedule(engine, world.project.id, actor_id=world.facilitator.id, **choices)
    assert message in str(refused.value)
    with read_session(engine) as session:
        assert session.get(DigestSchedule, world.project.id) is None


def test_the_group_digest_is_accepted_once_a_group_is_linked(engine, world):
    _link_group(engine, world.project.id, world.facilitator.id)
    _schedule(engine, world.project.id, actor_id=world.facilitator.id, group_digest=True)
    with read_session(engine) as session:
        assert session.get(DigestSchedule, world.project.id).group_digest is True


# When digests fall due.


@pytest.mark.parametrize(
    ("frequency", "weekday", "hour", "now", "period", "moment"),
    [
        # Winter, then summer time: 09:00 in Paris is 08:00, then 07:00 UTC.
        ("daily", 0, 9, paris(2027, 3, 27, 9, 0), "2027-03-27", paris(2027, 3, 27, 9)),
        ("daily", 0, 9, paris(2027, 3, 28, 8, 59), "2027-03-27", paris(2027, 3, 27, 9)),
        ("daily", 0, 9, paris(2027, 3, 28, 9, 0), "2027-03-28", datetime(2027, 3, 28, 7, tzinfo=UTC)),
        # 02:00 does not exist on 28 March: that day's digest goes at 03:00 summer time.
        ("daily", 0, 2, datetime(2027, 3, 28, 0, 59, tzinfo=UTC), "2027-03-27", paris(2027, 3, 27, 2)),
        ("daily", 0, 2, datetime(2027, 3, 28, 1, 0, tzinfo=UTC), "2027-03-28", datetime(2027, 3, 28, 1, tzinfo=UTC)),
        # 02:00 happens twice on 31 October: the first one counts, and once.
        ("daily", 0, 2, datetime(2027, 10, 31, 0, 0, tzinfo=UTC), "2027-10-31", datetime(2027, 10, 31, 0, tzinfo=UTC)),
        ("daily", 0, 2, datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "2027-10-31", datetime(2027, 10, 31, 0, tzinfo=UTC)),
        # Weekly on Sundays: the latest Sunday at the hour, a week back before it comes.
        ("weekly", 6, 10, paris(2027, 3, 31, 12, 0), "2027-03-28", datetime(2027, 3, 28, 8, tzinfo=UTC)),
        ("weekly", 6, 10, paris(2027, 3, 28, 9, 59), "2027-03-21", paris(2027, 3, 21, 10)),
        ("weekly", 0, 0, paris(2027, 11, 1, 0, 0), "2027-11-01", paris(2027, 11, 1, 0)),
    ],
)  # fmt: skip
def test_the_latest_moment_is_the_local_hour_across_daylight_saving_changes(
    frequency, weekday, hour, now, period, moment
):
    schedule = DigestSchedule(project_id=1, frequency=frequency, weekday=weekday, hour=hour)
    assert latest_moment(schedule, "Europe/Paris", now) == (period, moment)


def _scheduled_project(engine, **choices):
    with unit_of_work(engine) as session:
        count = len(session.exec(select(Project.id)).all())
        project = create_project(session, name=f"Projet {count}", timezone="Europe/Paris")
        add_member(session, project_id=project.id, display_name="Camille", role=Role.FACILITATOR)
    _schedule(engine, project.id, **choices)
    return project.id


def _switch_off(engine, project_id):
    with unit_of_work(engine) as session:
        schedule = session.get(DigestSchedule, project_id)
        schedule.frequency = "off"
        session.add(schedule)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    frequency=st.sampled_from(["daily", "weekly"]),
    hour=st.sampled_from([0, 1, 2, 3, 9, 23]),
    start=st.sampled_from([paris(2027, 3, 24, 12), paris(2027, 10, 27, 12)]),
    steps=st.lists(st.integers(min_value=1, max_value=36 * 60), min_size=1, max_size=25),
)
def test_one_run_per_local_day_or_week_whatever_the_times_the_job_runs(
    engine, data, frequency, hour, start, steps
):
    """Runs at any times across the March or October change: at most one run per period,
    each at the local hour, and after every run the latest period due has its run."""
    weekday = data.draw(st.sampled_from([5, 6, 0]), label="weekday")
    project_id = _scheduled_project(
        engine, frequency=frequency, hour=hour, weekday=weekday, at=start
    )
    schedule = DigestSchedule(frequency=frequency, weekday=weekday, hour=hour)
    now = start
    for minutes in steps:
        now += timedelta(minutes=minutes)
        _run(engine, now)
        period, moment = latest_moment(schedule, "Europe/Paris", now)
        runs = {run.period: run for run in _runs(engine, project_id)}
        assert moment < start or runs[period].scheduled_for == moment
    _switch_off(engine, project_id)
    runs = _runs(engine, project_id)
    assert len({run.period for run in runs}) == len(runs)
    for run in runs:
        local = run.scheduled_for.astimezone(PARIS)
        assert local.date().isoformat() == run.period
        # The hour asked for, or the hour after when it does not exist that day.
        assert local.hour in (hour, hour + 1)
        assert local.hour == hour or local.utcoffset() != (local - HOUR).utcoffset()
        if frequency == "weekly":
            assert local.weekday() == weekday
    for previous, run in itertools.pairwise(runs):
        assert run.since == previous.scheduled_for


def test_no_digest_for_a_moment_before_the_schedule_was_set(engine, world):
    _schedule(engine, world.project.id, at=paris(2027, 3, 1, 9, 30))
    assert _run(engine, paris(2027, 3, 1, 9, 31)) == []
    [due] = _run(engine, paris(2027, 3, 2, 9, 0))
    assert due.period == "2027-03-02"


def test_a_bot_down_for_three_days_sends_the_latest_digest_once_marked_late(engine, world):
    _schedule(engine, world.project.id)
    [first] = _run(engine, paris(2027, 3, 1, 9, 1))
    assert (first.late, first.since) == (False, paris(2027, 2, 28, 9))
    assert _run(engine, paris(2027, 3, 1, 9, 2)) == []
    [back] = _run(engine, paris(2027, 3, 4, 11, 0))
    assert (back.period, back.late, back.since) == ("2027-03-04", True, paris(2027, 3, 1, 9))
    assert [run.period for run in _runs(engine, world.project.id)] == ["2027-03-01", "2027-03-04"]
    [late] = _notifications(engine)[-1:]
    text = render_digest(late.kind, late.params, translator("en"))
    assert "(late: planned for Thursday, March 4, 2027 at 9:00" in text
    first_text = render_digest(
        FACILITATOR_DIGEST, _notifications(engine)[0].params, translator("en")
    )
    assert "late" not in first_text


def test_a_digest_within_a_quarter_of_an_hour_is_on_time(engine, world):
    _schedule(engine, world.project.id, frequency="weekly", weekday=0)
    [due] = _run(engine, paris(2027, 3, 1, 9, 14))
    assert due.late is False
    assert due.since == paris(2027, 2, 22, 9)


def test_two_runners_at_once_enqueue_one_digest(engine, world):
    _schedule(engine, world.project.id)
    now = paris(2027, 3, 1, 9, 0)
    second: list = []
    with unit_of_work(engine) as session:
        first = enqueue_due_digests(session, now=now)
        # The second runner starts while the first has not committed: it waits, then finds
        # the period taken.
        runner = threading.Thread(target=lambda: second.extend(_run(engine, now)))
        runner.start()
        time.sleep(0.5)
    runner.join(timeout=20)
    assert len(first) == 1
    assert second == []
    assert len(_runs(engine, world.project.id)) == 1
    assert len(_notifications(engine, FACILITATOR_DIGEST)) == 1


def test_each_facilitator_gets_a_digest_and_the_group_one_once(engine, world):
    with unit_of_work(engine) as session:
        add_member(session, project_id=world.project.id, display_name="Léa", role=Role.FACILITATOR)
    _link_group(engine, world.project.id, world.facilitator.id)
    _schedule(engine, world.project.id, group_digest=True)
    [due] = _run(engine, paris(2027, 3, 1, 9, 0))
    assert (due.facilitators, due.group) == (2, True)
    for again in (paris(2027, 3, 1, 9, 1), paris(2027, 3, 1, 23, 59)):
        assert _run(engine, again) == []
    facilitator, group = (
        _notifications(engine, FACILITATOR_DIGEST),
        _notifications(engine, GROUP_DIGEST),
    )
    assert len(facilitator) == 2
    assert [row.dedupe_key for row in group] == [f"digest:{due.run_id}:group:-100123"]
    assert group[0].member_id == world.facilitator.id
    assert group[0].params["chat_id"] == -100123
    assert all(row.dedupe_key.startswith(f"digest:{due.run_id}:") for row in facilitator)
    # Gone stale by the next digest: a facilitator without Telegram does not get a pile.
    assert all(row.expires_at == paris(2027, 3, 2, 9) for row in facilitator + group)


def test_the_group_digest_names_nobody_and_leaks_no_choice(engine):
    group = make_group(engine)
    build_path(engine, group)
    build_questionnaires(engine, group)
    build_ballots(engine, group)
    _link_group(engine, group.project_id, group.facilitator_id)
    _schedule(engine, group.project_id, group_digest=True)
    [due] = _run(engine, NOW + 3 * DAY)
    [row] = _notifications(engine, GROUP_DIGEST)
    [facilitator_row] = _notifications(engine, FACILITATOR_DIGEST)
    for language in ("fr", "en"):
        text = render_digest(GROUP_DIGEST, row.params, translator(language))
        for name in [*group.names.values(), *group.households, "Camille", "Bailleur", "Foyer"]:
            assert name not in text
        for word in [*SECRET_WORDS, "Trop de bruit", "missing", "manque"]:
            assert word not in text
    text = render_digest(GROUP_DIGEST, row.params, translator("en"))
    # What the group reads: open items with their figures, results since, the next workshop.
    assert "Ballot Horaires du local vélo: 3 of 6 voices voted, quorum reached (3)" in text
    assert "Ballot closed: Fête des voisins en juin — adopted" in text
    assert (
        "Next workshop\n  Vision commune: Tuesday, March 9, 2027 at 7:00\u202fPM, Salle commune (places left: 1)"
        in text
    )
    # The facilitators' digest names a few of those missing, and counts the rest.
    private = render_digest(FACILITATOR_DIGEST, facilitator_row.params, translator("en"))
    assert "missing: Foyer Diallo, Foyer Moreau, Foyer Nguyen (draft), … (+1)" in private
    # Facilitators see who is missing, never what an open secret or hidden ballot holds.
    for word in SECRET_WORDS:
        assert word not in private
        assert word not in json.dumps(facilitator_row.params, ensure_ascii=False)
    assert due.since == NOW + 3 * DAY - DAY - 10 * HOUR


def test_a_long_digest_is_cut_to_telegrams_limit_saying_how_much_is_left():
    _ = translator("en")
    lines = [f"  Questionnaire {'x' * 600} {n}" for n in range(30)]
    text = fit_message(
        ["Title"], [Section("open", "Open", lines), Section("since", "Since", ["  a"])], _
    )
    assert len(text.encode("utf-16-le")) // 2 <= MESSAGE_LIMIT
    assert "  … and 24 more" in text
    assert text.splitlines()[-1] == "  a"
