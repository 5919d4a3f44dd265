"""`python -m bot`: run the Telegram bot exactly as `voisinage bot` does, schema check included."""

import sys

from voisinage.cli import main

main(["bot", *sys.argv[1:]])
