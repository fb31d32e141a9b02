import gymnasium as gym
import numpy as np

from weldcraft.policies.actors import OracleActor
from weldcraft.policies.history import FrameStackWrapper, stack_episode, stack_frames
from weldcraft.policies.rollout import EnvFactory, ensure_registered, run_episodes
from weldcraft.policies.seeds import SeedSchedule


def test_stack_layout_oldest_first_with_first_frame_repeated() -> None:
    frames = np.arange(8, dtype=np.float32).reshape(4, 2)  # o_t = [2t, 2t+1]
    stacked = stack_frames(frames, 3)
    assert stacked.shape == (4, 6)
    np.testing.assert_array_equal(stacked[0], [0, 1, 0, 1, 0, 1])
    np.testing.assert_array_equal(stacked[1], [0, 1, 0, 1, 2, 3])
    np.testing.assert_array_equal(stacked[3], [2, 3, 4, 5, 6, 7])
    np.testing.assert_array_equal(stack_frames(frames, 1), frames)


def test_wrapper_and_dataset_transform_give_identical_inputs() -> None:
    """Replay one raw episode through the wrapper and stack the same raw observations offline."""
    ensure_registered()
    k = 5
    raw = run_episodes(
        EnvFactory("weldcraft-toy/Weave-v0", {}, 1, SeedSchedule("train", (3,)), oracle="toy_weave"),
        OracleActor(),
        [3],
    )[0]
    assert raw.final_observation is not None
    raw_obs = np.concatenate([raw.observations, raw.final_observation[None]])
    env = FrameStackWrapper(gym.make("weldcraft-toy/Weave-v0"), k)
    obs, _ = env.reset(seed=3)
    online = [obs]
    for action in raw.actions:
        obs, *_ = env.step(action)
        online.append(obs)
    np.testing.assert_array_equal(np.stack(online), stack_episode(raw_obs, k))
    assert env.observation_space.shape == (3 * k,)
