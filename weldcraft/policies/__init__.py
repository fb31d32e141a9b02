"""weldcraft.policies: behaviour cloning, DAgger and PPO fine-tuning on SB3 policies, checkpoints and
held-out evaluation.

Importing this package is cheap; the submodules import torch and stable-baselines3. The public API:

* `weldcraft.policies.train.train` — the ``weldcraft train`` entry point;
* `weldcraft.policies.evaluate.evaluate`, `evaluate_oracle`, `compare`, `write_report` — behind
  ``weldcraft evaluate``;
* `weldcraft.policies.checkpoint.load_checkpoint`, `save_checkpoint`, `PolicyCheckpoint`;
* `weldcraft.policies.config` — `BCConfig`, `DAggerConfig`, `PPOFinetuneConfig`, `POLICIES`,
  `load_policy_config`, `register_hydra_schemas`;
* `weldcraft.policies.oracle` — the `Oracle` protocol and the `ORACLES` registry;
* `weldcraft.policies.seeds` — the train / validation / held-out seed protocol.

See docs/policies.md.
"""
