"""Fixed-point number formatting for robot programs.

Controllers parse numbers with simple readers: RAPID `num` and KRL `REAL` are single precision, and none of
them accepts `nan`, `inf`, exponent notation (`1e-05`) or a locale decimal comma (robot-languages.md,
"Numbers"). Every number weldcraft writes into a program goes through these functions: `%`-formatting with
an explicit precision never produces an exponent or a comma, and `-0.000` is folded to `0.000` so that diffs
of regenerated programs stay quiet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

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
    n, k = arr.shape
    if n == 0 or k == 0:
        return [[] for _ in range(n)]
    # One %-operation over all values (C speed), split on a separator that never occurs in a number.
    flat = arr.ravel().tolist()
    parts = ((f"%.{decimals}f\x1f" * len(flat)) % tuple(flat)).split("\x1f")
    return [parts[i * k : (i + 1) * k] for i in range(n)]


def fixed_table(values: FloatArray, decimals: int | Sequence[int] = 3, sep: str = ",") -> list[str]:
    """A (N, K) array as N lines of K fixed-point numbers joined by `sep` (per-column decimals allowed).

    The fast path for thousands of points: one finite check, one rounding, one %-operation for all.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"fixed_table expects a (N, K) array, got shape {arr.shape}")
    n, k = arr.shape
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise DataError(f"cannot write the non-finite number at row {bad[0]}, column {bad[1]} into a program")
    dec = [decimals] * k if isinstance(decimals, int) else list(decimals)
    if len(dec) != k:
        raise ValueError(f"{len(dec)} decimals for {k} columns")
    if n == 0:
        return []
    rounded = np.column_stack([np.round(arr[:, j], dec[j]) for j in range(k)]) + 0.0
    row_fmt = sep.join(f"%.{d}f" for d in dec)
    return ((row_fmt + "\x1f") * n % tuple(rounded.ravel().tolist())).split("\x1f")[:-1]
