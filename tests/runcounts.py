"""What the generated tests ran (specs generated, mutations, CLI cases), for the summary at the end of a run
(conftest.py prints it) and for the budgets in tests/README.md."""

from __future__ import annotations

import os
from collections import Counter

COUNTS: Counter = Counter()

DEFAULT_EXAMPLES = 100  # per property test in CI; COSTNET_PROPERTY_EXAMPLES or COSTNET_LONG_TESTS for more
LONG_FACTOR = 25


def examples(share: float = 1.0) -> int:
    """Examples for a test that takes `share` of the budget: COSTNET_PROPERTY_EXAMPLES if set, else the CI
    default, or LONG_FACTOR times it with COSTNET_LONG_TESTS=1."""
    given = os.environ.get("COSTNET_PROPERTY_EXAMPLES")
    if given:
        base = int(given)
    else:
        base = DEFAULT_EXAMPLES * (LONG_FACTOR if os.environ.get("COSTNET_LONG_TESTS") else 1)
    return max(1, round(base * share))


def seed() -> int | None:
    """COSTNET_PROPERTY_SEED: explore other examples than CI's fixed ones (a long session); None in CI."""
    value = os.environ.get("COSTNET_PROPERTY_SEED")
    return int(value) if value else None
