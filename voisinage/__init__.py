"""Voisinage: the domain core of a participation assistant for cohousing groups.

Nothing in this package imports Telegram or Flask: both front doors call into it.
"""

__version__ = "0.1.0"
