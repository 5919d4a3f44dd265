"""The `voisinage` command end to end: a real process on a real temporary database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest

from voisinage.cli import main


def run(environ, *args, expect=0):
    """Run `voisinage ARGS` as the console script does, in this process; return (stdout, stderr).

    A child process costs a second of imports here, so most tests call `main` directly;
    the tests that use `run_process` check the real executable.
    """
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main([*args], environ={"LANG": "C.UTF-8", **environ})
        except SystemExit as exited:
            code = exited.code or 0
    assert code == expect, err.getvalue()
    return out.getvalue(), err.getvalue()


def run_process(environ, *args, expect=0):
    """Run `voisinage ARGS` in a child process; return (stdout, stderr) once it exited `expect`."""
    env = {**os.environ, **environ, "LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
    result = subprocess.run(
        [sys.executable, "-m", "voisinage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == expect, result.stderr
    return result.stdout, result.stderr


def run_json(environ, *args):
    return json.loads(run(environ, *args, "--json")[0])


@pytest.fixture
def project(environ):
    return run_json(environ, "project", "create", "Les Voisins du Quai")


def test_db_upgrade_creates_the_schema_and_says_so(tmp_path, environ):
    fresh = {**environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"}
    out, _ = run(fresh, "db", "current")
    assert "the code needs" in out
    assert run_json(fresh, "db", "upgrade")["revision"] == run_json(fresh, "db", "current")["head"]
    assert run_json(fresh, "db", "current")["up_to_date"] is True


def test_commands_refuse_an_empty_database_and_say_what_to_run(tmp_path, environ):
    fresh = {**environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"}
    for command in (["project", "list"], ["web"], ["bot"]):
        _, err = run_process(fresh, *command, expect=1)
        assert err == "voisinage: The database has no schema yet. Run: voisinage db upgrade\n"


def test_web_and_bot_refuse_an_out_of_date_schema(tmp_path, environ):
    old = {**environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}"}
    run(old, "db", "upgrade", "--revision", "head")
    from voisinage import db

    engine = db.make_engine(old["DATABASE_URL"])
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0000old'")
    engine.dispose()
    for command in ("web", "bot"):
        _, err = run(old, command, expect=1)
        assert "Run: voisinage db upgrade" in err
        assert "0000old" in err


def test_project_create_and_list(environ, project):
    assert project["slug"] == "les-voisins-du-quai"
    out, _ = run(environ, "project", "list")
    assert out == "les-voisins-du-quai\tLes Voisins du Quai\n"
    _, err = run(environ, "project", "create", "Les Voisins du Quai", expect=2)
    assert err == "voisinage: A project with the short name les-voisins-du-quai already exists.\n"


def test_french_operator_reads_french(environ, project):
    env = {**environ, "DEFAULT_LANGUAGE": "fr"}
    out, _ = run(env, "household", "les-voisins-du-quai", "Foyer Kaya")
    assert out == "Foyer ajouté : Foyer Kaya\n"


def test_invite_prints_code_and_links_without_bot(environ, project):
    data = run_json(
        environ, "invite", "les-voisins-du-quai", "--household", "Foyer Kaya", "--uses", "2"
    )
    assert data["web_link"] == f"http://voisinage.test/join/{data['code']}"
    assert data["telegram_link"] is None
    assert (data["role"], data["household"], data["max_uses"]) == ("resident", "Foyer Kaya", 2)
    out, _ = run(environ, "invite", "les-voisins-du-quai", "--role", "observer", "--days", "3")
    assert out.startswith("Invitation code: ")
    assert "Web link: http://voisinage.test/join/" in out
    assert "Telegram" not in out


class _GetMe(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(
            {"ok": True, "result": {"id": 1, "is_bot": True, "username": "VoisinsBot"}}
        )
        self.send_response(200 if self.path == "/bot123:abc/getMe" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


def test_invite_asks_the_bot_api_for_the_deep_link(environ, project):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GetMe)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {
            **environ,
            "TELEGRAM_BOT_TOKEN": "123:abc",
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{server.server_port}",
        }
        data = run_json(env, "invite", "les-voisins-du-quai", "--role", "facilitator")
    finally:
        server.shutdown()
    assert data["telegram_link"] == f"https://t.me/VoisinsBot?start={data['code']}"


def test_revoke_then_members(environ, project):
    code = run_json(environ, "invite", "les-voisins-du-quai", "--role", "observer")["code"]
    assert run_json(environ, "revoke", "les-voisins-du-quai", code.lower())["revoked"] is True
    _, err = run(environ, "revoke", "les-voisins-du-quai", "ZZZZZZZZZZ", expect=2)
    assert err == "voisinage: This invitation does not exist in this project.\n"
    assert run_json(environ, "members", "les-voisins-du-quai") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["invite", "les-voisins-du-quai", "--role", "owner"], "Invalid value for '--role'"),
        (["invite", "les-voisins-du-quai", "--uses", "many"], "Invalid value for '--uses'"),
        (["invite", "les-voisins-du-quai", "--days", "400"], "Invalid value for '--days'"),
        (["invite", "nowhere"], "There is no project with the short name nowhere."),
        (["export", "les-voisins-du-quai", "--format", "xml"], "Invalid value for '--format'"),
        (["project"], "Missing command"),
        (["frobnicate"], "No such command 'frobnicate'"),
        (["link", "les-voisins-du-quai", "999"], "This member does not exist in this project."),
    ],
    ids=["role", "uses", "days", "project", "format", "subcommand", "command", "member"],
)
def test_bad_arguments_exit_2_with_one_line(environ, project, args, message):
    out, err = run(environ, *args, expect=2)
    assert err.count("\n") == 1
    assert err.startswith("voisinage: ")
    assert message in err
    assert out == ""


def test_the_installed_command_reports_bad_arguments_the_same_way(environ, project):
    args = ("invite", "les-voisins-du-quai", "--role", "owner")
    assert run_process(environ, *args, expect=2) == run(environ, *args, expect=2)


def test_export_json_and_csv(tmp_path, environ, project):
    run(environ, "invite", "les-voisins-du-quai", "--household", "=Foyer Kaya")
    data = json.loads(run(environ, "export", "les-voisins-du-quai")[0])
    assert (data["schema"], data["version"]) == ("voisinage.project-export", 1)
    assert [h["name"] for h in data["households"]] == ["=Foyer Kaya"]
    assert [a["action"] for a in data["actions"]] == [
        "project.create",
        "household.add",
        "invitation.create",
    ]
    target = tmp_path / "export.zip"
    run(environ, "export", "les-voisins-du-quai", "--format", "csv", "-o", str(target))
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == [
            "README.txt",
            "actions.csv",
            "households.csv",
            "invitations.csv",
            "members.csv",
            "project.csv",
        ]
        households = archive.read("households.csv").decode("utf-8-sig").splitlines()
    assert households[0] == "id,name,created_at"
    assert households[1].split(",")[1] == "'=Foyer Kaya"


def test_link_prints_a_sign_in_link(environ):
    data = run_json(environ, "demo", "--no-serve")
    members = run_json(environ, "members", data["project"])
    url = run_json(environ, "link", data["project"], str(members[0]["id"]))["url"]
    assert url.startswith("http://voisinage.test/login/")


def test_demo_twice_seeds_once(environ):
    first = json.loads(run_process(environ, "demo", "--no-serve", "--json")[0])
    second = json.loads(run_process(environ, "demo", "--no-serve", "--json")[0])
    assert first["project"] == second["project"] == "voisins-du-quai"
    assert first["resident"]["url"] != second["resident"]["url"]
    members = run_json(environ, "members", "voisins-du-quai")
    assert len(members) == 22
    assert len({m["household"] for m in members if m["role"] == "resident"}) == 12
    assert [m["name"] for m in members if m["role"] == "facilitator"] == ["Camille Roussel (AMO)"]
    assert len(run_json(environ, "project", "list")) == 1
