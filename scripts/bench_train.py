"""Benchmark: behaviour cloning with history, from demonstrations to an evaluated checkpoint (JSON).

Measures, in one process:

* BC training throughput (samples/s) of weldcraft's trainer (SB3 ActorCriticPolicy, Gaussian NLL, entropy,
  L2) and of a bare PyTorch baseline (same MLP widths, MSE, Adam, same batches) on the same data; their
  ratio is the trainer's overhead;
* the wall time of ``train(policy, dataset)`` for `--episodes` demonstrations (issue 5 target: BC with
  history from 50 master demos on FilletPB in ≤ 300 s on the 2-core machine);
* the trained policy and the demonstrator side by side on `--eval-episodes` held-out seeds.

The welding env is used when ``--env-id`` is registered and ``--oracle`` is available (or ``--dataset`` is
given); otherwise the script falls back to the toy weave env and its oracle and says so in ``env_source``.

    PYTHONPATH=. python scripts/bench_train.py [--env-id weldcraft/FilletPB-v0] [--dataset ID]
        [--oracle craftsman] [--policy bc_history[,dagger]] [--episodes 50] [--eval-episodes 100] [--n-envs 2]

``--policy`` takes a comma-separated list: every policy trains on the same demonstrations and is evaluated
on the same held-out seeds as the demonstrator (evaluated once); the JSON then has one entry per policy
under ``runs``. The 1-minute load average before and after each training run is reported, since the
machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from typing import Any

import numpy as np
import torch

from weldcraft.policies.config import BCConfig, bc_config_of, load_policy_config
from weldcraft.policies.data import build_demonstrations, load_minari, select_episodes
from weldcraft.policies.evaluate import compare, evaluate, evaluate_oracle
from weldcraft.policies.oracle import ORACLES
from weldcraft.policies.rollout import ensure_registered
from weldcraft.policies.seeds import held_out_seeds
from weldcraft.policies.toy_data import record_oracle_dataset
from weldcraft.policies.toy_envs import WEAVE_ENV_ID
from weldcraft.policies.train import train

TARGET_TRAIN_S = 300.0


def _choose_env(args: argparse.Namespace) -> tuple[str, str, str | None, str]:
    """(env id, oracle name, dataset id or None, source description)."""
    import gymnasium as gym

    ensure_registered()
    if args.dataset:
        return args.env_id, args.oracle, args.dataset, "weld (given dataset)"
    if args.env_id in gym.registry and args.oracle in ORACLES:
        return args.env_id, args.oracle, None, "weld (demos recorded by the oracle)"
    missing = (
        "env not registered" if args.env_id not in gym.registry else f"oracle {args.oracle!r} not registered"
    )
    return WEAVE_ENV_ID, "toy_weave", None, f"toy-fallback ({args.env_id}: {missing})"


def _throughput(demos: Any, cfg: BCConfig, epochs: int) -> tuple[float, float]:
    """Samples/s of weldcraft's BC and of a bare PyTorch MSE loop on the same data and batch size."""
    from gymnasium import spaces

    from weldcraft.policies.bc import train_bc
    from weldcraft.policies.network import ObsNormalization, build_policy

    dim, act_dim = demos.observations.shape[1], demos.actions.shape[1]
    obs_space = spaces.Box(-np.inf, np.inf, shape=(dim,), dtype=np.float32)
    act_space = spaces.Box(-1.0, 1.0, shape=(act_dim,), dtype=np.float32)
    short = BCConfig(**{**cfg.__dict__, "epochs": epochs})
    policy = build_policy(obs_space, act_space, cfg.net, ObsNormalization.fit(demos.observations), seed=0)
    ours = train_bc(policy, demos, short).samples_per_s

    layers: list[torch.nn.Module] = []
    width = dim
    for hidden in cfg.net.pi:
        layers += [torch.nn.Linear(width, hidden), torch.nn.Tanh()]
        width = hidden
    net = torch.nn.Sequential(*layers, torch.nn.Linear(width, act_dim))
    opt = torch.optim.Adam(net.parameters(), lr=cfg.learning_rate)
    x, y = torch.as_tensor(demos.observations), torch.as_tensor(demos.actions)
    gen = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), cfg.batch_size):
            idx = perm[i : i + cfg.batch_size]
            loss = ((net(x[idx]) - y[idx]) ** 2).mean()
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
    baseline = epochs * len(x) / (time.perf_counter() - start)
    return ours, baseline


KEYS = (
    "mean_quality",
    "std_quality",
    "level_counts",
    "pass_rate_c",
    "pass_rate_b",
    "completion_rate",
    "tracking_rms_mm",
    "weave_fraction",
    "weave_frequency_hz",
    "weave_width_mm",
    "defects_per_weld",
)


def _config(name: str, episodes: int) -> Any:
    """Preset `name` limited to the first `episodes` demonstrations."""
    if load_policy_config(name).algo in ("dagger", "ppo_finetune"):
        return load_policy_config(name, {"bc": {"max_episodes": episodes}})
    return load_policy_config(name, {"max_episodes": episodes})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env-id", default="weldcraft/FilletPB-v0")
    parser.add_argument(
        "--dataset", default=None, help="Minari dataset id (default: record demos with --oracle)"
    )
    parser.add_argument("--oracle", default="craftsman")
    parser.add_argument("--oracle-kwargs", default="{}", help='JSON, e.g. \'{"skill": "master"}\'')
    parser.add_argument("--policy", default="bc_history")
    parser.add_argument("--episodes", type=int, default=50)
    parser.add_argument("--eval-episodes", type=int, default=100)
    parser.add_argument("--n-envs", type=int, default=2)
    parser.add_argument("--throughput-epochs", type=int, default=3)
    args = parser.parse_args()
    oracle_kwargs = json.loads(args.oracle_kwargs)

    torch.set_num_threads(1)  # one core for training; the other runs evaluation workers
    env_id, oracle, dataset, source = _choose_env(args)
    tmp = tempfile.TemporaryDirectory(prefix="weldcraft-bench-train-")
    if dataset is None:
        os.environ["MINARI_DATASETS_PATH"] = os.path.join(tmp.name, "minari")
        dataset = "bench/demos-v0"
        t0 = time.perf_counter()
        record_oracle_dataset(
            dataset, env_id, oracle, range(args.episodes), oracle_kwargs=oracle_kwargs, n_envs=args.n_envs
        )
        record_s = time.perf_counter() - t0
    else:
        record_s = 0.0

    names = [n.strip() for n in args.policy.split(",") if n.strip()]
    episodes, ref, _, _ = load_minari(dataset)
    first = bc_config_of(_config(names[0], args.episodes))
    demos = build_demonstrations(select_episodes(episodes, first), first)
    ours, baseline = _throughput(demos, first, args.throughput_epochs)

    seeds = held_out_seeds(args.eval_episodes)
    runs: dict[str, Any] = {}
    demo_summary = None
    for name in names:
        cfg = _config(name, args.episodes)
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        result = train(
            cfg,
            dataset_id=dataset,
            out_dir=os.path.join(tmp.name, f"run-{name}"),
            policy_name=name,
            env_id=env_id,
            log_formats=["csv"],
            oracle_kwargs=oracle_kwargs,
        )
        train_s = time.perf_counter() - t0
        load_after = os.getloadavg()[0]
        policy_eval = evaluate(result.checkpoint, seeds=seeds, n_envs=args.n_envs)
        if demo_summary is None:
            demo_summary = evaluate_oracle(
                oracle,
                env_id,
                env_kwargs=result.checkpoint.env_kwargs,
                oracle_kwargs=oracle_kwargs,
                seeds=seeds,
                n_envs=args.n_envs,
            ).summary
        p = policy_eval.summary.as_dict()
        runs[name] = {
            "algo": cfg.algo,
            "history_frames": bc_config_of(cfg).history_frames,
            "epochs": bc_config_of(cfg).epochs,
            "train_wall_s": round(train_s, 2),
            "load_average_1min_before_after": [round(load_before, 2), round(load_after, 2)],
            "meets_train_time_target": train_s <= TARGET_TRAIN_S,
            "training_metrics": result.checkpoint.metrics,
            "policy_eval": {k: p[k] for k in KEYS},
            "comparison": compare(policy_eval.summary, demo_summary),
        }
    assert demo_summary is not None
    d = demo_summary.as_dict()
    report = {
        "benchmark": "bench_train",
        "env_id": env_id,
        "env_source": source,
        "dataset": dataset,
        "dataset_sha256": ref.sha256,
        "oracle_kwargs": oracle_kwargs,
        "episodes": args.episodes,
        "samples": len(demos),
        "record_demos_s": round(record_s, 2),
        "bc_samples_per_s": round(ours, 1),
        "baseline_samples_per_s": round(baseline, 1),
        "ratio_to_baseline": round(ours / baseline, 3),
        "target_train_s": TARGET_TRAIN_S,
        "eval_episodes": args.eval_episodes,
        "demonstrator_eval": {k: d[k] for k in KEYS},
        "runs": runs,
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
    }
    json.dump(report, sys.stdout, indent=2, default=lambda v: None)
    sys.stdout.write("\n")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
