"""The bot under test: a fake Bot API over real HTTP, a project with people, and the bot itself,
either as a `python -m bot` process or as an Application running in the test's event loop."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.app import ALLOWED_UPDATES, VoisinageApplication, build_application
from tests.conftest import TEST_SECRET_KEY
from tests.fakes.telegram_api import TOKEN, FakeTelegram, TelegramUser
from voisinage.ballots import open_ballot
from voisinage.config import Settings
from voisinage.db import unit_of_work
from voisinage.enums import Role
from voisinage.models import Household, Member, Project, utcnow
from voisinage.people import add_member, create_invitation
from voisinage.projects import add_household, create_project
from voisinage.workshop_path import add_step
from voisinage.workshop_polls import SlotInput, open_poll
from voisinage.workshop_rsvps import set_capacity
from voisinage.workshop_schedule import schedule_workshop
from voisinage.workshops import current_workshop

ROOT = Path(__file__).resolve().parent.parent.parent
# Telegram ids of the people in the `people` fixture.
CAMILLE, NADIA, SAM, NEWCOMER = 1001, 1002, 2001, 3001


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as api:
        yield api


@pytest.fixture
def bot_environ(environ, telegram) -> dict[str, str]:
    return {
        **environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "PATH": os.environ.get("PATH", ""),
    }


@pytest.fixture
def sqlite_environ(tmp_path, telegram, sqlite_template) -> dict[str, str]:
    """An environment on a migrated SQLite file: these checks need no second database."""
    database = tmp_path / "voisinage.sqlite3"
    shutil.copy(sqlite_template, database)
    return {
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": TEST_SECRET_KEY,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DEFAULT_LANGUAGE": "en",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
    }


@pytest.fixture
def bot_settings(bot_environ) -> Settings:
    return Settings.from_env(bot_environ)


@dataclass
class People:
    project: Project
    household: Household
    camille: Member  # facilitator of the project
    nadia: Member  # resident, Foyer Benali
    other_project: Project
    sam: Member  # facilitator of the other project only


def _on_telegram(session, member: Member, telegram_user_id: int) -> Member:
    member.telegram_user_id = telegram_user_id
    session.add(member)
    return member


@pytest.fixture
def people(engine: Engine) -> People:
    """Two projects: "Les Voisins du Quai" (French) and "La Ruche" (English), with their people."""
    with unit_of_work(engine) as session:
        project = create_project(session, name="Les Voisins du Quai", language="fr")
        household = add_household(session, project_id=project.id, name="Foyer Benali")
        camille = add_member(
            session, project_id=project.id, display_name="Camille", role=Role.FACILITATOR
        )
        nadia = add_member(
            session, project_id=project.id, display_name="Nadia", household_id=household.id
        )
        other = create_project(session, name="La Ruche", language="en")
        sam = add_member(session, project_id=other.id, display_name="Sam", role=Role.FACILITATOR)
        for member, telegram_user_id in ((camille, CAMILLE), (nadia, NADIA), (sam, SAM)):
            _on_telegram(session, member, telegram_user_id)
    return People(project, household, camille, nadia, other, sam)


@pytest.fixture
def invite(engine: Engine, people: People):
    """Return a function creating an invitation to the project, as the CLI would."""

    def make(project: Project | None = None, **options) -> str:
        with unit_of_work(engine) as session:
            invitation = create_invitation(
                session, project_id=(project or people.project).id, **options
            )
        return invitation.code

    return make


@pytest.fixture
def camille(telegram) -> TelegramUser:
    return TelegramUser(telegram, user_id=CAMILLE, first_name="Camille", language_code="en")


@pytest.fixture
def nadia(telegram) -> TelegramUser:
    return TelegramUser(
        telegram, user_id=NADIA, first_name="Nadia", last_name="Benali", language_code="en"
    )


@pytest.fixture
def sam(telegram) -> TelegramUser:
    return TelegramUser(telegram, user_id=SAM, first_name="Sam", language_code="en")


@pytest.fixture
def newcomer(telegram) -> TelegramUser:
    return TelegramUser(
        telegram, user_id=NEWCOMER, first_name="Karim", last_name="Benali", language_code="en"
    )


class BotProcess:
    """`python -m bot` against the fake API; its output goes to a log shown when a test fails."""

    def __init__(self, environ: dict[str, str], log_path: Path, telegram: FakeTelegram) -> None:
        self.environ = environ
        self.log_path = log_path
        self.telegram = telegram
        self.process: subprocess.Popen | None = None

    async def start(self) -> None:
        """Start the bot and wait until its start-up is over."""
        seen = len(self.telegram.calls)
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=ROOT,
                env=self.environ,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        webhook_mode = bool(self.environ.get("TELEGRAM_WEBHOOK_SECRET"))

        def ready(calls) -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the bot exited:\n{self.log_path.read_text()}")
            methods = [call.method for call in calls[seen:]]
            if webhook_mode:
                return methods.count("setMyCommands") == 6
            # A second long poll: the first one has come back, so start-up is long over.
            return methods.count("getUpdates") >= 2

        await self.telegram.wait_for(ready)

    def kill(self) -> None:
        """Kill the bot as a crash or an out-of-memory killer would: no clean-up at all."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """Stop the bot as a host does (SIGTERM) and return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@pytest.fixture
async def bot_process(bot_environ, telegram, people, tmp_path) -> AsyncIterator[BotProcess]:
    """The bot in long-polling mode, as a separate process."""
    process = BotProcess(bot_environ, tmp_path / "bot.log", telegram)
    await process.start()
    yield process
    process.stop()
    # pytest shows this only when the test failed.
    print(process.log_path.read_text())


@pytest.fixture
async def running_bot(
    bot_settings, engine, telegram, people
) -> AsyncIterator[VoisinageApplication]:
    """The bot's Application polling the fake API from within the test's event loop."""
    application = build_application(bot_settings, engine=engine)
    await application.initialize()
    await application.post_init(application)
    await application.start()
    await application.updater.start_polling(timeout=1, allowed_updates=ALLOWED_UPDATES)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


class Workshops:
    """Workshops of the `people` fixture's projects, set up through the domain's services."""

    def __init__(self, engine: Engine, people: People) -> None:
        self.engine = engine
        self.people = people

    def workshop(self, title: str = "Vision commune", *, project: Project | None = None) -> int:
        """Add a step to a project's path (the first one by default); return its workshop."""
        project = project or self.people.project
        facilitator = self.people.camille if project.id == self.people.project.id else None
        facilitator = facilitator or self.people.sam
        with unit_of_work(self.engine) as session:
            step = add_step(session, project_id=project.id, title=title, actor_id=facilitator.id)
            return current_workshop(session, step_id=step.id).id

    def schedule(
        self,
        workshop_id: int,
        *,
        starts_at: datetime,
        capacity: int | None = None,
        place: str = "Salle commune",
        now: datetime | None = None,
    ) -> None:
        """Give the project's workshop a date (3 hours long) and a capacity."""
        project_id, actor_id = self.people.project.id, self.people.camille.id
        with unit_of_work(self.engine) as session:
            schedule_workshop(
                session,
                project_id=project_id,
                workshop_id=workshop_id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=3),
                place=place,
                actor_id=actor_id,
                now=now,
            )
            if capacity is not None:
                set_capacity(
                    session,
                    project_id=project_id,
                    workshop_id=workshop_id,
                    capacity=capacity,
                    actor_id=actor_id,
                    now=now,
                )

    def poll(
        self,
        workshop_id: int,
        *,
        slots: list[datetime],
        deadline: datetime,
        project: Project | None = None,
        now: datetime | None = None,
    ) -> int:
        """Open an availability poll of 3-hour slots; return its id."""
        project = project or self.people.project
        actor = self.people.camille if project.id == self.people.project.id else self.people.sam
        with unit_of_work(self.engine) as session:
            poll = open_poll(
                session,
                project_id=project.id,
                workshop_id=workshop_id,
                slots=[SlotInput(start, start + timedelta(hours=3), "Salle") for start in slots],
                deadline=deadline,
                actor_id=actor.id,
                now=now,
            )
            return poll.id


@pytest.fixture
def workshops(engine: Engine, people: People) -> Workshops:
    return Workshops(engine, people)


@pytest.fixture
def bot(running_bot) -> VoisinageApplication:
    """The running bot, its outbox sent only when a test says so: notices come in a set order."""
    for job in running_bot.job_queue.get_jobs_by_name("drain_outbox"):
        job.schedule_removal()
    return running_bot


class Ballots:
    """Ballots of the `people` fixture's projects, opened through the domain's services."""

    def __init__(self, engine: Engine, people: People) -> None:
        self.engine = engine
        self.people = people

    def open(
        self,
        method: str,
        question: str = "Adopt the charter?",
        *,
        project: Project | None = None,
        closes_at: datetime | None = None,
        now: datetime | None = None,
        **settings,
    ) -> int:
        """Open a ballot on a free question (closing in a week by default); return its id."""
        project = project or self.people.project
        actor = self.people.camille if project.id == self.people.project.id else self.people.sam
        now = now or utcnow()
        with unit_of_work(self.engine) as session:
            view = open_ballot(
                session,
                project_id=project.id,
                method=method,
                question=question,
                closes_at=closes_at or now + timedelta(days=7),
                actor_id=actor.id,
                now=now,
                **settings,
            )
        return view.id

    def resident(self, name: str, *, household: str | None = None, telegram_user_id=None) -> Member:
        """Add a resident to the project, in a household of their own by default."""
        project_id = self.people.project.id
        with unit_of_work(self.engine) as session:
            home = add_household(session, project_id=project_id, name=household or f"Foyer {name}")
            member = add_member(
                session, project_id=project_id, display_name=name, household_id=home.id
            )
            if telegram_user_id is not None:
                _on_telegram(session, member, telegram_user_id)
        return member


@pytest.fixture
def ballots(engine: Engine, people: People) -> Ballots:
    return Ballots(engine, people)
