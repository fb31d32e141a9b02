import pytest

from weldcraft.errors import UserError
from weldcraft.policies.seeds import (
    HELD_OUT_SEED_START,
    TRAIN_SEED_LIMIT,
    SeedSchedule,
    check_seeds,
    held_out_seeds,
    split_of,
    split_schedule,
    stream_schedule,
)


def test_ranges_are_disjoint_and_named() -> None:
    assert split_of(0) == "train"
    assert split_of(TRAIN_SEED_LIMIT - 1) == "train"
    assert split_of(TRAIN_SEED_LIMIT) == "validation"
    assert split_of(HELD_OUT_SEED_START) == "held_out"
    assert held_out_seeds(3) == [10_000_000, 10_000_001, 10_000_002]


def test_training_seed_is_refused_for_evaluation_and_vice_versa() -> None:
    with pytest.raises(UserError, match="seed 5 belongs to the train split, but held_out seeds"):
        check_seeds([10_000_000, 5], "held_out")
    with pytest.raises(UserError, match="belongs to the held_out split"):
        check_seeds([HELD_OUT_SEED_START], "train")
    with pytest.raises(UserError):
        SeedSchedule("train", (1, 2, HELD_OUT_SEED_START))


def test_training_stream_cannot_run_into_held_out_range() -> None:
    (sched,) = stream_schedule(TRAIN_SEED_LIMIT - 3, 1)
    assert [sched.seed_at(i) for i in range(3)] == [999_997, 999_998, 999_999]
    with pytest.raises(UserError, match="train seeds must lie in"):
        sched.seed_at(3)


def test_round_robin_split_covers_every_seed_once() -> None:
    seeds = held_out_seeds(7)
    schedules = split_schedule(seeds, 3, "held_out")
    dealt = sorted(s for sched in schedules for s in sched.seeds)
    assert dealt == seeds
    assert [sched.quota for sched in schedules] == [3, 2, 2]
