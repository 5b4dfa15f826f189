"""Hypothesis settings of the fuzz set: reproducible (derandomized, no example database) and bounded.

Every property here is "nothing but the project's own errors (``pipeline.errors``), and within its
time budget". Hypothesis' own deadline is off: each test measures its examples with ``budget`` and a
bound generous enough for a loaded 2-core machine, so a slow example fails with its measured time.
The whole set runs in about a minute (``pytest tests/fuzz``); ``FUZZ_SCALE`` (a test-only knob,
not a pipeline setting) multiplies every test's number of examples: ``FUZZ_SCALE=20`` for a longer hunt.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# tests/conftest.py's autouse ``isolated_settings`` is function-scoped: harmless here, since no
# property reads the data folder, but Hypothesis would warn about it on every test.
settings.register_profile(
    "newswatch-fuzz",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("newswatch-fuzz")


def examples(n: int) -> int:
    """``n`` examples, times ``FUZZ_SCALE`` (default 1)."""
    return max(1, int(n * float(os.environ.get("FUZZ_SCALE", "1"))))
