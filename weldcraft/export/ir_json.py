"""WeldProgram ⇄ schema-versioned JSON (the IR's on-disk form; never a pickle).

Document layout (``"schema": "weldcraft.weld_program"``, ``"schema_version": 1``): metadata objects
(robot, tool, work_frame, base_frame, provenance, segments) and a ``points`` object of column arrays
``t_s``, ``q_rad`` (or null), ``tcp_pos_m``, ``tcp_quat_xyzw``, ``arc_on``. Numbers are fixed-point:
times to 1 µs, positions to 1 µm, quaternions and joints to 1e-9, never exponent notation.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.errors import DataError
from weldcraft.export.numfmt import fixed_table
from weldcraft.export.program import SCHEMA_VERSION, Segment, WeldProgram
from weldcraft.export.records import Pose, ProcessData, Provenance, RobotSpec, WeaveData
from weldcraft.types import FloatArray, PathLikeStr

SCHEMA_NAME = "weldcraft.weld_program"


def _number(x: float) -> str:
    if not math.isfinite(x):
        raise DataError(f"cannot write the non-finite number {x!r} to JSON")
    text = repr(float(x))
    if "e" in text or "E" in text:
        text = f"{x:.12f}".rstrip("0")
        text = text + "0" if text.endswith(".") else text
    return text


def _dump(obj: Any, indent: int = 0) -> str:
    pad = "  " * (indent + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{pad}{json.dumps(str(k))}: {_dump(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(obj, (list, tuple)):
        if all(not isinstance(v, (dict, list, tuple)) for v in obj):
            return "[" + ", ".join(_dump(v) for v in obj) + "]"
        return "[\n" + ",\n".join(pad + _dump(v, indent + 1) for v in obj) + "\n" + "  " * indent + "]"
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return json.dumps(obj)
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, float):
        return _number(obj)
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def _rows(arr: FloatArray, decimals: int, indent: int) -> str:
    pad = "  " * (indent + 1)
    rows = fixed_table(np.atleast_2d(arr), decimals, ", ")
    return "[\n" + ",\n".join(f"{pad}[{r}]" for r in rows) + "\n" + "  " * indent + "]"


def pose_to_dict(pose: Pose) -> dict[str, Any]:
    return {"position_m": list(pose.position_m), "quat_xyzw": list(pose.quat_xyzw)}


def pose_from_dict(data: dict[str, Any]) -> Pose:
    return Pose(tuple(data["position_m"]), tuple(data["quat_xyzw"]))  # type: ignore[arg-type]


def program_metadata(program: WeldProgram) -> dict[str, Any]:
    """Everything but the point arrays, as plain JSON types."""
    r = program.robot
    robot = {
        "name": r.name,
        "joint_names": list(r.joint_names),
        "joint_lower_rad": list(r.joint_lower_rad),
        "joint_upper_rad": list(r.joint_upper_rad),
        "max_joint_speed_rad_s": list(r.max_joint_speed_rad_s),
        "max_joint_accel_rad_s2": None
        if r.max_joint_accel_rad_s2 is None
        else list(r.max_joint_accel_rad_s2),
        "reach_m": r.reach_m,
        "wrist_joints": list(r.wrist_joints),
        "elbow_joint": r.elbow_joint,
        "elbow_singular_rad": r.elbow_singular_rad,
    }
    segments = []
    for s in program.segments:
        seg: dict[str, Any] = {"kind": s.kind, "start": s.start, "stop": s.stop}
        if s.process is not None:
            p = s.process
            seg["process"] = {
                "wire_feed_m_min": p.wire_feed_m_min,
                "voltage_v": p.voltage_v,
                "travel_speed_mm_s": p.travel_speed_mm_s,
                "wire_diameter_mm": p.wire_diameter_mm,
            }
        if s.weave is not None:
            w = s.weave
            seg["weave"] = {
                "pattern": w.pattern,
                "width_mm": w.width_mm,
                "frequency_hz": w.frequency_hz,
                "dwell_left_s": w.dwell_left_s,
                "dwell_centre_s": w.dwell_centre_s,
                "dwell_right_s": w.dwell_right_s,
            }
            seg["weave_in_points"] = s.weave_in_points
        segments.append(seg)
    pv = program.provenance
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "name": program.name,
        "robot": robot,
        "tool": pose_to_dict(program.tool),
        "work_frame": pose_to_dict(program.work_frame),
        "base_frame": pose_to_dict(program.base_frame),
        "provenance": {
            "weldcraft_version": pv.weldcraft_version,
            "source": pv.source,
            "config_hash": pv.config_hash,
            "source_hash": pv.source_hash,
            "created_utc": pv.created_utc,
            "extra": {k: v for k, v in pv.extra},
        },
        "segments": segments,
    }


def program_to_json(program: WeldProgram) -> str:
    """The program as a JSON document (text, trailing newline)."""
    meta = program_metadata(program)
    body = _dump(meta)[:-2]  # drop the closing "\n}"
    pts = [
        f'    "t_s": [{", ".join(fixed_table(program.t_s[:, None], 6))}]',
        '    "q_rad": null' if program.q_rad is None else f'    "q_rad": {_rows(program.q_rad, 9, 2)}',
        f'    "tcp_pos_m": {_rows(program.tcp_pos_m, 6, 2)}',
        f'    "tcp_quat_xyzw": {_rows(program.tcp_quat_xyzw, 9, 2)}',
        f'    "arc_on": [{", ".join("true" if a else "false" for a in program.arc_on)}]',
    ]
    return body + ',\n  "points": {\n' + ",\n".join(pts) + "\n  }\n}\n"


def program_from_dict(data: dict[str, Any], where: str = "<json>") -> WeldProgram:
    """Rebuild a program from a parsed JSON document; errors name `where` and the missing/bad key."""
    if data.get("schema") != SCHEMA_NAME:
        raise DataError(
            f"not a weldcraft program (schema {data.get('schema')!r}, expected {SCHEMA_NAME!r})", where=where
        )
    if data.get("schema_version") != SCHEMA_VERSION:
        raise DataError(
            f"schema_version {data.get('schema_version')!r} is not supported (expected {SCHEMA_VERSION})",
            where=where,
        )
    try:
        robot = RobotSpec(
            name=data["robot"]["name"],
            joint_names=tuple(data["robot"]["joint_names"]),
            joint_lower_rad=tuple(data["robot"]["joint_lower_rad"]),
            joint_upper_rad=tuple(data["robot"]["joint_upper_rad"]),
            max_joint_speed_rad_s=tuple(data["robot"]["max_joint_speed_rad_s"]),
            reach_m=data["robot"]["reach_m"],
            max_joint_accel_rad_s2=(
                None
                if data["robot"].get("max_joint_accel_rad_s2") is None
                else tuple(data["robot"]["max_joint_accel_rad_s2"])
            ),
            wrist_joints=tuple(data["robot"].get("wrist_joints", (3, 4, 5))),  # type: ignore[arg-type]
            elbow_joint=data["robot"].get("elbow_joint", 2),
            elbow_singular_rad=data["robot"].get("elbow_singular_rad"),
        )
        segments = []
        for s in data["segments"]:
            proc = ProcessData(**s["process"]) if s.get("process") else None
            weave = WeaveData(**s["weave"]) if s.get("weave") else None
            segments.append(
                Segment(s["kind"], s["start"], s["stop"], proc, weave, s.get("weave_in_points", True))
            )
        pv = data.get("provenance", {})
        prov = Provenance(
            weldcraft_version=pv.get("weldcraft_version", ""),
            source=pv.get("source", "unknown"),
            config_hash=pv.get("config_hash", ""),
            source_hash=pv.get("source_hash", ""),
            created_utc=pv.get("created_utc", ""),
            extra=tuple(sorted(pv.get("extra", {}).items())),
        )
        pts = data["points"]
        if not pts.get("t_s"):
            raise DataError("the program is empty: it has no motion points", where=where)
        q = pts.get("q_rad")
        return WeldProgram(
            name=data["name"],
            robot=robot,
            t_s=np.asarray(pts["t_s"], dtype=np.float64),
            q_rad=None if q is None else np.asarray(q, dtype=np.float64).reshape(len(pts["t_s"]), -1),
            tcp_pos_m=np.asarray(pts["tcp_pos_m"], dtype=np.float64).reshape(-1, 3),
            tcp_quat_xyzw=np.asarray(pts["tcp_quat_xyzw"], dtype=np.float64).reshape(-1, 4),
            arc_on=np.asarray(pts["arc_on"], dtype=bool),
            segments=tuple(segments),
            tool=pose_from_dict(data.get("tool", {"position_m": [0, 0, 0], "quat_xyzw": [0, 0, 0, 1]})),
            work_frame=pose_from_dict(
                data.get("work_frame", {"position_m": [0, 0, 0], "quat_xyzw": [0, 0, 0, 1]})
            ),
            base_frame=pose_from_dict(
                data.get("base_frame", {"position_m": [0, 0, 0], "quat_xyzw": [0, 0, 0, 1]})
            ),
            provenance=prov,
        )
    except KeyError as exc:
        raise DataError(f"missing key {exc.args[0]!r} in the program document", where=where) from None
    except TypeError as exc:
        raise DataError(f"malformed program document: {exc}", where=where) from None
    except DataError as exc:
        raise DataError(exc.message, where=where) from None


def program_from_json(text: str, where: str = "<json>") -> WeldProgram:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"invalid JSON: {exc.msg}", where=f"{where}:{exc.lineno}") from None
    if not isinstance(data, dict):
        raise DataError("a program document must be a JSON object", where=where)
    return program_from_dict(data, where)


def load_program_json(path: PathLikeStr) -> WeldProgram:
    p = Path(path)
    return program_from_json(p.read_text(encoding="utf-8"), where=str(p))


def save_program_json(program: WeldProgram, path: PathLikeStr) -> Path:
    """Write the program document atomically to `path`; returns the path."""
    from weldcraft.export.writer import write_files_atomic

    p = Path(path)
    return write_files_atomic(p.parent, {p.name: program_to_json(program)})[0]
