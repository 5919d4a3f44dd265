"""The web front door: a Flask application over the same services as the bot."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from voisinage.config import Settings
from voisinage.db import check_schema, make_engine
from voisinage.i18n import compile_catalogs
from webforms import (
    access,
    ballots,
    ballots_admin,
    calendars,
    dashboard,
    db,
    documents,
    errors,
    facilitators,
    health,
    i18n,
    nudges,
    questionnaire_builder_views,
    questionnaire_summary_views,
    questionnaires,
    residents,
    security,
    telegram_webhook,
    workshop_polls,
    workshops,
)

# Forms hold a few short fields: anything bigger is refused (413) before a view runs. A view
# that takes larger bodies (a webhook) raises `request.max_content_length` for itself.
MAX_CONTENT_LENGTH = 16 * 1024
MAX_FORM_MEMORY_SIZE = 8 * 1024
SESSION_LIFETIME = timedelta(days=30)


def create_app(settings: Settings | None = None) -> Flask:
    """Create and configure an instance of the Flask application.

    Refuse to start (SchemaOutOfDate) on a database the migrations have not brought up to date.
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        MAX_FORM_MEMORY_SIZE=MAX_FORM_MEMORY_SIZE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        # A session lasts SESSION_LIFETIME from signing in; re-signing the cookie on every
        # page would keep it alive for ever and cost each request a little.
        SESSION_REFRESH_EACH_REQUEST=False,
        # A form may stay open on a phone for hours; the token is bound to the session anyway.
        WTF_CSRF_TIME_LIMIT=24 * 3600,
        PREFERRED_URL_SCHEME="https" if settings.secure_cookies else "http",
    )
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.extensions["voisinage.settings"] = settings
    engine = make_engine(settings.database_url)
    check_schema(engine)
    compile_catalogs()
    db.init_app(app, engine)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    for blueprint in (
        health.bp,
        access.bp,
        residents.bp,
        facilitators.bp,
        dashboard.bp,
        questionnaires.bp,
        questionnaire_builder_views.bp,
        questionnaire_summary_views.bp,
        workshops.bp,
        workshops.facilitation,
        workshop_polls.bp,
        workshop_polls.facilitation,
        calendars.bp,
        ballots.bp,
        ballots_admin.facilitation,
        documents.bp,
        documents.facilitation,
        nudges.bp,
        # Calendar apps read the feed by its secret token alone: no session, no project page.
        calendars.feed,
    ):
        app.register_blueprint(blueprint)
    # The Telegram webhook carries its own authentication (a secret header), not a form.
    app.register_blueprint(security.csrf.exempt(telegram_webhook.bp))
    return app
