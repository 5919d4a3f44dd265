"""The adopted document: the articles in force, each with its adoption date and result.

Rendered as Markdown, and as HTML from that Markdown with raw HTML turned off, so that
nothing a member wrote reaches a page as markup.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markdown_it import MarkdownIt
from sqlmodel import Session, col, select

from voisinage import documents
from voisinage.ballot_results import describe_result, method_name
from voisinage.i18n import Translator
from voisinage.models import Article, ArticleVersion, Ballot, BallotOption, Project


@dataclass(frozen=True)
class AdoptedArticle:
    number: int  # among the articles in force
    article_id: int
    title: str
    text: str
    version: int
    adopted_at: datetime
    ballot_id: int
    method: str
    result: dict[str, Any]
    options: dict[str, str]


@dataclass(frozen=True)
class AdoptedDocument:
    id: int
    kind: str
    title: str
    timezone: str
    articles: tuple[AdoptedArticle, ...]


def adopted_document(session: Session, *, project_id: int, document_id: int) -> AdoptedDocument:
    """Return a document's articles in force: for each, the wording its latest adoption chose."""
    document = documents.get_document(session, project_id=project_id, document_id=document_id)
    rows = session.exec(
        select(Ballot, ArticleVersion, Article)
        .join(ArticleVersion, col(ArticleVersion.id) == col(Ballot.adopted_version_id))
        .join(Article, col(Article.id) == col(ArticleVersion.article_id))
        .where(col(Article.document_id) == document.id)
        .order_by(col(Ballot.closed_at), col(Ballot.id))
    ).all()
    latest = {article.id: (ballot, version, article) for ballot, version, article in rows}
    options: dict[int, dict[str, str]] = {ballot.id: {} for ballot, _, _ in latest.values()}
    for option in session.exec(
        select(BallotOption)
        .where(col(BallotOption.ballot_id).in_(list(options)))
        .order_by(col(BallotOption.ballot_id), col(BallotOption.position))
    ):
        options[option.ballot_id][option.key] = option.label
    in_force = sorted(latest.values(), key=lambda row: (row[2].position, row[2].id))
    return AdoptedDocument(
        id=document.id,
        kind=document.kind,
        title=document.title,
        timezone=session.get(Project, project_id).timezone,
        articles=tuple(
            AdoptedArticle(
                number=number,
                article_id=article.id,
                title=version.title,
                text=version.text,
                version=version.number,
                adopted_at=ballot.closed_at,
                ballot_id=ballot.id,
                method=ballot.method,
                result=ballot.result,
                options=options[ballot.id],
            )
            for number, (ballot, version, article) in enumerate(in_force, start=1)
        ),
    )


def to_markdown(document: AdoptedDocument, translator: Translator) -> str:
    """Return the adopted document as Markdown, one section per article in force."""
    parts = [f"# {document.title}"]
    if not document.articles:
        parts.append(translator.gettext("No article has been adopted yet."))
    for article in document.articles:
        adoption = translator.gettext(
            "Adopted on %(date)s by %(method)s: %(result)s.",
            date=translator.date(article.adopted_at, document.timezone),
            method=method_name(article.method, translator),
            result=describe_result(article.result, translator, labels=article.options),
        )
        parts += [f"## {article.number}. {article.title}", article.text, f"*{adoption}*"]
    return "\n\n".join(parts) + "\n"


def to_html(document: AdoptedDocument, translator: Translator) -> str:
    """Return the adopted document as a standalone, printable HTML page, with no member's markup."""
    body = MarkdownIt("commonmark", {"html": False}).render(to_markdown(document, translator))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(translator.language)}">\n'
        '<head><meta charset="utf-8">'
        f"<title>{html.escape(document.title)}</title></head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )
