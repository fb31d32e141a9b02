import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf import OmegaConf

from weldcraft.errors import ConfigError, UserError
from weldcraft.policies.config import (
    POLICIES,
    BCConfig,
    DAggerConfig,
    PPOFinetuneConfig,
    config_from_dict,
    config_to_dict,
    load_policy_config,
    policy_configs_dir,
    register_hydra_schemas,
)


@pytest.mark.parametrize("name", POLICIES.names())
def test_every_preset_loads_and_round_trips(name: str) -> None:
    cfg = load_policy_config(name)
    assert cfg.algo == POLICIES.get(name).algo
    assert config_from_dict(config_to_dict(cfg)) == cfg


def test_presets_match_the_registry() -> None:
    assert sorted(p.stem for p in policy_configs_dir().glob("*.yaml")) == POLICIES.names()
    assert load_policy_config("bc_history").history_frames == 10  # type: ignore[union-attr]
    assert load_policy_config("bc").history_frames == 1  # type: ignore[union-attr]


def test_unknown_name_key_and_bad_value_are_user_errors() -> None:
    with pytest.raises(
        UserError, match="unknown policy 'bcc'; choose one of: bc, bc_history, dagger, ppo_finetune"
    ):
        load_policy_config("bcc")
    with pytest.raises(ConfigError, match="unknown key 'net.widths'"):
        load_policy_config("bc", {"net": {"widths": [3]}})
    with pytest.raises(ConfigError, match="key 'epochs'.*expected an integer"):
        load_policy_config("bc", {"epochs": "many"})
    with pytest.raises(ConfigError, match="config key 'weighting'"):
        load_policy_config("bc", {"weighting": "best"})


def test_dagger_beta_schedules() -> None:
    exp = DAggerConfig(beta_p=0.5)
    assert [exp.beta(i) for i in (1, 2, 3)] == [0.5, 0.25, 0.125]
    lin = DAggerConfig(beta_schedule="linear", beta_rampdown_rounds=4)
    assert [lin.beta(i) for i in (1, 2, 4, 5)] == [0.75, 0.5, 0.0, 0.0]


@pytest.mark.parametrize("name", POLICIES.names())
def test_every_preset_composes_in_hydra_and_typos_fail(name: str) -> None:
    register_hydra_schemas()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(policy_configs_dir().parent), version_base="1.3"):
        cfg = compose(config_name=None, overrides=[f"+policy={name}"])
        data = OmegaConf.to_container(cfg.policy, resolve=True)
        assert config_from_dict(data) == load_policy_config(name)  # type: ignore[arg-type]
        with pytest.raises(HydraException):
            compose(config_name=None, overrides=[f"+policy={name}", "policy.lerning_rate=0.1"])
    GlobalHydra.instance().clear()


def test_config_types_are_the_documented_dataclasses() -> None:
    assert isinstance(load_policy_config("bc"), BCConfig)
    assert isinstance(load_policy_config("dagger"), DAggerConfig)
    assert isinstance(load_policy_config("ppo_finetune"), PPOFinetuneConfig)
