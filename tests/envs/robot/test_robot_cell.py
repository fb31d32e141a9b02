"""The cell: collision queries (nozzle vs part is a collision, the wire tip is not), parts, no leaks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pybullet as pb
import pytest
from scipy.spatial.transform import Rotation

from weldcraft.envs.robot import Cell, CellConfig, build_cell, load_cell_config
from weldcraft.envs.robot.urdf_gen import TorchGeometry
from weldcraft.errors import ConfigError

PLATE_T = 0.01  # plate thickness, m
PART_IN_WORK_M = np.array([0.95, 0.0, 0.0])  # where the seam presets put parts: mid-reach on the table


@dataclass(frozen=True)
class Box:
    center_m: tuple[float, float, float]
    quat_xyzw: tuple[float, float, float, float]
    half_extents_m: tuple[float, float, float]


FLAT_PLATE = [Box((0.0, 0.0, PLATE_T / 2), (0.0, 0.0, 0.0, 1.0), (0.15, 0.10, PLATE_T / 2))]
# A fillet joint along x: flange on the table (side A, -y... +y), web standing on it at y = 0.
FILLET = [
    Box((0.0, 0.05, PLATE_T / 2), (0.0, 0.0, 0.0, 1.0), (0.15, 0.05, PLATE_T / 2)),
    Box((0.0, -PLATE_T / 2, PLATE_T + 0.05), (0.0, 0.0, 0.0, 1.0), (0.15, PLATE_T / 2, 0.05)),
]


def panels(box: Box, n: int) -> list[Box]:
    """The box cut into n panels along its x axis (as a curved seam's plates come: more than 16 boxes)."""
    hx = box.half_extents_m[0] / n
    x0 = box.center_m[0] - box.half_extents_m[0] + hx
    return [
        Box((x0 + 2 * hx * i, box.center_m[1], box.center_m[2]), box.quat_xyzw, (hx, *box.half_extents_m[1:]))
        for i in range(n)
    ]


FILLET_PANELS = panels(FILLET[0], 10) + panels(FILLET[1], 10)  # 20 boxes: base + 1 link in pybullet


def part_origin(cell: Cell) -> np.ndarray:
    """World position of a part placed at PART_IN_WORK_M in the work frame."""
    return cell.world_from_work(PART_IN_WORK_M)


def put_tcp(cell: Cell, tcp_world: np.ndarray, wire_dir: np.ndarray) -> None:
    """Move the robot so that the TCP is at tcp_world with the wire (TCP z) along wire_dir."""
    z = wire_dir / np.linalg.norm(wire_dir)
    x = np.cross([0.0, 1.0, 0.0], z)
    x /= np.linalg.norm(x)
    rot = np.column_stack([x, np.cross(z, x), z])
    res = cell.robot.solve_ik(tcp_world, Rotation.from_matrix(rot).as_quat(), cell.robot.home_q_rad)
    assert res.ok, res.reason
    cell.robot.set_q(res.q)


def test_home_pose_is_collision_free(cell: Cell) -> None:
    assert cell.collisions() == []
    # The robot base stands on the pedestal: an allowed contact, not a collision.
    assert cell.collisions(margin_m=0.01) == []


def test_nominal_ctwd_is_free_and_nozzle_in_plate_is_a_collision(cell: Cell) -> None:
    cell.add_boxes(FLAT_PLATE, part_origin(cell), cell.work_quat_xyzw)
    top = part_origin(cell) + np.array([0.0, 0.0, PLATE_T])
    down = np.array([0.0, 0.0, -1.0])
    put_tcp(cell, top + 0.015 * -down, down)  # CTWD 15 mm
    assert cell.collisions() == []
    recess = TorchGeometry().tip_recess_m
    assert cell.link_distance_m("torch_nozzle", "part") == pytest.approx(0.015 - recess, abs=1e-4)
    put_tcp(cell, top + 0.001 * -down, down)  # contact tip 1 mm above the plate: nozzle 2 mm into it
    hits = cell.collisions()
    assert [(c.link_name, c.body_name) for c in hits] == [("torch_nozzle", "part")]
    assert hits[0].distance_m == pytest.approx(-(recess - 0.001), abs=2e-4)


def test_fillet_at_45_degrees_and_nominal_ctwd_is_free(cell: Cell) -> None:
    cell.add_boxes(FILLET, part_origin(cell), cell.work_quat_xyzw)
    root = part_origin(cell) + np.array([0.0, 0.0, PLATE_T])
    wire = np.array([0.0, -1.0, -1.0]) / math.sqrt(2.0)  # bisecting the corner, towards it
    put_tcp(cell, root - 0.015 * wire, wire)
    assert cell.collisions() == []
    # Nozzle end 13 mm out along the bisector, rim radius 7.5 mm: (13 - 7.5) sin 45° from each plate; Bullet
    # rounds cylinder edges with its 1 mm collision margin, which adds 1 mm (sqrt 2 - 1) at 45°.
    expected = (0.013 - 0.0075) * math.sqrt(0.5) + 0.001 * (math.sqrt(2.0) - 1.0)
    assert cell.link_distance_m("torch_nozzle", "part") == pytest.approx(expected, abs=1e-5)
    put_tcp(cell, root - 0.010 * wire, wire)  # CTWD 10 mm, the short end of the window: still clear
    assert cell.collisions() == []
    put_tcp(cell, root - 0.006 * wire, wire)  # CTWD 6 mm: the nozzle rim is in the plates
    assert any(c.link_name == "torch_nozzle" and c.body_name == "part" for c in cell.collisions())


def test_torch_into_table_and_margin(cell: Cell) -> None:
    top = np.array([*cell.config.table_top_center_m])
    down = np.array([0.0, 0.0, -1.0])
    recess = TorchGeometry().tip_recess_m
    put_tcp(cell, top + np.array([-0.1, 0.0, recess + 0.001]), down)  # nozzle end 1 mm above the table
    assert cell.collisions() == []
    near = cell.collisions(margin_m=0.005)
    assert [(c.link_name, c.body_name) for c in near] == [("torch_nozzle", "table")]
    assert near[0].distance_m == pytest.approx(0.001, abs=1e-6)


def test_torch_bent_back_onto_the_forearm_is_a_self_collision(cell: Cell) -> None:
    cell.robot.set_q(np.array([0.0, 0.3, -0.2, 0.0, -2.0, 0.0]))  # J5 at -2.0 rad: torch clear
    assert cell.collisions() == []
    cell.robot.set_q(np.array([0.0, 0.3, -0.2, 0.0, -2.6, 0.0]))  # J5 at -2.6 rad (within limits)
    hits = cell.collisions()
    assert ("torch_body", "robot", "link_4") in {(c.link_name, c.body_name, c.other_link) for c in hits}
    assert all(c.distance_m <= 0.0 for c in hits)


def test_keepout_covers_forearm_folding_onto_upper_arm(cell: Cell) -> None:
    robot = cell.robot
    names = {n: i for i, n in robot.link_names.items()}
    (keepout,) = robot.limits.keepouts
    assert not robot.within_limits(np.array([0.0, 0.0, 1.9, 0.0, 0.0, 0.0]))  # folded: refused
    for th3 in np.arange(-3.14, 4.61, 0.05):
        robot.set_q(np.array([0.0, 0.0, th3, 0.0, 0.0, 0.0]))
        pts = pb.getClosestPoints(
            robot.body_id,
            robot.body_id,
            0.0,
            linkIndexA=names["link_4"],
            linkIndexB=names["link_2"],
            physicsClientId=cell.client_id,
        )
        if pts:  # forearm tube touches the upper arm: must be inside the keep-out
            assert keepout.contains(th3), th3


def test_remove_and_replace_part_reuses_shapes(cell: Cell) -> None:
    cid = cell.client_id
    first = cell.add_boxes(FILLET, part_origin(cell), cell.work_quat_xyzw)
    shape = pb.getCollisionShapeData(first, -1, physicsClientId=cid)
    n_bodies = pb.getNumBodies(physicsClientId=cid)
    for k in range(20):
        body = cell.add_boxes(FILLET, part_origin(cell) + [0.001 * k, 0, 0], cell.work_quat_xyzw)
        assert pb.getNumBodies(physicsClientId=cid) == n_bodies
        assert pb.getCollisionShapeData(body, -1, physicsClientId=cid) == shape
    assert len(cell._part_shapes) == 1
    cell.remove_part()
    assert "part" not in cell.body_ids
    assert pb.getNumBodies(physicsClientId=cid) == n_bodies - 1


def test_set_part_pose_moves_the_collision_geometry(cell: Cell) -> None:
    cell.add_boxes(FLAT_PLATE, part_origin(cell), cell.work_quat_xyzw)
    down = np.array([0.0, 0.0, -1.0])
    put_tcp(cell, part_origin(cell) + np.array([0.0, 0.0, PLATE_T + 0.006]), down)
    assert cell.collisions() == []
    rise = np.array([0.0, 0.0, 0.005])  # the part rises 5 mm (thermal drift, say)
    cell.set_part_pose(part_origin(cell) + rise, cell.work_quat_xyzw)
    assert [c.link_name for c in cell.collisions()] == ["torch_nozzle"]


def test_cell_config_rejects_unknown_keys_and_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "cell.yaml"
    bad.write_text("robot:\n  urdf: weldcraft://weldcraft_arc_arm.urdf\n  tcp_lnk: tcp\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cell.yaml key 'robot'.*tcp_lnk"):
        CellConfig.from_yaml(bad)
    with pytest.raises(ConfigError, match="choose one of: default"):
        load_cell_config("no_such_cell")


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * 4096 / 1e6


def test_no_leaks_over_100_connect_build_disconnect_cycles() -> None:
    config = load_cell_config("default")
    ids = []
    rss = []
    for k in range(100):
        cid = pb.connect(pb.DIRECT)
        cell = build_cell(cid, config)
        cell.add_boxes(FILLET, part_origin(cell), cell.work_quat_xyzw)
        cell.collisions()
        pb.disconnect(physicsClientId=cid)
        ids.append(cid)
        if k in (9, 99):
            rss.append(_rss_mb())
    assert max(ids) - min(ids) <= 1  # client ids are reused: no connection is left open
    assert rss[1] - rss[0] < 15.0  # MB over 90 cycles


def _brute_force(cell: Cell) -> set[tuple[str, str, str]]:
    """Every penetrating (link, body, other link) pair by exhaustive getClosestPoints queries."""
    cid = cell.client_id
    robot = cell.robot
    out = set()
    for name, body in cell.body_ids.items():
        for pt in pb.getClosestPoints(robot.body_id, body, 0.0, physicsClientId=cid):
            link = robot.link_names[pt[3]]
            if pt[8] < -1e-6 and (link, name) not in cell.config.allowed_contacts:
                out.add((link, name, ""))
    names = {n: i for i, n in robot.link_names.items()}
    for a, b in cell.config.robot.self_collision_pairs:
        pts = pb.getClosestPoints(
            robot.body_id, robot.body_id, 0.0, linkIndexA=names[a], linkIndexB=names[b], physicsClientId=cid
        )
        if any(p[8] < -1e-6 for p in pts):
            out.add((a, "robot", b))
    return out


def test_one_pass_screening_finds_exactly_what_exhaustive_queries_find(cell: Cell) -> None:
    cell.add_boxes(FILLET_PANELS, part_origin(cell), cell.work_quat_xyzw)
    robot = cell.robot
    rng = np.random.default_rng(17)
    seen = 0
    for k in range(150):
        if k % 2:  # torch poses around the joint: nozzle near, in and clear of the plates
            wire = rng.normal(size=3) + np.array([0.0, -1.0, -1.5])
            tcp = part_origin(cell) + np.array([rng.uniform(-0.1, 0.1), rng.uniform(-0.03, 0.03), 0.01])
            tcp = tcp - rng.uniform(-0.005, 0.03) * wire / np.linalg.norm(wire)
            z = wire / np.linalg.norm(wire)
            x = np.cross(rng.normal(size=3), z)
            rot = np.column_stack([x / np.linalg.norm(x), np.cross(z, x / np.linalg.norm(x)), z])
            res = robot.solve_ik(tcp, Rotation.from_matrix(rot).as_quat(), robot.home_q_rad)
            if not res.ok:
                continue
            robot.set_q(res.q)
        else:  # anywhere in the joint space: self-collisions and table hits
            robot.set_q(rng.uniform(robot.lower_rad, robot.upper_rad))
        hits = cell.collisions()
        screened = {(c.link_name, c.body_name, c.other_link) for c in hits if c.distance_m < -1e-6}
        assert screened == _brute_force(cell)
        seen += bool(screened)
    assert seen > 20  # the check saw many colliding poses, not only free ones


def test_part_with_more_boxes_than_one_pybullet_compound_holds(cell: Cell) -> None:
    """pybullet compounds hold 16 shapes: a 40-panel part (a curved seam's plates) is split into links."""
    boxes = [
        Box((-0.2 + 0.01 * i, 0.0, PLATE_T / 2), (0.0, 0.0, 0.0, 1.0), (0.005, 0.05, PLATE_T / 2))
        for i in range(40)
    ]
    body = cell.add_boxes(boxes, part_origin(cell), cell.work_quat_xyzw)
    assert pb.getNumJoints(body, physicsClientId=cell.client_id) == 2  # 16 + 16 + 8 boxes
    down = np.array([0.0, 0.0, -1.0])
    last = part_origin(cell) + np.array([-0.2 + 0.39, 0.0, PLATE_T])  # the 40th box, on the second link
    put_tcp(cell, last + 0.015 * -down, down)
    assert cell.collisions() == []
    put_tcp(cell, last + 0.001 * -down, down)
    assert [(c.link_name, c.body_name) for c in cell.collisions()] == [("torch_nozzle", "part")]
