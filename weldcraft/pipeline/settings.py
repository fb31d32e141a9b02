"""The settings of one `weldcraft run`: a frozen record that validates itself (built from the CLI config).

`RunSettings` holds what every stage needs: the seam preset and its registered env id, the demonstration
counts and Craftsman, the policy preset (as its `weldcraft.policies.config` record), the evaluation size,
the export formats and the report's rendering. ``settings_from_config(cfg, policy_name)`` turns the
composed Hydra config of ``configs/run.yaml`` into it; every value error names its config key.

Seeds (the protocol of `weldcraft.policies.seeds`): demonstrations weld training seeds
``demos.seed .. demos.seed + demos.episodes - 1``; the evaluation and the report weld the first
``eval.episodes`` held-out seeds (10,000,000 + i); the shown and exported weld is held-out seam
``export.seam_index``. Same settings, same outputs (bit for bit, timings aside).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from weldcraft.errors import ConfigError

#: Every export format, in the order the report lists them (`weldcraft.export.EXPORTERS`).
ALL_FORMATS = ("rapid", "krl", "urscript", "fanuc", "ros2", "csv", "json")
SKILLS = ("novice", "competent", "master")
STYLES = ("stringer", "zigzag", "triangle", "circle")


def _positive_int(value: Any, key: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"expected an integer >= {minimum}, got {value!r}", where=f"key '{key}'")
    return int(value)


def _choice(value: Any, key: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"choose one of: {', '.join(choices)}; got {value!r}", where=f"key '{key}'")
    return str(value)


@dataclass(frozen=True)
class DemoSettings:
    """Stage 1: `episodes` Craftsman demonstrations (env seeds `seed`.., the Craftsman seeded by
    `craftsman_seed`); the same Craftsman is the reference in the evaluation and the report."""

    episodes: int = 50
    skill: str = "master"
    style: str = "zigzag"
    seed: int = 0
    craftsman_seed: int = 0

    def __post_init__(self) -> None:
        _positive_int(self.episodes, "demos.episodes")
        _choice(self.skill, "demos.skill", SKILLS)
        _choice(self.style, "demos.style", STYLES)
        _positive_int(self.seed, "demos.seed", minimum=0)
        _positive_int(self.craftsman_seed, "demos.craftsman_seed", minimum=0)
        if self.seed + self.episodes > 100_000:
            # training seeds: demonstrations below 100,000, DAgger rollouts from 100,000 (policies.seeds)
            raise ConfigError(
                f"demonstration seeds {self.seed}..{self.seed + self.episodes - 1} must stay below 100,000",
                where="key 'demos.seed'",
            )


@dataclass(frozen=True)
class EvalSettings:
    """Stage 3: the policy and the Craftsman on the first `episodes` held-out seams, `n_envs` workers."""

    episodes: int = 100
    n_envs: int = 2

    def __post_init__(self) -> None:
        _positive_int(self.episodes, "eval.episodes")
        _positive_int(self.n_envs, "eval.n_envs")


@dataclass(frozen=True)
class ExportSettings:
    """Stage 4: the policy's weld of held-out seam `seam_index` written in every format of `formats`."""

    formats: tuple[str, ...] = ALL_FORMATS
    seam_index: int = 0
    force: bool = False

    def __post_init__(self) -> None:
        formats = tuple(self.formats)
        if not formats:
            raise ConfigError("give at least one format", where="key 'export.formats'")
        for fmt in formats:
            _choice(fmt, "export.formats", ALL_FORMATS)
        if len(set(formats)) != len(formats):
            raise ConfigError(f"a format is listed twice: {list(formats)}", where="key 'export.formats'")
        object.__setattr__(self, "formats", formats)
        _positive_int(self.seam_index, "export.seam_index", minimum=0)


@dataclass(frozen=True)
class ReportSettings:
    """Stage 5: GIF frames every `frame_stride` control steps; the process-window map when asked."""

    frame_stride: int = 6
    process_window: bool = True
    process_window_resolution: int = 41

    def __post_init__(self) -> None:
        _positive_int(self.frame_stride, "report.frame_stride")
        _positive_int(self.process_window_resolution, "report.process_window_resolution", minimum=2)


@dataclass(frozen=True)
class RunSettings:
    """Everything one run needs (module docstring). `policy` is an `AlgoConfig` of weldcraft.policies."""

    seam: str
    env_id: str
    policy_name: str
    policy: Any
    demos: DemoSettings = DemoSettings()
    eval: EvalSettings = EvalSettings()
    export: ExportSettings = ExportSettings()
    report: ReportSettings = ReportSettings()
    fast: bool = False

    def __post_init__(self) -> None:
        if self.export.seam_index >= self.eval.episodes:
            raise ConfigError(
                f"the shown weld must be one of the {self.eval.episodes} evaluated seams; "
                f"got index {self.export.seam_index}",
                where="key 'export.seam_index'",
            )

    @property
    def dataset_id(self) -> str:
        """The Minari id of the run's demonstrations (under the run's own datasets folder)."""
        return f"weldcraft/{self.seam}/{self.demos.skill}-v0"


def env_id_for_seam(seam: str) -> str:
    """The registered env id that welds seam preset `seam` (ConfigError naming the choices)."""
    from weldcraft._registration import ENV_IDS

    by_seam = {job: env_id for env_id, (job, _) in ENV_IDS.items()}
    if seam not in by_seam:
        raise ConfigError(
            f"seam preset {seam!r} has no registered env; choose one of: {', '.join(sorted(by_seam))}",
            where="key 'seam'",
        )
    return by_seam[seam]


def cap_epochs(policy: Any, max_epochs: int | None) -> Any:
    """`policy` with its behaviour-cloning epochs capped at `max_epochs` (also inside DAgger / PPO)."""
    if max_epochs is None:
        return policy
    _positive_int(max_epochs, "train.max_epochs")
    if hasattr(policy, "epochs"):
        return dataclasses.replace(policy, epochs=min(int(policy.epochs), max_epochs))
    if hasattr(policy, "bc"):
        return dataclasses.replace(policy, bc=cap_epochs(policy.bc, max_epochs))
    return policy


def settings_from_config(cfg: Any, policy_name: str) -> RunSettings:
    """`RunSettings` from the composed config of ``configs/run.yaml`` (an OmegaConf DictConfig)."""
    from omegaconf import OmegaConf

    from weldcraft.policies.config import config_from_dict
    from weldcraft.seams.config import job_from_mapping, load_job

    if cfg.get("seam_file"):
        raise ConfigError(
            "`weldcraft run` welds a seam preset with a registered env; record, train and evaluate your "
            "own part with the demos/train/evaluate commands",
            where="key 'seam'",
        )
    raw_seam = OmegaConf.to_container(cfg.seam, resolve=True)
    assert isinstance(raw_seam, dict)
    seam = str(raw_seam.get("name", "?"))
    env_id = env_id_for_seam(seam)
    composed = job_from_mapping(raw_seam, source=f"seam preset '{seam}'")
    if composed.config_hash() != load_job(seam).config_hash():
        raise ConfigError(
            f"the run welds the registered preset {seam!r} as shipped; edits of seam.* keys would not reach "
            "its env (choose another preset with seam=NAME)",
            where="key 'seam'",
        )
    raw_policy = OmegaConf.to_container(cfg.policy, resolve=True)
    assert isinstance(raw_policy, dict)
    policy = config_from_dict({str(k): v for k, v in raw_policy.items()}, where="key 'policy'")
    policy = cap_epochs(policy, cfg.train.max_epochs)
    d, e, x, r = cfg.demos, cfg.eval, cfg.export, cfg.report
    return RunSettings(
        seam=seam,
        env_id=env_id,
        policy_name=policy_name,
        policy=policy,
        demos=DemoSettings(int(d.episodes), str(d.skill), str(d.style), int(d.seed), int(d.craftsman_seed)),
        eval=EvalSettings(int(e.episodes), int(e.n_envs)),
        export=ExportSettings(tuple(str(f) for f in x.formats), int(x.seam_index), bool(x.force)),
        report=ReportSettings(int(r.frame_stride), bool(r.process_window), int(r.process_window_resolution)),
        fast=bool(cfg.debug.fast),
    )
