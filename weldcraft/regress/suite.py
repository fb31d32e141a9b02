"""The regression suite file (``*.weld.yaml``): schema, strict validation with file:line errors.

Format (schema_version 1; paths are relative to the suite file)::

    schema_version: 1
    name: fillet_pb_regression        # optional (default: the file name)
    description: ...                  # optional
    defaults:                         # optional, merged into every case (the case's keys win)
      control_hz: 20
      expect: {level: C}
    cases:
      - name: fillet_pb_master        # letters, digits, _ . - ; unique in the suite
        job: fillet_pb                # a WeldJob preset name or a job YAML path
        seed: null                    # null: the part exactly as programmed; int: randomized placement
        placement: {translation_std_mm: 0.5}   # overrides of the job's PlacementErrorSpec fields
        program: programs/fillet_pb_master.json   # an exported program (any format read_program reads)
        format: null                  # the program's format when its suffix does not tell
        # checkpoint: ckpt/            # instead of program: a policy checkpoint directory, run on the job
        golden: golden/fillet_pb_master.golden.json  # optional (default golden/<name>.golden.json)
        control_hz: 20
        expect:
          level: B                    # ISO 5817 level at least B / C / D
          quality_min: 0.8            # quality score >= this
          path_rms_max_mm: 0.3        # executed TCP path vs the golden path, RMS (mm)
          forbid: ["5011", "4011"]    # ISO 6520 codes that must not appear
          heat_input_kj_mm: [0.6, 1.2]    # mean heat input within [lo, hi]
          completed: true             # the weld reaches the seam end (default true)
          quality_tolerance: 0.02     # |quality - golden quality| <= this

Any unknown key, wrong type or value out of range raises `ConfigError` naming ``file:line`` and the key.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml

from weldcraft.errors import ConfigError
from weldcraft.types import PathLikeStr

SCHEMA_VERSION = 1
SUITE_SUFFIX = ".weld.yaml"
LEVELS = ("B", "C", "D")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_CODE_RE = re.compile(r"^[0-9]{3,4}$")
_PLACEMENT_KEYS = (
    "translation_std_mm",
    "translation_max_mm",
    "rotation_std_deg",
    "rotation_max_deg",
    "gap_offset_range_mm",
    "gap_knot_spacing_mm",
    "drift_amplitude_mm",
    "drift_period_s",
)


@dataclass(frozen=True)
class Expectations:
    """What a case's weld must satisfy (None = not checked). Units in the names; see the module docstring."""

    level: str | None = None
    quality_min: float | None = None
    path_rms_max_mm: float | None = None
    forbid: tuple[str, ...] = ()
    heat_input_kj_mm: tuple[float, float] | None = None
    completed: bool = True
    quality_tolerance: float | None = None

    @property
    def needs_golden(self) -> bool:
        return self.path_rms_max_mm is not None or self.quality_tolerance is not None


@dataclass(frozen=True)
class CaseSpec:
    """One case: the part (job, seed, placement overrides), what welds it (program or checkpoint), goldens.

    ``where`` is the ``file:line`` of the case in the suite (for messages).
    """

    name: str
    job: str
    program: Path | None
    checkpoint: Path | None
    golden: Path
    expect: Expectations
    seed: int | None = None
    placement: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    format: str | None = None
    control_hz: float = 20.0
    where: str = ""


@dataclass(frozen=True)
class SuiteSpec:
    """A parsed suite: its path, name, description and cases (in file order)."""

    path: Path
    name: str
    description: str
    cases: tuple[CaseSpec, ...]

    def case(self, name: str) -> CaseSpec:
        for c in self.cases:
            if c.name == name:
                return c
        raise ConfigError(
            f"no case {name!r} in suite {self.name}; cases: {', '.join(c.name for c in self.cases)}",
            where=str(self.path),
        )


def _load_with_lines(path: Path) -> tuple[Any, dict[str, int]]:
    """The YAML document and the 1-based line of every dotted key path (``cases[0].expect.level``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the suite: {exc.strerror}", where=str(path)) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', exc)}", where=where) from None
    lines: dict[str, int] = {}

    def walk(n: yaml.Node | None, prefix: str) -> None:
        if isinstance(n, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in n.value:
                key = str(k.value)
                sub = f"{prefix}.{key}" if prefix else key
                if key in seen:
                    raise ConfigError(f"duplicate key '{sub}'", where=f"{path}:{k.start_mark.line + 1}")
                seen.add(key)
                lines[sub] = k.start_mark.line + 1
                walk(v, sub)
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                lines[f"{prefix}[{i}]"] = item.start_mark.line + 1
                walk(item, f"{prefix}[{i}]")

    walk(node, "")
    return data, lines


class _Reader:
    def __init__(self, path: Path, lines: dict[str, int]) -> None:
        self.path = path
        self.lines = lines

    def where(self, key: str) -> str:
        probe = key
        while probe:
            if probe in self.lines:
                return f"{self.path}:{self.lines[probe]}"
            probe = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", probe)
        return str(self.path)

    def fail(self, key: str, message: str) -> NoReturn:
        raise ConfigError(f"key '{key}': {message}", where=self.where(key))

    def mapping(self, value: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, f"expected a mapping with keys {', '.join(allowed)}, got {_show(value)}")
        for k in value:
            if k not in allowed:
                close = difflib.get_close_matches(str(k), allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.fail(
                    f"{key}.{k}" if key else str(k),
                    f"unknown key{hint}; expected one of: {', '.join(allowed)}",
                )
        return value

    def number(self, value: Any, key: str, lo: float = -math.inf, hi: float = math.inf) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(key, f"expected a number, got {_show(value)}")
        if not lo <= value <= hi:
            self.fail(key, f"expected a number in [{lo:g}, {hi:g}], got {value!r}")
        return float(value)

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"expected a non-empty string, got {_show(value)}")
        return value

    def path_of(self, value: Any, key: str) -> Path:
        p = Path(self.text(value, key))
        return p if p.is_absolute() else (self.path.parent / p)


def _show(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


_EXPECT_KEYS = tuple(f.name for f in dataclasses.fields(Expectations))
_CASE_KEYS = (
    "name",
    "job",
    "seed",
    "placement",
    "program",
    "format",
    "checkpoint",
    "golden",
    "control_hz",
    "expect",
)
_DEFAULT_KEYS = ("job", "seed", "placement", "format", "control_hz", "expect")


def _expect(r: _Reader, raw: dict[str, Any], own: dict[str, Any], key: str) -> Expectations:
    """Expectations from the merged mapping `raw`; `own` holds the case's own keys, so that an error
    points at the line where the key is written (the case's ``expect`` or the suite's defaults)."""

    def at(name: str) -> str:
        return f"{key}.{name}" if name in own else f"defaults.expect.{name}"

    out: dict[str, Any] = {}
    if "level" in raw:
        if raw["level"] not in LEVELS:
            r.fail(at("level"), f"expected one of B, C, D, got {_show(raw['level'])}")
        out["level"] = raw["level"]
    if "quality_min" in raw:
        out["quality_min"] = r.number(raw["quality_min"], at("quality_min"), 0.0, 1.0)
    if "path_rms_max_mm" in raw:
        out["path_rms_max_mm"] = r.number(raw["path_rms_max_mm"], at("path_rms_max_mm"), 0.0, 1000.0)
    if "quality_tolerance" in raw:
        out["quality_tolerance"] = r.number(raw["quality_tolerance"], at("quality_tolerance"), 0.0, 1.0)
    if "forbid" in raw:
        codes = raw["forbid"]
        if not isinstance(codes, list):
            r.fail(at("forbid"), f"expected a list of ISO 6520 codes such as ['5011'], got {_show(codes)}")
        parsed = []
        for i, c in enumerate(codes):
            text = str(c) if isinstance(c, (int, str)) and not isinstance(c, bool) else ""
            if not _CODE_RE.match(text):
                r.fail(at("forbid") + f"[{i}]", f"expected an ISO 6520 code of 3-4 digits, got {_show(c)}")
            parsed.append(text)
        out["forbid"] = tuple(parsed)
    if "heat_input_kj_mm" in raw:
        hi_key = at("heat_input_kj_mm")
        rng = raw["heat_input_kj_mm"]
        if not isinstance(rng, list) or len(rng) != 2:
            r.fail(hi_key, f"expected [lo, hi] in kJ/mm, got {_show(rng)}")
        lo, hi = (r.number(v, hi_key, 0.0, 100.0) for v in rng)
        if lo > hi:
            r.fail(hi_key, f"expected lo <= hi, got [{lo:g}, {hi:g}]")
        out["heat_input_kj_mm"] = (lo, hi)
    if "completed" in raw:
        if not isinstance(raw["completed"], bool):
            r.fail(at("completed"), f"expected true or false, got {_show(raw['completed'])}")
        out["completed"] = raw["completed"]
    return Expectations(**out)


def _case(r: _Reader, raw: Any, defaults: dict[str, Any], key: str, names: set[str]) -> CaseSpec:
    raw = r.mapping(raw, key, _CASE_KEYS)
    merged = {**defaults, **raw}
    if "expect" in defaults and "expect" in raw:
        merged["expect"] = {**r.mapping(defaults["expect"], "defaults.expect", _EXPECT_KEYS), **raw["expect"]}

    def k(name: str) -> str:  # the key path as written: the case's own, else the defaults'
        return f"{key}.{name}" if name in raw else f"defaults.{name}"

    if "name" not in raw:
        r.fail(f"{key}.name", "missing; every case needs a name")
    name = r.text(raw["name"], f"{key}.name")
    if not _NAME_RE.match(name):
        r.fail(f"{key}.name", f"expected letters, digits, '_', '.', '-', got {name!r}")
    if name in names:
        r.fail(f"{key}.name", f"duplicate case name {name!r}")
    names.add(name)
    if "job" not in merged:
        r.fail(f"{key}.job", "missing; expected a WeldJob preset name or a job YAML path")
    job = r.text(merged["job"], k("job"))
    if job.endswith((".yaml", ".yml")) and not Path(job).is_absolute():
        job = str(r.path.parent / job)
    has_prog, has_ckpt = "program" in raw, "checkpoint" in raw
    if has_prog == has_ckpt:
        r.fail(key, "expected exactly one of 'program' (an exported program) or 'checkpoint' (a directory)")
    program = r.path_of(raw["program"], f"{key}.program") if has_prog else None
    checkpoint = r.path_of(raw["checkpoint"], f"{key}.checkpoint") if has_ckpt else None
    golden = (
        r.path_of(raw["golden"], f"{key}.golden")
        if "golden" in raw
        else r.path.parent / "golden" / f"{name}.golden.json"
    )
    seed = merged.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        r.fail(k("seed"), f"expected null or a non-negative integer, got {_show(seed)}")
    placement = dict(r.mapping(merged.get("placement", {}), k("placement"), _PLACEMENT_KEYS))
    fmt = merged.get("format")
    if fmt is not None:
        fmt = r.text(fmt, k("format"))
    control_hz = r.number(merged.get("control_hz", 20.0), k("control_hz"), 1.0, 1000.0)
    own_expect = r.mapping(raw.get("expect", {}), f"{key}.expect", _EXPECT_KEYS)
    merged_expect = r.mapping(merged.get("expect", {}), k("expect"), _EXPECT_KEYS)
    expect = _expect(r, merged_expect, own_expect, f"{key}.expect")
    return CaseSpec(
        name=name,
        job=job,
        program=program,
        checkpoint=checkpoint,
        golden=golden,
        expect=expect,
        seed=seed,
        placement=placement,
        format=fmt,
        control_hz=control_hz,
        where=r.where(key),
    )


def load_suite(path: PathLikeStr) -> SuiteSpec:
    """Parse and validate a suite file (module docstring); raises `ConfigError` with ``file:line``."""
    p = Path(path)
    data, lines = _load_with_lines(p)
    r = _Reader(p, lines)
    top = r.mapping(data, "", ("schema_version", "name", "description", "defaults", "cases"))
    if "schema_version" not in top:
        r.fail("schema_version", f"missing; expected schema_version: {SCHEMA_VERSION}")
    if top["schema_version"] != SCHEMA_VERSION:
        r.fail("schema_version", f"unsupported version {top['schema_version']!r}; expected {SCHEMA_VERSION}")
    name = r.text(top["name"], "name") if "name" in top else p.name.removesuffix(SUITE_SUFFIX)
    description = str(top.get("description", ""))
    defaults = dict(r.mapping(top.get("defaults", {}), "defaults", _DEFAULT_KEYS))
    cases_raw = top.get("cases")
    if not isinstance(cases_raw, list) or not cases_raw:
        r.fail("cases", f"expected a non-empty list of cases, got {_show(cases_raw)}")
    names: set[str] = set()
    cases = tuple(_case(r, c, defaults, f"cases[{i}]", names) for i, c in enumerate(cases_raw))
    return SuiteSpec(p, name, description, cases)
