"""Readable numbers: 568,740,352 → "568.7M", and back from "400M" or "8MiB"."""

from __future__ import annotations

import math
import re

COUNT_SUFFIXES = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
BYTE_SUFFIXES = {
    "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9,
    "KIB": 2**10, "MIB": 2**20, "GIB": 2**30,
}

_NUMBER = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([A-Za-z]*)\s*$")


# Control characters (C0, DEL, C1), the line and paragraph separators, and the bidirectional formatting
# characters that reorder what a terminal shows (U+202E makes "x\u202elmay.exe" read "xexe.yaml")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with every control character escaped (\\n, \\x1b, …), and the separators and bidirectional
    controls that break or reorder a line (\\u2028, \\u202e): what a spec or a path holds can never forge a
    line of output, disguise itself, or reach a terminal as an escape sequence."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def format_count(n: int | float, digits: int = 1) -> str:
    """An integer in the papers' style: 1,234 → "1.2K", 568,740,352 → "568.7M"."""
    magnitude = abs(n)
    for suffix, scale in (("T", 10**12), ("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if magnitude >= scale:
            return f"{n / scale:.{digits}f}{suffix}"
    return f"{n:g}" if isinstance(n, float) else str(n)


def format_bytes(n: int | float) -> str:
    magnitude = abs(n)
    for suffix, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if magnitude >= scale:
            return f"{n / scale:.1f}{suffix}"
    return f"{n:g}B" if isinstance(n, float) else f"{n}B"


def format_memory(n: int) -> str:
    """Bytes of memory in binary units, as SRAM and DRAM sizes are given: 1,404,928 → "1372.0 KiB" (KiB up to
    10 MiB, so that microcontroller figures read as their datasheets print them), 32 MiB → "32.0 MiB"."""
    for suffix, scale in (("GiB", 2**30), ("MiB", 2**20)):
        if n >= 10 * scale or (suffix == "GiB" and n >= scale):
            return f"{n / scale:.1f} {suffix}"
    return f"{n / 2**10:.1f} KiB" if n >= 2**10 else f"{n} B"


def width_text(width: float) -> str:
    """1.0, 0.75, 0.5: the papers' spelling of a width multiplier."""
    return f"{width:.1f}" if width == int(width) else f"{width:g}"


LARGEST_LIMIT = 10**18  # a quintillion MACs or bytes: anything larger is a typo
MAX_LIMIT_CHARS = 40  # the number of a limit, as written (before its suffix): longer is a typo or an attack


def _parse_limit(text: str, suffixes: dict[str, int], what: str) -> int:
    """Exact decimal arithmetic, rounded down: a limit of 4.9726695M allows 4,972,669 and not 4,972,670."""
    match = _NUMBER.match(str(text))
    if not match or match.group(2).upper() not in suffixes:
        valid = ", ".join(s.replace("IB", "iB") for s in suffixes if s) or "none"  # (keys are upper case)
        raise ValueError(f"{text!r} is not a {what} (a number with an optional suffix: {valid})")
    from fractions import Fraction  # only `costnet check` parses limits; keep other commands' start-up lean

    mantissa = match.group(1)
    digits, _, exponent = mantissa.lower().partition("e")
    if len(mantissa) > MAX_LIMIT_CHARS:
        whole = digits.split(".")[0].lstrip("0")
        if not exponent and len(whole) > len(str(LARGEST_LIMIT)):  # too long because it is too large
            raise ValueError(f"{text!r} is out of range (at most {LARGEST_LIMIT:.0e})")
        raise ValueError(f"{text!r}: the number is {len(mantissa):,} characters long; a limit is written in at "
                         f"most {MAX_LIMIT_CHARS} characters")
    if exponent and int(exponent) > 30:
        raise ValueError(f"{text!r} is out of range (at most {LARGEST_LIMIT:.0e})")
    if exponent and int(exponent) < -30:
        raise ValueError(f"{text!r}: the exponent is below -30; a limit is a whole number from 0 to "
                         f"{LARGEST_LIMIT:.0e}")
    value = math.floor(Fraction(mantissa) * suffixes[match.group(2).upper()])
    if value > LARGEST_LIMIT:
        raise ValueError(f"{text!r} is out of range (at most {LARGEST_LIMIT:.0e})")
    return value


def parse_count(text: str) -> int:
    """A limit on a count: "400M" → 400_000_000; "1.5G" → 1_500_000_000; "4096" → 4096 (suffixes are
    case-insensitive, powers of 1000)."""
    return _parse_limit(text, COUNT_SUFFIXES, "count")


def parse_bytes(text: str) -> int:
    """A limit on a size: "8MB" → 8_000_000; "8MiB" → 8_388_608; a bare number is bytes. A lowercase b is
    a bit ("256Kb" is 32 KB of SRAM, or a typo): refused rather than guessed."""
    match = _NUMBER.match(str(text))
    if match and match.group(2).endswith("b"):
        raise ValueError(f"{text!r}: a lowercase b means bits; write sizes in bytes with B (KB, KiB, MB, MiB, …)")
    return _parse_limit(text, dict(BYTE_SUFFIXES, **{"": 1}), "size in bytes")
