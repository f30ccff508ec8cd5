"""``python -m anjian.cli``: the same as the ``anjian`` command."""

from .main import main

main()
