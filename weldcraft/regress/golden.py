"""Golden files: what a case's weld looked like when it was last accepted (JSON, schema-versioned).

A golden holds the executed TCP path (robot base frame, millimetres, one row per control step, with the
commanded arc length s), the weld's grade (ISO 5817 level, quality score, heat input, ISO 6520 codes
present) and where it came from (program SHA-256, job hash, seed, weldcraft version). Cases compare the
new path with it (`path_rms_mm`, geometric RMS from ``weldcraft.export.metrics``) and optionally the
quality score. Written atomically; numbers are rounded to 0.1 µm / 1e-6 so the files diff well.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft import __version__
from weldcraft.errors import DataError
from weldcraft.fileio import write_text_atomic
from weldcraft.regress.episode import EpisodeResult
from weldcraft.types import FloatArray

FORMAT = "weldcraft-weld-golden"
SCHEMA_VERSION = 1
_LEVELS = ("B", "C", "D", None)


@dataclass(frozen=True, eq=False)
class Golden:
    """An accepted weld of one case (module docstring).

    Attributes:
        case: the case name.
        iso5817_level / quality_score / heat_input_kj_mm: the weld's grade.
        imperfection_codes: sorted ISO 6520 codes present in the weld.
        s_mm: (K,) commanded arc length per step.
        tcp_pos_base_mm: (K, 3) executed TCP positions in the robot base frame (mm).
        source_sha256: SHA-256 of the program file (or of the checkpoint's checkpoint.json).
        job_hash: the job's config hash; seed: the part's seed (None = nominal part).
        weldcraft_version: version that wrote the golden.
    """

    case: str
    iso5817_level: str | None
    quality_score: float
    heat_input_kj_mm: float
    imperfection_codes: tuple[str, ...]
    s_mm: FloatArray
    tcp_pos_base_mm: FloatArray
    source_sha256: str
    job_hash: str
    seed: int | None
    weldcraft_version: str = __version__
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        if self.schema_version != SCHEMA_VERSION:
            raise DataError(f"golden schema version {self.schema_version} is not {SCHEMA_VERSION}")
        if self.iso5817_level not in _LEVELS:
            raise DataError(f"golden iso5817_level must be B, C, D or null, got {self.iso5817_level!r}")
        if not (isinstance(self.quality_score, (int, float)) and 0.0 <= self.quality_score <= 1.0):
            raise DataError(f"golden quality_score must be in [0, 1], got {self.quality_score!r}")
        s = np.asarray(self.s_mm, dtype=np.float64)
        pos = np.asarray(self.tcp_pos_base_mm, dtype=np.float64)
        if s.ndim != 1 or s.size < 2 or pos.shape != (s.size, 3) or not np.all(np.isfinite(pos)):
            raise DataError(
                f"golden path must be (K,) s_mm and finite (K, 3) positions, got {s.shape}, {pos.shape}"
            )
        object.__setattr__(self, "s_mm", s)
        object.__setattr__(self, "tcp_pos_base_mm", pos)
        object.__setattr__(self, "imperfection_codes", tuple(sorted(str(c) for c in self.imperfection_codes)))

    @property
    def tcp_pos_base_m(self) -> FloatArray:
        return self.tcp_pos_base_mm / 1000.0

    @classmethod
    def from_replay(
        cls, case: str, replay: EpisodeResult, source_sha256: str, job_hash: str, seed: int | None
    ) -> Golden:
        weld = replay.weld
        return cls(
            case=case,
            iso5817_level=weld["iso5817_level"],
            quality_score=float(weld["quality_score"]),
            heat_input_kj_mm=float(weld["heat_input_kj_mm"]),
            imperfection_codes=tuple({str(i["iso6520_code"]) for i in weld["imperfections"]}),
            s_mm=replay.s_mm,
            tcp_pos_base_mm=replay.tcp_pos_base_m * 1000.0,
            source_sha256=source_sha256,
            job_hash=job_hash,
            seed=seed,
        )

    def to_json(self) -> str:
        payload: dict[str, Any] = {
            "format": FORMAT,
            "schema_version": self.schema_version,
            "weldcraft_version": self.weldcraft_version,
            "case": self.case,
            "source_sha256": self.source_sha256,
            "job_hash": self.job_hash,
            "seed": self.seed,
            "weld": {
                "iso5817_level": self.iso5817_level,
                "quality_score": round(self.quality_score, 6),
                "heat_input_kj_mm": round(self.heat_input_kj_mm, 6),
                "imperfection_codes": list(self.imperfection_codes),
            },
            "path": {"frame": "robot base", "unit": "mm", "s_mm": [], "tcp_pos_base_mm": []},
        }
        # One number (s) or one point (x, y, z) per line, so that a golden diffs line by line.
        head = json.dumps(payload, indent=1)
        s_rows = ",\n   ".join(json.dumps(round(float(v), 4)) for v in self.s_mm)
        p_rows = ",\n   ".join(json.dumps([round(float(v), 4) for v in row]) for row in self.tcp_pos_base_mm)
        head = head.replace('"s_mm": []', f'"s_mm": [\n   {s_rows}\n  ]')
        head = head.replace('"tcp_pos_base_mm": []', f'"tcp_pos_base_mm": [\n   {p_rows}\n  ]')
        return head + "\n"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, or of every file of a directory in sorted order (a ROS 2 bag, a checkpoint)."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        h.update(f.relative_to(path).as_posix().encode() if path.is_dir() else b"")
        h.update(f.read_bytes())
    return h.hexdigest()


def save_golden(golden: Golden, path: Path) -> Path:
    """Write `golden` to `path` atomically (``weldcraft.fileio``)."""
    return write_text_atomic(path, golden.to_json())


def load_golden(path: Path) -> Golden:
    """Read a golden file; `DataError` naming the file when it is malformed or of another version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"cannot read the golden file: {exc.strerror}", where=str(path)) from None
    except json.JSONDecodeError as exc:
        raise DataError(f"invalid JSON: {exc.msg}", where=f"{path}:{exc.lineno}") from None
    try:
        if data.get("format") != FORMAT:
            raise DataError(f"not a weld golden file (format {data.get('format')!r}, expected {FORMAT!r})")
        if data.get("schema_version") != SCHEMA_VERSION:
            raise DataError(
                f"golden schema version {data.get('schema_version')!r}; expected {SCHEMA_VERSION}"
            )
        weld, p = data["weld"], data["path"]
        quality = float(weld["quality_score"])
        if not math.isfinite(quality):
            raise DataError("quality_score is not finite")
        return Golden(
            case=str(data["case"]),
            iso5817_level=weld["iso5817_level"],
            quality_score=quality,
            heat_input_kj_mm=float(weld["heat_input_kj_mm"]),
            imperfection_codes=tuple(weld["imperfection_codes"]),
            s_mm=np.asarray(p["s_mm"], dtype=np.float64),
            tcp_pos_base_mm=np.asarray(p["tcp_pos_base_mm"], dtype=np.float64),
            source_sha256=str(data["source_sha256"]),
            job_hash=str(data["job_hash"]),
            seed=data["seed"],
            weldcraft_version=str(data["weldcraft_version"]),
        )
    except DataError as exc:
        raise DataError(exc.message, where=str(path)) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataError(f"malformed golden file: {type(exc).__name__} {exc}", where=str(path)) from None
