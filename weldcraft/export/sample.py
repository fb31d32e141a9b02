"""A small, fixed, physically consistent weld program for tests, golden files, benchmarks and demos.

It stands in for an env rollout until extraction from the cell is wired: a PB fillet weld along the
robot's Y axis with approach and retract moves, optionally weaving, made by a generic 6-axis arm whose
joints come from inverse kinematics of the TCP poses (so joints, poses and limits agree).

The arm here is a standard-DH model of the DESIGN §3 class (about 1.4 m reach, spherical wrist); it is a
fixture of this module, not the cell's robot (that one is `weldcraft.envs`' URDF).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.export.program import WeldProgram
from weldcraft.export.records import Pose, ProcessData, Provenance, RobotSpec, WeaveData
from weldcraft.export.weave import superimpose_weave
from weldcraft.types import FloatArray

# Standard DH rows (d m, a m, alpha rad, theta offset rad) of the sample arm.
DH = np.array(
    [
        [0.450, 0.150, -np.pi / 2, 0.0],
        [0.0, 0.600, 0.0, -np.pi / 2],
        [0.0, 0.120, -np.pi / 2, 0.0],
        [0.640, 0.0, np.pi / 2, 0.0],
        [0.0, 0.0, -np.pi / 2, 0.0],
        [0.100, 0.0, 0.0, 0.0],
    ]
)
# Bent-neck torch: TCP 0.38 m out and 0.045 m off-axis, tilted 22 deg about the flange x axis.
SAMPLE_TOOL = Pose((0.0, 0.045, 0.38), tuple(Rotation.from_euler("x", 22.0, degrees=True).as_quat()))  # type: ignore[arg-type]


def sample_robot() -> RobotSpec:
    """The sample arm: DESIGN §3 limits and speeds, accelerations 4x the speeds (1/s^2), elbow stretched at
    J3 = -atan2(a3, d4) (where the forearm lines up with the upper arm)."""
    generic = RobotSpec.generic_arc_welder()
    return RobotSpec(
        name="weldcraft-sample-arm",
        joint_names=generic.joint_names,
        joint_lower_rad=generic.joint_lower_rad,
        joint_upper_rad=generic.joint_upper_rad,
        max_joint_speed_rad_s=generic.max_joint_speed_rad_s,
        max_joint_accel_rad_s2=tuple(4.0 * v for v in generic.max_joint_speed_rad_s),
        reach_m=1.4,
        elbow_singular_rad=float(-np.arctan2(DH[2, 1], DH[3, 0])),
    )


def forward_kinematics(q_rad: FloatArray, tool: Pose = SAMPLE_TOOL) -> tuple[FloatArray, FloatArray]:
    """(N, 6) joints → TCP positions (N, 3) m and quaternions (N, 4) [x, y, z, w] in the base frame."""
    q = np.atleast_2d(q_rad)
    n = q.shape[0]
    t = np.tile(np.eye(4), (n, 1, 1))
    for (d, a, alpha, off), th in zip(DH, (q + DH[:, 3]).T, strict=True):
        del off
        ct, st, ca, sa = np.cos(th), np.sin(th), np.cos(alpha), np.sin(alpha)
        m = np.zeros((n, 4, 4))
        m[:, 0, 0], m[:, 0, 1], m[:, 0, 2], m[:, 0, 3] = ct, -st * ca, st * sa, a * ct
        m[:, 1, 0], m[:, 1, 1], m[:, 1, 2], m[:, 1, 3] = st, ct * ca, -ct * sa, a * st
        m[:, 2, 1], m[:, 2, 2], m[:, 2, 3] = sa, ca, d
        m[:, 3, 3] = 1.0
        t = t @ m
    flange_rot = Rotation.from_matrix(t[:, :3, :3])
    tool_rot = Rotation.from_quat(tool.quat_xyzw)
    pos = t[:, :3, 3] + flange_rot.apply(tool.position_m)
    return pos, (flange_rot * tool_rot).as_quat()


def inverse_kinematics(
    pos_m: FloatArray, quat_xyzw: FloatArray, q_seed: FloatArray, iterations: int = 60
) -> FloatArray:
    """Batched damped-least-squares IK: (N, 3), (N, 4) targets → (N, 6) joints near the seeds.

    `q_seed` is (6,) or (N, 6); steps are clipped to 0.2 rad so that each point stays on its seed's branch,
    and the result is wrapped to within pi of the seed.
    """
    n = pos_m.shape[0]
    seed = np.broadcast_to(np.asarray(q_seed, dtype=np.float64), (n, 6))
    q = seed.copy()
    target_rot = Rotation.from_quat(quat_xyzw)
    eps = 1e-7
    for _ in range(iterations):
        p, r = forward_kinematics(q)
        err = np.hstack([pos_m - p, (target_rot * Rotation.from_quat(r).inv()).as_rotvec()])
        if np.max(np.abs(err)) < 1e-12:
            break
        jac = np.empty((n, 6, 6))
        for j in range(6):
            dq = q.copy()
            dq[:, j] += eps
            p2, r2 = forward_kinematics(dq)
            jac[:, :3, j] = (p2 - p) / eps
            jac[:, 3:, j] = (Rotation.from_quat(r2) * Rotation.from_quat(r).inv()).as_rotvec() / eps
        jt = np.transpose(jac, (0, 2, 1))
        step = (jt @ np.linalg.solve(jac @ jt + 1e-12 * np.eye(6), err[:, :, None]))[:, :, 0]
        q = q + np.clip(step, -0.2, 0.2)
    return np.asarray(seed + (q - seed + np.pi) % (2 * np.pi) - np.pi, dtype=np.float64)


def _torch_rotation(travel: FloatArray, work_angle_deg: float, travel_angle_deg: float) -> Rotation:
    """Torch orientation for a PB fillet along `travel` (flange plate normal +Z, web normal -X): tool z is
    the wire direction (into the joint), tilted `travel_angle_deg` towards the travel direction (push)."""
    t = travel / np.linalg.norm(travel)
    wa = np.radians(work_angle_deg)
    into = np.array([np.sin(wa), 0.0, -np.cos(wa)])  # from the torch towards the joint root
    ta = np.radians(travel_angle_deg)
    z = np.cos(ta) * into + np.sin(ta) * t
    z /= np.linalg.norm(z)
    x = np.cross(t, z)
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    return Rotation.from_matrix(np.column_stack([x, y, z]))


def sample_program(
    *,
    weave: WeaveData | None = None,
    weld_length_mm: float = 30.0,
    rate_hz: float = 50.0,
    name: str = "fillet_pb_sample",
    rng: np.random.Generator | None = None,
    noise_mm: float = 0.0,
) -> WeldProgram:
    """A PB fillet weld program: safe → approach → arc on → weld along +Y → arc off → retract.

    Args:
        weave: optional weave recorded into the points (dense, `weave_in_points=True`).
        weld_length_mm: seam length (travel speed 6 mm/s).
        rate_hz: sampling rate of the dense motion.
        rng / noise_mm: optional Gaussian position noise (tremor) added to the weld points.
    """
    process = ProcessData(wire_feed_m_min=8.0, voltage_v=25.0, travel_speed_mm_s=6.0, wire_diameter_mm=1.2)
    start = np.array([0.85, -weld_length_mm / 2000.0, 0.25])
    travel = np.array([0.0, 1.0, 0.0])
    rot = _torch_rotation(travel, 45.0, 10.0)
    wire = rot.apply([0.0, 0.0, 1.0])
    end = start + travel * weld_length_mm / 1000.0
    t_on = 3.0
    t_off = t_on + weld_length_mm / process.travel_speed_mm_s
    waypoints = [
        (0.0, start - 0.12 * wire + np.array([0.0, 0.0, 0.08])),
        (2.0, start - 0.02 * wire),
        (t_on, start),
        (t_off, end),
        (t_off + 1.0, end - 0.03 * wire),
        (t_off + 2.5, end - 0.12 * wire + np.array([0.0, 0.0, 0.08])),
    ]
    dt = 1.0 / rate_hz
    ts, ps = [], []
    for (t0, p0), (t1, p1) in zip(waypoints[:-1], waypoints[1:], strict=True):
        n = max(1, int(round((t1 - t0) / dt)))
        u = np.arange(1, n + 1) / n
        weld_move = t0 == t_on
        ease = u if weld_move else 0.5 - 0.5 * np.cos(np.pi * u)  # air moves start and stop at rest
        ts.append(t0 + u * (t1 - t0))
        ps.append(p0 + ease[:, None] * (p1 - p0))
    t = np.concatenate([[0.0], *ts])
    pos = np.vstack([waypoints[0][1][None, :], *ps])
    arc = (t >= t_on - 1e-9) & (t <= t_off + 1e-9)
    quat = np.tile(rot.as_quat(), (t.size, 1))
    weld = np.flatnonzero(arc)
    if weave is not None:
        pos[weld] = superimpose_weave(t[weld], pos[weld], quat[weld], weave, float(t[weld[0]]))
    if rng is not None and noise_mm > 0.0:
        pos[weld] += rng.normal(0.0, noise_mm / 1000.0, (weld.size, 3))
    # Solve the waypoints one after the other from a seed on the elbow-up, wrist-positive branch, then all
    # samples at once, each seeded by the joint-space interpolation of its neighbouring waypoints.
    wp_t = np.array([w[0] for w in waypoints])
    wp_q = [np.array([0.0, 0.3, 0.2, 0.0, 0.9, 0.0])]
    for _, wp_pos in waypoints:
        wp_q.append(inverse_kinematics(wp_pos[None, :], rot.as_quat()[None, :], wp_q[-1])[0])
    wp_q_arr = np.array(wp_q[1:])
    seeds = np.column_stack([np.interp(t, wp_t, wp_q_arr[:, j]) for j in range(6)])
    q = inverse_kinematics(pos, quat, seeds)
    return WeldProgram.from_samples(
        t,
        q,
        pos,
        quat,
        arc,
        process,
        sample_robot(),
        name=name,
        weave=weave,
        tool=SAMPLE_TOOL,
        provenance=Provenance(source="sample", created_utc=""),
    )
