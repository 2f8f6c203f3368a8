"""``python -m skdeep``: run the demo."""

from ._demo import run_demo

if __name__ == "__main__":
    run_demo()
