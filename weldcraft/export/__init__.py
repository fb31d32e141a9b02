"""weldcraft.export: learned or recorded weld motion → validated robot programs, and back.

    WeldProgram (IR) ─ validate_program ─ prepare_program (weave, simplify) ─ split ─ emit ─ atomic write
                 ▲                                                                          │
                 └──────────── read_program ◄──── .mod | .src/.dat | .script | .ls | bag | .csv | .json

Build a program with `WeldProgram.from_samples(...)`; write it with `export_program(program, "rapid",
out_dir)`; read any written program with `read_program(path)` and `densify_program(...)` for replay.
Formats (registry `EXPORTERS`): csv, fanuc, json, krl, rapid, ros2, urscript. See docs/export.md.

From a weld to programs for several controllers at once (what `weldcraft export` / `weldcraft run` call):
`program_from_checkpoint(ckpt_dir, job, seed)`, `program_from_craftsman(job, skill, style, seed)`,
`program_from_dataset(dataset_id, episode)`, `program_from_recording(path, job)`, then
`export_weld(program, out_dir, formats, template=None, force=False) -> {format: [paths]}` (validated
against the cell's kinematics and collisions, all formats or nothing).
Importing this package does not import pybullet, torch or rosbags.
"""

from __future__ import annotations

from weldcraft.export.cell_checks import CellChecks
from weldcraft.export.controllers import CONTROLLERS, ControllerCaps, sanitize_name
from weldcraft.export.densify import densify_program
from weldcraft.export.extract import (
    program_from_checkpoint,
    program_from_craftsman,
    program_from_dataset,
    program_from_recording,
)
from weldcraft.export.formats import EXPORTERS, EmitJob, Exporter
from weldcraft.export.ir_json import load_program_json, program_from_json, program_to_json, save_program_json
from weldcraft.export.metrics import path_max_mm, path_rms_mm, synchronized_rms_mm
from weldcraft.export.pipeline import (
    ExportOptions,
    ExportResult,
    export_program,
    get_exporter,
    prepare_program,
    read_program,
    split_parts,
)
from weldcraft.export.program import SCHEMA_VERSION, Segment, WeldProgram
from weldcraft.export.records import Pose, ProcessData, Provenance, RobotSpec, WeaveData
from weldcraft.export.simplify import simplify_program
from weldcraft.export.validate import (
    CollisionCheck,
    ExportRefused,
    ForwardKinematics,
    Issue,
    ValidationOptions,
    ValidationReport,
    validate_program,
)
from weldcraft.export.weave import WeaveFit, detect_weave, superimpose_weave
from weldcraft.export.weld_export import ALL_FORMATS, WeldExport, export_weld, export_weld_results

__all__ = [
    "ALL_FORMATS",
    "CellChecks",
    "WeldExport",
    "export_weld",
    "export_weld_results",
    "program_from_checkpoint",
    "program_from_craftsman",
    "program_from_dataset",
    "program_from_recording",
    "CONTROLLERS",
    "EXPORTERS",
    "SCHEMA_VERSION",
    "CollisionCheck",
    "ControllerCaps",
    "EmitJob",
    "ExportOptions",
    "ExportRefused",
    "ExportResult",
    "Exporter",
    "ForwardKinematics",
    "Issue",
    "Pose",
    "ProcessData",
    "Provenance",
    "RobotSpec",
    "Segment",
    "ValidationOptions",
    "ValidationReport",
    "WeaveData",
    "WeaveFit",
    "WeldProgram",
    "densify_program",
    "detect_weave",
    "export_program",
    "get_exporter",
    "load_program_json",
    "path_max_mm",
    "path_rms_mm",
    "prepare_program",
    "program_from_json",
    "program_to_json",
    "read_program",
    "sanitize_name",
    "save_program_json",
    "simplify_program",
    "split_parts",
    "superimpose_weave",
    "synchronized_rms_mm",
    "validate_program",
]
