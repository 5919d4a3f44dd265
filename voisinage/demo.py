"""The demo project, modelled on "Les Voisins du Quai" (Lille): seeded idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from voisinage.amendments import propose_amendment
from voisinage.ballot_votes import cast_vote, record_paper_ballots, record_room_votes
from voisinage.ballots import close_ballot, open_ballot
from voisinage.documents import (
    DocumentKind,
    add_article,
    add_comment,
    create_document,
    list_documents,
)
from voisinage.enums import Role, VotingUnit
from voisinage.models import Member, Project, Questionnaire, utcnow
from voisinage.people import add_member
from voisinage.projects import add_household, create_project, find_household
from voisinage.proxies import give_proxy
from voisinage.questionnaire_answers import save_answers
from voisinage.questionnaire_templates import (
    import_questionnaire,
    parse_template,
    shipped_template,
)
from voisinage.questionnaires import open_questionnaire
from voisinage.workshop_path import instantiate_path, list_steps
from voisinage.workshop_polls import SlotInput, answer_poll, open_poll, poll_table
from voisinage.workshop_records import attach_minutes, record_attendance
from voisinage.workshop_rsvps import rsvp, set_capacity
from voisinage.workshop_schedule import schedule_workshop
from voisinage.workshops import current_workshop

DEMO_SLUG = "voisins-du-quai"
DEMO_NAME = "Les Voisins du Quai"

# Twelve households, as in the Lille project: seven buying their home (accession),
# five renting from the social landlord (locatif social).
DEMO_HOUSEHOLDS: dict[str, list[str]] = {
    "Foyer Lefebvre": ["Claire Lefebvre", "Mathieu Lefebvre"],
    "Foyer Benali": ["Nadia Benali", "Karim Benali"],
    "Foyer Dubois": ["Jeanne Dubois"],
    "Foyer Nguyen": ["Linh Nguyen", "Thomas Nguyen"],
    "Foyer Moreau": ["Paul Moreau", "Inès Moreau"],
    "Foyer Diallo": ["Aïssatou Diallo"],
    "Foyer Petit": ["Sophie Petit", "Julien Petit"],
    "Foyer Lambert": ["Odile Lambert", "Bernard Lambert"],
    "Foyer Garcia": ["Lucía García"],
    "Foyer Vermeulen": ["Hélène Vermeulen", "Pieter Vermeulen"],
    "Foyer Kaya": ["Elif Kaya"],
    "Foyer Marchand": ["Régis Marchand", "Amandine Marchand"],
}
DEMO_FACILITATOR = "Camille Roussel (AMO)"
DEMO_OBSERVER = "Service habitat du bailleur"


# Answers to the "Définition des attentes" questionnaire, by question key: ten households have
# submitted, Foyer Kaya has a draft, Foyer Lefebvre (the demo resident's) has not started.
_SPACES_ALL = "common_room guest_room laundry workshop garden bike_shed car_park play_area"
DEMO_EXPECTATIONS: dict[str, dict[str, Any]] = {
    "Foyer Benali": {
        "adults": 2, "children": 3, "seniors": "no", "tenure": "social_rent",
        "housing_type": "t4", "surface": 82, "monthly_budget": 650, "accessibility": "no",
        "shared_spaces": ["common_room", "laundry", "garden", "play_area"],
        "shared_spaces_priority": ["garden", "play_area", "common_room", "laundry"],
        "sharing": ["meals", "childcare", "garden_upkeep"], "involvement": 4,
        "remarks": "Une cuisine ouverte sur la salle commune, pour les repas partagés.",
    },
    "Foyer Dubois": {
        "adults": 1, "children": 0, "seniors": "yes", "tenure": "social_rent",
        "housing_type": "t2", "surface": 48, "monthly_budget": 420, "accessibility": "yes",
        "accessibility_details": "Je marche avec une canne : logement de plain-pied ou ascenseur.",
        "shared_spaces": ["common_room", "guest_room", "garden"],
        "shared_spaces_priority": ["common_room", "garden", "guest_room"],
        "sharing": ["welcome", "garden_upkeep"], "involvement": 3,
    },
    "Foyer Nguyen": {
        "adults": 2, "children": 1, "seniors": "no", "tenure": "ownership",
        "housing_type": "t3", "surface": 70, "purchase_budget": "160k_200k",
        "accessibility": "no",
        "shared_spaces": ["common_room", "guest_room", "workshop", "bike_shed"],
        "shared_spaces_priority": ["bike_shed", "workshop", "common_room", "guest_room"],
        "sharing": ["tools", "car", "repairs"], "involvement": 4,
        "remarks": "Un local vélos fermé, assez grand pour des vélos cargos.",
    },
    "Foyer Moreau": {
        "adults": 2, "children": 2, "seniors": "no", "tenure": "ownership",
        "housing_type": "t4", "surface": 88, "purchase_budget": "200k_250k",
        "accessibility": "no",
        "shared_spaces": ["common_room", "guest_room", "laundry", "garden", "car_park"],
        "shared_spaces_priority": ["guest_room", "common_room", "garden", "laundry", "car_park"],
        "sharing": ["car", "meals"], "involvement": 3,
    },
    "Foyer Diallo": {
        "adults": 1, "children": 1, "seniors": "no", "tenure": "social_rent",
        "housing_type": "t3", "surface": 62, "monthly_budget": 520, "accessibility": "no",
        "shared_spaces": ["common_room", "laundry", "garden", "play_area"],
        "shared_spaces_priority": ["laundry", "common_room"],
        "sharing": ["childcare", "welcome"], "involvement": 5,
        "remarks": "Que les loyers restent accessibles aux familles monoparentales.",
    },
    "Foyer Petit": {
        "adults": 2, "children": 0, "seniors": "no", "tenure": "ownership",
        "housing_type": "t3", "surface": 68, "purchase_budget": "120k_160k",
        "accessibility": "no",
        "shared_spaces": ["common_room", "workshop", "garden"],
        "shared_spaces_priority": ["workshop", "garden", "common_room"],
        "sharing": ["tools", "repairs", "management"], "involvement": 2,
    },
    "Foyer Lambert": {
        "adults": 2, "children": 0, "seniors": "yes", "tenure": "ownership",
        "housing_type": "t3", "surface": 75, "purchase_budget": "160k_200k",
        "accessibility": "yes",
        "accessibility_details": "Un logement adaptable au fauteuil, avec une douche de plain-pied.",
        "shared_spaces": ["common_room", "guest_room", "garden"],
        "shared_spaces_priority": ["guest_room", "common_room", "garden"],
        "sharing": ["management", "welcome", "meals"], "involvement": 5,
        "remarks": "Nous voulons vieillir ici : pensons dès maintenant à l'accessibilité.",
    },
    "Foyer Garcia": {
        "adults": 1, "children": 0, "seniors": "no", "tenure": "social_rent",
        "housing_type": "t1", "surface": 32, "monthly_budget": 350, "accessibility": "no",
        "shared_spaces": ["common_room", "laundry", "bike_shed"],
        "shared_spaces_priority": ["laundry", "bike_shed", "common_room"],
        "involvement": 3,
    },
    "Foyer Vermeulen": {
        "adults": 2, "children": 2, "seniors": "no", "tenure": "ownership",
        "housing_type": "t5", "surface": 105, "purchase_budget": "200k_250k",
        "accessibility": "no",
        "shared_spaces": _SPACES_ALL.split(),
        "shared_spaces_priority": [
            "garden", "workshop", "common_room", "bike_shed", "guest_room", "car_park",
        ],
        "sharing": ["tools", "car", "garden_upkeep", "repairs"], "involvement": 4,
        "remarks": "Un potager collectif, avec un composteur.",
    },
    "Foyer Marchand": {
        "adults": 2, "children": 1, "seniors": "no", "tenure": "undecided",
        "housing_type": "t3", "surface": 72, "accessibility": "no",
        "shared_spaces": ["common_room", "garden", "bike_shed"],
        "shared_spaces_priority": ["common_room", "garden"],
        "sharing": ["management"], "involvement": 2,
        "remarks": "Notre choix entre accession et location dépendra des estimations financières.",
    },
}  # fmt: skip
DEMO_DRAFTS: dict[str, dict[str, Any]] = {
    "Foyer Kaya": {"adults": 1, "children": 1, "seniors": "no", "tenure": "social_rent"},
}


@dataclass(frozen=True)
class DemoProject:
    project: Project
    facilitator: Member
    resident: Member


def seed_demo(session: Session) -> DemoProject:
    """Create the demo project, or complete it; running it again adds nothing twice."""
    project = session.exec(select(Project).where(Project.slug == DEMO_SLUG)).first()
    if project is None:
        project = create_project(
            session,
            name=DEMO_NAME,
            slug=DEMO_SLUG,
            language="fr",
            timezone="Europe/Paris",
            voting_unit=VotingUnit.HOUSEHOLD,
        )
    facilitator = _member(session, project, DEMO_FACILITATOR, Role.FACILITATOR, None)
    _member(session, project, DEMO_OBSERVER, Role.OBSERVER, None)
    residents = []
    for household_name, people in DEMO_HOUSEHOLDS.items():
        household = find_household(session, project_id=project.id, name=household_name)
        if household is None:
            household = add_household(session, project_id=project.id, name=household_name)
        residents += [
            _member(session, project, name, Role.RESIDENT, household.id) for name in people
        ]
    _seed_expectations(session, project, facilitator)
    _seed_workshops(session, project, facilitator)
    _seed_votes(session, project, facilitator)
    return DemoProject(project=project, facilitator=facilitator, resident=residents[0])


def _seed_expectations(session: Session, project: Project, facilitator: Member) -> None:
    """Load the French expectations template, open it, and answer it as the demo households."""
    text = shipped_template("fr")
    title = parse_template(text).title
    exists = session.exec(
        select(Questionnaire.id).where(
            Questionnaire.project_id == project.id, Questionnaire.title == title
        )
    ).first()
    if exists is not None:
        return
    view = import_questionnaire(session, project_id=project.id, text=text, actor_id=facilitator.id)
    open_questionnaire(
        session, project_id=project.id, questionnaire_id=view.id, actor_id=facilitator.id
    )
    for household_name, answers in {**DEMO_EXPECTATIONS, **DEMO_DRAFTS}.items():
        member = session.exec(
            select(Member).where(
                Member.project_id == project.id,
                Member.display_name == DEMO_HOUSEHOLDS[household_name][0],
            )
        ).one()
        submit = household_name in DEMO_EXPECTATIONS
        # A submitted set skips the optional questions it leaves out; a draft just stops.
        questions = view.questions if submit else [q for q in view.questions if q.key in answers]
        save_answers(
            session,
            project_id=project.id,
            questionnaire_id=view.id,
            member_id=member.id,
            values={q.id: answers.get(q.key) for q in questions},
            submit=submit,
        )


def _member(
    session: Session, project: Project, name: str, role: Role, household_id: int | None
) -> Member:
    member = session.exec(
        select(Member).where(Member.project_id == project.id, Member.display_name == name)
    ).first()
    return member or add_member(
        session, project_id=project.id, display_name=name, role=role, household_id=household_id
    )


# The GRT path, walked up to today: both A1 sessions held (days from today, households present,
# notes), A2 in twelve days with RSVPs (the room takes 16: Foyer Vermeulen waits), and an open
# poll for A3 that most households have answered (yes / if_need_be / no, slot by slot).
DEMO_PLACE = "Maison de quartier du Vieux-Lille, 14 rue de la Monnaie"
DEMO_A1_SESSIONS: dict[str, tuple[int, int, str]] = {
    "A1.1": (-56, 11, "Tour des motivations de chaque foyer ; ce que « participatif » veut dire."),
    "A1.2": (-28, 9, "Visite virtuelle de trois habitats participatifs ; montages et statuts."),
}
DEMO_A2_RSVPS: dict[str, tuple[str, int]] = {
    "Foyer Lefebvre": ("coming", 2), "Foyer Benali": ("coming", 2), "Foyer Dubois": ("coming", 1),
    "Foyer Nguyen": ("coming", 2), "Foyer Moreau": ("coming", 2), "Foyer Diallo": ("coming", 1),
    "Foyer Petit": ("coming", 2), "Foyer Lambert": ("coming", 2), "Foyer Vermeulen": ("coming", 3),
    "Foyer Kaya": ("maybe", 1), "Foyer Garcia": ("not_coming", 0),
}  # fmt: skip
DEMO_A3_SLOTS = (
    (26, time(9, 30), time(13)),
    (29, time(18, 30), time(22)),
    (33, time(14), time(17, 30)),
)
DEMO_A3_ANSWERS: dict[str, tuple[str, str, str]] = {
    "Foyer Lefebvre": ("yes", "no", "yes"), "Foyer Benali": ("yes", "if_need_be", "no"),
    "Foyer Dubois": ("yes", "no", "yes"), "Foyer Nguyen": ("if_need_be", "yes", "yes"),
    "Foyer Moreau": ("yes", "yes", "no"), "Foyer Diallo": ("no", "yes", "if_need_be"),
    "Foyer Lambert": ("yes", "no", "yes"), "Foyer Vermeulen": ("yes", "if_need_be", "yes"),
    "Foyer Marchand": ("if_need_be", "yes", "no"),
}  # fmt: skip


def _seed_workshops(session: Session, project: Project, facilitator: Member) -> None:
    """Apply the GRT path and walk it up to today; a project that has the path is left as it is."""
    if any(step.template_key for step in list_steps(session, project_id=project.id)):
        return
    steps = {
        step.template_key: current_workshop(session, step_id=step.id)
        for step in instantiate_path(session, project_id=project.id, actor_id=facilitator.id)
    }
    zone = ZoneInfo(project.timezone)
    now = utcnow()
    today = now.astimezone(zone).date()

    def local(days: int, at: time) -> datetime:
        return datetime.combine(today + timedelta(days=days), at, tzinfo=zone)

    # Each household answers through its first member.
    first = {
        household: session.exec(
            select(Member).where(Member.project_id == project.id, Member.display_name == people[0])
        ).one()
        for household, people in DEMO_HOUSEHOLDS.items()
    }
    for key, (days, present, notes) in DEMO_A1_SESSIONS.items():
        # Scheduled three weeks before, held, then recorded: services take the moment as `now`.
        schedule_workshop(
            session,
            project_id=project.id,
            workshop_id=steps[key].id,
            starts_at=local(days, time(9, 30)),
            ends_at=local(days, time(12, 30)),
            place=DEMO_PLACE,
            actor_id=facilitator.id,
            now=local(days - 21, time(10)),
        )
        came = [facilitator.id, *(member.id for member in list(first.values())[:present])]
        record_attendance(
            session,
            project_id=project.id,
            workshop_id=steps[key].id,
            member_ids=came,
            actor_id=facilitator.id,
            now=local(days, time(13)),
        )
        attach_minutes(
            session,
            project_id=project.id,
            workshop_id=steps[key].id,
            notes=notes,
            minutes_url=f"https://pad.example.org/p/voisins-du-quai-{key.lower()}",
            actor_id=facilitator.id,
            now=local(days + 1, time(9)),
        )
    a2 = steps["A2"].id
    schedule_workshop(
        session,
        project_id=project.id,
        workshop_id=a2,
        starts_at=local(12, time(14)),
        ends_at=local(12, time(17, 30)),
        place=DEMO_PLACE,
        actor_id=facilitator.id,
        now=now,
    )
    set_capacity(
        session,
        project_id=project.id,
        workshop_id=a2,
        capacity=16,
        actor_id=facilitator.id,
        now=now,
    )
    for household, (status, people) in DEMO_A2_RSVPS.items():
        rsvp(
            session,
            project_id=project.id,
            workshop_id=a2,
            member_id=first[household].id,
            status=status,
            people=people,
            now=now,
        )
    poll = open_poll(
        session,
        project_id=project.id,
        workshop_id=steps["A3"].id,
        slots=[
            SlotInput(local(days, start), local(days, end), DEMO_PLACE)
            for days, start, end in DEMO_A3_SLOTS
        ],
        deadline=local(19, time(20)),
        actor_id=facilitator.id,
        now=now,
    )
    slot_ids = [
        slot.slot_id for slot in poll_table(session, project_id=project.id, poll_id=poll.id).slots
    ]
    for household, choices in DEMO_A3_ANSWERS.items():
        answer_poll(
            session,
            project_id=project.id,
            poll_id=poll.id,
            member_id=first[household].id,
            answers=dict(zip(slot_ids, choices, strict=True)),
            now=now,
        )


# The documents the group writes in workshop A2, drawn from its own history: a project of the
# Ville de Lille's call, social mix with the landlord LMH, a pre-programme written by the group,
# shared spaces it finances and runs, a passive building, homes that change hands over time.
DEMO_VISION = "Vision commune"
DEMO_CHARTER = "Charte de bon voisinage"
DEMO_DOCUMENTS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    DEMO_VISION: (DocumentKind.VISION, (
        ("Un habitat porteur de mixité sociale",
         "Nous réunissons sous un même toit des foyers **accédants à la propriété** et des "
         "**locataires** du parc social de LMH. Les uns et les autres ont la même voix dans "
         "le groupe, quels que soient leurs revenus et leur statut."),
        ("La maîtrise d'usage",
         "Nous, futurs habitants, participons à la conception de notre résidence à côté du "
         "maître d'ouvrage et du maître d'œuvre : le pré-programme est écrit par le groupe, "
         "et les critères de choix de l'architecte sont proposés par le groupe."),
        ("Des espaces mutualisés",
         "Une salle commune, une chambre d'amis, une buanderie, un atelier et un jardin "
         "partagés complètent des logements plus compacts. Ce sont eux qui font la "
         "plus-value du projet."),
        ("Un bâtiment sobre",
         "Nous visons le standard *logement passif*, pour des charges maîtrisées et une "
         "empreinte écologique réduite."),
    )),
    DEMO_CHARTER: (DocumentKind.CHARTER, (
        ("Les espaces communs",
         "La salle commune, la chambre d'amis et la buanderie sont ouvertes à tous les foyers. "
         "La chambre d'amis se réserve sur le cahier commun, trois nuits de suite au plus ; "
         "chacun laisse les lieux propres et rangés après usage."),
        ("Les comptes des espaces mutualisés",
         "Les charges des espaces communs sont réparties entre les foyers selon la surface de "
         "leur logement. Deux habitants, un accédant et un locataire, tiennent les comptes et "
         "les présentent chaque année à l'assemblée des habitants."),
        ("Nos décisions",
         "Les décisions de la vie courante sont prises par consentement en assemblée des "
         "habitants. Une objection est motivée ; après deux tours sans accord, la décision "
         "est prise à la majorité des deux tiers des votes exprimés."),
        ("L'arrivée de nouveaux foyers",
         "Quand un logement se libère, en accession ou en location, le groupe présente le "
         "projet aux candidats et les invite à une réunion des habitants. Pour les logements "
         "locatifs, la commission d'attribution de LMH reste souveraine."),
    )),
}  # fmt: skip

# A named show of hands on the charter's first article, 21 days ago: for / against / abstain
# by household (Foyer Garcia's voice carried by proxy, Foyer Lambert and Foyer Marchand's
# counted in the room); Foyer Kaya did not vote.
DEMO_CHARTER_VOTES: dict[str, str] = {
    "Foyer Lefebvre": "for", "Foyer Benali": "for", "Foyer Dubois": "for",
    "Foyer Garcia": "for", "Foyer Nguyen": "for", "Foyer Moreau": "against",
    "Foyer Diallo": "for", "Foyer Petit": "abstain", "Foyer Vermeulen": "for",
    "Foyer Lambert": "for", "Foyer Marchand": "against",
}  # fmt: skip
DEMO_CHARTER_ROOM = ("Foyer Lambert", "Foyer Marchand")
DEMO_CHARTER_PROXY = ("Foyer Garcia", "Foyer Dubois")  # giver, holder

# A secret majority judgment, 14 days ago, between the two architects' teams shortlisted in
# workshop C1: ten households graded both, the last two on paper in the room.
DEMO_ARCHITECTS = ("Atelier Quai Nord", "Collectif Brique et Bois")
DEMO_ARCHITECT_GRADES: dict[str, tuple[str, str]] = {
    "Foyer Lefebvre": ("excellent", "good"), "Foyer Benali": ("excellent", "very_good"),
    "Foyer Dubois": ("excellent", "excellent"), "Foyer Nguyen": ("very_good", "good"),
    "Foyer Moreau": ("very_good", "fairly_good"), "Foyer Diallo": ("very_good", "very_good"),
    "Foyer Petit": ("good", "good"), "Foyer Vermeulen": ("good", "fairly_good"),
    "Foyer Lambert": ("fairly_good", "insufficient"), "Foyer Marchand": ("passable", "passable"),
}  # fmt: skip
DEMO_ARCHITECT_PAPERS = ("Foyer Lambert", "Foyer Marchand")

# The consent ballot open now on "Nos décisions": one objection, with its reason.
DEMO_CONSENT_VOTES: dict[str, tuple[str, str]] = {
    "Foyer Benali": ("consent", ""), "Foyer Dubois": ("consent", ""),
    "Foyer Nguyen": ("stand_aside", ""), "Foyer Diallo": ("consent", ""),
    "Foyer Moreau": ("objection",
                     "Deux tours, c'est trop court : laissons un troisième tour avant le vote "
                     "aux deux tiers, pour les décisions qui engagent les finances."),
}  # fmt: skip
DEMO_AMENDMENT = (
    "Foyer Benali",
    "Quand un logement se libère, en accession ou en location, le groupe présente le projet "
    "aux candidats et les invite à deux réunions des habitants et à un repas partagé. Pour les "
    "logements locatifs, la commission d'attribution de LMH reste souveraine.",
)
DEMO_COMMENT = (
    "Foyer Lambert",
    "Pensons à une clé de la chambre d'amis chez un voisin du rez-de-chaussée, pour les "
    "arrivées tardives.",
)


def _seed_votes(session: Session, project: Project, facilitator: Member) -> None:
    """Write the vision and the charter, and walk their votes; a project with documents is kept."""
    if list_documents(session, project_id=project.id):
        return
    articles: dict[str, list[int]] = {}
    for title, (kind, texts) in DEMO_DOCUMENTS.items():
        document = create_document(
            session, project_id=project.id, kind=kind, title=title, actor_id=facilitator.id
        )
        articles[title] = [
            add_article(
                session,
                project_id=project.id,
                document_id=document.id,
                title=article_title,
                text=text,
                actor_id=facilitator.id,
            ).id
            for article_title, text in texts
        ]
    first = {
        household: session.exec(
            select(Member).where(Member.project_id == project.id, Member.display_name == people[0])
        ).one()
        for household, people in DEMO_HOUSEHOLDS.items()
    }
    now = utcnow()

    def ago(days: int, hours: int = 0) -> datetime:
        return now - timedelta(days=days) + timedelta(hours=hours)

    charter = articles[DEMO_CHARTER]
    named = open_ballot(
        session,
        project_id=project.id,
        method="threshold",
        threshold="simple_majority",
        article_id=charter[0],
        actor_id=facilitator.id,
        opens_at=ago(28),
        now=ago(28),
    )
    giver, holder = (first[household] for household in DEMO_CHARTER_PROXY)
    give_proxy(
        session,
        project_id=project.id,
        giver_id=giver.id,
        holder_id=holder.id,
        ballot_id=named.id,
        now=ago(27),
    )
    for household, choice in DEMO_CHARTER_VOTES.items():
        if household in DEMO_CHARTER_ROOM or household == DEMO_CHARTER_PROXY[0]:
            continue
        member = first[household]
        cast_vote(
            session,
            project_id=project.id,
            ballot_id=named.id,
            member_id=member.id,
            choice=choice,
            for_member_ids=[member.id, giver.id] if member.id == holder.id else None,
            now=ago(25),
        )
    record_room_votes(
        session,
        project_id=project.id,
        ballot_id=named.id,
        votes={first[h].id: DEMO_CHARTER_VOTES[h] for h in DEMO_CHARTER_ROOM},
        actor_id=facilitator.id,
        now=ago(21),
    )
    close_ballot(
        session, project_id=project.id, ballot_id=named.id, actor_id=facilitator.id, now=ago(21, 1)
    )

    secret = open_ballot(
        session,
        project_id=project.id,
        method="majority_judgment",
        question="Quelle équipe de maîtrise d'œuvre retenir pour concevoir la résidence ?",
        options=list(DEMO_ARCHITECTS),
        secret=True,
        actor_id=facilitator.id,
        opens_at=ago(20),
        now=ago(20),
    )
    keys = [option.key for option in secret.options]
    for household, grades in DEMO_ARCHITECT_GRADES.items():
        if household not in DEMO_ARCHITECT_PAPERS:
            cast_vote(
                session,
                project_id=project.id,
                ballot_id=secret.id,
                member_id=first[household].id,
                choice=dict(zip(keys, grades, strict=True)),
                now=ago(17),
            )
    record_paper_ballots(
        session,
        project_id=project.id,
        ballot_id=secret.id,
        voter_ids=[first[household].id for household in DEMO_ARCHITECT_PAPERS],
        ballots=[
            dict(zip(keys, DEMO_ARCHITECT_GRADES[household], strict=True))
            for household in DEMO_ARCHITECT_PAPERS
        ],
        actor_id=facilitator.id,
        now=ago(14),
    )
    close_ballot(
        session, project_id=project.id, ballot_id=secret.id, actor_id=facilitator.id, now=ago(14, 1)
    )

    consent = open_ballot(
        session,
        project_id=project.id,
        method="consent",
        article_id=charter[2],
        fallback_after_rounds=2,
        fallback_threshold="two_thirds",
        actor_id=facilitator.id,
        opens_at=ago(3),
        closes_at=now + timedelta(days=9),
        now=ago(3),
    )
    # Foyer Marchand gives its voice to the demo resident for every ballot until revoked.
    give_proxy(
        session,
        project_id=project.id,
        giver_id=first["Foyer Marchand"].id,
        holder_id=first["Foyer Lefebvre"].id,
        now=ago(2),
    )
    for household, (choice, reason) in DEMO_CONSENT_VOTES.items():
        cast_vote(
            session,
            project_id=project.id,
            ballot_id=consent.id,
            member_id=first[household].id,
            choice={"choice": choice, "reason": reason},
            now=ago(2),
        )
    propose_amendment(
        session,
        project_id=project.id,
        article_id=charter[3],
        author_id=first[DEMO_AMENDMENT[0]].id,
        text=DEMO_AMENDMENT[1],
        now=ago(1),
    )
    add_comment(
        session,
        project_id=project.id,
        article_id=charter[0],
        author_id=first[DEMO_COMMENT[0]].id,
        text=DEMO_COMMENT[1],
        now=ago(1),
    )
