"""The reader's language, and dates and numbers formatted by the helper the bot uses."""

from __future__ import annotations

from datetime import datetime

from babel.support import NullTranslations
from flask import Flask, g, request, session
from flask_babel import Babel, get_locale, get_translations, lazy_gettext
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from voisinage import i18n
from voisinage.config import LANGUAGES
from voisinage.enums import Role
from voisinage.errors import N_
from webforms.db import get_settings

SESSION_LANGUAGE = "lang"
# Languages are offered under their own names, whatever the page's language.
LANGUAGE_NAMES = i18n.language_menu()
_ROLE_MESSAGES = {
    Role.RESIDENT.value: N_("Resident"),
    Role.FACILITATOR.value: N_("Facilitator"),
    Role.OBSERVER.value: N_("Observer (partner)"),
}
ROLE_NAMES = {role: lazy_gettext(message) for role, message in _ROLE_MESSAGES.items()}


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
    # as Flask-Babel's own template callables do, and call it directly rather than through
    # Jinja's `_` alias and newstyle wrappers, which doubled the cost of each string
    # (bench/bench_web.py). Same rules as newstyle gettext, which `{% trans %}` follows too.
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)
    app.jinja_env.globals.update(ngettext=_template_ngettext)
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
    translations = g.get("translations")
    if translations is None:
        translations = g.translations = get_translations()
    return translations


def _format(eval_ctx: EvalContext, text: str, variables: dict) -> str:
    # As Jinja's newstyle gettext: the translation (from our own catalogs) is markup and the
    # variables are escaped into it; it is always a format string ("%%" is a percent sign).
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 (our catalogs, as in jinja2.ext)
    return text % variables if variables or "%" in text else text


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, message: str, /, **variables) -> str:
    return _format(eval_ctx, _request_translations().ugettext(message), variables)


@pass_eval_context
def _template_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables
) -> str:
    variables.setdefault("num", num)
    return _format(eval_ctx, _request_translations().ungettext(singular, plural, num), variables)


def role_names() -> dict[str, str]:
    """Return the name of each role in the reader's language."""
    translations = _request_translations()
    return {role: translations.ugettext(message) for role, message in _ROLE_MESSAGES.items()}


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
