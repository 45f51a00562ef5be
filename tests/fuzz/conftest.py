"""Hypothesis profiles for the fuzz tests: ``ci`` (the default: few examples,
derandomized, so CI is fast and repeatable) and ``long`` (``bench/fuzz``: random,
``TWINWATCH_FUZZ_EXAMPLES`` examples per test)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_common = dict(
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.large_base_example,
    ],
)
settings.register_profile(
    "ci", max_examples=int(os.environ.get("TWINWATCH_FUZZ_EXAMPLES", "30")), derandomize=True, **_common
)  # type: ignore[arg-type]
settings.register_profile(
    "long", max_examples=int(os.environ.get("TWINWATCH_FUZZ_EXAMPLES", "500")), **_common
)  # type: ignore[arg-type]
settings.load_profile(os.environ.get("TWINWATCH_FUZZ_PROFILE", "ci"))
