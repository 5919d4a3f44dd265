"""The group's documents (vision commune, charte de bon voisinage…) and their articles.

An article's wording is never overwritten: every change is a new version, so the wording a
ballot voted on stays as it was. Amendments are in `amendments`, the adopted text in
`adopted_documents`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, col, select

from voisinage.audit import record_action
from voisinage.enums import Role
from voisinage.errors import N_, Forbidden, InvalidValue, NotFound
from voisinage.models import Article, ArticleComment, ArticleVersion, Document, Member, utcnow
from voisinage.people import get_member
from voisinage.permissions import require_facilitator
from voisinage.workshops import one_line

TITLE_MAX = 200
TEXT_MAX = 20_000
COMMENT_MAX = 4_000


class DocumentKind(StrEnum):
    VISION = "vision"  # vision commune
    CHARTER = "charter"  # charte de bon voisinage
    OTHER = "other"


@dataclass(frozen=True)
class ArticleView:
    id: int
    document_id: int
    number: int  # 1 for the document's first article
    version_id: int
    version: int  # the current (newest) version's number
    title: str
    text: str


@dataclass(frozen=True)
class DocumentView:
    id: int
    project_id: int
    kind: str
    title: str
    articles: tuple[ArticleView, ...]


def clean_title(value: str | None) -> str:
    """Return a title on one line; refuse an empty or long one."""
    title = one_line(value, max_length=TITLE_MAX)
    if not title:
        raise InvalidValue(N_("Please give a title."))
    return title


def clean_text(value: str | None, *, max_length: int = TEXT_MAX, required: bool = True) -> str:
    """Return Markdown text without trailing spaces; refuse an empty (when required) or long one."""
    text = "\n".join(line.rstrip() for line in (value or "").replace("\r\n", "\n").split("\n"))
    text = text.strip("\n")
    if required and not text.strip():
        raise InvalidValue(N_("Please write the text."))
    if len(text) > max_length:
        raise InvalidValue(N_("This text is too long: %(max)s characters at most."), max=max_length)
    return text


def get_document(session: Session, *, project_id: int, document_id: int) -> Document:
    """Return one of the project's documents; another project's is NotFound."""
    document = session.get(Document, document_id)
    if document is None or document.project_id != project_id:
        raise NotFound(N_("This document does not exist in this project."))
    return document


def get_article(session: Session, *, project_id: int, article_id: int) -> Article:
    """Return one of the project's articles; another project's is NotFound."""
    row = session.exec(
        select(Article, Document)
        .join(Document, col(Document.id) == col(Article.document_id))
        .where(col(Article.id) == article_id)
    ).first()
    if row is None or row[1].project_id != project_id:
        raise NotFound(N_("This article does not exist in this project."))
    return row[0]


def current_version(session: Session, article_id: int) -> ArticleVersion:
    """Return an article's newest wording."""
    return session.exec(
        select(ArticleVersion)
        .where(col(ArticleVersion.article_id) == article_id)
        .order_by(col(ArticleVersion.number).desc())
    ).first()


def list_versions(session: Session, *, project_id: int, article_id: int) -> list[ArticleVersion]:
    """Return every wording of an article, oldest first."""
    get_article(session, project_id=project_id, article_id=article_id)
    return list(
        session.exec(
            select(ArticleVersion)
            .where(col(ArticleVersion.article_id) == article_id)
            .order_by(col(ArticleVersion.number))
        )
    )


def add_version(
    session: Session, *, article_id: int, title: str, text: str, author_id: int | None
) -> ArticleVersion:
    """Append a wording to an article (already checked), numbered after the newest."""
    newest = session.exec(
        select(func.max(ArticleVersion.number)).where(col(ArticleVersion.article_id) == article_id)
    ).one()
    version = ArticleVersion(
        article_id=article_id, number=(newest or 0) + 1, title=title, text=text, author_id=author_id
    )
    session.add(version)
    session.flush()
    return version


def list_documents(session: Session, *, project_id: int) -> list[Document]:
    """Return the project's documents in their order."""
    return list(
        session.exec(
            select(Document)
            .where(col(Document.project_id) == project_id)
            .order_by(col(Document.position), col(Document.id))
        )
    )


def create_document(
    session: Session,
    *,
    project_id: int,
    kind: str,
    title: str,
    actor_id: int | None = None,
) -> Document:
    """Add a document (facilitators only), after the project's other documents."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    try:
        kind = DocumentKind(kind)
    except ValueError:
        raise InvalidValue(N_("Unknown kind of document %(value)s."), value=kind) from None
    title = clean_title(title)
    last = session.exec(
        select(func.max(Document.position)).where(col(Document.project_id) == project_id)
    ).one()
    document = Document(
        project_id=project_id, kind=kind, title=title, position=0 if last is None else last + 1
    )
    session.add(document)
    session.flush()
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="document.create",
        document_id=document.id,
        kind=kind.value,
        title=title,
    )
    return document


def add_article(
    session: Session,
    *,
    project_id: int,
    document_id: int,
    title: str,
    text: str,
    actor_id: int | None = None,
) -> ArticleView:
    """Add an article at the end of a document, with its first wording (facilitators only)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    get_document(session, project_id=project_id, document_id=document_id)
    title, text = clean_title(title), clean_text(text)
    last = session.exec(
        select(func.max(Article.position)).where(col(Article.document_id) == document_id)
    ).one()
    article = Article(document_id=document_id, position=0 if last is None else last + 1)
    session.add(article)
    session.flush()
    add_version(session, article_id=article.id, title=title, text=text, author_id=actor_id)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="article.add",
        document_id=document_id,
        article_id=article.id,
    )
    return load_article(session, project_id=project_id, article_id=article.id)


def edit_article(
    session: Session,
    *,
    project_id: int,
    article_id: int,
    title: str,
    text: str,
    actor_id: int | None = None,
) -> ArticleView:
    """Give an article a new wording, keeping the previous ones; an unchanged one is a no-op."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    get_article(session, project_id=project_id, article_id=article_id)
    title, text = clean_title(title), clean_text(text)
    current = current_version(session, article_id)
    if (current.title, current.text) != (title, text):
        version = add_version(
            session, article_id=article_id, title=title, text=text, author_id=actor_id
        )
        record_action(
            session,
            project_id=project_id,
            actor_id=actor_id,
            action="article.edit",
            article_id=article_id,
            version=version.number,
        )
    return load_article(session, project_id=project_id, article_id=article_id)


def move_article(
    session: Session,
    *,
    project_id: int,
    article_id: int,
    offset: int,
    actor_id: int | None = None,
) -> ArticleView:
    """Move an article one place up (-1) or down (+1) in its document (facilitators only).

    Moving the first article up or the last one down is a no-op.
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    if offset not in (-1, 1):
        raise InvalidValue(N_("An article moves one place up or down."))
    article = get_article(session, project_id=project_id, article_id=article_id)
    siblings = list(
        session.exec(
            select(Article)
            .where(col(Article.document_id) == article.document_id)
            .order_by(col(Article.position), col(Article.id))
        )
    )
    index = siblings.index(article)
    if 0 <= index + offset < len(siblings):
        siblings.insert(index + offset, siblings.pop(index))
        for position, sibling in enumerate(siblings):
            sibling.position = position
            session.add(sibling)
        session.flush()
        record_action(
            session,
            project_id=project_id,
            actor_id=actor_id,
            action="article.move",
            article_id=article_id,
            position=index + offset,
        )
    return load_article(session, project_id=project_id, article_id=article_id)


def _article_views(session: Session, document_ids: list[int]) -> dict[int, list[ArticleView]]:
    newest = (
        select(ArticleVersion.article_id, func.max(ArticleVersion.number).label("number"))
        .group_by(col(ArticleVersion.article_id))
        .subquery()
    )
    rows = session.exec(
        select(Article, ArticleVersion)
        .join(ArticleVersion, col(ArticleVersion.article_id) == col(Article.id))
        .join(
            newest,
            (newest.c.article_id == col(ArticleVersion.article_id))
            & (newest.c.number == col(ArticleVersion.number)),
        )
        .where(col(Article.document_id).in_(document_ids))
        .order_by(col(Article.document_id), col(Article.position), col(Article.id))
    )
    views: dict[int, list[ArticleView]] = {document_id: [] for document_id in document_ids}
    for article, version in rows:
        articles = views[article.document_id]
        articles.append(
            ArticleView(
                id=article.id,
                document_id=article.document_id,
                number=len(articles) + 1,
                version_id=version.id,
                version=version.number,
                title=version.title,
                text=version.text,
            )
        )
    return views


def load_document(session: Session, *, project_id: int, document_id: int) -> DocumentView:
    """Return a document with the current wording of each article, in two queries."""
    document = get_document(session, project_id=project_id, document_id=document_id)
    articles = _article_views(session, [document.id])[document.id]
    return DocumentView(
        id=document.id,
        project_id=document.project_id,
        kind=document.kind,
        title=document.title,
        articles=tuple(articles),
    )


def load_article(session: Session, *, project_id: int, article_id: int) -> ArticleView:
    """Return one article with its current wording and its number in the document."""
    article = get_article(session, project_id=project_id, article_id=article_id)
    views = _article_views(session, [article.document_id])[article.document_id]
    return next(view for view in views if view.id == article_id)


def participant(session: Session, *, project_id: int, member_id: int) -> Member:
    """Return a member who may comment and propose amendments: residents and facilitators."""
    member = get_member(session, project_id=project_id, member_id=member_id)
    if member.role not in (Role.RESIDENT, Role.FACILITATOR):
        raise Forbidden(N_("Observers cannot comment on articles or propose amendments."))
    return member


def add_comment(
    session: Session,
    *,
    project_id: int,
    article_id: int,
    author_id: int,
    text: str,
    now: datetime | None = None,
) -> ArticleComment:
    """Add a resident's comment on an article."""
    participant(session, project_id=project_id, member_id=author_id)
    get_article(session, project_id=project_id, article_id=article_id)
    comment = ArticleComment(
        article_id=article_id,
        author_id=author_id,
        text=clean_text(text, max_length=COMMENT_MAX),
        created_at=now or utcnow(),
    )
    session.add(comment)
    session.flush()
    return comment


def list_comments(session: Session, *, project_id: int, article_id: int) -> list[ArticleComment]:
    """Return an article's comments, oldest first."""
    get_article(session, project_id=project_id, article_id=article_id)
    return list(
        session.exec(
            select(ArticleComment)
            .where(col(ArticleComment.article_id) == article_id)
            .order_by(col(ArticleComment.created_at), col(ArticleComment.id))
        )
    )
