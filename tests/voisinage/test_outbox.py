"""The notification outbox: stored once per key, claimed by one drain, sent once across restarts."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlmodel import select

from tests.voisinage.workshops_support import DAY, HOUR, NOW, FakeTelegram, make_group
from voisinage import db, outbox
from voisinage.db import unit_of_work
from voisinage.i18n import translator
from voisinage.models import Member
from voisinage.models.outbox import Notification
from voisinage.people import set_language

MINUTE = HOUR / 60


@pytest.fixture
def group(engine):
    return make_group(engine)


def _enqueue(engine, group, key, *, member=None, due=NOW, reminder=False, expires=None, **kw):
    with unit_of_work(engine) as session:
        return outbox.enqueue(
            session,
            project_id=group.project_id,
            member_id=member or group.member("Nadia"),
            kind="workshop.reminder_48h",
            subject=":".join(key.split(":")[:2]),
            dedupe_key=key,
            due_at=due,
            expires_at=expires,
            reminder=reminder,
            params=kw.get("params", _params()),
            now=kw.get("now", NOW - DAY),
        )


def _params(title="Vision commune"):
    return {
        "workshop_id": 1,
        "title": title,
        "starts_at": (NOW + 2 * DAY).isoformat(),
        "ends_at": (NOW + 2 * DAY + 3 * HOUR).isoformat(),
        "place": "Salle commune",
        "timezone": "Europe/Paris",
    }


def _rows(engine, **filters):
    with db.read_session(engine) as session:
        return outbox.list_notifications(session, **filters)


def _claim(engine, now, **kw):
    with unit_of_work(engine) as session:
        return outbox.claim_due(session, now=now, **kw)


def _mark_sent(engine, item, now):
    with unit_of_work(engine) as session:
        return outbox.mark_sent(
            session, notification_id=item.id, claim_token=item.claim_token, now=now
        )


def test_the_same_key_twice_stores_one_row_and_moves_its_due_time(engine, group):
    _enqueue(engine, group, "workshop:1:seq:0:reminder_48h:member:1", due=NOW)
    _enqueue(engine, group, "workshop:1:seq:0:reminder_48h:member:1", due=NOW + HOUR)
    rows = _rows(engine, project_id=group.project_id)
    assert [(r.dedupe_key, r.due_at) for r in rows] == [
        ("workshop:1:seq:0:reminder_48h:member:1", NOW + HOUR)
    ]


def test_nothing_is_claimed_before_it_is_due(engine, group):
    _enqueue(engine, group, "workshop:1:a", due=NOW + HOUR)
    assert _claim(engine, NOW) == []
    assert [item.kind for item in _claim(engine, NOW + HOUR)] == ["workshop.reminder_48h"]


def test_a_claim_is_not_handed_out_again_during_its_lease(engine, group):
    _enqueue(engine, group, "workshop:1:a")
    first = _claim(engine, NOW)
    assert len(first) == 1
    assert _claim(engine, NOW + 4 * MINUTE) == []


def test_sent_exactly_once_across_a_restart_after_a_claim(database_url, engine, group):
    """The bot claims a batch, dies before sending; the restarted bot sends each one once."""
    for name in ("Nadia", "Karim", "Jeanne"):
        _enqueue(engine, group, f"workshop:1:a:member:{name}", member=group.member(name))
    crashed = _claim(engine, NOW)
    assert len(crashed) == 3
    engine.dispose()  # the process dies: its claims stay in the database

    restarted_engine = db.make_engine(database_url)
    telegram = FakeTelegram(restarted_engine)
    # Back within the lease: the rows may still be on their way, so they wait.
    assert telegram.drain(NOW + 1 * MINUTE) == 0
    assert telegram.drain(NOW + 6 * MINUTE) == 3
    assert telegram.drain(NOW + 7 * MINUTE) == 0
    assert telegram.drain(NOW + DAY) == 0
    assert Counter(telegram.received("workshop.reminder_48h")) == Counter(
        {group.member("Nadia"): 1, group.member("Karim"): 1, group.member("Jeanne"): 1}
    )
    restarted_engine.dispose()


def test_sent_exactly_once_when_the_bot_dies_halfway_through_a_batch(database_url, engine, group):
    for name in ("Nadia", "Karim", "Jeanne"):
        _enqueue(engine, group, f"workshop:1:a:member:{name}", member=group.member(name))
    first_bot = FakeTelegram(engine)
    batch = _claim(engine, NOW)
    first_bot.deliver(batch[0])
    assert _mark_sent(engine, batch[0], NOW)
    engine.dispose()  # dies before sending the other two

    second_bot = FakeTelegram(db.make_engine(database_url))
    assert second_bot.drain(NOW + 10 * MINUTE) == 2
    assert second_bot.drain(NOW + 20 * MINUTE) == 0
    everyone = first_bot.kinds + second_bot.kinds
    assert sorted(member for member, _ in everyone) == sorted(
        group.member(name) for name in ("Nadia", "Karim", "Jeanne")
    )
    second_bot.engine.dispose()


def test_a_drain_that_lost_its_claim_records_nothing(engine, group):
    _enqueue(engine, group, "workshop:1:a")
    slow = _claim(engine, NOW)[0]
    fast = _claim(engine, NOW + 6 * MINUTE)[0]
    assert fast.id == slow.id
    assert fast.claim_token != slow.claim_token
    assert _mark_sent(engine, fast, NOW + 6 * MINUTE)
    assert not _mark_sent(engine, slow, NOW + 7 * MINUTE)
    with unit_of_work(engine) as session:
        assert not outbox.mark_failed(
            session, notification_id=slow.id, claim_token=slow.claim_token, error="late"
        )
    [row] = _rows(engine, project_id=group.project_id)
    assert row.sent_at == NOW + 6 * MINUTE
    assert row.attempts == 2


def test_concurrent_drains_never_claim_the_same_row(engine, group):
    members = group.residents
    for index in range(40):
        _enqueue(engine, group, f"workshop:1:n:{index}", member=members[index % len(members)])
    claimed: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def drain():
        try:
            barrier.wait()
            while True:
                batch = _claim(engine, NOW, limit=3)
                if not batch:
                    return
                with lock:
                    claimed.extend(item.id for item in batch)
        except BaseException as error:  # surfaced below, with the thread's traceback
            errors.append(error)

    threads = [threading.Thread(target=drain) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(claimed) == 40
    assert len(set(claimed)) == 40


def test_failures_back_off_then_give_up(engine, group):
    _enqueue(engine, group, "workshop:1:a")
    now = NOW
    delays = []
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        [item] = _claim(engine, now)
        assert item.attempts == attempt
        with unit_of_work(engine) as session:
            assert outbox.mark_failed(
                session,
                notification_id=item.id,
                claim_token=item.claim_token,
                error="Timed out",
                now=now,
            )
        [row] = _rows(engine, project_id=group.project_id)
        if row.failed_at is None:
            delays.append(row.due_at - now)
            assert _claim(engine, row.due_at - MINUTE / 60) == []
            now = row.due_at
    assert delays == [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE]
    assert row.failed_at == now
    assert row.last_error == "Timed out"
    assert _claim(engine, now + DAY) == []


def test_telegram_retry_after_and_permanent_errors_are_honoured(engine, group):
    _enqueue(engine, group, "workshop:1:a")
    _enqueue(engine, group, "workshop:1:b", member=group.member("Karim"))
    first, second = _claim(engine, NOW)
    with unit_of_work(engine) as session:
        outbox.mark_failed(
            session,
            notification_id=first.id,
            claim_token=first.claim_token,
            error="Flood control exceeded",
            retry_after=600,
            now=NOW,
        )
        outbox.mark_failed(
            session,
            notification_id=second.id,
            claim_token=second.claim_token,
            error="Forbidden: bot was blocked by the user",
            permanent=True,
            now=NOW,
        )
    rows = {row.id: row for row in _rows(engine, project_id=group.project_id)}
    assert rows[first.id].due_at == NOW + 10 * MINUTE
    assert rows[first.id].failed_at is None
    assert rows[second.id].failed_at == NOW
    assert [item.id for item in _claim(engine, NOW + 10 * MINUTE)] == [first.id]


def test_a_cancelled_key_enqueued_again_comes_back_but_a_sent_one_never_does(engine, group):
    _enqueue(engine, group, "workshop:1:a")
    with unit_of_work(engine) as session:
        assert outbox.cancel(session, keys=["workshop:1:a"], reason="not_coming", now=NOW) == 1
    assert _claim(engine, NOW) == []
    _enqueue(engine, group, "workshop:1:a")
    telegram = FakeTelegram(engine)
    assert telegram.drain(NOW) == 1
    _enqueue(engine, group, "workshop:1:a", due=NOW + HOUR)
    assert telegram.drain(NOW + DAY) == 0


def test_cancelling_by_prefix_spares_keys_that_merely_start_alike(engine, group):
    _enqueue(engine, group, "poll:1:reminder:member:5")
    _enqueue(engine, group, "poll:12:reminder:member:5")
    _enqueue(engine, group, "poll_1:reminder:member:5")
    with unit_of_work(engine) as session:
        assert outbox.cancel(session, key_prefix="poll:1:", reason="poll_closed", now=NOW) == 1
    pending = [
        r.dedupe_key for r in _rows(engine, project_id=group.project_id) if not r.cancelled_at
    ]
    assert sorted(pending) == ["poll:12:reminder:member:5", "poll_1:reminder:member:5"]


def test_an_expired_notification_is_cancelled_not_sent(engine, group):
    _enqueue(engine, group, "workshop:1:a", due=NOW, expires=NOW + HOUR)
    assert not _enqueue(engine, group, "workshop:1:late", due=NOW + 2 * HOUR, expires=NOW + HOUR)
    assert FakeTelegram(engine).drain(NOW + HOUR) == 0
    [row] = _rows(engine, project_id=group.project_id)
    assert (row.cancel_reason, row.sent_at) == ("expired", None)


def test_members_without_telegram_wait_until_they_link_an_account(engine, group):
    nadia = group.member("Nadia")
    with unit_of_work(engine) as session:
        session.get(Member, nadia).telegram_user_id = None
    _enqueue(engine, group, "workshop:1:a")
    assert _claim(engine, NOW) == []
    with unit_of_work(engine) as session:
        session.get(Member, nadia).telegram_user_id = 777
    [item] = _claim(engine, NOW + MINUTE)
    assert item.telegram_user_id == 777


def test_reminders_turned_off_stop_reminders_but_not_notices(engine, group):
    nadia = group.member("Nadia")
    _enqueue(engine, group, "workshop:1:reminder", reminder=True, due=NOW + DAY)
    _enqueue(engine, group, "workshop:1:changed", reminder=False, due=NOW + DAY)
    with unit_of_work(engine) as session:
        outbox.set_reminders(session, member_id=nadia, enabled=False, now=NOW)
        assert not outbox.reminders_enabled(session, member_id=nadia)
    _enqueue(engine, group, "workshop:2:reminder", reminder=True, due=NOW + DAY)
    telegram = FakeTelegram(engine)
    telegram.drain(NOW + DAY)
    assert telegram.kinds == [(nadia, "workshop.reminder_48h")]
    reasons = {r.dedupe_key: r.cancel_reason for r in _rows(engine, member_id=nadia)}
    assert reasons == {
        "workshop:1:reminder": "opted_out",
        "workshop:1:changed": None,
        "workshop:2:reminder": "opted_out",
    }


def test_reminders_turned_on_again_come_back_if_still_ahead(engine, group):
    nadia = group.member("Nadia")
    _enqueue(engine, group, "workshop:1:soon", reminder=True, due=NOW + HOUR)
    _enqueue(engine, group, "workshop:1:later", reminder=True, due=NOW + DAY)
    with unit_of_work(engine) as session:
        outbox.set_reminders(session, member_id=nadia, enabled=False, now=NOW)
    with unit_of_work(engine) as session:
        outbox.set_reminders(session, member_id=nadia, enabled=True, now=NOW + 2 * HOUR)
    telegram = FakeTelegram(engine)
    telegram.drain(NOW + 2 * DAY)
    with db.read_session(engine) as session:
        sent = session.exec(
            select(Notification.dedupe_key).where(Notification.sent_at.is_not(None))
        )
        assert list(sent) == ["workshop:1:later"]


def test_a_reminder_slipped_in_while_turning_them_off_is_not_sent(engine, group):
    """Another transaction read the preference before the opt-out committed: the claim checks."""
    nadia = group.member("Nadia")
    with unit_of_work(engine) as session:
        outbox.set_reminders(session, member_id=nadia, enabled=False, now=NOW)
    with unit_of_work(engine) as session:
        session.add(
            Notification(
                project_id=group.project_id,
                member_id=nadia,
                kind="workshop.reminder_2h",
                subject="workshop:1",
                dedupe_key="workshop:1:slipped",
                params=_params(),
                is_reminder=True,
                due_at=NOW,
            )
        )
    assert _claim(engine, NOW + MINUTE) == []


def test_a_notification_is_written_in_the_recipients_language_when_sent(engine, group):
    nadia, karim = group.member("Nadia"), group.member("Karim")
    _enqueue(engine, group, "workshop:1:fr", member=nadia)
    _enqueue(engine, group, "workshop:1:en", member=karim)
    with unit_of_work(engine) as session:
        set_language(session, member_ids=[karim], language="en")
    texts = {
        item.member_id: outbox.render(
            item, translator(item.member_language or item.project_language)
        )
        for item in _claim(engine, NOW)
    }
    # 3 March 2027, 08:00 UTC is 09:00 in Lille.
    assert texts[nadia] == (
        "Rappel : « Vision commune » a lieu dans deux jours, le mercredi 3 mars 2027, "
        "de 09:00 à 12:00 (Salle commune)."
    )
    assert texts[karim] == (
        "Reminder: “Vision commune” is in two days, on Wednesday, March 3, 2027, "
        "from 9:00\u202fAM to 12:00\u202fPM (Salle commune)."
    )
