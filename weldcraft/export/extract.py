"""Extraction: a WeldProgram from a policy checkpoint, a Craftsman rollout, or a demonstration episode.

Every extractor welds the seam in the cell (`weldcraft.envs.WeldCellEnv`, through the rollout helpers of
`weldcraft.regress.replay`) and records, per control step, the joints and the TCP pose the robot reached
(robot base frame, metres, quaternion [x, y, z, w]), arc on from the seam start to its end, the WPS as
process data, the cell robot's limits and the torch TCP as tool (`weldcraft.regress.program_from_trace`).
A rollout that does not complete the seam (collision, lost seam, unreachable) is refused with a
`DataError`: there is no complete weld to write.

* checkpoint: the policy (deterministic, the checkpoint's frame history and env arguments) on the job
  given (default: the checkpoint's seam) and `seed`; provenance source hash: SHA-256 of the checkpoint.
* craftsman: `weldcraft.demos.Craftsman(skill, style)` (sees the true seam, as `demos record` does) on
  the job and `seed`.
* dataset: an episode's recorded actions, replayed in the dataset's env with the episode's seed; source
  hash: ``<dataset id>#<episode>:<SHA-256 of its actions>``.
* recording: a CSV/Parquet recording imported as `demos import` does, its actions replayed on the job;
  source hash: SHA-256 of the file.

A dataset replay is checked against the joints the dataset recorded (`infos["q_rad"]`, within 1e-6 rad):
a replay that diverges (another weldcraft version, a moved seam file) is refused.

Importing this module is cheap: pybullet, torch and Minari are imported when an extractor runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.errors import DataError, UserError
from weldcraft.export.program import WeldProgram
from weldcraft.export.records import Provenance
from weldcraft.types import PathLikeStr

#: Default control rate of the cell (Hz), as the env registrations use.
DEFAULT_CONTROL_HZ = 20.0
#: Largest joint difference (rad) between a dataset episode's recorded joints and their replay.
REPLAY_Q_TOL_RAD = 1e-6


def program_name_for(text: str) -> str:
    """A program name from a job name: characters other than letters, digits and '_' become '_'."""
    out = re.sub(r"[^A-Za-z0-9_]", "_", text.strip()) or "weld"
    return out if out[0].isalpha() else "w" + out


def params_hash(params: dict[str, Any]) -> str:
    """SHA-256 (first 16 hex digits) of the canonical JSON of extraction parameters (a config hash)."""
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _provenance(source: str, source_hash: str, config_hash: str, params: dict[str, Any]) -> Provenance:
    extra = tuple((k, "" if v is None else str(v)) for k, v in params.items())
    return Provenance(
        source=source,
        config_hash=config_hash or params_hash(params),
        source_hash=source_hash,
        created_utc="",  # the same inputs give byte-identical programs
        extra=extra,
    )


def _load_job(job: Any) -> Any:
    from weldcraft.seams import WeldJob, load_job

    return job if isinstance(job, WeldJob) else load_job(str(job))


def program_from_checkpoint(
    ckpt_dir: PathLikeStr,
    job: Any = None,
    seed: int | None = None,
    control_hz: float | None = None,
    *,
    name: str | None = None,
    config_hash: str = "",
) -> WeldProgram:
    """Run a policy checkpoint (deterministic actions) on a WeldJob and record its weld as a program.

    Args:
        ckpt_dir: the checkpoint folder (or the training run folder holding `checkpoint/`).
        job: a `WeldJob`, a preset name or a job YAML path; default: the seam the checkpoint was trained on.
        seed: None = the part exactly as programmed; an int = placement, gap and drift drawn with it.
        control_hz: the cell's control rate; default the checkpoint's env setting, else 20 Hz.
        name: program name (default: the job's name with '_' for other characters).
        config_hash: the resolved config's hash (the CLI passes its own); default: a hash of the arguments.

    Raises:
        UserError: no checkpoint there, or one trained on an env that is not a weldcraft cell.
        DataError: the policy did not complete the seam.
    """
    from weldcraft.regress.golden import file_sha256
    from weldcraft.regress.replay import program_from_trace, run_actions
    from weldcraft.regress.runner import policy_controller

    ctl = policy_controller(ckpt_dir, where="checkpoint")
    if job is None:
        if ctl.job_name is None:
            raise UserError("the checkpoint names no seam; pass one (seam=...)", where="seam")
        job = ctl.job_name
    weld_job = _load_job(job)
    hz = float(control_hz if control_hz is not None else ctl.env_kwargs.get("control_hz", DEFAULT_CONTROL_HZ))
    result, trace = run_actions(
        weld_job, ctl.act, seed=seed, control_hz=hz, wrap=ctl.wrap, env_kwargs=ctl.env_kwargs
    )
    root = Path(ckpt_dir)
    root = root / "checkpoint" if (root / "checkpoint" / "checkpoint.json").is_file() else root
    params = {
        "source": "checkpoint",
        "checkpoint": str(root),
        "policy": ctl.checkpoint.policy_name,
        "job": weld_job.name,
        "job_hash": weld_job.config_hash(),
        "seed": seed,
        "control_hz": hz,
    }
    prov = _provenance(f"checkpoint {ctl.checkpoint.policy_name}", file_sha256(root), config_hash, params)
    return program_from_trace(trace, result, name=name or program_name_for(weld_job.name), provenance=prov)


def program_from_craftsman(
    job: Any,
    skill: str = "master",
    style: str = "zigzag",
    seed: int | None = None,
    *,
    craftsman_seed: int = 0,
    control_hz: float = DEFAULT_CONTROL_HZ,
    name: str | None = None,
    config_hash: str = "",
) -> WeldProgram:
    """Weld `job` with the scripted Craftsman (as `weldcraft demos record` does) and record the program.

    Args:
        job: a `WeldJob`, a preset name or a job YAML path.
        skill: "master", "competent" or "novice" (hand noise, `weldcraft.demos.craftsman.skills`).
        style: "stringer", "zigzag", "triangle" or "circle" (weave, `weldcraft.demos.craftsman.styles`).
        seed: the part (None: as programmed; an int: randomized placement with that seed).
        craftsman_seed: seeds the Craftsman's own hand (tremor, drift).
        control_hz / name / config_hash: as in `program_from_checkpoint`.

    The cell runs with the seam tracker on (the env default that demonstrations are recorded with).
    """
    from weldcraft.demos.craftsman.policy import Craftsman
    from weldcraft.regress.replay import program_from_trace, run_actions

    weld_job = _load_job(job)
    craftsman = Craftsman(skill, style, seed=craftsman_seed)
    cell: dict[str, Any] = {}

    def wrap(env: Any) -> Any:
        cell["env"] = env
        return env

    def act(k: int, _obs: np.ndarray) -> np.ndarray:
        env = cell["env"]
        if k == 0:
            craftsman.begin(env)
        return np.asarray(craftsman.act(env), dtype=np.float64)

    result, trace = run_actions(
        weld_job, act, seed=seed, control_hz=control_hz, wrap=wrap, env_kwargs={"seam_tracking": True}
    )
    params = {
        "source": "craftsman",
        "skill": skill,
        "style": style,
        "craftsman_seed": craftsman_seed,
        "job": weld_job.name,
        "job_hash": weld_job.config_hash(),
        "seed": seed,
        "control_hz": control_hz,
    }
    prov = _provenance(f"craftsman {skill}/{style}", "", config_hash, params)
    return program_from_trace(trace, result, name=name or program_name_for(weld_job.name), provenance=prov)


def _replay_actions(
    env: Any, actions: np.ndarray, seed: int | None, options: dict[str, Any] | None
) -> tuple[Any, Any]:
    """Step `env` (a gym-made cell) with recorded actions (T, 5); returns (result, trace)."""
    from weldcraft.regress.replay import roll_env

    n = int(actions.shape[0])

    def act(k: int, _obs: np.ndarray) -> np.ndarray:
        if k >= n:
            raise DataError(f"the episode has {n} actions but its replay did not end after them")
        return np.asarray(actions[k], dtype=np.float64)

    result, trace = roll_env(env.unwrapped, act, stepper=env, reset_seed=seed, reset_options=options)
    if len(trace.t) - 1 != n:
        raise DataError(
            f"the replay ended after {len(trace.t) - 1} of the episode's {n} steps "
            f"({result.termination_reason}); the episode does not reproduce in this cell"
        )
    return result, trace


def _reset_options(env: Any, seed: int | None, frame: Any) -> dict[str, Any] | None:
    """How an episode without a seed was reset: world-frame recordings weld the part as programmed."""
    if seed is not None:
        return None
    if frame == "world":
        from weldcraft.envs.seam_world import nominal_realization

        return {"realization": nominal_realization(env.unwrapped.job)}
    raise DataError("the episode records no seed; its part cannot be reproduced")


def program_from_dataset(
    dataset_id: str, episode: int = 0, *, name: str | None = None, config_hash: str = ""
) -> WeldProgram:
    """Replay episode `episode` of a Minari demo dataset in its env and record it as a program.

    The env is the one the dataset stores (Minari's env spec: seam, randomization, tracker), reset with
    the episode's seed; its recorded actions are replayed and the reached joints checked against the
    dataset's `infos["q_rad"]`. Works for Craftsman, teleoperated and imported-recording datasets.

    Raises:
        UserError: no such dataset, or episode out of range. DataError: the replay diverges.
    """
    import gymnasium as gym

    import weldcraft  # noqa: F401  (registers the env ids)
    from weldcraft.demos import dataset as ds
    from weldcraft.regress.replay import program_from_trace

    data = ds.load(dataset_id)
    total = int(data.total_episodes)
    if not 0 <= episode < total:
        raise UserError(
            f"episode {episode} is out of range; {dataset_id} has episodes 0..{total - 1}", where="episode"
        )
    meta = ds.episode_metadata(data)[episode]
    ep = data[episode]
    actions = np.asarray(ep.actions, dtype=np.float64)
    env_spec = data.spec.env_spec
    if env_spec is None:
        raise DataError(f"dataset {dataset_id} stores no env spec; it cannot be replayed", where="dataset")
    env = gym.make(env_spec)
    try:
        options = _reset_options(env, meta.seed, meta.extra.get("frame"))
        result, trace = _replay_actions(env, actions, meta.seed, options)
    finally:
        env.close()
    q_rec = (ep.infos or {}).get("q_rad")
    if q_rec is not None:
        q_rec = np.asarray(q_rec, dtype=np.float64)
        q_now = np.asarray(trace.q)
        if q_rec.shape != q_now.shape or float(np.max(np.abs(q_rec - q_now))) > REPLAY_Q_TOL_RAD:
            dev = float(np.max(np.abs(q_rec - q_now))) if q_rec.shape == q_now.shape else float("inf")
            raise DataError(
                f"episode {episode} does not reproduce: its replay reaches joints up to {dev:.3g} rad away "
                f"from the recorded ones (tolerance {REPLAY_Q_TOL_RAD:g})",
                where=f"dataset {dataset_id}",
            )
    job = env.unwrapped.job
    digest = hashlib.sha256(actions.astype("<f8").tobytes()).hexdigest()
    params = {
        "source": "dataset",
        "dataset": dataset_id,
        "episode": episode,
        "job": job.name,
        "job_hash": job.config_hash(),
        "seed": meta.seed,
        "welder": meta.welder_id,
    }
    prov = _provenance(
        f"dataset {dataset_id}#{episode}", f"{dataset_id}#{episode}:{digest}", config_hash, params
    )
    return program_from_trace(trace, result, name=name or program_name_for(job.name), provenance=prov)


def program_from_recording(
    path: PathLikeStr,
    job: Any,
    seed: int | None = None,
    *,
    name: str | None = None,
    config_hash: str = "",
) -> WeldProgram:
    """Import a CSV/Parquet recording (as `weldcraft demos import`) on `job` and record it as a program.

    The recording is turned into the cell's actions by `weldcraft.demos.importer.import_recording` (the
    part: `seed`, else the file's header seed, else as programmed for world-frame recordings), then those
    actions are replayed in a fresh cell and recorded.
    """
    from weldcraft.demos.importer import import_recording
    from weldcraft.envs.weld_cell_env import WeldCellEnv, default_max_episode_steps
    from weldcraft.regress.golden import file_sha256
    from weldcraft.regress.replay import program_from_trace

    weld_job = _load_job(job)
    p = Path(path)
    if not p.is_file():
        raise DataError("no such recording file", where=str(p))

    def make() -> Any:
        return WeldCellEnv(weld_job, max_episode_steps=default_max_episode_steps(weld_job))

    env = make()
    try:
        episode = import_recording(p, env, seed=seed)
    finally:
        env.close()
    meta = episode.metadata
    env = make()
    try:
        options = _reset_options(env, meta.seed, meta.extra.get("frame"))
        result, trace = _replay_actions(
            env, np.asarray(episode.actions, dtype=np.float64), meta.seed, options
        )
    finally:
        env.close()
    params = {
        "source": "recording",
        "recording": str(p),
        "job": weld_job.name,
        "job_hash": weld_job.config_hash(),
        "seed": meta.seed,
    }
    prov = _provenance(f"recording {p.name}", file_sha256(p), config_hash, params)
    return program_from_trace(trace, result, name=name or program_name_for(weld_job.name), provenance=prov)
