"""The language of each update, chosen afresh every time: nothing carries over to the next one."""

from __future__ import annotations

from voisinage.i18n import Translator, choose_language, translator


def translator_for(
    *,
    member_language: str | None,
    chosen_language: str | None,
    telegram_language: str | None,
    project_language: str | None,
    default_language: str,
) -> Translator:
    """Return the translator for one update's reader (see voisinage.i18n.choose_language)."""
    return translator(
        choose_language(
            member_language=member_language,
            chosen_language=chosen_language,
            device_language=telegram_language,
            project_language=project_language,
            default_language=default_language,
        )
    )
