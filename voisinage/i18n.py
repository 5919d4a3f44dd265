"""Translators and Babel formatting shared by the bot, the web forms and the CLI.

The catalogs live in `locales/` at the top of the repository; the `.mo` files are
built from the `.po` files whenever they are missing or older, so nobody compiles by hand.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers, support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from voisinage.config import LANGUAGES

LOCALES_DIR = Path(
    os.environ.get("VOISINAGE_LOCALES_DIR") or Path(__file__).parent.parent / "locales"
)
DOMAIN = "messages"


def negotiate(*preferences: str | None) -> str | None:
    """Return the first supported language among `preferences` ('fr-FR', 'en_GB', 'fr'…), if any."""
    for preference in preferences:
        if not preference:
            continue
        code = preference.replace("-", "_").split("_")[0].strip().lower()
        if code in LANGUAGES:
            return code
    return None


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Build every `.mo` that is missing or older than its `.po`; return the ones written."""
    written = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        # Write then rename, so a process reading the catalog never sees half a file.
        tmp_path = mo_path.with_suffix(f".mo.{os.getpid()}")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp_path.replace(mo_path)
        written.append(mo_path)
    if written:
        translator.cache_clear()
    return written


def choose_language(
    *,
    member_language: str | None,
    chosen_language: str | None,
    device_language: str | None,
    project_language: str | None,
    default_language: str,
) -> str:
    """Return the reader's language, the same way in every front door.

    The language stored on their membership, else one they chose here without being a member
    yet (a newcomer in the bot, a signed-out browser), else their device's (the Telegram app,
    the browser's Accept-Language) when we speak it, else the project's, else the deployment's.
    """
    return (
        negotiate(member_language, chosen_language, device_language, project_language)
        or default_language
    )


def language_name(language: str) -> str:
    """Return a language's name in itself, as written in a sentence: 'français', 'English'."""
    return Locale.parse(language).get_display_name(language)


def language_menu() -> dict[str, str]:
    """Return each language's name in itself, capitalised as in a menu: 'Français', 'English'."""
    return {code: language_name(code)[:1].upper() + language_name(code)[1:] for code in LANGUAGES}


@dataclass(frozen=True)
class Translator:
    """Messages and formats for one language, in one time zone."""

    language: str
    translations: support.Translations

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.language)

    def gettext(self, message: str, **params) -> str:
        text = self.translations.gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, count: int, **params) -> str:
        """Translate by `count` with the language's plural rules; `%(count)s` is filled in."""
        return self.translations.ngettext(singular, plural, count) % {"count": count, **params}

    def datetime(self, value: datetime, timezone: str, format: str = "medium") -> str:
        """Format an aware datetime in `timezone`, e.g. '3 mars 2027, 14:00'."""
        return dates.format_datetime(value, format, tzinfo=ZoneInfo(timezone), locale=self.locale)

    def date(
        self, value: date | datetime, timezone: str | None = None, format: str = "long"
    ) -> str:
        if isinstance(value, datetime) and timezone:
            value = value.astimezone(ZoneInfo(timezone))
        return dates.format_date(value, format, locale=self.locale)

    def time(
        self, value: time | datetime, timezone: str | None = None, format: str = "short"
    ) -> str:
        if isinstance(value, datetime) and timezone:
            value = value.astimezone(ZoneInfo(timezone))
        return dates.format_time(value, format, locale=self.locale)

    def duration(self, value: timedelta) -> str:
        """Format a length of time in words, rounded as people say it: '3 days', '5 heures'."""
        return dates.format_timedelta(value, locale=self.locale)

    def number(self, value: int | float | Decimal) -> str:
        return numbers.format_decimal(value, locale=self.locale)

    def money(self, value: int | float | Decimal, currency: str = "EUR") -> str:
        return numbers.format_currency(value, currency, locale=self.locale)


@lru_cache(maxsize=len(LANGUAGES))
def translator(language: str) -> Translator:
    """Return the translator for a supported language (French when unsupported)."""
    language = negotiate(language) or LANGUAGES[0]
    compile_catalogs()
    translations = support.Translations.load(str(LOCALES_DIR), [language], DOMAIN)
    return Translator(language=language, translations=translations)
