"""The web app on a real database, driven through Flask's test client with CSRF checks on."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.test import TestResponse

from voisinage.config import Settings
from voisinage.db import unit_of_work
from voisinage.enums import Role
from voisinage.models import Household, Member, Project
from voisinage.people import add_member
from voisinage.projects import add_household, create_project
from voisinage.tokens import issue_login_token
from webforms import create_app
from webforms.db import get_engine

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class World:
    """Project A (English) with a facilitator, a resident in a household and an observer;
    project B (French) with its own facilitator and resident, whose data must never leak."""

    project: Project
    facilitator: Member
    household: Household
    resident: Member
    observer: Member
    other_project: Project
    other_facilitator: Member
    other_household: Household
    other_resident: Member


@pytest.fixture
def world(engine) -> World:
    with unit_of_work(engine) as session:
        project = create_project(session, name="Les Voisins du Quai", language="en")
        facilitator = add_member(
            session, project_id=project.id, display_name="Camille", role=Role.FACILITATOR
        )
        household = add_household(session, project_id=project.id, name="Foyer Benali")
        resident = add_member(
            session, project_id=project.id, display_name="Nadia", household_id=household.id
        )
        observer = add_member(
            session, project_id=project.id, display_name="Bailleur", role=Role.OBSERVER
        )
        other = create_project(session, name="La Ruche", language="fr")
        other_facilitator = add_member(
            session, project_id=other.id, display_name="Sam", role=Role.FACILITATOR
        )
        other_household = add_household(session, project_id=other.id, name="Foyer Secret")
        other_resident = add_member(
            session, project_id=other.id, display_name="Zoé", household_id=other_household.id
        )
    return World(
        project,
        facilitator,
        household,
        resident,
        observer,
        other,
        other_facilitator,
        other_household,
        other_resident,
    )


@pytest.fixture
def make_app(environ) -> Iterator[Callable[..., Flask]]:
    """Build apps on the test database, with settings overridden; close their pools after."""
    apps: list[Flask] = []

    def make(**overrides: str) -> Flask:
        app = create_app(Settings.from_env({**environ, **overrides}))
        apps.append(app)
        return app

    yield make
    for app in apps:
        get_engine(app).dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


def csrf_token(response: TestResponse) -> str:
    """Return the CSRF token a page carries, as a browser would send it back."""
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


class Web:
    """A browser-like client: it keeps its cookies and sends forms with their CSRF token."""

    def __init__(self, client: FlaskClient, engine: Engine, secret_key: str) -> None:
        self.client = client
        self.engine = engine
        self.secret_key = secret_key

    def get(self, path: str, **kwargs) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs) -> TestResponse:
        """Post a form the way a page of ours would: with the session's CSRF token."""
        page = self.client.get("/", follow_redirects=True)
        return self.client.post(
            path, data={"csrf_token": csrf_token(page), **(data or {})}, **kwargs
        )

    def login_token(self, member: Member) -> str:
        with unit_of_work(self.engine) as session:
            return issue_login_token(session, member_id=member.id, secret_key=self.secret_key)

    def sign_in(self, member: Member) -> None:
        token = self.login_token(member)
        page = self.client.get(f"/login/{token}")
        assert page.status_code == 200
        response = self.client.post(f"/login/{token}", data={"csrf_token": csrf_token(page)})
        assert response.status_code == 302


@pytest.fixture
def web(app, engine, settings) -> Web:
    return Web(app.test_client(), engine, settings.secret_key)


@pytest.fixture
def other_web(app, engine, settings) -> Web:
    """A second browser, with cookies of its own."""
    return Web(app.test_client(), engine, settings.secret_key)


@contextmanager
def counting_queries(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements the app's engine runs inside the block."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
