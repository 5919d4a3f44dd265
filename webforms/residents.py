"""A member's pages in their project: the home page with its doors, and their own data."""

from __future__ import annotations

from flask import render_template

from voisinage import privacy
from voisinage.home import home_cards
from webforms import auth
from webforms.db import get_session
from webforms.downloads import json_download
from webforms.forms import ForgetForm

bp = auth.project_blueprint("residents", __name__)


@bp.get("/")
def home():
    """List the ways in to the project's work (questionnaires, votes, workshops)."""
    cards = home_cards(get_session(), member=auth.current().member)
    return render_template("residents/home.html", cards=cards)


@bp.get("/my-data")
def my_data():
    """Say what is stored about the member, with a download and the way to erase it."""
    return render_template("residents/my_data.html")


@bp.get("/my-data.json")
def my_data_json():
    """Send everything stored about the member as a JSON file (as the bot's /mydata)."""
    data = privacy.export_member_data(get_session(), member_id=auth.current().member.id)
    return json_download(data, filename=f"voisinage-{auth.current().project.slug}-my-data.json")


@bp.route("/my-data/delete", methods=["GET", "POST"])
def forget():
    """Erase the member's data once they confirmed (as the bot's /forget)."""
    form = ForgetForm()
    member_id = auth.current().member.id
    report = form.submit(lambda db: privacy.forget_member(db, member_id=member_id))
    if report is not None:
        auth.sign_out(member_ids=[member_id])
        return render_template("residents/forgotten.html", report=report)
    return render_template("residents/forget.html", form=form), form.status
