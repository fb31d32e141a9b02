"""ROS 2 bags read back with the independent `mcap` + `mcap-ros2-support` readers (not rosbags)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from mcap.reader import make_reader
from mcap_ros2.decoder import DecoderFactory

from weldcraft.export import WeldProgram, export_program


@pytest.fixture(scope="module")
def bag(tmp_path_factory: pytest.TempPathFactory, zigzag_program: WeldProgram) -> Path:
    out = tmp_path_factory.mktemp("ros2")
    result = export_program(zigzag_program, "ros2", out, name="fillet")
    assert sorted(p.relative_to(out).as_posix() for p in result.paths) == [
        "fillet.trajectory.yaml", "fillet/fillet.mcap", "fillet/metadata.yaml",
    ]  # fmt: skip
    return out


def _messages(bag: Path) -> dict[str, list[tuple[int, object, str]]]:
    out: dict[str, list[tuple[int, object, str]]] = {}
    with open(bag / "fillet" / "fillet.mcap", "rb") as f:
        for schema, channel, message, decoded in make_reader(
            f, decoder_factories=[DecoderFactory()]
        ).iter_decoded_messages():
            out.setdefault(channel.topic, []).append((message.log_time, decoded, schema.name))
    return out


def test_bag_content_decoded_with_mcap(bag: Path, zigzag_program: WeldProgram) -> None:
    msgs = _messages(bag)
    n = zigzag_program.n_points
    counts = {t: len(v) for t, v in msgs.items()}
    assert counts == {
        "/weld/joint_trajectory": 1,
        "/weld/joint_states": n,
        "/weld/tcp_pose": n,
        "/weld/arc_on": 3,
        "/weld/process": 1,
    }
    ((_, traj, schema),) = msgs["/weld/joint_trajectory"]
    assert schema == "trajectory_msgs/msg/JointTrajectory"
    assert list(traj.joint_names) == list(zigzag_program.robot.joint_names)
    q = np.array([p.positions for p in traj.points])
    assert np.allclose(q, zigzag_program.q_rad)  # radians, every sample
    t = np.array([p.time_from_start.sec + p.time_from_start.nanosec * 1e-9 for p in traj.points])
    assert np.all(np.diff(t) > 0) and np.allclose(t, zigzag_program.t_s, atol=1e-9)
    log_t = np.array([m[0] for m in msgs["/weld/tcp_pose"]], dtype=np.int64)
    assert np.allclose((log_t - log_t[0]) * 1e-9, zigzag_program.t_s, atol=1e-9)
    pos = np.array(
        [[m.pose.position.x, m.pose.position.y, m.pose.position.z] for _, m, _ in msgs["/weld/tcp_pose"]]
    )
    assert np.allclose(pos, zigzag_program.tcp_pos_m)  # metres
    arc = [(ts, m.data) for ts, m, _ in msgs["/weld/arc_on"]]
    on_i, off_i = (i for i, _ in zigzag_program.arc_events())
    assert [a for _, a in arc] == [False, True, False]
    assert arc[1][0] == log_t[on_i] and arc[2][0] == log_t[off_i]
    ((_, proc, _),) = msgs["/weld/process"]
    assert list(proc.data) == [8.0, 25.0, 6.0, 1.2]
    assert proc.layout.dim[0].label == "wire_feed_m_min,voltage_v,travel_speed_mm_s,wire_diameter_mm"


def test_joint_trajectory_yaml_is_one_message(bag: Path, zigzag_program: WeldProgram) -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = yaml.load((bag / "fillet.trajectory.yaml").read_text(), Loader=loader)
    assert set(doc) == {"header", "joint_names", "points"}
    assert doc["joint_names"] == list(zigzag_program.robot.joint_names)
    pts = doc["points"]
    assert len(pts) == zigzag_program.n_points
    assert np.allclose([p["positions"] for p in pts], zigzag_program.q_rad, atol=5e-10)
    t = np.array([p["time_from_start"]["sec"] + p["time_from_start"]["nanosec"] * 1e-9 for p in pts])
    assert np.allclose(t, zigzag_program.t_s, atol=1e-9)
    assert pts[0]["velocities"] == [0.0] * 6 and pts[-1]["velocities"] == [0.0] * 6
