"""`voisinage project|household|invite|revoke|members|link|export`: run a project from a shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlmodel import Session

from voisinage import exports, links, people, projects, tokens
from voisinage.cli.base import Context, cli, emit, json_option, with_unit_of_work
from voisinage.enums import Role, VotingUnit


@cli.group("project")
def project_group() -> None:
    """Create and list projects."""


@project_group.command("create")
@click.argument("name")
@click.option("--slug", help="Short name used in links (default: from the name).")
@click.option("--language", type=click.Choice(["fr", "en"]), help="Default: DEFAULT_LANGUAGE.")
@click.option("--timezone", help="Default: DEFAULT_TIMEZONE.")
@click.option(
    "--voting-unit",
    type=click.Choice([unit.value for unit in VotingUnit]),
    default=VotingUnit.HOUSEHOLD.value,
    show_default=True,
    help="One voice per household or per person.",
)
@json_option
@with_unit_of_work
def project_create(
    ctx: Context, session: Session, name, slug, language, timezone, voting_unit, as_json
) -> None:
    """Create a project called NAME."""
    project = projects.create_project(
        session,
        name=name,
        slug=slug,
        language=language or ctx.settings.default_language,
        timezone=timezone or ctx.settings.default_timezone,
        voting_unit=voting_unit,
    )
    data = {"id": project.id, "slug": project.slug, "name": project.name}
    emit(
        as_json,
        data,
        ctx._("Project %(name)s created: %(slug)s", name=project.name, slug=project.slug),
    )


@project_group.command("list")
@json_option
@with_unit_of_work
def project_list(ctx: Context, session: Session, as_json: bool) -> None:
    """List the projects."""
    rows = [{"slug": p.slug, "name": p.name} for p in projects.list_projects(session)]
    emit(as_json, rows, "\n".join(f"{row['slug']}\t{row['name']}" for row in rows))


@cli.command("household")
@click.argument("slug")
@click.argument("name")
@json_option
@with_unit_of_work
def household_add(ctx: Context, session: Session, slug: str, name: str, as_json: bool) -> None:
    """Add a household called NAME to project SLUG."""
    project = projects.get_project(session, slug)
    household = projects.add_household(session, project_id=project.id, name=name)
    emit(
        as_json,
        {"id": household.id, "name": household.name},
        ctx._("Household added: %(name)s", name=household.name),
    )


def _uses(_ctx, _param, value: str) -> int | None:
    if value == "unlimited":
        return None
    if not value.isdigit():
        raise click.BadParameter("a whole number, or 'unlimited'")
    return int(value)


@cli.command("invite")
@click.argument("slug")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.RESIDENT.value,
    show_default=True,
)
@click.option("--household", help="Household the newcomer joins (created if new).")
@click.option(
    "--uses",
    default="1",
    show_default=True,
    callback=_uses,
    help="How many people may use it, or 'unlimited'.",
)
@click.option(
    "--days", type=click.IntRange(1, people.INVITATION_DAYS_MAX), default=14, show_default=True
)
@click.option("--label", default="", help="A note for the facilitators, e.g. who it is for.")
@json_option
@with_unit_of_work
def invite(
    ctx: Context, session: Session, slug, role, household, uses, days, label, as_json
) -> None:
    """Create an invitation to project SLUG and print its code and links."""
    project = projects.get_project(session, slug)
    household_id = None
    if household:
        found = projects.find_household(session, project_id=project.id, name=household)
        found = found or projects.add_household(session, project_id=project.id, name=household)
        household_id = found.id
    invitation = people.create_invitation(
        session,
        project_id=project.id,
        role=role,
        household_id=household_id,
        max_uses=uses,
        days=days,
        label=label,
    )
    urls = links.invitation_links(
        ctx.settings, invitation.code, username=links.bot_username(ctx.settings)
    )
    data = {
        "code": invitation.code,
        "role": invitation.role,
        "household": household,
        "max_uses": invitation.max_uses,
        "expires_at": invitation.expires_at.isoformat(),
        "web_link": urls.web,
        "telegram_link": urls.telegram,
    }
    lines = [
        ctx._("Invitation code: %(code)s", code=invitation.code),
        ctx._(
            "Valid until %(date)s.",
            date=ctx.translator.datetime(invitation.expires_at, project.timezone),
        ),
        ctx._("Web link: %(url)s", url=urls.web),
    ]
    if urls.telegram:
        lines.append(ctx._("Telegram link: %(url)s", url=urls.telegram))
    emit(as_json, data, "\n".join(lines))


@cli.command("revoke")
@click.argument("slug")
@click.argument("code")
@json_option
@with_unit_of_work
def revoke(ctx: Context, session: Session, slug: str, code: str, as_json: bool) -> None:
    """Withdraw the invitation CODE of project SLUG."""
    project = projects.get_project(session, slug)
    invitation = people.find_invitation(session, project_id=project.id, code=code, actor_id=None)
    people.revoke_invitation(session, project_id=project.id, invitation_id=invitation.id)
    emit(
        as_json,
        {"code": invitation.code, "revoked": True},
        ctx._("Invitation %(code)s withdrawn.", code=invitation.code),
    )


@cli.command("members")
@click.argument("slug")
@json_option
@with_unit_of_work
def members(ctx: Context, session: Session, slug: str, as_json: bool) -> None:
    """List the members of project SLUG."""
    project = projects.get_project(session, slug)
    rows = people.list_members(session, project_id=project.id)
    data = [
        {"id": r.id, "name": r.display_name, "role": r.role, "household": r.household_name}
        for r in rows
    ]
    text = "\n".join(f"{r.id}\t{r.role}\t{r.household_name or '-'}\t{r.display_name}" for r in rows)
    emit(as_json, data, text)


@cli.command("link")
@click.argument("slug")
@click.argument("member_id", type=int)
@json_option
@with_unit_of_work
def link(ctx: Context, session: Session, slug: str, member_id: int, as_json: bool) -> None:
    """Print a single-use sign-in link for member MEMBER_ID of project SLUG."""
    project = projects.get_project(session, slug)
    member = people.get_member(session, project_id=project.id, member_id=member_id)
    token = tokens.issue_login_token(
        session, member_id=member.id, secret_key=ctx.settings.secret_key
    )
    url = tokens.login_url(ctx.settings.public_url, token)
    emit(as_json, {"member_id": member.id, "url": url}, url)


@cli.command("export")
@click.argument("slug")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (JSON: default standard output; CSV: default SLUG-export.zip).",
)
@with_unit_of_work
def export(ctx: Context, session: Session, slug: str, fmt: str, output: Path | None) -> None:
    """Export everything project SLUG holds, as JSON or as a ZIP of CSV files."""
    project = projects.get_project(session, slug)
    data = exports.export_project(session, project_id=project.id, actor_id=None)
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if output is None:
            click.echo(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
        return
    output = output or Path(f"{slug}-export.zip")
    with output.open("wb") as target:
        exports.write_csv_zip(data, target)
    click.echo(str(output), file=sys.stderr)
