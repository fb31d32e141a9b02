"""Read and write recordings (CSV and Parquet), validating every value with its file, line and field.

The format is specified in ``demos/README.md``. A malformed file raises `weldcraft.errors.DataError`
whose one-line message names the file, the line (CSV, 1-based, counting header lines) or row (Parquet,
1-based data row) and the field, and says what was expected. Checks: empty file, binary content,
missing/unknown/duplicate columns, missing header keys, unparsable or non-finite numbers, time that
does not strictly increase, quaternions that are not unit length, and lengths whose magnitude does not
fit the declared unit (millimetres declared as metres and the reverse).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.demos.recording import (
    OPTIONAL_COLUMNS,
    RECORDING_FORMAT_VERSION,
    REQUIRED_COLUMNS,
    LengthUnit,
    PoseFrame,
    Recording,
    header_value_is_json,
)
from weldcraft.errors import DataError
from weldcraft.fileio import atomic_path
from weldcraft.types import FloatArray, PathLikeStr

VERSION_KEY = "weldcraft_recording"
PARQUET_META_KEY = b"weldcraft_recording"
_ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# A quaternion whose norm is off by more than this is a data error, not rounding (it is normalized otherwise).
_QUAT_NORM_TOL = 0.01
# Plausibility of lengths (metres). The cell is a few metres across; a contact tip sits 5-30 mm above the
# joint (CTWD window, shared reference section 1.2), never more than 0.2 m beside or above it while welding.
_WORLD_MAX_ABS_M = 10.0
_WORLD_MIN_MAX_ABS_M = 0.01
_SEAM_MAX_OFFSET_M = 0.2
_SEAM_MIN_TIP_HEIGHT_M = 0.001
_SEAM_MAX_S_M = 50.0

Locator = Callable[[int], str]


def _fail(where: str, field: str, message: str) -> DataError:
    return DataError(message, where=f"{where} field '{field}'")


def read_recording(path: PathLikeStr) -> Recording:
    """Read a CSV (``.csv``) or Parquet (``.parquet``/``.pq``) recording and validate it.

    Returns the recording in metres and seconds (converted from the declared unit).
    Raises `DataError` with file, line/row and field on any malformed content.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError("recording file not found", where=str(p))
    suffix = p.suffix.lower()
    if suffix == ".csv":
        header, columns, locate = _read_csv(p)
    elif suffix in (".parquet", ".pq"):
        header, columns, locate = _read_parquet(p)
    else:
        raise DataError(f"unknown recording extension {suffix!r}; expected .csv or .parquet", where=str(p))
    return _build(p, header, columns, locate)


# ----------------------------------------------------------------------------------------------- CSV


def _read_csv(p: Path) -> tuple[dict[str, Any], dict[str, list[str]], Locator]:
    raw = p.read_bytes()
    if not raw.strip():
        raise _fail(
            f"{p}:1", "header", "empty file; expected a '# weldcraft_recording: 1' header and columns"
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw[:nul].count(b"\n") + 1
        raise _fail(f"{p}:{line}", "content", "binary data (NUL byte); expected UTF-8 text CSV")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(f"{p}:{line}", "content", "binary data (not UTF-8); expected UTF-8 text CSV") from None
    lines = text.splitlines()
    header: dict[str, Any] = {}
    header_lines: dict[str, int] = {}
    i = 0
    while i < len(lines) and (lines[i].startswith("#") or not lines[i].strip()):
        body = lines[i][1:].strip() if lines[i].startswith("#") else ""
        if body:
            key, sep, value = body.partition(":")
            key = key.strip()
            if not sep or not key:
                raise _fail(f"{p}:{i + 1}", "header", f"header line {lines[i]!r} is not '# key: value'")
            header[key] = _parse_header_value(value.strip())
            header_lines[key] = i + 1
        i += 1
    if i >= len(lines):
        raise _fail(f"{p}:{len(lines)}", "columns", "no column line; expected " + ",".join(REQUIRED_COLUMNS))
    column_line = i + 1
    names = [c.strip() for c in lines[i].split(",")]
    _check_column_names(names, f"{p}:{column_line}")
    _check_header(header, lambda key: f"{p}:{header_lines.get(key, 1)}")
    first_data_line = column_line + 1
    columns: dict[str, list[str]] = {n: [] for n in names}
    row_lines: list[int] = []
    for j in range(i + 1, len(lines)):
        if not lines[j].strip() or lines[j].startswith("#"):
            continue
        cells = [c.strip() for c in lines[j].split(",")]
        if len(cells) != len(names):
            field = names[len(cells)] if len(cells) < len(names) else "row"
            raise _fail(
                f"{p}:{j + 1}", field, f"{len(cells)} values, expected {len(names)} ({','.join(names)})"
            )
        for name, cell in zip(names, cells, strict=True):
            columns[name].append(cell)
        row_lines.append(j + 1)
    if not row_lines:
        raise _fail(f"{p}:{first_data_line}", "t_s", "no data rows; a recording needs at least 2 samples")
    return header, columns, lambda row: f"{p}:{row_lines[row]}"


def _parse_header_value(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


# ------------------------------------------------------------------------------------------- Parquet


def _read_parquet(p: Path) -> tuple[dict[str, Any], dict[str, list[Any]], Locator]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if p.stat().st_size == 0:
        raise _fail(f"{p} row 1", "header", "empty file; expected a Parquet table")
    try:
        table = pq.read_table(p)
    except (pa.ArrowException, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _fail(f"{p} row 1", "content", f"not a readable Parquet file ({first})") from None
    meta = table.schema.metadata or {}
    if PARQUET_META_KEY not in meta:
        raise _fail(f"{p} row 1", VERSION_KEY, "missing schema metadata 'weldcraft_recording' (JSON header)")
    try:
        header = json.loads(meta[PARQUET_META_KEY].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _fail(f"{p} row 1", VERSION_KEY, "schema metadata is not a JSON object") from None
    if not isinstance(header, dict):
        raise _fail(f"{p} row 1", VERSION_KEY, "schema metadata is not a JSON object")
    names = list(table.column_names)
    _check_column_names(names, f"{p} row 1")
    _check_header(header, lambda key: f"{p} row 1")
    if table.num_rows == 0:
        raise _fail(f"{p} row 1", "t_s", "no data rows; a recording needs at least 2 samples")
    columns = {n: table.column(n).to_pylist() for n in names}
    return header, columns, lambda row: f"{p} row {row + 1}"


# ---------------------------------------------------------------------------------------- validation


def _check_column_names(names: list[str], where: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _fail(where, name, f"duplicate column {name!r}")
        if name not in _ALL_COLUMNS:
            raise _fail(where, name, f"unknown column {name!r}; allowed: {', '.join(_ALL_COLUMNS)}")
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            raise _fail(where, name, f"missing column {name!r}; required: {', '.join(REQUIRED_COLUMNS)}")


def _check_header(header: dict[str, Any], where: Callable[[str], str]) -> None:
    version = header.get(VERSION_KEY)
    if version is None:
        raise _fail(where(VERSION_KEY), VERSION_KEY, f"missing header key; expected '{VERSION_KEY}: 1'")
    if version != RECORDING_FORMAT_VERSION:
        raise _fail(where(VERSION_KEY), VERSION_KEY, f"unsupported format version {version!r}; expected 1")
    for key, enum_type in (("frame", PoseFrame), ("length_unit", LengthUnit)):
        choices = ", ".join(m.value for m in enum_type)
        if key not in header:
            raise _fail(where(key), key, f"missing header key {key!r}; choose one of: {choices}")
        if header[key] not in {m.value for m in enum_type}:
            raise _fail(where(key), key, f"invalid value {header[key]!r}; choose one of: {choices}")


def _to_float(cells: list[Any], name: str, locate: Locator) -> FloatArray:
    out = np.empty(len(cells), dtype=np.float64)
    for row, cell in enumerate(cells):
        if cell is None or cell == "":
            raise _fail(locate(row), name, "missing value; expected a finite number")
        try:
            value = float(cell)
        except (TypeError, ValueError):
            raise _fail(locate(row), name, f"{str(cell)[:40]!r} is not a number") from None
        if not math.isfinite(value):
            raise _fail(locate(row), name, f"{cell!r} is not a finite number")
        out[row] = value
    return out


def _to_bool(cells: list[Any], name: str, locate: Locator) -> np.ndarray:
    table = {"1": True, "0": False, "true": True, "false": False}
    out = np.empty(len(cells), dtype=np.bool_)
    for row, cell in enumerate(cells):
        if isinstance(cell, (bool, int, float)) and cell in (0, 1):
            out[row] = bool(cell)
            continue
        key = str(cell).strip().lower()
        if key not in table:
            raise _fail(
                locate(row), name, f"{str(cell)[:40]!r} is not an arc state; expected 0/1 or true/false"
            )
        out[row] = table[key]
    return out


def _build(p: Path, header: dict[str, Any], columns: dict[str, list[Any]], locate: Locator) -> Recording:
    frame = PoseFrame(header["frame"])
    unit = LengthUnit(header["length_unit"])
    values = {n: _to_float(columns[n], n, locate) for n in columns if n != "arc_on"}
    arc_on = _to_bool(columns["arc_on"], "arc_on", locate)
    n_rows = len(arc_on)
    if n_rows < 2:
        raise _fail(locate(0), "t_s", "only 1 data row; a recording needs at least 2 samples")
    t = values["t_s"]
    bad = np.flatnonzero(np.diff(t) <= 0.0)
    if bad.size:
        row = int(bad[0]) + 1
        raise _fail(
            locate(row),
            "t_s",
            f"time {float(t[row])!r} s does not increase (previous {float(t[row - 1])!r} s)",
        )
    quat = np.stack([values[k] for k in ("qx", "qy", "qz", "qw")], axis=1)
    norms = np.linalg.norm(quat, axis=1)
    bad = np.flatnonzero(np.abs(norms - 1.0) > _QUAT_NORM_TOL)
    if bad.size:
        row = int(bad[0])
        raise _fail(locate(row), "qw", f"quaternion norm {norms[row]:.4f}; expected a unit quaternion")
    pos = np.stack([values[k] for k in ("x", "y", "z")], axis=1)
    _check_units(pos, arc_on, frame, unit, locate)
    extra = {k: v for k, v in header.items() if header_value_is_json(v)}
    signals = {k: values[k] for k in OPTIONAL_COLUMNS if k in values}
    return Recording(
        t_s=t - t[0],
        pos_m=pos * unit.to_m,
        quat_xyzw=quat / norms[:, None],
        arc_on=arc_on,
        frame=frame,
        header=extra,
        source=str(p),
        **signals,
    )


def _check_units(
    pos: FloatArray, arc_on: np.ndarray, frame: PoseFrame, unit: LengthUnit, locate: Locator
) -> None:
    """Reject lengths whose magnitude does not fit the declared unit (millimetres read as metres)."""
    pos_m = pos * unit.to_m
    axes = ("x", "y", "z")
    hint_mm = "values look like millimetres; declare 'length_unit: mm'"
    hint_m = "values look like metres; declare 'length_unit: m'"
    if frame is PoseFrame.WORLD:
        too_big = np.argwhere(np.abs(pos_m) > _WORLD_MAX_ABS_M)
        if too_big.size:
            row, ax = (int(v) for v in too_big[0])
            raise _fail(
                locate(row), axes[ax], f"{pos[row, ax]:g} {unit.value} is outside any cell; {hint_mm}"
            )
        if np.max(np.abs(pos_m)) < _WORLD_MIN_MAX_ABS_M:
            raise _fail(locate(0), "x", f"the whole path lies within 10 mm of the robot base; {hint_m}")
        return
    too_far = np.argwhere(np.abs(pos_m[:, 1:]) > _SEAM_MAX_OFFSET_M)
    if too_far.size:
        row, ax = (int(v) for v in too_far[0])
        raise _fail(locate(row), axes[ax + 1], f"{pos[row, ax + 1]:g} {unit.value} off the seam; {hint_mm}")
    too_long = np.flatnonzero(np.abs(pos_m[:, 0]) > _SEAM_MAX_S_M)
    if too_long.size:
        row = int(too_long[0])
        raise _fail(locate(row), "x", f"arc length {pos[row, 0]:g} {unit.value}; {hint_mm}")
    low = np.flatnonzero(arc_on & (pos_m[:, 1] < _SEAM_MIN_TIP_HEIGHT_M))
    if low.size and unit is LengthUnit.MM:
        row = int(low[0])
        raise _fail(
            locate(row), "y", f"contact tip {pos[row, 1]:g} mm above the joint with the arc on; {hint_m}"
        )


# ------------------------------------------------------------------------------------------- writing


def recording_columns(rec: Recording, unit: LengthUnit) -> dict[str, np.ndarray]:
    """The on-disk columns of `rec` in `unit`, in file order."""
    pos = rec.pos_m / unit.to_m
    cols: dict[str, np.ndarray] = {"t_s": rec.t_s}
    for k, name in enumerate(("x", "y", "z")):
        cols[name] = pos[:, k]
    for k, name in enumerate(("qx", "qy", "qz", "qw")):
        cols[name] = rec.quat_xyzw[:, k]
    cols["arc_on"] = rec.arc_on.astype(np.int64)
    cols.update(rec.signals())
    return cols


def _file_header(rec: Recording, unit: LengthUnit) -> dict[str, Any]:
    header: dict[str, Any] = {VERSION_KEY: RECORDING_FORMAT_VERSION, "frame": rec.frame.value}
    header["length_unit"] = unit.value
    for key, value in rec.header.items():
        if key not in header and key not in (VERSION_KEY, "frame", "length_unit"):
            header[key] = value
    return header


def write_recording(rec: Recording, path: PathLikeStr, *, length_unit: str = "m") -> Path:
    """Write `rec` atomically as CSV or Parquet (chosen by the suffix) with positions in `length_unit`.

    Numbers are written with Python's shortest round-trip repr, so reading back gives the same floats
    (up to the unit conversion). Returns the path written.
    """
    p = Path(path)
    unit = LengthUnit(length_unit)
    cols = recording_columns(rec, unit)
    header = _file_header(rec, unit)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise DataError(f"unknown recording extension {suffix!r}; expected .csv or .parquet", where=str(p))
    with atomic_path(p) as tmp:
        if suffix == ".csv":
            _write_csv(tmp, header, cols)
        else:
            _write_parquet(tmp, header, cols)
    return p


def _write_csv(p: Path, header: dict[str, Any], cols: dict[str, np.ndarray]) -> None:
    lines = [f"# {k}: {_header_text(v)}" for k, v in header.items()]
    lines.append(",".join(cols))
    n = len(cols["t_s"])
    as_lists = {k: v.tolist() for k, v in cols.items()}
    for i in range(n):
        lines.append(",".join(repr(as_lists[k][i]) for k in cols))
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _header_text(value: Any) -> str:
    """A header value as CSV header text that `_parse_header_value` reads back to the same value."""
    if (
        isinstance(value, str)
        and value.strip() == value
        and "\n" not in value
        and _parse_header_value(value) == value
    ):
        return value
    return json.dumps(value)


def _write_parquet(p: Path, header: dict[str, Any], cols: dict[str, np.ndarray]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({k: pa.array(v) for k, v in cols.items()})
    table = table.replace_schema_metadata({PARQUET_META_KEY: json.dumps(header).encode("utf-8")})
    pq.write_table(table, p)
