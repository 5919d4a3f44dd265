"""The reader's language, and dates and numbers formatted by the helper the bot uses."""

from __future__ import annotations

from datetime import datetime

from babel.support import NullTranslations
from flask import Flask, g, request, session
from flask_babel import Babel, get_locale, get_translations, lazy_gettext

from voisinage import i18n
from voisinage.config import LANGUAGES
from voisinage.enums import Role
from webforms.db import get_settings

SESSION_LANGUAGE = "lang"
# Languages are offered under their own names, whatever the page's language.
LANGUAGE_NAMES = i18n.language_menu()
ROLE_NAMES = {
    Role.RESIDENT.value: lazy_gettext("Resident"),
    Role.FACILITATOR.value: lazy_gettext("Facilitator"),
    Role.OBSERVER.value: lazy_gettext("Observer (partner)"),
}


def init_app(app: Flask) -> None:
    """Serve the shared catalogs through Flask-Babel and add the formatting filters."""
    Babel(
        app,
        locale_selector=select_language,
        default_locale=app.extensions["voisinage.settings"].default_language,
        default_domain=i18n.DOMAIN,
        default_translation_directories=str(i18n.LOCALES_DIR),
    )
    # A page asks for dozens of strings: look the request's catalog up once, not per string
    # as Flask-Babel's own template callables do (the benchmark showed it).
    app.jinja_env.install_gettext_callables(
        gettext=lambda message: _request_translations().ugettext(message),
        ngettext=lambda singular, plural, n: _request_translations().ungettext(singular, plural, n),
        newstyle=True,
    )
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_number, "number")
    app.add_template_global(LANGUAGE_NAMES, "language_names")
    app.add_template_global(current_language)
    app.add_template_global(role_names)


def prefer(*, member_language: str | None, project_language: str | None) -> None:
    """Make the reader's stored language, then their project's, count in this request."""
    g.language_hints = (member_language, project_language)


def select_language() -> str:
    """Return the member's language, else the one chosen here, else the browser's, else the project's."""
    member_language, project_language = g.get("language_hints", (None, None))
    return i18n.choose_language(
        member_language=member_language,
        chosen_language=session.get(SESSION_LANGUAGE),
        device_language=request.accept_languages.best_match(LANGUAGES),
        project_language=project_language,
        default_language=get_settings().default_language,
    )


def _request_translations() -> NullTranslations:
    if "translations" not in g:
        g.translations = get_translations()
    return g.translations


def role_names() -> dict[str, str]:
    """Return the name of each role in the reader's language."""
    return {role: str(name) for role, name in ROLE_NAMES.items()}


def current_language() -> str:
    return get_locale().language


def translator() -> i18n.Translator:
    return i18n.translator(current_language())


def format_datetime(value: datetime, timezone: str) -> str:
    return translator().datetime(value, timezone)


def format_date(value: datetime, timezone: str) -> str:
    return translator().date(value, timezone)


def format_number(value: int | float) -> str:
    return translator().number(value)
