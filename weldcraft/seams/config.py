"""WeldJob <-> YAML: a strict schema with units in key names and one-line errors naming file:line and key.

Every problem (YAML syntax, unknown or duplicate key, wrong type, value out of range, inconsistent joint)
raises `weldcraft.errors.ConfigError` whose text is one line, e.g.
``part.yaml:7: key 'joint.thickness_mm': expected a positive number of millimetres, got -3``.
Line numbers come from the PyYAML node marks (`yaml.compose`). The format is documented in docs/seams.md.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import yaml

from weldcraft.errors import ConfigError
from weldcraft.fileio import write_text_atomic
from weldcraft.seams.job import SCHEMA_VERSION, GapProfile, PartPose, PlacementErrorSpec, WeldJob
from weldcraft.seams.joint import JointKind, JointSpec, WeldingPosition
from weldcraft.seams.paths import ArcSeam, SeamPath, StraightSeam
from weldcraft.seams.section import PlateDims
from weldcraft.seams.spline import SplineSeam
from weldcraft.seams.wps import WPS
from weldcraft.types import PathLikeStr

_REQUIRED = object()
_MM = "millimetres"


class _Bad(Exception):
    """A value failed its spec; carries the 'expected ...' phrase."""


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, (int, float)):
        text = repr(value)
    else:
        text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _expected(rest: str) -> str:
    """Turn a record's 'must be in [a, b], got x' into 'expected a number in [a, b], got x'."""
    if rest.startswith("must be in "):
        return "expected a number in " + rest[len("must be in ") :]
    if rest.startswith("must be "):
        return "expected " + rest[len("must be ") :]
    return rest


def _number(value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value != value
        or abs(value) == float("inf")
    ):
        raise _Bad("")
    return float(value)


@dataclass(frozen=True)
class _Spec:
    """How to read one key: parse(value) -> python value or raise _Bad; default or _REQUIRED."""

    expected: str
    parse: Callable[[Any], Any]
    default: Any = _REQUIRED


def _num(
    expected: str,
    lo: float = -float("inf"),
    hi: float = float("inf"),
    lo_open: bool = False,
    default: Any = _REQUIRED,
) -> _Spec:
    def parse(value: Any) -> float:
        x = _number(value)
        if x < lo or x > hi or (lo_open and x == lo):
            raise _Bad("")
        return x

    return _Spec(expected, parse, default)


def _vec(n: int, expected: str, default: Any = _REQUIRED) -> _Spec:
    def parse(value: Any) -> tuple[float, ...]:
        if not isinstance(value, list) or len(value) != n:
            raise _Bad("")
        return tuple(_number(v) for v in value)

    return _Spec(expected, parse, default)


def _num_list(expected: str, lo: float, hi: float, default: Any = _REQUIRED) -> _Spec:
    def parse(value: Any) -> tuple[float, ...]:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not value:
            raise _Bad("")
        out = tuple(_number(v) for v in value)
        if any(x < lo or x > hi for x in out):
            raise _Bad("")
        return out

    return _Spec(expected, parse, default)


def _vec_list(expected: str, min_len: int) -> _Spec:
    def parse(value: Any) -> tuple[tuple[float, ...], ...]:
        if not isinstance(value, list) or len(value) < min_len:
            raise _Bad("")
        out = []
        for item in value:
            if not isinstance(item, list) or len(item) != 3:
                raise _Bad("")
            out.append(tuple(_number(v) for v in item))
        return tuple(out)

    return _Spec(expected, parse)


def _choice(choices: list[str], default: Any = _REQUIRED) -> _Spec:
    def parse(value: Any) -> str:
        if not isinstance(value, str) or value not in choices:
            raise _Bad("")
        return value

    return _Spec("one of " + ", ".join(choices), parse, default)


def _flag(expected: str, default: Any = _REQUIRED) -> _Spec:
    def parse(value: Any) -> bool:
        if not isinstance(value, bool):
            raise _Bad("")
        return value

    return _Spec(expected, parse, default)


def _text(expected: str, default: Any = _REQUIRED, allow_int: bool = False) -> _Spec:
    def parse(value: Any) -> str:
        if allow_int and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise _Bad("")
        return value

    return _Spec(expected, parse, default)


_POS_MM = f"a positive number of {_MM}"
_VEC3_M = "a list of 3 numbers (metres)"
_DIR = "a list of 3 numbers (a direction)"

_SEAM: dict[str, dict[str, _Spec]] = {
    "straight": {"start_m": _vec(3, _VEC3_M), "end_m": _vec(3, _VEC3_M), "joint_normal": _vec(3, _DIR)},
    "arc": {
        "center_m": _vec(3, _VEC3_M),
        "radius_m": _num("a positive number of metres", 0.0, lo_open=True),
        "axis": _vec(3, _DIR),
        "start_dir": _vec(3, _DIR),
        "sweep_deg": _num("a number of degrees with 0 < |sweep_deg| <= 360", -360.0, 360.0),
        "normal_tilt_deg": _num("a number of degrees in [-180, 180]", -180.0, 180.0, default=0.0),
    },
    "spline": {
        "points_m": _vec_list("a list of at least 2 points, each a list of 3 numbers (metres)", 2),
        "joint_normals": _vec_list("a list of 1 or one-per-point directions, each a list of 3 numbers", 1),
    },
}
_JOINT = {
    "kind": _choice([k.value for k in JointKind]),
    "thickness_mm": _num(_POS_MM, 0.0, lo_open=True),
    "groove_angle_deg": _num("a number of degrees in [0, 90]", 0.0, 90.0, default=0.0),
    "root_face_mm": _num(f"a non-negative number of {_MM}", 0.0, default=0.0),
    "opening_angle_deg": _num("a number of degrees in [30, 150]", 30.0, 150.0, default=90.0),
}
_PLATES = {
    "thickness_a_mm": _num(_POS_MM, 0.0, lo_open=True, default=None),
    "thickness_b_mm": _num(_POS_MM, 0.0, lo_open=True, default=None),
    "width_a_mm": _num(_POS_MM, 0.0, lo_open=True),
    "width_b_mm": _num(_POS_MM, 0.0, lo_open=True),
    "run_on_mm": _num(f"a non-negative number of {_MM}", 0.0, default=10.0),
}
_GAP = {
    "s_mm": _num_list(f"a list of strictly increasing arc lengths in {_MM}", -1e6, 1e6, default=(0.0,)),
    "gap_mm": _num_list(f"a number or list of gaps in {_MM}, each in [0, 10]", 0.0, 10.0),
}
_WPS_UNITS = {
    "wire_diameter_mm": "millimetres",
    "wire_feed_m_min": "metres per minute",
    "voltage_v": "volts",
    "travel_speed_mm_s": "millimetres per second",
    "ctwd_mm": "millimetres",
    "travel_angle_deg": "degrees",
    "work_angle_deg": "degrees",
    "arc_efficiency": "(fraction)",
    "deposition_efficiency": "(fraction)",
}
_WPS: dict[str, _Spec] = {
    name: _num(
        f"a number {unit}" if unit.startswith("(") else f"a number of {unit}", default=getattr(WPS(), name)
    )
    for name, unit in _WPS_UNITS.items()
}
_WPS["process"] = _text("an ISO 4063 process number such as '135'", default=WPS().process, allow_int=True)
_PLACEMENT = {
    "translation_std_mm": _num(f"a non-negative number of {_MM}", 0.0, default=1.0),
    "translation_max_mm": _num(f"a non-negative number of {_MM}", 0.0, default=3.0),
    "rotation_std_deg": _num("a non-negative number of degrees", 0.0, default=1.0),
    "rotation_max_deg": _num("a non-negative number of degrees", 0.0, default=2.0),
    "gap_offset_range_mm": _vec(2, f"[lo, hi] in {_MM}", default=(0.0, 0.0)),
    "gap_knot_spacing_mm": _num(_POS_MM, 0.0, lo_open=True, default=25.0),
    "drift_amplitude_mm": _num(f"a non-negative number of {_MM}", 0.0, default=0.0),
    "drift_period_s": _num("a positive number of seconds", 0.0, lo_open=True, default=60.0),
}
_POSE = {
    "position_m": _vec(3, _VEC3_M, default=(0.0, 0.0, 0.0)),
    "rpy_deg": _vec(3, "a list of 3 numbers (degrees)", default=(0.0, 0.0, 0.0)),
    "rest_on_table": _flag("true or false", default=True),
}
_TOP = [
    "schema_version",
    "name",
    "description",
    "seam",
    "joint",
    "plates",
    "position",
    "gap",
    "wps",
    "placement",
    "part_pose",
]


def _lines(node: yaml.Node, prefix: str, source: str, out: dict[str, int]) -> None:
    """Record the 1-based line of every dotted key's value; reject duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for knode, vnode in node.value:
            key = str(knode.value)
            path = f"{prefix}.{key}" if prefix else key
            if key in seen:
                raise ConfigError(
                    f"key '{path}': duplicate key", where=f"{source}:{knode.start_mark.line + 1}"
                )
            seen.add(key)
            out[path] = vnode.start_mark.line + 1
            out["@" + path] = knode.start_mark.line + 1
            _lines(vnode, path, source, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[f"{prefix}[{i}]"] = item.start_mark.line + 1
            _lines(item, f"{prefix}[{i}]", source, out)


class _Reader:
    def __init__(self, source: str, lines: dict[str, int]) -> None:
        self.source = source
        self.lines = lines

    def where(self, path: str, key_line: bool = False) -> str:
        """file:line of the key (or its value), else of the nearest enclosing key that has one."""
        line = self.lines.get(("@" if key_line else "") + path) or self.lines.get(path)
        parent = path
        while line is None and "." in parent:
            parent = parent.rsplit(".", 1)[0]
            line = self.lines.get("@" + parent)
        return f"{self.source}:{line}" if line else self.source

    def fail(self, path: str, message: str, key_line: bool = False) -> NoReturn:
        raise ConfigError(f"key '{path}': {message}", where=self.where(path, key_line))

    def section(
        self, data: Any, path: str, schema: dict[str, _Spec], extra: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail(path, f"expected a mapping with keys {', '.join(sorted(schema))}, got {_show(data)}")
        for key in data:
            if key not in schema and key not in extra:
                close = difflib.get_close_matches(str(key), list(schema), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.fail(
                    f"{path}.{key}", f"unknown key{hint}; expected one of: {', '.join(sorted(schema))}", True
                )
        out: dict[str, Any] = {}
        for key, spec in schema.items():
            if key not in data:
                if spec.default is _REQUIRED:
                    self.fail(f"{path}.{key}", f"missing; expected {spec.expected}")
                out[key] = spec.default
                continue
            try:
                out[key] = spec.parse(data[key])
            except _Bad:
                self.fail(f"{path}.{key}", f"expected {spec.expected}, got {_show(data[key])}")
        return out

    def build(self, path: str, make: Callable[[], Any], keys: dict[str, Any], raw: Any = None) -> Any:
        """Run a record constructor; map its ValueError ('field must ...') to the field's key and line."""
        raw = raw if isinstance(raw, dict) else {}
        try:
            return make()
        except ValueError as exc:
            text = str(exc)
            field_name, _, rest = text.partition(" ")
            if field_name in keys:
                if ", got " in rest and field_name in raw:
                    rest = rest.rsplit(", got ", 1)[0] + f", got {_show(raw[field_name])}"
                self.fail(f"{path}.{field_name}", _expected(rest))
            self.fail(path, text, key_line=True)


def job_from_mapping(data: Any, source: str = "<mapping>", lines: dict[str, int] | None = None) -> WeldJob:
    """Validate plain data against the schema and build the WeldJob (see module docstring for errors)."""
    r = _Reader(source, lines or {})
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping with keys {', '.join(_TOP)}, got {_show(data)}", where=source)
    for key in data:
        if key not in _TOP:
            close = difflib.get_close_matches(str(key), _TOP, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            r.fail(str(key), f"unknown key{hint}; expected one of: {', '.join(_TOP)}", True)
    for key in ("name", "seam", "joint", "plates", "position"):
        if key not in data:
            raise ConfigError(f"key '{key}': missing; a weld job needs {', '.join(_TOP[1:])}", where=source)
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION or isinstance(version, bool):
        r.fail("schema_version", f"expected {SCHEMA_VERSION}, got {_show(version)}")
    name = data["name"]
    if not isinstance(name, str):
        r.fail("name", f"expected a name (letters, digits, '_', '.', '-'), got {_show(name)}")
    description = data.get("description", "")
    if not isinstance(description, str):
        r.fail("description", f"expected a string, got {_show(description)}")

    seam_data = data["seam"]
    if not isinstance(seam_data, dict) or seam_data.get("type") not in _SEAM:
        got = seam_data.get("type") if isinstance(seam_data, dict) else seam_data
        r.fail(
            "seam.type" if isinstance(seam_data, dict) else "seam",
            f"expected one of {', '.join(_SEAM)}, got {_show(got)}",
        )
    kind = seam_data["type"]
    sv = r.section(seam_data, "seam", _SEAM[kind], extra=("type",))
    seam: SeamPath
    if kind == "straight":
        seam = r.build("seam", lambda: StraightSeam(**sv), sv, seam_data)
    elif kind == "arc":
        seam = r.build("seam", lambda: ArcSeam(**sv), sv, seam_data)
    else:
        seam = r.build("seam", lambda: SplineSeam(**sv), sv, seam_data)

    jv = r.section(data["joint"], "joint", _JOINT)
    joint = r.build(
        "joint",
        lambda: JointSpec(
            JointKind(jv["kind"]),
            jv["thickness_mm"],
            jv["groove_angle_deg"],
            jv["root_face_mm"],
            jv["opening_angle_deg"],
        ),
        jv,
        data["joint"],
    )
    pv = r.section(data["plates"], "plates", _PLATES)
    for key in ("thickness_a_mm", "thickness_b_mm"):
        pv[key] = joint.thickness_mm if pv[key] is None else pv[key]
    plates = r.build("plates", lambda: PlateDims(**pv), pv, data["plates"])
    pos = data["position"]
    if not isinstance(pos, str) or pos not in WeldingPosition.__members__:
        r.fail("position", f"expected one of {', '.join(WeldingPosition.__members__)}, got {_show(pos)}")
    gv = r.section(data.get("gap", {"gap_mm": 0.0}), "gap", _GAP)
    gap = r.build("gap", lambda: GapProfile(gv["s_mm"], gv["gap_mm"]), gv)
    wv = r.section(data.get("wps", {}), "wps", _WPS)
    wps = r.build("wps", lambda: WPS(**wv), wv, data.get("wps"))
    lv = r.section(data.get("placement", {}), "placement", _PLACEMENT)
    placement = r.build("placement", lambda: PlacementErrorSpec(**lv), lv, data.get("placement"))
    ov = r.section(data.get("part_pose", {}), "part_pose", _POSE)
    pose = r.build("part_pose", lambda: PartPose(**ov), ov, data.get("part_pose"))

    def make() -> WeldJob:
        return WeldJob(
            name, seam, joint, WeldingPosition(pos), gap, wps, placement, pose, plates, description
        )

    try:
        return make()
    except ValueError as exc:
        text = str(exc)
        if text.startswith("position "):
            r.fail("position", text.partition(" ")[2])
        if text.startswith("gap "):
            r.fail("gap.s_mm", text)
        if text.startswith("name "):
            r.fail("name", _expected(text.partition(" ")[2]))
        for sect, keys in (("plates", _PLATES), ("joint", _JOINT)):
            field_name = text.partition(" ")[0]
            if field_name in keys:
                r.fail(f"{sect}.{field_name}", _expected(text.partition(" ")[2]))
        raise ConfigError(text, where=source) from None


def job_from_yaml(path: PathLikeStr) -> WeldJob:
    """Read a WeldJob YAML file (errors: ConfigError with file:line, dotted key and what was expected)."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read weld job file: {exc.strerror or exc}", where=source) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"invalid YAML: {problem}", where=where) from None
    lines: dict[str, int] = {}
    if node is not None:
        _lines(node, "", source, lines)
    return job_from_mapping(data, source, lines)


def job_to_mapping(job: WeldJob) -> dict[str, Any]:
    """Plain-data form of a job, in schema order, every number a float."""
    seam = job.seam
    seam_map: dict[str, Any]
    if isinstance(seam, StraightSeam):
        seam_map = {
            "type": "straight",
            "start_m": list(seam.start_m),
            "end_m": list(seam.end_m),
            "joint_normal": list(seam.joint_normal),
        }
    elif isinstance(seam, ArcSeam):
        seam_map = {
            "type": "arc",
            "center_m": list(seam.center_m),
            "radius_m": seam.radius_m,
            "axis": list(seam.axis),
            "start_dir": list(seam.start_dir),
            "sweep_deg": seam.sweep_deg,
            "normal_tilt_deg": seam.normal_tilt_deg,
        }
    elif isinstance(seam, SplineSeam):
        seam_map = {
            "type": "spline",
            "points_m": [list(p) for p in seam.points_m],
            "joint_normals": [list(v) for v in seam.joint_normals],
        }
    else:
        raise TypeError(f"cannot serialise seam type {type(seam).__name__}")
    j = job.joint
    wps = {
        f.name: (getattr(job.wps, f.name) if f.name == "process" else float(getattr(job.wps, f.name)))
        for f in fields(WPS)
    }
    pl = job.placement
    return {
        "schema_version": SCHEMA_VERSION,
        "name": job.name,
        "description": job.description,
        "seam": seam_map,
        "joint": {
            "kind": j.kind.value,
            "thickness_mm": float(j.thickness_mm),
            "groove_angle_deg": float(j.groove_angle_deg),
            "root_face_mm": float(j.root_face_mm),
            "opening_angle_deg": float(j.opening_angle_deg),
        },
        "plates": {f.name: float(getattr(job.plates, f.name)) for f in fields(PlateDims)},
        "position": job.position.value,
        "gap": {"s_mm": list(job.gap.s_mm), "gap_mm": list(job.gap.gap_mm)},
        "wps": wps,
        "placement": {
            f.name: (list(getattr(pl, f.name)) if f.name == "gap_offset_range_mm" else getattr(pl, f.name))
            for f in fields(PlacementErrorSpec)
        },
        "part_pose": {
            "position_m": list(job.part_pose.position_m),
            "rpy_deg": list(job.part_pose.rpy_deg),
            "rest_on_table": job.part_pose.rest_on_table,
        },
    }


def mapping_hash(data: dict[str, Any]) -> str:
    """sha256 hex digest of canonical JSON (sorted keys, compact separators)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def job_to_yaml(job: WeldJob, path: Path | None = None) -> str:
    """YAML text of the job; written atomically (temp file in the same folder, then os.replace) to path."""
    text = yaml.safe_dump(job_to_mapping(job), sort_keys=False, default_flow_style=None, width=110)
    if path is not None:
        write_text_atomic(path, text)
    return text


def presets_dir() -> Path:
    """Folder of the presets: the package's configs/seam (weldcraft/configs links to the repo's configs/)."""
    packaged = Path(str(resources.files("weldcraft") / "configs" / "seam"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "configs" / "seam"


def preset_names() -> list[str]:
    """Names of the shipped presets (configs/seam/<name>.yaml)."""
    return sorted(p.stem for p in presets_dir().glob("*.yaml"))


def load_job(name_or_path: PathLikeStr) -> WeldJob:
    """A preset by name (`fillet_pb`, ...) or a YAML file by path."""
    text = str(name_or_path)
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or os.sep in text or "/" in text or path.exists():
        return job_from_yaml(path)
    candidate = presets_dir() / f"{text}.yaml"
    if not candidate.is_file():
        raise ConfigError(
            f"unknown seam preset {text!r}; choose one of: {', '.join(preset_names())} (or give a .yaml path)"
        )
    return job_from_yaml(candidate)
