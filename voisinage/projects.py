"""Projects and their households."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from voisinage.audit import record_action
from voisinage.ballot_rules import check_fallback, check_max_proxies
from voisinage.enums import VotingUnit
from voisinage.errors import N_, Conflict, NotFound
from voisinage.models import Household, Member, Project
from voisinage.permissions import require_facilitator
from voisinage.validation import (
    check_language,
    check_slug,
    check_timezone,
    check_voting_unit,
    clean_name,
    slugify,
)

PROJECT_NAME_MAX = 120
HOUSEHOLD_NAME_MAX = 120


def create_project(
    session: Session,
    *,
    name: str,
    slug: str | None = None,
    language: str = "fr",
    timezone: str = "Europe/Paris",
    voting_unit: str = VotingUnit.HOUSEHOLD,
) -> Project:
    """Create a project; its short name (slug) is derived from the name unless given."""
    name = clean_name(name, max_length=PROJECT_NAME_MAX)
    slug = check_slug(slug if slug is not None else slugify(name))
    project = Project(
        name=name,
        slug=slug,
        language=check_language(language),
        timezone=check_timezone(timezone),
        voting_unit=check_voting_unit(voting_unit),
    )
    if session.exec(select(Project.id).where(Project.slug == slug)).first() is not None:
        raise Conflict(N_("A project with the short name %(slug)s already exists."), slug=slug)
    session.add(project)
    session.flush()
    record_action(session, project_id=project.id, actor_id=None, action="project.create", name=name)
    return project


def get_project(session: Session, slug: str) -> Project:
    """Return the project with this short name, or refuse with NotFound."""
    project = session.exec(select(Project).where(Project.slug == slug)).first()
    if project is None:
        raise NotFound(N_("There is no project with the short name %(slug)s."), slug=slug)
    return project


def list_projects(session: Session) -> list[Project]:
    """Return every project, by name."""
    return list(session.exec(select(Project).order_by(Project.name)))


def update_project_settings(
    session: Session,
    *,
    project_id: int,
    name: str,
    language: str,
    timezone: str,
    voting_unit: str,
    consent_fallback_after_rounds: int | None = None,
    consent_fallback_threshold: str | None = None,
    max_proxies: int | None = None,
    actor_id: int | None = None,
) -> Project:
    """Change a project's name, language, time zone, voting unit, consent fallback and proxies.

    Facilitators only. The consent fallback (rounds and threshold, or neither) is what a new
    consent ballot takes unless it sets its own; `max_proxies` (None: unchanged) is how many
    proxies one member may hold — proxies already held stay valid.
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(N_("This project does not exist."))
    changes = {
        "name": clean_name(name, max_length=PROJECT_NAME_MAX),
        "language": check_language(language),
        "timezone": check_timezone(timezone),
        "voting_unit": check_voting_unit(voting_unit).value,
    }
    fallback_rounds, fallback_threshold = check_fallback(
        consent_fallback_after_rounds, consent_fallback_threshold
    )
    changes["consent_fallback_after_rounds"] = fallback_rounds
    changes["consent_fallback_threshold"] = fallback_threshold and fallback_threshold.value
    if max_proxies is not None:
        changes["max_proxies"] = check_max_proxies(max_proxies)
    changed = {key: value for key, value in changes.items() if getattr(project, key) != value}
    if changed:
        for key, value in changed.items():
            setattr(project, key, value)
        session.add(project)
        record_action(
            session, project_id=project_id, actor_id=actor_id, action="project.update", **changed
        )
    return project


def link_telegram_group(
    session: Session, *, project_id: int, chat_id: int | None, actor_id: int | None = None
) -> Project:
    """Make `chat_id` the project's Telegram group for announcements (None unlinks it)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(N_("This project does not exist."))
    if project.telegram_chat_id != chat_id:
        project.telegram_chat_id = chat_id
        session.add(project)
        record_action(
            session,
            project_id=project_id,
            actor_id=actor_id,
            action="project.link_group",
            chat_id=chat_id,
        )
    return project


def find_household(session: Session, *, project_id: int, name: str) -> Household | None:
    """Return the project's household with this name, ignoring case and extra spaces."""
    wanted = " ".join(name.split()).lower()
    statement = select(Household).where(
        Household.project_id == project_id, func.lower(Household.name) == wanted
    )
    return session.exec(statement).first()


def get_household(session: Session, *, project_id: int, household_id: int) -> Household:
    """Return one of the project's households; another project's id is NotFound."""
    household = session.get(Household, household_id)
    if household is None or household.project_id != project_id:
        raise NotFound(N_("This household does not exist in this project."))
    return household


def add_household(
    session: Session, *, project_id: int, name: str, actor_id: int | None = None
) -> Household:
    """Add a household to a project; a second one with the same name is refused."""
    name = clean_name(name, max_length=HOUSEHOLD_NAME_MAX)
    if find_household(session, project_id=project_id, name=name) is not None:
        raise Conflict(N_("A household named %(name)s already exists."), name=name)
    household = Household(project_id=project_id, name=name)
    session.add(household)
    session.flush()
    record_action(
        session, project_id=project_id, actor_id=actor_id, action="household.add", name=name
    )
    return household


def rename_household(
    session: Session, *, project_id: int, household_id: int, name: str, actor_id: int | None = None
) -> Household:
    """Give a household a new name, unique in its project (facilitators only)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    household = get_household(session, project_id=project_id, household_id=household_id)
    name = clean_name(name, max_length=HOUSEHOLD_NAME_MAX)
    if name == household.name:
        return household
    other = find_household(session, project_id=project_id, name=name)
    if other is not None and other.id != household.id:
        raise Conflict(N_("A household named %(name)s already exists."), name=name)
    previous, household.name = household.name, name
    session.add(household)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="household.rename",
        household_id=household.id,
        previous=previous,
        name=name,
    )
    return household


def household_sizes(session: Session, *, project_id: int) -> dict[int, int]:
    """Return how many members each of the project's households has (empty ones left out)."""
    statement = (
        select(Member.household_id, func.count())
        .where(Member.project_id == project_id, col(Member.household_id).is_not(None))
        .group_by(Member.household_id)
    )
    return dict(session.exec(statement).all())


def list_households(session: Session, *, project_id: int) -> list[Household]:
    """Return the project's households, by name."""
    statement = select(Household).where(Household.project_id == project_id).order_by(Household.name)
    return list(session.exec(statement))
