"""Per-step fast paths of the env equal the plain code they replace, bit for bit.

- `BoxRayCaster`: the fused slab test against the textbook one (separate slabs, explicit hit tests).
- `severity_b_scalar` (the process model's per-step severity with width-dependent limits) against the
  generic `knots` path.
"""

from __future__ import annotations

import numpy as np
import pytest

from weldcraft.envs.raycast import BoxRayCaster
from weldcraft.process import kernel as K
from weldcraft.seams import load_job


def _reference_cast(
    caster: BoxRayCaster, origin: np.ndarray, dirs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Slab method as first written: every box, t1/t2 per slab, the three hit conditions spelled out."""
    rot, center, half = caster._rot, caster._center, caster._half
    o_l = np.einsum("bj,bjk->bk", origin - center, rot)[:, None, :]
    d_l = np.matmul(dirs, rot)
    d_l[np.abs(d_l) < 1e-300] = 1e-300
    inv = 1.0 / d_l
    t1 = (-half - o_l) * inv
    t2 = (half - o_l) * inv
    t_near = np.minimum(t1, t2).max(axis=2)
    t_far = np.maximum(t1, t2).min(axis=2)
    hit = (t_near <= t_far) & (t_far >= 0.0) & (t_near <= 1.0)
    lam = np.where(hit, np.maximum(t_near, 0.0), np.inf)
    best = lam.min(axis=0)
    return best, np.where(np.isfinite(best), lam.argmin(axis=0), -1)


@pytest.mark.parametrize("preset", ["fillet_pb", "butt_pa", "lap_pb"])
def test_fused_slab_test_equals_the_plain_one(preset: str) -> None:
    boxes = load_job(preset).plate_boxes()
    caster = BoxRayCaster(boxes)
    rng = np.random.default_rng(11)
    hits = misses = 0
    for k in range(400):
        target = np.array(boxes[int(rng.integers(len(boxes)))].center_m)
        origin = target + rng.normal(0.0, 0.05, 3)
        dirs = (target - origin) * rng.uniform(0.5, 2.0) + rng.normal(0.0, 0.03, (16, 3))
        if k % 5 == 0:
            dirs[:, int(rng.integers(3))] = 0.0  # rays parallel to a slab
        lam, box = caster.cast_fan(origin, dirs)  # no reach: every box, as the reference
        ref_lam, ref_box = _reference_cast(caster, origin, dirs)
        assert np.array_equal(lam, ref_lam) and np.array_equal(box, ref_box)
        assert np.array_equal(caster.first_hit(origin, dirs), ref_lam)
        hits += int(np.isfinite(lam).sum())
        misses += int(np.isinf(lam).sum())
    assert hits > 1000 and misses > 100


def test_first_hit_with_reach_culling_equals_cast_fan() -> None:
    boxes = load_job("curved_fillet_pb").plate_boxes()  # dozens of panels: the reach filter is active
    caster = BoxRayCaster(boxes)
    rng = np.random.default_rng(5)
    for _ in range(200):
        target = np.array(boxes[int(rng.integers(len(boxes)))].center_m)
        origin = target + rng.normal(0.0, 0.05, 3)
        dirs = (target - origin) * rng.uniform(0.5, 2.0) + rng.normal(0.0, 0.03, (16, 3))
        reach = float(np.linalg.norm(dirs, axis=1).max()) * float(rng.choice([0.01, 1.0]))
        lam, _ = caster.cast_fan(origin, dirs, reach)
        assert np.array_equal(caster.first_hit(origin, dirs, reach), lam)


def test_scalar_width_dependent_severity_equals_the_knots_path() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20_000):
        lims = tuple(
            (
                float(rng.choice([0.0, rng.uniform(0.0, 3.0)])),
                float(rng.choice([0.0, rng.uniform(0.0, 1.0)])),
                float(rng.choice([np.inf, rng.uniform(0.0, 5.0)])),
            )
            for _ in range(3)
        )
        x, b = float(rng.uniform(0.0, 6.0)), float(rng.uniform(0.0, 20.0))
        assert K.severity_b_scalar(x, lims, b) == K.severity_scalar(x, K.knots(lims, b))  # type: ignore[arg-type]
