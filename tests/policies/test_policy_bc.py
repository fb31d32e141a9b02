import numpy as np
import pytest
import torch
from gymnasium import spaces

from weldcraft.policies.bc import fit_bc_policy
from weldcraft.policies.config import BCConfig, NetConfig
from weldcraft.policies.data import Demonstrations, EpisodeArrays, build_demonstrations
from weldcraft.policies.network import ObsNormalization, predict_actions

OBS = spaces.Box(-np.inf, np.inf, shape=(3,), dtype=np.float32)
ACT = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
W_TRUE = np.array([[0.3, -0.2], [-0.1, 0.25], [0.05, 0.1]], np.float32)
OFFSET = np.array([100.0, -3.0, 0.0], np.float32)  # raw features far from zero mean
SCALE = np.array([50.0, 0.01, 1.0], np.float32)  # and on very different scales


def _linear_demos(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 3)).astype(np.float32)
    return OFFSET + SCALE * z, np.clip(z @ W_TRUE, -1, 1).astype(np.float32)


def _demos(obs: np.ndarray, act: np.ndarray, weights: np.ndarray | None = None) -> Demonstrations:
    n = len(obs)
    w = np.ones(n, np.float32) if weights is None else weights
    return Demonstrations(obs, act, w, np.zeros(n, np.int64), 1)


CFG = BCConfig(net=NetConfig(pi=(32,), vf=(16,)), epochs=40, batch_size=256, learning_rate=5e-3, seed=1)


def test_bc_learns_a_linear_expert_to_small_error_on_fresh_states() -> None:
    obs, act = _linear_demos(2000, seed=0)
    policy, norm, metrics = fit_bc_policy(_demos(obs, act), OBS, ACT, CFG)
    test_obs, test_act = _linear_demos(500, seed=99)
    err = predict_actions(policy, test_obs) - test_act
    assert float(np.sqrt(np.mean(err**2))) < 0.02  # actions span about ±0.4
    assert metrics.action_mse < 4e-4
    # the dataset's statistics are inside the network: raw offsets of 100 and scales of 0.01 are handled
    np.testing.assert_allclose(norm.mean, OFFSET, atol=3.0)
    np.testing.assert_allclose(norm.std, SCALE, rtol=0.1)


def test_quality_weights_make_bc_follow_the_good_demonstrator() -> None:
    """Two demonstrators act oppositely on the same states; quality 0.95 vs 0.05 decides."""
    rng = np.random.default_rng(0)
    eps = []
    for i in range(8):
        obs = rng.normal(size=(101, 3)).astype(np.float32)
        sign = 1.0 if i % 2 == 0 else -1.0
        act = np.clip(sign * obs[:-1] @ W_TRUE, -1, 1).astype(np.float32)
        eps.append(EpisodeArrays(obs, act, {"quality_score": 0.95 if sign > 0 else 0.05, "seed": i}))
    base = BCConfig(net=NetConfig(pi=(32,), vf=(16,)), epochs=20, batch_size=128, learning_rate=5e-3)
    probe = rng.normal(size=(200, 3)).astype(np.float32)
    good = np.clip(probe @ W_TRUE, -1, 1)
    results = {}
    for weighting, power in (("uniform", 1.0), ("quality", 4.0)):
        cfg = BCConfig(**{**base.__dict__, "weighting": weighting, "quality_power": power})
        demos = build_demonstrations(eps, cfg)
        policy, _, _ = fit_bc_policy(demos, OBS, ACT, cfg)
        results[weighting] = float(np.sqrt(np.mean((predict_actions(policy, probe) - good) ** 2)))
    # uniform averages the two (≈ zero action, error ≈ RMS of the good action); quality weights follow it
    assert results["quality"] < 0.05 < 0.1 < results["uniform"]


def test_min_quality_drops_bad_episodes_and_weights_have_mean_one() -> None:
    rng = np.random.default_rng(1)
    eps = [
        EpisodeArrays(rng.normal(size=(11, 3)), rng.normal(size=(10, 2)), {"quality_score": q, "seed": i})
        for i, q in enumerate([0.9, 0.3, 0.6])
    ]
    from weldcraft.policies.data import select_episodes

    cfg = BCConfig(weighting="quality", min_quality=0.5)
    chosen = select_episodes(eps, cfg)
    assert [e.metadata["quality_score"] for e in chosen] == [0.9, 0.6]
    demos = build_demonstrations(chosen, cfg)
    assert demos.weights.mean() == pytest.approx(1.0)
    assert demos.weights[0] / demos.weights[-1] == pytest.approx(0.9 / 0.6)


def test_same_seed_same_weights_bit_for_bit() -> None:
    obs, act = _linear_demos(600, seed=3)
    cfg = BCConfig(net=NetConfig(pi=(16,), vf=(16,)), epochs=5, batch_size=64, seed=7)
    torch.use_deterministic_algorithms(True)
    try:
        states = []
        for _ in range(2):
            torch.manual_seed(12345 + len(states))  # the global RNG must not matter
            policy, _, _ = fit_bc_policy(_demos(obs, act), OBS, ACT, cfg)
            states.append({k: v.clone() for k, v in policy.state_dict().items()})
        other, _, _ = fit_bc_policy(_demos(obs, act), OBS, ACT, BCConfig(**{**cfg.__dict__, "seed": 8}))
    finally:
        torch.use_deterministic_algorithms(False)
    assert all(torch.equal(states[0][k], states[1][k]) for k in states[0])
    assert not torch.equal(states[0]["action_net.weight"], other.state_dict()["action_net.weight"])


def test_actions_are_clipped_to_the_box_and_normalization_matches_numpy() -> None:
    obs, act = _linear_demos(200, seed=4)
    policy, norm, _ = fit_bc_policy(
        _demos(obs, 3 * act), OBS, ACT, BCConfig(epochs=3, net=NetConfig(pi=(16,)))
    )
    far = OFFSET + SCALE * np.array([[40.0, -40.0, 40.0]], np.float32)
    assert np.all(np.abs(predict_actions(policy, far)) <= 1.0)
    with torch.no_grad():
        inside = policy.extract_features(torch.as_tensor(far), policy.pi_features_extractor).numpy()
    np.testing.assert_allclose(inside, norm.apply(far), rtol=1e-6)
    assert np.all(np.abs(inside) <= norm.clip)


def test_constant_features_are_centred_not_scaled() -> None:
    data = np.column_stack([np.full(50, 2.0), np.linspace(0, 1, 50)])
    norm = ObsNormalization.fit(data)
    assert norm.std[0] == 1.0 and norm.mean[0] == 2.0


def test_metadata_embedded_as_json_is_read(minari_root: object) -> None:
    """weldcraft.demos stores each episode's metadata as one JSON string attribute."""
    from weldcraft.policies.data import load_minari
    from weldcraft.policies.toy_data import record_oracle_dataset
    from weldcraft.policies.toy_envs import WEAVE_ENV_ID

    record_oracle_dataset(
        "weldcraft-toy/embedded-v0",
        WEAVE_ENV_ID,
        "toy_weave",
        [5, 6],
        metadata_attr="weldcraft_episode",
        env_kwargs={"episode_steps": 20},
    )
    episodes, ref, _, _ = load_minari("weldcraft-toy/embedded-v0")
    assert [e.metadata["seed"] for e in episodes] == [5, 6]
    assert all(0.0 < e.metadata["quality_score"] <= 1.0 for e in episodes)
    assert "weldcraft_episode" not in episodes[0].metadata
    assert ref.env_kwargs == {"episode_steps": 20} and ref.n_steps == 40
    demos = build_demonstrations(episodes, BCConfig(weighting="quality"))
    assert len(demos) == 40
