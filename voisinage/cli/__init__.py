"""The `voisinage` command: database, projects, invitations, exports, demo and servers."""

from voisinage.cli import (  # noqa: F401  (registers commands)
    database,
    people,
    questionnaires,
    servers,
    translations,
)
from voisinage.cli.base import cli, main

__all__ = ["cli", "main"]
