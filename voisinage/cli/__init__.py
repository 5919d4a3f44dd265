"""The `voisinage` command: database, projects, invitations, exports, recounts, demo and servers."""

from voisinage.cli import (  # noqa: F401  (registers commands)
    database,
    people,
    questionnaires,
    servers,
    summary,
    translations,
    votes,
)
from voisinage.cli.base import cli, main

__all__ = ["cli", "main"]
