"""Secret ballots: link a voter to their choice only while the ballot is open.

While a secret ballot is open, each choice row carries `voice_tag`, the HMAC-SHA256 of the
voice ("household:3") under a random key kept on the ballot: the voter's own requests find
their choice again by computing the tag, so that they can change their mind. At the close,
`seal` destroys the key and rewrites the choices without any tag, in a random order and under
new ids, so that neither a column nor the rows' order links a choice to a voice any more.
docs/voting.md explains the design and its limits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import delete
from sqlmodel import Session, col, select

from voisinage.models import Ballot, BallotChoice

KEY_BYTES = 32


def new_key() -> str:
    """Return a fresh random key for a secret ballot's voice tags."""
    return secrets.token_hex(KEY_BYTES)


def voice_tag(key: str, voice_key: str) -> str:
    """Return the keyed value that links a voice to its choice while the ballot is open."""
    return hmac.new(bytes.fromhex(key), voice_key.encode(), hashlib.sha256).hexdigest()


def seal(session: Session, ballot: Ballot) -> None:
    """Unlink every choice of a closing secret ballot from its voice, for good.

    The rows are inserted again, shuffled, then the old ones deleted, so that the new ids say
    nothing of the order in which people voted; the key goes, so no tag could be computed again.
    """
    rows = session.exec(
        select(BallotChoice.id, BallotChoice.value).where(BallotChoice.ballot_id == ballot.id)
    ).all()
    values = [value for _, value in rows]
    secrets.SystemRandom().shuffle(values)
    # Insert before deleting, so that SQLite cannot hand the freed ids out again.
    session.add_all(BallotChoice(ballot_id=ballot.id, value=value) for value in values)
    session.flush()
    session.execute(delete(BallotChoice).where(col(BallotChoice.id).in_([id_ for id_, _ in rows])))
    ballot.secret_key = None
    session.add(ballot)
    session.flush()
