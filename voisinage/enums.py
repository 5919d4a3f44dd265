"""The closed vocabularies of the domain, stored as their string values."""

from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"
    FACILITATOR = "facilitator"
    OBSERVER = "observer"


class VotingUnit(StrEnum):
    """Whom a decision counts: one voice per household ("un foyer, une voix") or per person."""

    HOUSEHOLD = "household"
    PERSON = "person"


class DigestFrequency(StrEnum):
    """How often a project's digests go out (voisinage.digests)."""

    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"
