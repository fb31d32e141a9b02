"""Fixed-point number formatting for robot programs.

Controllers parse numbers with simple readers: RAPID `num` and KRL `REAL` are single precision, and none of
them accepts `nan`, `inf`, exponent notation (`1e-05`) or a locale decimal comma (robot-languages.md,
"Numbers"). Every number weldcraft writes into a program goes through these functions: `%`-formatting with
an explicit precision never produces an exponent or a comma, and `-0.000` is folded to `0.000` so that diffs
of regenerated programs stay quiet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from weldcraft.errors import DataError
from weldcraft.types import FloatArray


def fixed(value: float, decimals: int = 3) -> str:
    """One number in fixed-point notation with `decimals` digits (``-0.000`` becomes ``0.000``).

    Raises `DataError` for nan or inf: a program never carries them.
    """
    x = float(value)
    if not math.isfinite(x):
        raise DataError(f"cannot write the non-finite number {x!r} into a robot program")
    text = f"{x:.{decimals}f}"
    if text.startswith("-") and text.strip("-0.") == "":
        text = text[1:]
    return text


def fixed_list(values: Iterable[float], decimals: int = 3, sep: str = ",") -> str:
    """Several numbers in fixed-point notation joined by `sep`."""
    return sep.join(fixed(v, decimals) for v in values)


def fixed_rows(values: FloatArray, decimals: int = 3) -> list[list[str]]:
    """A (N, K) array as N rows of K fixed-point strings (vectorised finite check, then formatting).

    The bulk path used by the emitters for thousands of points: one `np.isfinite` over the array, then
    plain `%` formatting per element.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"fixed_rows expects a (N, K) array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise DataError(f"cannot write the non-finite number at row {bad[0]}, column {bad[1]} into a program")
    # Round first so that values which print as zero are exactly zero, then add 0.0 to turn -0.0 into 0.0.
    arr = np.round(arr, decimals) + 0.0
    fmt = f"%.{decimals}f"
    return [[fmt % v for v in row] for row in arr.tolist()]
