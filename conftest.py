"""Test-session setup shared by tests/ and the doctests in skdeep/."""

import os

# scikit-learn's array-API common check runs only when SciPy's array-API mode
# is on, and SciPy reads this variable once, at import: set it before
# anything imports SciPy, so that check_estimator skips nothing.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
