"""Comparing a skdeep network with its scikit-learn reference."""

import numpy as np


def assert_same_network(ours, ref, rtol=1e-6, atol=1e-9):
    """Assert that two fitted networks have the same weights and biases."""
    assert len(ours.coefs_) == len(ref.coefs_)
    for a, b in zip(
        ours.coefs_ + ours.intercepts_, ref.coefs_ + ref.intercepts_, strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
