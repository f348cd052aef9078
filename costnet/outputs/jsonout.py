"""JSON as every costnet output writes it: strict (no NaN or Infinity, which jq and browsers reject) and ASCII
(safe on any console encoding; control characters and non-ASCII characters are \\u escapes)."""

from __future__ import annotations

import json
from typing import Any


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=True, allow_nan=False) + "\n"
