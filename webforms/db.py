"""The database as the views see it: one read session a request, and write transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlmodel import Session

from voisinage import db
from voisinage.config import Settings

_ENGINE = "voisinage.engine"


def init_app(app: Flask, engine: Engine) -> None:
    """Give the app its engine and close each request's session when the request ends."""
    app.extensions[_ENGINE] = engine
    app.teardown_appcontext(_close_session)


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions[_ENGINE]


def get_settings() -> Settings:
    return current_app.extensions["voisinage.settings"]


def get_session() -> Session:
    """Return this request's read session, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Run one write transaction: all of it or nothing."""
    with db.unit_of_work(get_engine()) as session:
        yield session


def _close_session(_exception: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
