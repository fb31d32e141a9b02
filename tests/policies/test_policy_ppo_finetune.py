"""PPO fine-tuning starts from the BC actor (identical actions before any update) and trains."""

from pathlib import Path

import numpy as np
import torch

from weldcraft.policies.checkpoint import load_checkpoint
from weldcraft.policies.config import load_policy_config
from weldcraft.policies.network import actor_parameters, predict_actions
from weldcraft.policies.ppo_finetune import CRITIC_PREFIXES, finetune, make_finetuner
from weldcraft.policies.toy_envs import WEAVE_ENV_ID
from weldcraft.policies.train import train

BC = {"net": {"pi": [32, 32], "vf": [16]}, "epochs": 5, "batch_size": 128, "history_frames": 4}
PPO = {"total_timesteps": 256, "n_envs": 1, "n_steps": 64, "batch_size": 64, "n_epochs": 2, "bc": BC}


def test_ppo_starts_from_bc_weights_with_identical_actions(weave_dataset: str, tmp_path: Path) -> None:
    bc = train("bc", dataset_id=weave_dataset, out_dir=tmp_path / "bc", overrides=BC, log_formats=["csv"])
    # PPO's seed differs from BC's, so a critic copied from BC would show
    extra = {"critic_warmup_rollouts": 1, "bc_coef": 0.5, "bc_batches": 2, "seed": 1}
    cfg = load_policy_config("ppo_finetune", {**PPO, **extra})
    ckpt = bc.checkpoint
    model = make_finetuner(cfg, ckpt.policy, ckpt.normalization, WEAVE_ENV_ID, {}, subprocess=False)  # type: ignore[arg-type]
    obs = np.random.default_rng(0).normal(size=(64, 12)).astype(np.float32) * ckpt.normalization.std
    obs += ckpt.normalization.mean
    np.testing.assert_array_equal(predict_actions(model.policy, obs), ckpt.predict(obs))
    ppo_state, bc_state = model.policy.state_dict(), ckpt.policy.state_dict()
    for key, value in ppo_state.items():
        if key.startswith(CRITIC_PREFIXES):  # fresh critic (biases start at zero in both)
            assert key.endswith("bias") or not torch.equal(value, bc_state[key]), key
        else:  # copied actor and normalizer
            assert torch.equal(value, bc_state[key]), key

    actor_before = [p.detach().clone() for p in actor_parameters(model.policy)]
    critic_before = model.policy.value_net.weight.detach().clone()
    model.learn(total_timesteps=64)  # one rollout = the critic warm-up: only the critic moves
    assert all(torch.equal(a, p) for a, p in zip(actor_before, actor_parameters(model.policy), strict=True))
    assert not torch.equal(critic_before, model.policy.value_net.weight)
    policy = finetune(model, cfg)  # the remaining updates move the actor (PPO + interleaved BC)
    assert not all(torch.equal(a, p) for a, p in zip(actor_before, actor_parameters(policy), strict=True))
    assert model.updates_done >= 2


def test_ppo_finetune_preset_trains_end_to_end_from_the_dataset(weave_dataset: str, tmp_path: Path) -> None:
    result = train(
        "ppo_finetune", dataset_id=weave_dataset, out_dir=tmp_path, overrides=PPO, log_formats=["csv"]
    )
    metrics = result.checkpoint.metrics
    assert metrics["ppo"]["timesteps"] >= 256
    assert metrics["bc"]["epochs"] == 5
    reloaded = load_checkpoint(tmp_path)
    assert reloaded.config.algo == "ppo_finetune"
    obs = np.zeros((3, 12), np.float32)
    np.testing.assert_array_equal(reloaded.predict(obs), result.checkpoint.predict(obs))
