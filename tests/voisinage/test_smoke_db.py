from sqlmodel import select

from voisinage.db import unit_of_work
from voisinage.models import Project
from voisinage.projects import create_project


def test_project_round_trip(engine):
    with unit_of_work(engine) as session:
        create_project(session, name="Les Voisins du Quai")
    with unit_of_work(engine) as session:
        assert session.exec(select(Project.slug)).all() == ["les-voisins-du-quai"]
