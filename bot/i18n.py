"""The language of each update, chosen afresh every time: nothing carries over to the next one."""

from __future__ import annotations

from babel import Locale

from voisinage.i18n import Translator, negotiate, translator


def choose_language(
    *,
    member_language: str | None,
    chosen_language: str | None,
    telegram_language: str | None,
    project_language: str | None,
    default_language: str,
) -> str:
    """Return the first of: the member's choice, a newcomer's choice, their Telegram app's
    language when we speak it, the project's language, the deployment's default."""
    return (
        member_language
        or chosen_language
        or negotiate(telegram_language)
        or project_language
        or default_language
    )


def translator_for(**preferences: str | None) -> Translator:
    """Return the translator of `choose_language(**preferences)`."""
    return translator(choose_language(**preferences))


def language_name(language: str) -> str:
    """Return a language's name in itself: 'français', 'English'."""
    return Locale.parse(language).get_display_name(language)
