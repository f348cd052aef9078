"""The bounds on every number costnet accepts, from a spec, a budget file, a baseline, the command line or the
Python API. Each is far above any real network and low enough that no input makes costnet allocate or
compute without end; each is checked before any work proportional to it (docs/spec.md lists them)."""

from __future__ import annotations

import math
from numbers import Integral, Real

MAX_INTEGER = 2**24  # any integer field: channels, kernel sizes, strides, groups, repeats (16,777,216)
MAX_NUMBER = 10**6  # any other number: expansion and SE ratios, published figures' variants
MAX_RESOLUTION = 8192  # input height = width, in pixels
MAX_MULTIPLIER = 16  # width and depth multipliers
MAX_LAYERS = 2_000_000  # rows of one network after scaling and unrolling its repeats
MAX_DIMENSION = 2**40  # channels, height or width of any tensor a network computes (repeats of `times_input: 2`
# or of a concatenation with the identity double the channels each time: 2^200000 before the limit)
MAX_KERNEL_SIZES = 16  # kernel sizes of one mixed depthwise convolution (MixNet's have up to 5): each is costed
MAX_SWEEP_POINTS = 1_000_000  # variants in one sweep
MAX_SOURCE_BYTES = 16 * 2**20  # a spec, budget file or baseline read whole (16 MiB)

BOUNDS = (  # (what, bound) for the documentation
    ("an integer field (channels, kernel, stride, groups, repeat, …)", f"{MAX_INTEGER:,}"),
    ("any other number (ratios, multipliers in `reported:`)", f"{MAX_NUMBER:,}, finite"),
    ("input resolution", f"1 to {MAX_RESOLUTION:,} pixels"),
    ("width and depth multipliers", f"above 0, at most {MAX_MULTIPLIER}"),
    ("layers of one network after scaling", f"{MAX_LAYERS:,}"),
    ("channels, height or width of any tensor the network computes", f"2⁴⁰ ({MAX_DIMENSION:,})"),
    ("kernel sizes of one mixed depthwise convolution (`kernel: [3, 5, 7]`)", f"{MAX_KERNEL_SIZES}"),
    ("variants in one sweep", f"{MAX_SWEEP_POINTS:,}"),
    ("a spec, budget file or baseline", f"{MAX_SOURCE_BYTES // 2**20} MiB"),
    ("a published figure (`reported:` MACs and parameters) or a budget limit", "10¹⁸"),
)


def is_integer(value: object) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def is_finite_number(value: object) -> bool:
    """A real number that is not a bool, NaN or ±inf; an integer of any size (math.isfinite() raises
    OverflowError for one beyond a float's range, 10**400)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return False
    return isinstance(value, Integral) or math.isfinite(value)
