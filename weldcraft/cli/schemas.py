"""Dataclass schemas of every config group and command config (STYLE: unknown keys are errors).

Each YAML file under `configs/` starts its defaults list with the schema it extends, so Hydra merges it
onto a typed structured config: a typo in a YAML key or an override, or a wrong type, fails composition.
Derived values are code, never interpolations that compute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore

_REGISTERED = False


@dataclass
class ProcessOverrides:
    """Overrides of the WeldJob's WPS; None keeps the job's value. Units in the key names."""

    wire_feed_m_min: float | None = None
    voltage_v: float | None = None
    travel_speed_mm_s: float | None = None
    ctwd_mm: float | None = None
    travel_angle_deg: float | None = None
    work_angle_deg: float | None = None


@dataclass
class DebugConfig:
    """Knobs that make a run small and fast (the `debug=fast` preset); defaults are a full run."""

    fast: bool = False


@dataclass
class SweepConfig:
    """The grid of the ISO 5817 level map: travel speed x CTWD, [low, high] each, `resolution` per axis."""

    travel_speed_mm_s: list[float] = field(default_factory=lambda: [2.0, 14.0])
    ctwd_mm: list[float] = field(default_factory=lambda: [8.0, 30.0])
    resolution: int = 61


@dataclass
class SweepCommandConfig:
    """`weldcraft sweep`: grade a weld over travel speed x CTWD.

    `seam` is the config group of WeldJob presets (configs/seam/); `seam=path/to/part.yaml` loads your own
    part instead (it becomes `seam_file`). `process.*` overrides the job's WPS.
    """

    seam: Any = None
    seam_file: str | None = None
    out_dir: str | None = None
    sweep: SweepConfig = field(default_factory=SweepConfig)
    process: ProcessOverrides = field(default_factory=ProcessOverrides)
    debug: DebugConfig = field(default_factory=DebugConfig)


@dataclass
class RunDemosConfig:
    """`weldcraft run` stage 1: Craftsman demonstrations (env seeds `seed` .. `seed + episodes - 1`)."""

    episodes: int = 50
    skill: str = "master"
    style: str = "zigzag"
    seed: int = 0
    craftsman_seed: int = 0


@dataclass
class RunTrainConfig:
    """`weldcraft run` stage 2: `max_epochs` caps the policy's BC epochs (null: the preset's own)."""

    max_epochs: int | None = None


@dataclass
class RunEvalConfig:
    """`weldcraft run` stage 3: held-out seams 10,000,000 .. + episodes - 1 on `n_envs` workers."""

    episodes: int = 100
    n_envs: int = 2


@dataclass
class RunExportConfig:
    """`weldcraft run` stage 4: formats of the policy's weld of held-out seam `seam_index`."""

    formats: list[str] = field(
        default_factory=lambda: ["rapid", "krl", "urscript", "fanuc", "ros2", "csv", "json"]
    )
    seam_index: int = 0
    force: bool = False


@dataclass
class RunReportConfig:
    """`weldcraft run` stage 5: GIF frame every `frame_stride` control steps; the process-window map."""

    frame_stride: int = 6
    process_window: bool = True
    process_window_resolution: int = 41


@dataclass
class RunConfig:
    """`weldcraft run`: demos -> train -> held-out evaluation -> export -> report, on embedded defaults.

    `seam` is a preset of the `seam` group with a registered env; `policy` a preset of the `policy` group.
    """

    seam: Any = None
    seam_file: str | None = None
    policy: Any = None
    out_dir: str | None = None
    demos: RunDemosConfig = field(default_factory=RunDemosConfig)
    train: RunTrainConfig = field(default_factory=RunTrainConfig)
    eval: RunEvalConfig = field(default_factory=RunEvalConfig)
    export: RunExportConfig = field(default_factory=RunExportConfig)
    report: RunReportConfig = field(default_factory=RunReportConfig)
    debug: DebugConfig = field(default_factory=DebugConfig)


@dataclass
class TrainCommandConfig:
    """`weldcraft train policy=NAME dataset=ID out=DIR`; `policy` is the group configs/policy/."""

    policy: Any = None
    dataset: str | None = None
    out: str | None = None
    video: bool = True
    debug: DebugConfig = field(default_factory=DebugConfig)


@dataclass
class DemonstratorConfig:
    """The Craftsman the policy is compared with (skill: master|competent|novice|none)."""

    skill: str | None = "master"
    style: str = "zigzag"


@dataclass
class EvaluateCommandConfig:
    """`weldcraft evaluate checkpoint=DIR episodes=N [seam=...]`: held-out seeds, policy vs demonstrator."""

    checkpoint: str | None = None
    episodes: int = 100
    n_envs: int = 2
    seam: Any = None
    seam_file: str | None = None
    out: str | None = None
    demonstrator: DemonstratorConfig = field(default_factory=DemonstratorConfig)
    process: ProcessOverrides = field(default_factory=ProcessOverrides)
    debug: DebugConfig = field(default_factory=DebugConfig)


@dataclass
class ToleranceConfig:
    """Simplification tolerance for Cartesian controllers (position mm, orientation deg, at the same time)."""

    position_mm: float = 0.1
    orientation_deg: float = 0.1


@dataclass
class ExportCommandConfig:
    """`weldcraft export`: a weld (checkpoint, Craftsman, dataset episode, recording or program file) to
    robot programs, validated in the cell. `source` null picks it from the keys given (checkpoint,
    dataset, recording, program, else craftsman). `format` (one) is the DESIGN §8 form of `formats`."""

    source: str | None = None
    checkpoint: str | None = None
    dataset: str | None = None
    episode: int = 0
    recording: str | None = None
    program: str | None = None
    skill: str = "master"
    style: str = "zigzag"
    craftsman_seed: int = 0
    seam: Any = None
    seam_file: str | None = None
    seed: int | None = None
    control_hz: float | None = None
    formats: list[str] = field(
        default_factory=lambda: ["rapid", "krl", "urscript", "fanuc", "ros2", "csv", "json"]
    )
    format: str | None = None
    name: str | None = None
    out: str | None = None
    template: str | None = None
    force: bool = False
    cell_checks: bool = True
    fidelity_tol_mm: float = 0.5
    tolerance: ToleranceConfig = field(default_factory=ToleranceConfig)
    process: ProcessOverrides = field(default_factory=ProcessOverrides)


@dataclass
class ReplayCommandConfig:
    """`weldcraft replay program=FILE seam=...`: run a program of any format in the cell and grade it."""

    program: str | None = None
    format: str | None = None
    template: str | None = None
    seam: Any = None
    seam_file: str | None = None
    seed: int | None = None
    control_hz: float = 20.0
    out: str | None = None
    process: ProcessOverrides = field(default_factory=ProcessOverrides)


@dataclass
class RegressCommandConfig:
    """`weldcraft regress suite=PATH [update=true] [cases=[a,b]]`: weld regression suite."""

    suite: str | None = None
    update: bool = False
    cases: list[str] = field(default_factory=list)
    out: str | None = None


def register_all() -> None:
    """Put every schema into Hydra's ConfigStore (idempotent)."""
    global _REGISTERED
    if _REGISTERED:
        return
    cs = ConfigStore.instance()
    cs.store(group="process", name="process_schema", node=ProcessOverrides)
    cs.store(group="debug", name="debug_schema", node=DebugConfig)
    cs.store(name="sweep_schema", node=SweepCommandConfig)
    cs.store(name="run_schema", node=RunConfig)
    cs.store(name="train_schema", node=TrainCommandConfig)
    cs.store(name="evaluate_schema", node=EvaluateCommandConfig)
    cs.store(name="export_schema", node=ExportCommandConfig)
    cs.store(name="replay_schema", node=ReplayCommandConfig)
    cs.store(name="regress_schema", node=RegressCommandConfig)
    from weldcraft.policies.config import register_hydra_schemas

    register_hydra_schemas()
    _REGISTERED = True
