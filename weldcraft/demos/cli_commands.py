"""`weldcraft demos ...` subcommands: record, import, teleop, info, validate, filter, split, merge.

Importing this module registers the commands in `weldcraft.cli.app.COMMANDS` and their config schemas in
Hydra's ConfigStore (each YAML `configs/demos_<name>.yaml` extends `demos_<name>_schema`, so unknown keys
and wrong types are errors). Library work lives in `weldcraft.demos`; this module only parses, calls and
prints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from weldcraft.cli.app import RunContext, command
from weldcraft.errors import UserError


@dataclass
class DemoOverrides:
    """The `demo/` config group: Craftsman settings beyond skill and style (None keeps the style's)."""

    weave_width_mm: float | None = None
    weave_frequency_hz: float | None = None
    weave_dwell_s: float | None = None


@dataclass
class DemosRecordConfig:
    """`weldcraft demos record`: Craftsman demonstrations written as a Minari dataset."""

    seam: Any = None  # the `seam` group (configs/seam/<preset>.yaml); seam=path.yaml -> seam_file
    seam_file: str | None = None
    out_dir: str | None = None  # where config.yaml goes (default outputs/<date>/<time>/)
    skill: str = "master"
    style: str = "zigzag"
    episodes: int = 10
    dataset: str = "weldcraft/fillet_pb/master-v0"
    seed: int = 0
    craftsman_seed: int = 0
    randomize: bool = True
    overwrite: bool = False
    demo: DemoOverrides = field(default_factory=DemoOverrides)


@dataclass
class DemosImportConfig:
    """`weldcraft demos import`: recordings (CSV/Parquet) replayed in the env into a Minari dataset."""

    recording: Any = None  # one path or a list [a.csv,b.parquet]
    seam: Any = None  # the `seam` group (configs/seam/<preset>.yaml); seam=path.yaml -> seam_file
    seam_file: str | None = None
    out_dir: str | None = None  # where config.yaml goes (default outputs/<date>/<time>/)
    dataset: str = "weldcraft/fillet_pb/imported-v0"
    seed: int | None = None  # None: each file's header seed (see demos/README.md)
    randomize: bool = True
    welder_id: str | None = None
    skill: str | None = None  # None: the header's skill, else "human"
    overwrite: bool = False


@dataclass
class DemosTeleopConfig:
    """`weldcraft demos teleop`: weld with the keyboard at the GUI; saved welds become a dataset."""

    seam: Any = None  # the `seam` group (configs/seam/<preset>.yaml); seam=path.yaml -> seam_file
    seam_file: str | None = None
    out_dir: str | None = None  # where config.yaml goes (default outputs/<date>/<time>/)
    dataset: str = "weldcraft/fillet_pb/teleop-v0"
    operator: str = "operator"
    seed: int = 0
    overwrite: bool = False


@dataclass
class DemosDatasetConfig:
    """`weldcraft demos info|validate`: one dataset id."""

    dataset: str = "weldcraft/fillet_pb/master-v0"


@dataclass
class DemosFilterConfig:
    """`weldcraft demos filter`: keep episodes by skill, ISO 5817 level and quality score."""

    source: str = "weldcraft/fillet_pb/master-v0"
    dataset: str = "weldcraft/fillet_pb/filtered-v0"
    skills: list[str] | None = None
    min_iso_level: str | None = None
    min_quality: float | None = None


@dataclass
class DemosSplitConfig:
    """`weldcraft demos split`: train/test by seam (no seam on both sides), seeded."""

    dataset: str = "weldcraft/fillet_pb/master-v0"
    train: str = "weldcraft/fillet_pb/master-train-v0"
    test: str = "weldcraft/fillet_pb/master-test-v0"
    test_fraction: float = 0.2
    seed: int = 0


@dataclass
class DemosMergeConfig:
    """`weldcraft demos merge`: concatenate datasets made in the same env."""

    datasets: list[str] = field(default_factory=list)
    dataset: str = "weldcraft/fillet_pb/merged-v0"


def _store_schemas() -> None:
    cs = ConfigStore.instance()
    cs.store(group="demo", name="demo_schema", node=DemoOverrides)
    for name, node in (
        ("demos_record_schema", DemosRecordConfig),
        ("demos_import_schema", DemosImportConfig),
        ("demos_teleop_schema", DemosTeleopConfig),
        ("demos_dataset_schema", DemosDatasetConfig),
        ("demos_filter_schema", DemosFilterConfig),
        ("demos_split_schema", DemosSplitConfig),
        ("demos_merge_schema", DemosMergeConfig),
    ):
        cs.store(name=name, node=node)


_store_schemas()


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True, default=str))


def _list(cfg: DictConfig, key: str) -> list[str]:
    value = cfg.get(key)
    if value is None:
        return []
    container = OmegaConf.to_container(value) if not isinstance(value, str) else [value]
    assert isinstance(container, list)
    return [str(v) for v in container]


@command("demos info", "summary of a demonstration dataset (JSON)", "demos_info", needs_out_dir=False)
def info_cmd(cfg: DictConfig, ctx: RunContext) -> int:
    from weldcraft.demos import tools

    _print_json(tools.info(str(cfg.dataset)))
    return 0


@command(
    "demos validate",
    "check a dataset: schema, NaN, lengths, metadata, env",
    "demos_validate",
    needs_out_dir=False,
)
def validate_cmd(cfg: DictConfig, ctx: RunContext) -> int:
    from weldcraft.demos import tools

    report = tools.validate(str(cfg.dataset))
    if report.ok:
        print(f"{report.dataset_id}: valid ({report.episodes} episodes)")
        return 0
    for problem in report.problems:
        print(f"{report.dataset_id}: {problem}")
    raise UserError(
        f"dataset {report.dataset_id} has {len(report.problems)} problem(s) (listed above)", where="validate"
    )


@command("demos filter", "keep episodes by skill, ISO level, quality", "demos_filter", needs_out_dir=False)
def filter_cmd(cfg: DictConfig, ctx: RunContext) -> int:
    from weldcraft.demos import tools

    skills = _list(cfg, "skills") or None
    n = tools.filter_dataset(
        str(cfg.source),
        str(cfg.dataset),
        skills=skills,
        min_iso_level=None if cfg.min_iso_level is None else str(cfg.min_iso_level),
        min_quality=None if cfg.min_quality is None else float(cfg.min_quality),
    )
    print(f"wrote {cfg.dataset}: {n} episodes")
    return 0


@command("demos split", "split a dataset by seam into train and test", "demos_split", needs_out_dir=False)
def split_cmd(cfg: DictConfig, ctx: RunContext) -> int:
    from weldcraft.demos import tools

    n_train, n_test = tools.split_by_seam(
        str(cfg.dataset),
        str(cfg.train),
        str(cfg.test),
        test_fraction=float(cfg.test_fraction),
        seed=int(cfg.seed),
    )
    print(f"wrote {cfg.train}: {n_train} episodes; {cfg.test}: {n_test} episodes (no seam in both)")
    return 0


@command("demos merge", "merge datasets made in the same env", "demos_merge", needs_out_dir=False)
def merge_cmd(cfg: DictConfig, ctx: RunContext) -> int:
    from weldcraft.demos import tools

    n = tools.merge(_list(cfg, "datasets"), str(cfg.dataset))
    print(f"wrote {cfg.dataset}: {n} episodes")
    return 0


def _make_env(cfg: DictConfig, randomize: bool, render_mode: str | None = None) -> Any:
    """The env for the configured seam, made so that the dataset stores a recoverable spec.

    A preset with a registered id (`weldcraft._registration.ENV_IDS`) is made by that id; a user's
    part (`seam_file`) by an unregistered spec `weldcraft/Custom-v0` whose kwargs hold the YAML's absolute
    path (Minari recovers it with `gymnasium.make(spec)` as long as the file stays where it is).
    """
    import gymnasium as gym
    from gymnasium.envs.registration import EnvSpec

    import weldcraft  # noqa: F401  (registers the env ids)
    from weldcraft._registration import ENTRY_POINT, ENV_IDS
    from weldcraft.envs.weld_cell_env import default_max_episode_steps
    from weldcraft.seams import load_job

    kwargs: dict[str, Any] = {}
    if not randomize:
        kwargs["randomization"] = {"enabled": False}
    if render_mode is not None:
        kwargs["render_mode"] = render_mode
    if cfg.get("seam_file"):
        path = str(Path(str(cfg.seam_file)).resolve())
        job = load_job(path)
        spec = EnvSpec(
            id="weldcraft/Custom-v0",
            entry_point=ENTRY_POINT,
            kwargs={"job": path},
            max_episode_steps=default_max_episode_steps(job),
        )
        return gym.make(spec, **kwargs)
    name = str(cfg.seam.name)
    by_job = {job: env_id for env_id, (job, _) in ENV_IDS.items()}
    if name not in by_job:
        raise UserError(
            f"seam preset {name!r} has no registered env; choose one of: {sorted(by_job)}", where="seam"
        )
    return gym.make(by_job[name], **kwargs)


def _seam_name(cfg: DictConfig) -> str:
    return Path(str(cfg.seam_file)).stem if cfg.get("seam_file") else str(cfg.seam.name)


@command("demos record", "Craftsman demonstrations into a Minari dataset", "demos_record")
def record_cmd(cfg: DictConfig, ctx: RunContext) -> int:
    from weldcraft.demos import dataset as ds
    from weldcraft.demos.craftsman.policy import Craftsman, resolve_style
    from weldcraft.demos.craftsman.skills import SKILLS
    from weldcraft.demos.rollout import craftsman_episode

    if int(cfg.episodes) < 1:
        raise UserError(f"episodes must be >= 1, got {cfg.episodes}", where="episodes")
    ds.check_dataset_id(str(cfg.dataset))
    if ds.dataset_exists(str(cfg.dataset)) and not bool(cfg.overwrite):
        raise UserError(
            f"dataset {cfg.dataset} already exists; pass overwrite=true or a new id", where="dataset"
        )
    skill = SKILLS.get(str(cfg.skill))
    style = resolve_style(
        str(cfg.style), cfg.demo.weave_width_mm, cfg.demo.weave_frequency_hz, cfg.demo.weave_dwell_s
    )
    craftsman = Craftsman(
        skill, style, seed=int(cfg.craftsman_seed), welder_id=f"craftsman-{cfg.skill}-{cfg.craftsman_seed}"
    )
    craftsman.skill_name, craftsman.style_name = str(cfg.skill), str(cfg.style)
    env = _make_env(cfg, bool(cfg.randomize))
    try:
        episodes = []
        for k in range(int(cfg.episodes)):
            demo = craftsman_episode(env, craftsman, int(cfg.seed) + k, seam_name=_seam_name(cfg))
            episodes.append(demo.episode)
            m = demo.episode.metadata
            print(
                f"episode {k + 1}/{cfg.episodes}: seed {m.seed} level {m.iso_level} q {m.quality_score:.3f}"
            )
        ds.write_dataset(
            str(cfg.dataset),
            episodes,
            env,
            description=f"Craftsman {cfg.skill}/{cfg.style} on {_seam_name(cfg)}, seeds {cfg.seed}+",
            provenance=ctx.meta(),
            overwrite=bool(cfg.overwrite),
        )
    finally:
        env.close()
    levels = [ep.metadata.iso_level for ep in episodes]
    counts = ", ".join(f"{lv or 'none'} {levels.count(lv)}" for lv in ("B", "C", "D", None))
    print(f"wrote {cfg.dataset}: {len(episodes)} episodes; levels: {counts}")
    return 0


@command("demos import", "replay recordings (CSV/Parquet) into a Minari dataset", "demos_import")
def import_cmd(cfg: DictConfig, ctx: RunContext) -> int:
    from weldcraft.demos import dataset as ds
    from weldcraft.demos.importer import import_recording

    paths = _list(cfg, "recording")
    if not paths:
        raise UserError(
            "no recording given; pass recording=PATH or recording=[A.csv,B.parquet]", where="recording"
        )
    ds.check_dataset_id(str(cfg.dataset))
    if ds.dataset_exists(str(cfg.dataset)) and not bool(cfg.overwrite):
        raise UserError(
            f"dataset {cfg.dataset} already exists; pass overwrite=true or a new id", where="dataset"
        )
    env = _make_env(cfg, bool(cfg.randomize))
    try:
        episodes = []
        for k, path in enumerate(paths):
            seed = None if cfg.seed is None else int(cfg.seed) + k
            ep = import_recording(
                path, env, seed=seed, welder_id=cfg.welder_id, skill=cfg.skill, default_seed=k
            )
            episodes.append(ep)
            m = ep.metadata
            print(f"{path}: {ep.n_steps} steps, level {m.iso_level}, quality {m.quality_score:.3f}")
        ds.write_dataset(
            str(cfg.dataset),
            episodes,
            env,
            description=f"recordings on {_seam_name(cfg)}: {', '.join(paths)}",
            algorithm_name="weldcraft.import",
            provenance=ctx.meta(),
            overwrite=bool(cfg.overwrite),
        )
    finally:
        env.close()
    print(f"wrote {cfg.dataset}: {len(episodes)} episodes")
    return 0


@command("demos teleop", "weld with the keyboard at the pybullet GUI", "demos_teleop")
def teleop_cmd(cfg: DictConfig, ctx: RunContext) -> int:
    from weldcraft.demos import dataset as ds
    from weldcraft.demos.teleop import KEY_HELP, PybulletKeySource, TeleopSession, session_summary

    ds.check_dataset_id(str(cfg.dataset))
    env = _make_env(cfg, True, render_mode="human")
    try:
        e = env.unwrapped
        session = TeleopSession(
            env,
            PybulletKeySource(e.client_id),
            operator_id=str(cfg.operator),
            seam=_seam_name(cfg),
            first_seed=int(cfg.seed),
            dt_s=e.dt,
        )
        print(KEY_HELP)
        saved = session.run()
        _print_json(session_summary(session))
        if saved:
            ds.write_dataset(
                str(cfg.dataset),
                saved,
                env,
                description=f"keyboard teleop by {cfg.operator} on {_seam_name(cfg)}",
                algorithm_name="weldcraft.teleop",
                provenance=ctx.meta(),
                overwrite=bool(cfg.overwrite),
            )
            print(f"wrote {cfg.dataset}: {len(saved)} episodes")
    finally:
        env.close()
    return 0
