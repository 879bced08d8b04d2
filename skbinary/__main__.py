"""``python -m skbinary``: the command line (see :mod:`skbinary.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
