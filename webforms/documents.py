"""Documents on the web: the charter and vision article by article, comments, amendments,
the adopted text (printable, Markdown, HTML) and the decision log.

Everyone in the project reads; residents and facilitators comment and propose amendments;
writing the articles and deciding on amendments is for facilitators (`documents_admin`).
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from markdown_it import MarkdownIt
from markupsafe import Markup

from voisinage.adopted_documents import adopted_document, to_html, to_markdown
from voisinage.amendments import (
    accept_as_option,
    accept_as_version,
    list_amendments,
    propose_amendment,
    reject_amendment,
)
from voisinage.ballots import BallotState, list_ballots
from voisinage.decision_log import decision_log
from voisinage.documents import (
    DocumentKind,
    add_article,
    add_comment,
    create_document,
    edit_article,
    list_comments,
    list_documents,
    list_versions,
    load_article,
    load_document,
    move_article,
)
from voisinage.enums import Role
from voisinage.errors import N_
from voisinage.models import utcnow
from webforms import auth, i18n
from webforms.db import get_session
from webforms.forms import Form

bp = auth.project_blueprint("documents", __name__)
facilitation = auth.project_blueprint("documents_admin", __name__, role=Role.FACILITATOR)

# Members' Markdown, with any HTML in it shown as text: nothing they write becomes markup.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@bp.app_template_filter("markdown")
def render_markdown(text: str) -> Markup:
    """Render a member's Markdown safely (raw HTML escaped, links kept)."""
    return Markup(_MARKDOWN.render(text or ""))  # noqa: S704 - html off: members write no markup


AMENDMENT_STATUSES = {
    "proposed": N_("Proposed"),
    "accepted_as_version": N_("Accepted as the new version"),
    "accepted_as_option": N_("Accepted as an option of a ballot"),
    "rejected": N_("Rejected"),
}


@bp.app_template_global()
def amendment_status(status: str) -> str:
    """Return what became of an amendment, in the reader's language."""
    return gettext(AMENDMENT_STATUSES[status]) if status in AMENDMENT_STATUSES else status


def _project_id() -> int:
    return auth.current().project.id


def _member_id() -> int:
    return auth.current().member.id


def _field(name: str) -> str:
    return request.form.get(name, "")


@bp.get("/documents")
def index():
    """List the project's documents."""
    return _index_page()


def _index_page(form: Form | None = None, status: int = 200):
    return render_template(
        "documents/index.html",
        documents=list_documents(get_session(), project_id=_project_id()),
        kinds=[kind.value for kind in DocumentKind],
        form=form or Form(formdata=None),
    ), status


def _document_page(document_id: int, form: Form | None = None, status: int = 200):
    return render_template(
        "documents/document.html",
        document=load_document(get_session(), project_id=_project_id(), document_id=document_id),
        form=form or Form(formdata=None),
    ), status


@bp.get("/documents/<int:document_id>")
def document(document_id: int):
    """Show a document's articles in their current wording."""
    return _document_page(document_id)


def _article_page(article_id: int, form: Form | None = None, status: int = 200):
    session = get_session()
    article = load_article(session, project_id=_project_id(), article_id=article_id)
    versions = list_versions(session, project_id=_project_id(), article_id=article_id)
    return render_template(
        "documents/article.html",
        article=article,
        versions=versions,
        comments=list_comments(session, project_id=_project_id(), article_id=article_id),
        amendments=list_amendments(session, project_id=_project_id(), article_id=article_id),
        coming_ballots=_coming_ballots({version.id for version in versions}),
        form=form or Form(formdata=None),
    ), status


def _coming_ballots(version_ids: set[int]) -> list:
    """Return the ballots on this article not open yet: an amendment may join their options."""
    if not auth.current().is_facilitator:
        return []
    now = utcnow()
    return [
        view
        for view in list_ballots(get_session(), project_id=_project_id())
        if view.article_version_id in version_ids
        and view.state(now) is BallotState.SCHEDULED
        and view.rules.options
    ]


@bp.get("/articles/<int:article_id>")
def article(article_id: int):
    """Show an article, its earlier wordings, its comments and amendments."""
    return _article_page(article_id)


def _article_action(article_id: int, write, done: str):
    form = Form()
    if form.submit(write) is None:
        return _article_page(article_id, form, form.status)
    flash(done)
    return redirect(url_for("documents.article", article_id=article_id))


@bp.post("/articles/<int:article_id>/comments")
def comment(article_id: int):
    """Add the member's comment on the article."""
    return _article_action(
        article_id,
        lambda db: add_comment(
            db,
            project_id=_project_id(),
            article_id=article_id,
            author_id=_member_id(),
            text=_field("text"),
        ),
        gettext("Your comment is added."),
    )


@bp.post("/articles/<int:article_id>/amendments")
def amend(article_id: int):
    """Propose a new wording of the article."""
    return _article_action(
        article_id,
        lambda db: propose_amendment(
            db,
            project_id=_project_id(),
            article_id=article_id,
            author_id=_member_id(),
            text=_field("text"),
        ),
        gettext("Your amendment is proposed; the facilitators will tell you what they decide."),
    )


@bp.get("/decisions")
def decisions():
    """Show the decision log: every result, with its date, method, figures and wording."""
    return render_template(
        "documents/decisions.html", decisions=decision_log(get_session(), project_id=_project_id())
    )


@bp.get("/documents/<int:document_id>/adopted")
def adopted(document_id: int):
    """Show the articles in force as a clean, printable page."""
    return render_template(
        "documents/adopted.html",
        document=adopted_document(get_session(), project_id=_project_id(), document_id=document_id),
    )


def _download(document_id: int, render, extension: str, mimetype: str) -> Response:
    document = adopted_document(get_session(), project_id=_project_id(), document_id=document_id)
    return Response(
        render(document, i18n.translator()),
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="document-{document_id}.{extension}"'
        },
    )


@bp.get("/documents/<int:document_id>/adopted.md")
def adopted_markdown(document_id: int):
    """Send the adopted document as Markdown."""
    return _download(document_id, to_markdown, "md", "text/markdown")


@bp.get("/documents/<int:document_id>/adopted.html")
def adopted_html(document_id: int):
    """Send the adopted document as a standalone HTML file."""
    return _download(document_id, to_html, "html", "text/html")


@facilitation.post("/documents")
def create():
    """Add a document."""
    form = Form()
    created = form.submit(
        lambda db: create_document(
            db,
            project_id=_project_id(),
            kind=_field("kind"),
            title=_field("title"),
            actor_id=_member_id(),
        )
    )
    if created is None:
        return _index_page(form, form.status)
    flash(gettext("The document is created."))
    return redirect(url_for("documents.document", document_id=created.id))


@facilitation.post("/documents/<int:document_id>/articles")
def new_article(document_id: int):
    """Add an article at the end of the document."""
    form = Form()
    added = form.submit(
        lambda db: add_article(
            db,
            project_id=_project_id(),
            document_id=document_id,
            title=_field("title"),
            text=_field("text"),
            actor_id=_member_id(),
        )
    )
    if added is None:
        return _document_page(document_id, form, form.status)
    flash(gettext("The article is added."))
    return redirect(url_for("documents.document", document_id=document_id))


@facilitation.post("/articles/<int:article_id>/move")
def move(article_id: int):
    """Move an article one place up or down."""
    form = Form()
    moved = form.submit(
        lambda db: move_article(
            db,
            project_id=_project_id(),
            article_id=article_id,
            offset=-1 if _field("direction") == "up" else 1,
            actor_id=_member_id(),
        )
    )
    if moved is None:
        return _article_page(article_id, form, form.status)
    return redirect(url_for("documents.document", document_id=moved.document_id))


@facilitation.post("/articles/<int:article_id>")
def edit(article_id: int):
    """Give the article a new wording; the earlier ones stay in its history."""
    return _article_action(
        article_id,
        lambda db: edit_article(
            db,
            project_id=_project_id(),
            article_id=article_id,
            title=_field("title"),
            text=_field("text"),
            actor_id=_member_id(),
        ),
        gettext("The article has a new version."),
    )


@facilitation.post("/articles/<int:article_id>/amendments/<int:amendment_id>/accept")
def accept(article_id: int, amendment_id: int):
    """Accept an amendment as the article's new version."""
    return _article_action(
        article_id,
        lambda db: accept_as_version(
            db, project_id=_project_id(), amendment_id=amendment_id, actor_id=_member_id()
        ),
        gettext("The amendment is now the article's wording; its author is told."),
    )


@facilitation.post("/articles/<int:article_id>/amendments/<int:amendment_id>/option")
def accept_option(article_id: int, amendment_id: int):
    """Accept an amendment as an option of an open ballot."""
    ballot = _field("ballot")
    return _article_action(
        article_id,
        lambda db: accept_as_option(
            db,
            project_id=_project_id(),
            amendment_id=amendment_id,
            ballot_id=int(ballot) if ballot.isdigit() else 0,
            label=_field("label"),
            actor_id=_member_id(),
        ),
        gettext("The amendment is an option of the ballot; its author is told."),
    )


@facilitation.post("/articles/<int:article_id>/amendments/<int:amendment_id>/reject")
def reject(article_id: int, amendment_id: int):
    """Reject an amendment with a reason."""
    return _article_action(
        article_id,
        lambda db: reject_amendment(
            db,
            project_id=_project_id(),
            amendment_id=amendment_id,
            reason=_field("reason"),
            actor_id=_member_id(),
        ),
        gettext("The amendment is rejected; its author is told why."),
    )
