"""`/healthz`: whether the database answers, and at which schema revision."""

from __future__ import annotations

import logging
from functools import cache

from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from voisinage import db
from webforms.db import get_engine

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


# The code's newest migration cannot change while the process runs; reading the migration
# scripts on every probe cost milliseconds.
_head_revision = cache(db.head_revision)


@bp.get("/healthz")
def healthz():
    """Report database reachability and the schema revision; 503 when the database fails."""
    head = _head_revision()
    try:
        revision = db.current_revision(get_engine())
    except SQLAlchemyError as error:
        # The error text may hold the database URL with its password: log the type only.
        log.warning("Health check: database unreachable (%s)", type(error).__name__)
        return jsonify(status="error", database="unreachable", head=head), 503
    up_to_date = revision == head
    return jsonify(
        status="ok" if up_to_date else "error",
        database="ok",
        revision=revision,
        head=head,
        up_to_date=up_to_date,
    ), (200 if up_to_date else 503)
