"""``python -m skdeep``: the demo, or ``fit`` / ``predict`` on CSV files."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
