"""`python -m ui.cli`: the same as the `shopassist` command."""

from ui.cli import main

main()
