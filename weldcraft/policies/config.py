"""Configuration of the learning algorithms: documented frozen dataclasses, strict loading, presets.

Each algorithm has one config dataclass (CleanRL style: every hyperparameter documented where it is
declared). Presets live in ``configs/policy/<name>.yaml`` and are registered in `POLICIES`; the YAML starts
with a Hydra ``defaults`` list naming its schema (``bc_schema``, ``dagger_schema``, ``ppo_finetune_schema``),
which `register_hydra_schemas` puts into Hydra's ConfigStore, so that a typo in a key is an error both in
Hydra and in `config_from_dict`.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Union

import yaml

from weldcraft.errors import ConfigError
from weldcraft.registry import Registry

ACTIVATIONS = ("tanh", "relu", "elu")
WEIGHTINGS = ("uniform", "quality")
BETA_SCHEDULES = ("exponential", "linear")


def _check(ok: bool, key: str, message: str) -> None:
    if not ok:
        raise ConfigError(message, where=f"config key {key!r}")


@dataclass(frozen=True)
class NetConfig:
    """The policy network: an SB3 `ActorCriticPolicy` with separate actor and critic MLPs.

    The same architecture serves BC and PPO, so PPO fine-tuning loads the BC actor unchanged.
    """

    pi: tuple[int, ...] = (64, 64)
    """Hidden layer widths of the actor MLP."""
    vf: tuple[int, ...] = (64, 64)
    """Hidden layer widths of the critic MLP (trained only by PPO)."""
    activation: str = "tanh"
    """Hidden activation: tanh | relu | elu."""
    log_std_init: float = -1.0
    """Initial log standard deviation of the diagonal Gaussian (in normalized action units)."""
    ortho_init: bool = True
    """SB3's orthogonal initialization (actor output gain 0.01)."""

    def __post_init__(self) -> None:
        _check(
            all(w >= 1 for w in self.pi) and all(w >= 1 for w in self.vf), "net", "layer widths must be >= 1"
        )
        _check(self.activation in ACTIVATIONS, "net.activation", f"choose one of: {', '.join(ACTIVATIONS)}")


@dataclass(frozen=True)
class BCConfig:
    """Behaviour cloning: maximize the (weighted) log-likelihood of the demonstrator's actions.

    loss = −Σ w·log π(a*|s) / Σ w − ent_coef·H[π(·|s)] + l2_coef·Σ‖W‖² over the actor's weight matrices.
    """

    algo: str = "bc"
    history_frames: int = 1
    """Frames stacked into one observation (1 = Markov; see weldcraft.policies.history for the choice)."""
    net: NetConfig = field(default_factory=NetConfig)
    epochs: int = 50
    """Passes over the demonstration set."""
    batch_size: int = 256
    learning_rate: float = 1e-3
    """Adam step size."""
    ent_coef: float = 1e-3
    """Weight of the entropy bonus (keeps the Gaussian from collapsing onto noisy demos)."""
    l2_coef: float = 1e-5
    """Weight of the L2 penalty on the actor's weight matrices (not biases, not log_std)."""
    max_grad_norm: float = 1.0
    """Gradient norm clip; 0 disables it."""
    seed: int = 0
    """Seeds the weight initialization and the minibatch order (a private torch.Generator)."""
    weighting: str = "uniform"
    """Per-sample weights: uniform | quality (each episode's samples weigh quality_score**quality_power)."""
    quality_key: str = "quality_score"
    """Per-episode metadata key holding the quality score in [0, 1]."""
    quality_power: float = 1.0
    min_quality: float = 0.0
    """Episodes whose quality is below this are dropped (needs the quality key in the metadata)."""
    max_episodes: int | None = None
    """Use only the first N episodes of the dataset (None: all)."""
    obs_clip: float = 10.0
    """Normalized observations are clipped to ±obs_clip (as SB3's VecNormalize does)."""
    min_obs_std: float = 1e-6
    """A feature whose std is below this is constant in the data: it is centred but not scaled."""
    seed_key: str = "seed"
    """Per-episode metadata key with the reset seed; every seed present must be a training seed."""

    def __post_init__(self) -> None:
        _check(self.algo == "bc", "algo", f"a BC config has algo 'bc', got {self.algo!r}")
        _check(self.history_frames >= 1, "history_frames", f"must be >= 1, got {self.history_frames}")
        _check(self.epochs >= 1, "epochs", f"must be >= 1, got {self.epochs}")
        _check(self.batch_size >= 1, "batch_size", f"must be >= 1, got {self.batch_size}")
        _check(self.learning_rate > 0, "learning_rate", f"must be > 0, got {self.learning_rate}")
        for key in ("ent_coef", "l2_coef", "max_grad_norm", "quality_power", "min_obs_std"):
            _check(getattr(self, key) >= 0, key, f"must be >= 0, got {getattr(self, key)}")
        _check(self.obs_clip > 0, "obs_clip", f"must be > 0, got {self.obs_clip}")
        _check(self.weighting in WEIGHTINGS, "weighting", f"choose one of: {', '.join(WEIGHTINGS)}")
        _check(0.0 <= self.min_quality <= 1.0, "min_quality", f"must lie in [0, 1], got {self.min_quality}")
        _check(self.max_episodes is None or self.max_episodes >= 1, "max_episodes", "must be >= 1 or null")


@dataclass(frozen=True)
class DAggerConfig:
    """DAgger (Ross, Gordon & Bagnell, AISTATS 2011): roll out a mixture of oracle and learner, label the
    visited states with the oracle, aggregate, retrain.

    Round i = 1..rounds executes, at every step and in every env independently, the oracle's action with
    probability β_i and the learner's otherwise. The demonstration dataset plays the role of round 0 (β=1).
    exponential: β_i = beta_p**i; linear: β_i = max(0, 1 − i / beta_rampdown_rounds).
    """

    algo: str = "dagger"
    bc: BCConfig = field(default_factory=BCConfig)
    """How each round's learner is trained on the aggregate."""
    oracle: str = "craftsman"
    """Name of the oracle in weldcraft.policies.oracle.ORACLES."""
    rounds: int = 4
    episodes_per_round: int = 20
    beta_schedule: str = "exponential"
    beta_p: float = 0.5
    beta_rampdown_rounds: int = 4
    warm_start: bool = False
    """Continue from the previous round's weights (False: retrain from scratch on the aggregate, as in the
    paper; the normalization is recomputed on the aggregate either way)."""
    n_envs: int = 1
    rollout_seed_start: int = 100_000
    """Training seed of the first DAgger rollout; later rollouts use the next seeds."""

    def __post_init__(self) -> None:
        _check(self.algo == "dagger", "algo", f"a DAgger config has algo 'dagger', got {self.algo!r}")
        _check(self.rounds >= 1, "rounds", f"must be >= 1, got {self.rounds}")
        _check(self.episodes_per_round >= 1, "episodes_per_round", "must be >= 1")
        _check(
            self.beta_schedule in BETA_SCHEDULES,
            "beta_schedule",
            f"choose one of: {', '.join(BETA_SCHEDULES)}",
        )
        _check(0.0 <= self.beta_p <= 1.0, "beta_p", f"must lie in [0, 1], got {self.beta_p}")
        _check(self.beta_rampdown_rounds >= 1, "beta_rampdown_rounds", "must be >= 1")
        _check(self.n_envs >= 1, "n_envs", f"must be >= 1, got {self.n_envs}")

    def beta(self, round_index: int) -> float:
        """β of round `round_index` (1-based): the probability that a step executes the oracle's action."""
        if self.beta_schedule == "exponential":
            return float(self.beta_p**round_index)
        return max(0.0, 1.0 - round_index / self.beta_rampdown_rounds)


@dataclass(frozen=True)
class PPOFinetuneConfig:
    """PPO (SB3) starting from the BC actor and its observation normalization; the critic starts fresh.

    For the first `critic_warmup_rollouts` rollouts only the critic learns (the actor is frozen), so that
    random advantages do not wreck the BC policy. After every PPO update `bc_batches` minibatches of the
    demonstrations take a gradient step on bc_coef·(−log π(a*|s)); bc_coef decays by bc_decay per update
    (a DAPG-style pull toward the demonstrations; 0 disables it).
    """

    algo: str = "ppo_finetune"
    bc: BCConfig = field(default_factory=BCConfig)
    """Pretraining of the actor on the dataset (ignored when init_checkpoint is given)."""
    init_checkpoint: str | None = None
    """Start from this BC checkpoint directory instead of pretraining."""
    total_timesteps: int = 100_000
    n_envs: int = 4
    n_steps: int = 512
    """Steps per env per rollout."""
    batch_size: int = 256
    n_epochs: int = 5
    learning_rate: float = 1e-4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip_range: float = 0.1
    ent_coef: float = 0.0
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5
    target_kl: float | None = 0.02
    critic_warmup_rollouts: int = 2
    bc_coef: float = 0.1
    bc_decay: float = 0.95
    bc_batches: int = 4
    seed: int = 0
    rollout_seed_start: int = 200_000
    """Training seed of env 0's first episode; env i then uses rollout_seed_start + i + k·n_envs."""

    def __post_init__(self) -> None:
        _check(
            self.algo == "ppo_finetune", "algo", f"a PPO config has algo 'ppo_finetune', got {self.algo!r}"
        )
        for key in ("total_timesteps", "n_envs", "n_steps", "batch_size", "n_epochs"):
            _check(getattr(self, key) >= 1, key, f"must be >= 1, got {getattr(self, key)}")
        _check(self.learning_rate > 0, "learning_rate", "must be > 0")
        _check(
            0 < self.gamma <= 1 and 0 < self.gae_lambda <= 1, "gamma", "gamma and gae_lambda lie in (0, 1]"
        )
        for key in ("critic_warmup_rollouts", "bc_coef", "bc_batches", "ent_coef", "vf_coef"):
            _check(getattr(self, key) >= 0, key, f"must be >= 0, got {getattr(self, key)}")
        _check(0 < self.bc_decay <= 1, "bc_decay", f"must lie in (0, 1], got {self.bc_decay}")


AlgoConfig = BCConfig | DAggerConfig | PPOFinetuneConfig
ALGO_CONFIGS: dict[str, type[Any]] = {
    "bc": BCConfig,
    "dagger": DAggerConfig,
    "ppo_finetune": PPOFinetuneConfig,
}


@dataclass(frozen=True)
class PolicyPreset:
    """A registered policy name: its algorithm and the YAML preset under ``configs/policy/``."""

    name: str
    algo: str
    summary: str


POLICIES: Registry[PolicyPreset] = Registry("policy")
for _preset in (
    PolicyPreset("bc", "bc", "behaviour cloning, Markov MLP"),
    PolicyPreset("bc_history", "bc", "behaviour cloning on 10 stacked frames (learns the weave rhythm)"),
    PolicyPreset("dagger", "dagger", "DAgger with the Craftsman as oracle, on stacked frames"),
    PolicyPreset("ppo_finetune", "ppo_finetune", "PPO on the weld-quality reward from BC weights"),
):
    POLICIES.register(_preset.name)(_preset)


def policy_configs_dir() -> Path:
    """``configs/policy`` in the installed package (or the repo, through the ``weldcraft/configs`` link)."""
    return Path(str(resources.files("weldcraft") / "configs" / "policy"))


def load_policy_config(name: str, overrides: Mapping[str, Any] | None = None) -> AlgoConfig:
    """The config of preset `name` (``configs/policy/<name>.yaml``) with nested `overrides` merged in.

    Raises `UserError` naming the choices for an unknown name, `ConfigError` for an unknown key or bad value.
    """
    POLICIES.get(name)
    path = policy_configs_dir() / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read policy preset: {exc}", where=str(path)) from exc
    data.pop("defaults", None)
    return config_from_dict(_deep_merge(data, dict(overrides or {})), where=str(path))


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def config_from_dict(data: Mapping[str, Any], *, where: str = "policy config") -> AlgoConfig:
    """Build the algorithm config named by ``data["algo"]``; unknown keys and wrong types are errors."""
    algo = data.get("algo")
    if algo not in ALGO_CONFIGS:
        raise ConfigError(f"'algo' must be one of: {', '.join(ALGO_CONFIGS)}; got {algo!r}", where=where)
    result: AlgoConfig = _build(ALGO_CONFIGS[str(algo)], data, where, "")
    return result


def _build(cls: type[Any], data: Any, where: str, prefix: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(f"expected a mapping for {cls.__name__}, got {type(data).__name__}", where=where)
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(
            f"unknown key {prefix + unknown[0]!r} for {cls.__name__}; valid keys: {', '.join(sorted(names))}",
            where=where,
        )
    kwargs = {k: _coerce(hints[k], v, where, prefix + k) for k, v in data.items()}
    try:
        return cls(**kwargs)
    except ConfigError as exc:
        raise ConfigError(exc.message, where=f"{where} {exc.where}" if exc.where else where) from None


def _coerce(tp: Any, value: Any, where: str, key: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        return _coerce(next(a for a in args if a is not type(None)), value, where, key)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, where, key + ".")  # type: ignore[arg-type]
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"expected a list, got {value!r}", where=f"{where} key {key!r}")
        return tuple(_coerce(typing.get_args(tp)[0], v, where, key) for v in value)
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"expected true or false, got {value!r}", where=f"{where} key {key!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"expected an integer, got {value!r}", where=f"{where} key {key!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"expected a number, got {value!r}", where=f"{where} key {key!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"expected a string, got {value!r}", where=f"{where} key {key!r}")
        return value
    raise TypeError(f"unsupported config type {tp!r} at {key}")


def config_to_dict(cfg: AlgoConfig) -> dict[str, Any]:
    """Plain YAML/JSON-able dict of a config (tuples become lists)."""

    def plain(v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return v

    return {k: plain(v) for k, v in dataclasses.asdict(cfg).items()}


def bc_config_of(cfg: AlgoConfig) -> BCConfig:
    """The BC part of any algorithm config (network, history, normalization, dataset weighting)."""
    return cfg if isinstance(cfg, BCConfig) else cfg.bc


# --- Hydra -------------------------------------------------------------------------------------------------

_SCHEMAS: dict[type[Any], type[Any]] = {}


def hydra_schema(cls: type[Any]) -> type[Any]:
    """A mutable dataclass twin of the frozen config `cls` (tuples as lists) for Hydra's ConfigStore.

    OmegaConf marks frozen dataclasses read-only, which forbids overrides; the twin has the same keys,
    types and defaults, and `config_from_dict` turns the composed result back into the frozen record.
    """
    if cls in _SCHEMAS:
        return _SCHEMAS[cls]
    hints = typing.get_type_hints(cls)
    fields_: list[tuple[str, Any, Any]] = []
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            twin = hydra_schema(tp)  # type: ignore[arg-type]
            fields_.append((f.name, twin, field(default_factory=twin)))
            continue
        default = f.default
        if typing.get_origin(tp) is tuple:
            tp = list[typing.get_args(tp)[0]]  # type: ignore[misc]
            fields_.append((f.name, tp, field(default_factory=_list_factory(default))))
        else:
            fields_.append((f.name, tp, field(default=default)))
    twin_cls = dataclasses.make_dataclass(f"{cls.__name__}Schema", fields_)
    _SCHEMAS[cls] = twin_cls
    return twin_cls


def _list_factory(default: Any) -> Any:
    def make() -> list[Any]:
        return list(default)

    return make


def register_hydra_schemas() -> None:
    """Store ``bc_schema``, ``dagger_schema`` and ``ppo_finetune_schema`` in the ``policy`` group."""
    from hydra.core.config_store import ConfigStore

    cs = ConfigStore.instance()
    for algo, cls in ALGO_CONFIGS.items():
        cs.store(group="policy", name=f"{algo}_schema", node=hydra_schema(cls))
