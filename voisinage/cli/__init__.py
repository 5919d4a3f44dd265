"""The `voisinage` command: database, projects, invitations, exports, demo and servers."""

from voisinage.cli import database, people, servers, translations  # noqa: F401  (registers commands)
from voisinage.cli.base import cli, main

__all__ = ["cli", "main"]
