"""Documents on the web: articles written and versioned, comments, amendments, adopted text."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.webforms.votes_support import charter, close, open_ballot, rows
from voisinage.ballot_votes import cast_vote
from voisinage.db import unit_of_work
from voisinage.models import utcnow


def _url(world, path=""):
    return f"/p/{world.project.slug}{path}"


def test_a_facilitator_writes_a_document_article_by_article(web, world, engine):
    web.sign_in(world.facilitator)
    created = web.post(_url(world, "/documents"), {"kind": "charter", "title": "Charte"})
    assert created.status_code == 302
    document_url = created.headers["Location"]
    for title in ("Noise", "Garden"):
        web.post(f"{document_url}/articles", {"title": title, "text": f"About **{title}**."})
    page = web.get(document_url).get_data(as_text=True)
    assert "<strong>Noise</strong>" in page
    assert page.index("Noise") < page.index("Garden")
    garden_id = int(re.findall(r'href="[^"]*/articles/(\d+)"', page)[1])
    web.post(_url(world, f"/articles/{garden_id}/move"), {"direction": "up"})
    page = web.get(document_url).get_data(as_text=True)
    assert page.index("<strong>Garden</strong>") < page.index("<strong>Noise</strong>")


def test_editing_an_article_keeps_its_history(web, world, engine):
    _, (article_id,) = charter(engine, world)
    web.sign_in(world.facilitator)
    web.post(
        _url(world, f"/articles/{article_id}"), {"title": "Noise", "text": "Quiet after 11 pm."}
    )
    page = web.get(_url(world, f"/articles/{article_id}")).get_data(as_text=True)
    assert "Version 2" in page
    assert "Quiet after 11 pm." in page
    assert "Earlier versions" in page
    assert "Quiet after 10 pm (Noise)." in page


def test_markdown_from_members_is_rendered_without_their_markup(web, world, engine):
    _, (article_id,) = charter(engine, world)
    web.sign_in(world.resident)
    web.post(_url(world, f"/articles/{article_id}/comments"), {"text": "<script>x()</script> *ok*"})
    page = web.get(_url(world, f"/articles/{article_id}")).get_data(as_text=True)
    assert "<script>x()" not in page
    assert "&lt;script&gt;" in page
    assert "<em>ok</em>" in page


def test_a_resident_proposes_an_amendment_and_the_facilitator_rejects_it(
    web, other_web, world, engine
):
    _, (article_id,) = charter(engine, world)
    web.sign_in(world.resident)
    before = rows(engine)
    same = web.post(
        _url(world, f"/articles/{article_id}/amendments"), {"text": "Quiet after 10 pm (Noise)."}
    )
    assert same.status_code == 422
    assert rows(engine) == before
    web.post(_url(world, f"/articles/{article_id}/amendments"), {"text": "Quiet after 9 pm."})
    assert "Proposed" in web.get(_url(world, f"/articles/{article_id}")).get_data(as_text=True)
    page = web.get(_url(world, f"/articles/{article_id}")).get_data(as_text=True)
    assert "/reject" not in page  # residents do not decide
    other_web.sign_in(world.facilitator)
    page = other_web.get(_url(world, f"/articles/{article_id}")).get_data(as_text=True)
    reject = page.split('action="')[1:]
    reject_url = next(a.split('"')[0] for a in reject if a.split('"')[0].endswith("/reject"))
    assert web.post(reject_url, {"reason": "No"}).status_code == 403
    assert other_web.post(reject_url, {"reason": "Too early for the children"}).status_code == 302
    page = web.get(_url(world, f"/articles/{article_id}")).get_data(as_text=True)
    assert "Rejected: Too early for the children" in page


def test_an_amendment_accepted_becomes_the_new_version(web, other_web, world, engine):
    _, (article_id,) = charter(engine, world)
    web.sign_in(world.resident)
    web.post(_url(world, f"/articles/{article_id}/amendments"), {"text": "Quiet after 9 pm."})
    other_web.sign_in(world.facilitator)
    page = other_web.get(_url(world, f"/articles/{article_id}")).get_data(as_text=True)
    accept_url = next(
        a.split('"')[0] for a in page.split('action="')[1:] if a.split('"')[0].endswith("/accept")
    )
    other_web.post(accept_url)
    page = web.get(_url(world, f"/articles/{article_id}")).get_data(as_text=True)
    assert "Version 2" in page
    assert "Accepted as the new version" in page


@pytest.mark.parametrize(
    ("who", "status"), [("facilitator", 302), ("resident", 403), ("observer", 403)]
)
def test_only_facilitators_write_documents(web, world, engine, who, status):
    web.sign_in(getattr(world, who))
    response = web.post(_url(world, "/documents"), {"kind": "charter", "title": "X"})
    assert response.status_code == status


def test_observers_read_but_do_not_comment(web, world, engine):
    _, (article_id,) = charter(engine, world)
    web.sign_in(world.observer)
    assert web.get(_url(world, f"/articles/{article_id}")).status_code == 200
    before = rows(engine)
    assert (
        web.post(_url(world, f"/articles/{article_id}/comments"), {"text": "Hi"}).status_code == 403
    )
    assert rows(engine) == before


def test_another_projects_documents_are_not_found(other_web, world, engine):
    document_id, (article_id,) = charter(engine, world)
    other_web.sign_in(world.other_resident)
    slug = world.other_project.slug
    for path in (
        f"/documents/{document_id}",
        f"/articles/{article_id}",
        f"/documents/{document_id}/adopted",
        f"/documents/{document_id}/adopted.md",
    ):
        assert other_web.get(f"/p/{slug}{path}").status_code == 404
    before = rows(engine)
    assert (
        other_web.post(f"/p/{slug}/articles/{article_id}/comments", {"text": "x"}).status_code
        == 404
    )
    assert rows(engine) == before


def test_the_adopted_charter_prints_and_downloads(web, world, engine):
    document_id, (article_id,) = charter(engine, world)
    ballot = open_ballot(engine, world, question=None, article_id=article_id)
    with unit_of_work(engine) as session:
        cast_vote(
            session,
            project_id=world.project.id,
            ballot_id=ballot.id,
            member_id=world.resident.id,
            choice="for",
        )
    close(engine, world, ballot.id)
    web.sign_in(world.resident)
    page = web.get(_url(world, f"/documents/{document_id}/adopted")).get_data(as_text=True)
    assert "1. Noise" in page
    assert "adopted (1 for, 0 against, 0 abstaining)" in page
    markdown = web.get(_url(world, f"/documents/{document_id}/adopted.md"))
    assert markdown.mimetype == "text/markdown"
    assert "## 1. Noise" in markdown.get_data(as_text=True)
    html = web.get(_url(world, f"/documents/{document_id}/adopted.html"))
    assert "attachment" in html.headers["Content-Disposition"]
    assert "<h2>1. Noise</h2>" in html.get_data(as_text=True)
    log = web.get(_url(world, "/decisions")).get_data(as_text=True)
    assert "Noise" in log
    assert "Quiet after 10 pm (Noise)." in log


def test_an_amendment_accepted_as_an_option_joins_an_open_ballot(web, other_web, world, engine):
    _, (article_id,) = charter(engine, world)
    ballot = open_ballot(
        engine,
        world,
        method="approval",
        question=None,
        article_id=article_id,
        options=[("Ten", "Quiet after 10 pm."), ("Eleven", "Quiet after 11 pm.")],
        opens_at=utcnow() + timedelta(days=1),
    )
    web.sign_in(world.resident)
    web.post(_url(world, f"/articles/{article_id}/amendments"), {"text": "Quiet after 9 pm."})
    other_web.sign_in(world.facilitator)
    page = other_web.get(_url(world, f"/articles/{article_id}")).get_data(as_text=True)
    option_url = next(
        a.split('"')[0] for a in page.split('action="')[1:] if a.split('"')[0].endswith("/option")
    )
    response = other_web.post(option_url, {"ballot": str(ballot.id), "label": "Nine"})
    assert response.status_code == 302
    paper = web.get(_url(world, f"/votes/{ballot.id}")).get_data(as_text=True)
    assert "Nine" in paper
    assert "Quiet after 9 pm." in paper
