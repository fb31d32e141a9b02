"""The welding cell as the validator's kinematics and collision hooks (`validate_program(fk=, ...)`).

`CellChecks(job, seed)` builds the cell of `weldcraft.envs.WeldCellEnv` for the job's part (placed as the
env places it after a reset with `seed`; None = as programmed) and answers, for joint positions in the
robot's order:

* `fk(q (N, J) rad) -> (TCP positions (N, 3) m, quaternions (N, 4) [x, y, z, w])` in the robot BASE frame,
  the cell's own forward kinematics (the same TCP the env and `program_from_trace` use);
* `collision_check(program) -> [(point index, description)]`: every program point's joints are put into
  the cell and its collision query asked (robot and torch against table, pedestal, part and itself, the
  env's allowed contacts removed, as in `WeldCellEnv.step`); a run of colliding points is one entry at its
  first point, naming the links, the body, the deepest penetration and the run's length.

Thermal drift of the part during a weld is not modelled here (the part stays where the reset put it).
Programs without joints (read from Cartesian formats) are not collision-checked.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.errors import DataError
from weldcraft.export.program import WeldProgram
from weldcraft.types import FloatArray

log = logging.getLogger(__name__)


class CellChecks:
    """Kinematics and collision hooks from a cell welding `job` (see the module docstring).

    Use as a context manager (or call `close`): it holds a pybullet client.
    """

    def __init__(
        self, job: Any, seed: int | None = None, *, env_kwargs: dict[str, Any] | None = None
    ) -> None:
        from weldcraft.envs.weld_cell_env import default_max_episode_steps
        from weldcraft.regress.episode import base_pose, make_env
        from weldcraft.seams import WeldJob, load_job

        weld_job = job if isinstance(job, WeldJob) else load_job(str(job))
        self.env = make_env(
            weld_job,
            seed=seed,
            control_hz=20.0,
            max_steps=default_max_episode_steps(weld_job),
            env_kwargs=env_kwargs,
        )
        self.env.reset(seed=0 if seed is None else seed)
        self.base_rot, self.base_pos = base_pose(self.env)
        self.joint_names = tuple(self.env.cell.robot.joint_names)
        self._cache: dict[str, list[tuple[int, str]]] = {}

    def __enter__(self) -> CellChecks:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.env.close()

    def _check_joints(self, q: FloatArray) -> FloatArray:
        q = np.asarray(q, dtype=np.float64)
        if q.ndim != 2 or q.shape[1] != len(self.joint_names):
            raise DataError(
                f"joints of shape {q.shape} do not fit the cell robot's {len(self.joint_names)} joints "
                f"({', '.join(self.joint_names)})"
            )
        return q

    def fk(self, q: FloatArray) -> tuple[FloatArray, FloatArray]:
        """TCP positions (N, 3) m and quaternions (N, 4) [x, y, z, w] in the robot base frame for q (N, J)."""
        q = self._check_joints(q)
        pos = np.empty((q.shape[0], 3))
        rots = np.empty((q.shape[0], 3, 3))
        bt = self.base_rot.T
        for i, qi in enumerate(q):
            if not np.all(np.isfinite(qi)):
                pos[i], rots[i] = np.nan, np.eye(3)
                continue
            tip, rot = self.env.cell.tcp_pose(qi)
            pos[i] = bt @ (tip - self.base_pos)
            rots[i] = bt @ rot
        return pos, Rotation.from_matrix(rots).as_quat()

    def collision_check(self, program: WeldProgram) -> Sequence[tuple[int, str]]:
        """(first point, description) of every run of program points at which the robot collides."""
        if program.q_rad is None:
            log.info("program %s has no joints: not collision-checked", program.name)
            return []
        q = self._check_joints(np.asarray(program.q_rad))
        key = hashlib.sha256(q.tobytes()).hexdigest()
        if key not in self._cache:
            self._cache[key] = self._collisions(q)
        return self._cache[key]

    def _collisions(self, q: FloatArray) -> list[tuple[int, str]]:
        robot = self.env.cell.robot
        q_before = robot.q
        hits: list[tuple[int, str, float]] = []
        try:
            for i, qi in enumerate(q):
                if not np.all(np.isfinite(qi)):
                    continue
                robot.set_q(qi)
                found = self.env.cell.collisions()
                if found:
                    worst = min(found, key=lambda c: c.distance_m)
                    other = worst.other_link or worst.body_name
                    hits.append((i, f"{worst.link_name} touches {other}", worst.distance_m))
        finally:
            robot.set_q(q_before)
        out: list[tuple[int, str]] = []
        k = 0
        while k < len(hits):
            j = k
            while j + 1 < len(hits) and hits[j + 1][0] == hits[j][0] + 1:
                j += 1
            run = hits[k : j + 1]
            depth_mm = -min(h[2] for h in run) * 1000.0
            what = run[0][1]
            span = f" (points {run[0][0]}..{run[-1][0]})" if len(run) > 1 else ""
            out.append((run[0][0], f"{what}, penetration up to {depth_mm:.2f} mm{span}; expected no contact"))
            k = j + 1
        return out
