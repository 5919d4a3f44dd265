"""Checks on values people type, shared by every service."""

from __future__ import annotations

import re
import unicodedata
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from voisinage.config import LANGUAGES
from voisinage.enums import Role, VotingUnit
from voisinage.errors import N_, InvalidValue

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_name(value: str | None, *, max_length: int) -> str:
    """Return a name trimmed, inner spaces folded; refuse an empty, long or unprintable one."""
    text = " ".join((value or "").split())
    if not text:
        raise InvalidValue(N_("Please give a name."))
    if len(text) > max_length:
        raise InvalidValue(N_("This name is too long: %(max)s characters at most."), max=max_length)
    if _CONTROL.search(text):
        raise InvalidValue(N_("This name contains characters that cannot be shown."))
    return text


def slugify(text: str) -> str:
    """Return a URL-safe ASCII slug: 'Les Voisins du Quai' → 'les-voisins-du-quai'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64].strip("-")


def check_slug(slug: str) -> str:
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug or "") or len(slug) > 64:
        raise InvalidValue(
            N_("The short name %(slug)s may only hold lowercase letters, digits and dashes."),
            slug=slug,
        )
    return slug


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidValue(N_("Unknown language %(value)s."), value=language)
    return language


def check_timezone(timezone: str) -> str:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue(N_("Unknown time zone %(value)s."), value=timezone) from None
    return timezone


def check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidValue(N_("Unknown role %(value)s."), value=role) from None


def check_voting_unit(unit: str) -> VotingUnit:
    try:
        return VotingUnit(unit)
    except ValueError:
        raise InvalidValue(N_("Unknown voting unit %(value)s."), value=unit) from None
