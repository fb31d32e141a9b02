"""Generator of the shipped robot and torch URDFs (primitive shapes, computed mass properties).

The arm is a generic 6-axis arc-welding arm of the 1.4 m-reach class with an ortho-parallel base and a
spherical wrist. Its proportions are those of that published class (not any vendor's data): J2 axis
0.45 m above the mounting plane and 0.15 m in front of the J1 axis, upper arm 0.60 m, elbow offset 0.10 m,
forearm 0.65 m (J3 axis to wrist centre), wrist centre to flange 0.10 m; reach to the wrist centre
0.15 + 0.60 + hypot(0.65, 0.10) = 1.41 m; arm mass about 113 kg without the base's foundation.
Joint limits and maximum speeds are DESIGN.md §3's (a 6-axis arc-welding arm of that class).

Conventions (see docs/robot.md): base frame z up; at q = 0 the upper arm is vertical and the forearm points
along +x. J1 about +z, J2 about +y (positive = upper arm leans forward), J3 about +y in the serial URDF
convention (positive = forearm turns down), J4 about +x, J5 about +y, J6 about +x. The `flange` frame
(ROS-Industrial `tool0` style) has z out of the flange face. The torch's `tcp` frame sits at the contact
tip with z along the wire (from the contact tip towards the work).

`python -m weldcraft.envs.robot.urdf_gen` rewrites the shipped files in weldcraft/assets/.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.envs.robot.inertia import Primitive, mass_properties
from weldcraft.fileio import write_text_atomic

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"
ARM_TORCH_URDF = "weldcraft_arc_arm.urdf"
BARE_ARM_URDF = "weldcraft_arc_arm_bare.urdf"
TORCH_URDF = "weldcraft_mig_torch.urdf"

_HALF_PI = math.pi / 2.0
_ALONG_X = (0.0, _HALF_PI, 0.0)  # rpy turning a primitive's local z onto the link's x axis
_ALONG_Y = (_HALF_PI, 0.0, 0.0)  # rpy turning a primitive's local z onto the link's y axis


@dataclass(frozen=True)
class JointSpecURDF:
    """One revolute joint of the arm: limits rad, speed rad/s, effort N m (class-typical motor torque)."""

    name: str
    axis: tuple[float, float, float]
    xyz_m: tuple[float, float, float]
    lower_rad: float
    upper_rad: float
    velocity_rad_s: float
    effort_nm: float


@dataclass(frozen=True)
class LinkSpec:
    """A link: its mass and the primitives that are both its visual and its collision geometry."""

    name: str
    mass_kg: float
    primitives: tuple[Primitive, ...]
    rgba: tuple[float, float, float, float]


@dataclass(frozen=True)
class ArmGeometry:
    """Kinematic dimensions of the ortho-parallel arm (m), see the module docstring."""

    j1_height_m: float = 0.25
    shoulder_height_m: float = 0.45
    shoulder_offset_m: float = 0.15
    upper_arm_m: float = 0.60
    elbow_offset_m: float = 0.10
    forearm_m: float = 0.65
    wrist_to_flange_m: float = 0.10
    j4_from_j3_m: float = 0.25
    j6_from_wrist_m: float = 0.07


@dataclass(frozen=True)
class TorchGeometry:
    """Bent-neck robotic MIG torch (m, rad): body along the flange z, neck bent by `neck_bend_rad`.

    Sizes of that class of torch: 0.40 m from flange to nozzle end, 45° neck, conical nozzle of 22 mm outer
    diameter tapering to 15 mm at its end, contact tip recessed 2 mm inside the nozzle (robotic spray/pulse
    setting). At 45° in a fillet the nozzle end then clears the plates down to a CTWD of about 10 mm.
    """

    body_length_m: float = 0.19
    neck_bend_rad: float = math.radians(45.0)
    neck_length_m: float = 0.14
    neck_radius_m: float = 0.0125
    nozzle_length_m: float = 0.05
    nozzle_radius_m: float = 0.011
    nozzle_tip_length_m: float = 0.02
    nozzle_tip_radius_m: float = 0.0075
    tip_recess_m: float = 0.002

    def tcp_offset(self) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
        """TCP pose in the mounting (flange) frame: ((x, y, z) m, (roll, pitch, yaw) rad)."""
        along = self.neck_length_m + self.nozzle_length_m + self.nozzle_tip_length_m - self.tip_recess_m
        s, c = math.sin(self.neck_bend_rad), math.cos(self.neck_bend_rad)
        return (along * s, 0.0, self.body_length_m + along * c), (0.0, self.neck_bend_rad, 0.0)


ORANGE = (0.93, 0.45, 0.1, 1.0)
GREY = (0.25, 0.25, 0.27, 1.0)
DARK = (0.12, 0.12, 0.12, 1.0)
COPPER = (0.78, 0.5, 0.2, 1.0)


@dataclass(frozen=True)
class ArmSpec:
    """Everything the generator writes for the arm: joints (in chain order) and links (base first)."""

    geometry: ArmGeometry = field(default_factory=ArmGeometry)

    def joints(self) -> list[JointSpecURDF]:
        g = self.geometry
        # DESIGN.md §3 limits (rad) and speeds (rad/s); efforts are class-typical rated torques.
        return [
            JointSpecURDF("joint_1", (0, 0, 1), (0, 0, g.j1_height_m), -3.14, 3.14, 3.67, 900.0),
            JointSpecURDF(
                "joint_2",
                (0, 1, 0),
                (g.shoulder_offset_m, 0, g.shoulder_height_m - g.j1_height_m),
                -1.57,
                2.79,
                3.32,
                900.0,
            ),
            JointSpecURDF("joint_3", (0, 1, 0), (0, 0, g.upper_arm_m), -3.14, 4.61, 3.67, 400.0),
            JointSpecURDF(
                "joint_4", (1, 0, 0), (g.j4_from_j3_m, 0, g.elbow_offset_m), -3.31, 3.31, 6.98, 50.0
            ),
            JointSpecURDF(
                "joint_5", (0, 1, 0), (g.forearm_m - g.j4_from_j3_m, 0, 0), -3.31, 3.31, 6.98, 50.0
            ),
            JointSpecURDF("joint_6", (1, 0, 0), (g.j6_from_wrist_m, 0, 0), -6.28, 6.28, 10.47, 25.0),
        ]

    def links(self) -> list[LinkSpec]:
        g = self.geometry
        housing_rear = -0.18
        housing_len = g.j4_from_j3_m - housing_rear
        tube_len = g.forearm_m - g.j4_from_j3_m - 0.06
        flange_len = g.wrist_to_flange_m - g.j6_from_wrist_m
        return [
            LinkSpec(
                "base_link",
                40.0,
                (Primitive("cylinder", (0.20, g.j1_height_m), (0, 0, g.j1_height_m / 2)),),
                GREY,
            ),
            LinkSpec(
                "link_1",
                32.0,
                (
                    Primitive("cylinder", (0.17, 0.20), (0, 0, 0.10)),
                    Primitive("box", (0.26, 0.30, 0.20), (0.12, 0, 0.18)),
                ),
                ORANGE,
            ),
            LinkSpec(
                "link_2",
                17.0,
                (
                    Primitive("cylinder", (0.11, 0.24), (0, 0, 0), _ALONG_Y),
                    Primitive("box", (0.12, 0.16, g.upper_arm_m), (0, 0, g.upper_arm_m / 2)),
                ),
                ORANGE,
            ),
            LinkSpec(
                "link_3",
                15.0,
                (
                    Primitive("cylinder", (0.10, 0.22), (0, 0, 0), _ALONG_Y),
                    Primitive(
                        "cylinder",
                        (0.085, housing_len),
                        (housing_rear + housing_len / 2, 0, g.elbow_offset_m),
                        _ALONG_X,
                    ),
                ),
                ORANGE,
            ),
            LinkSpec(
                "link_4",
                6.0,
                (Primitive("cylinder", (0.06, tube_len), (tube_len / 2, 0, 0), _ALONG_X),),
                ORANGE,
            ),
            LinkSpec(
                "link_5",
                3.0,
                (
                    Primitive("cylinder", (0.055, 0.13), (0, 0, 0), _ALONG_Y),
                    Primitive(
                        "cylinder", (0.045, g.j6_from_wrist_m), (g.j6_from_wrist_m / 2, 0, 0), _ALONG_X
                    ),
                ),
                ORANGE,
            ),
            LinkSpec(
                "link_6",
                0.6,
                (Primitive("cylinder", (0.04, flange_len), (flange_len / 2, 0, 0), _ALONG_X),),
                GREY,
            ),
        ]


def torch_links(
    t: TorchGeometry,
) -> list[tuple[LinkSpec, tuple[float, float, float], tuple[float, float, float]]]:
    """Torch links with the fixed-joint origin (xyz m, rpy rad) of each in its parent's frame."""
    clutch_len = 0.06
    body_len = t.body_length_m - clutch_len
    nozzle_total = t.nozzle_length_m + t.nozzle_tip_length_m
    return [
        (
            LinkSpec(
                "torch_body",
                1.1,
                (
                    Primitive("cylinder", (0.036, clutch_len), (0, 0, clutch_len / 2)),
                    Primitive("cylinder", (0.022, body_len), (0, 0, clutch_len + body_len / 2)),
                ),
                DARK,
            ),
            (0.0, 0.0, 0.0),
            (0.0, 0.0, 0.0),
        ),
        (
            LinkSpec(
                "torch_neck",
                0.35,
                (Primitive("cylinder", (t.neck_radius_m, t.neck_length_m), (0, 0, t.neck_length_m / 2)),),
                GREY,
            ),
            (0.0, 0.0, t.body_length_m),
            (0.0, t.neck_bend_rad, 0.0),
        ),
        (
            LinkSpec(
                "torch_nozzle",
                0.15,
                (
                    Primitive(
                        "cylinder", (t.nozzle_radius_m, t.nozzle_length_m), (0, 0, t.nozzle_length_m / 2)
                    ),
                    Primitive(
                        "cylinder",
                        (t.nozzle_tip_radius_m, t.nozzle_tip_length_m),
                        (0, 0, t.nozzle_length_m + t.nozzle_tip_length_m / 2),
                    ),
                ),
                COPPER,
            ),
            (0.0, 0.0, t.neck_length_m),
            (0.0, 0.0, 0.0),
        ),
        (LinkSpec("tcp", 0.0, (), COPPER), (0.0, 0.0, nozzle_total - t.tip_recess_m), (0.0, 0.0, 0.0)),
    ]


def _f(v: float) -> str:
    # Shortest text that reads back as the same double (exact pi/2 and 45 degree angles).
    v = float(v) + 0.0  # turns -0.0 into 0.0
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _r9(v: float) -> float:
    return float(f"{float(v):.9g}")


def _vec(v: tuple[float, ...]) -> str:
    return " ".join(_f(float(x)) for x in v)


def _geometry_xml(p: Primitive) -> str:
    if p.kind == "cylinder":
        return f'<cylinder radius="{_f(p.size[0])}" length="{_f(p.size[1])}"/>'
    return f'<box size="{_vec(p.size)}"/>'


def _principal_axes(inertia: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Principal moments (3,) and axes (3, 3 columns), ordered and signed to stay closest to the link axes."""
    moments, axes = np.linalg.eigh(inertia)
    order = [int(np.argmax(np.abs(axes[i, :]))) for i in range(3)]
    if sorted(order) != [0, 1, 2]:
        order = [0, 1, 2]
    moments, axes = moments[order], axes[:, order]
    axes = axes * np.where(np.diag(axes) < 0.0, -1.0, 1.0)
    if np.linalg.det(axes) < 0.0:
        axes[:, 2] = -axes[:, 2]
    return moments, axes


def _link_xml(link: LinkSpec) -> list[str]:
    out = [f'  <link name="{link.name}">']
    if not link.primitives:
        # A frame-only link (flange, tcp): a negligible mass so that importers do not invent 1 kg.
        out += [
            "    <inertial>",
            '      <origin xyz="0 0 0" rpy="0 0 0"/>',
            '      <mass value="0.001"/>',
            '      <inertia ixx="1e-07" ixy="0" ixz="0" iyy="1e-07" iyz="0" izz="1e-07"/>',
            "    </inertial>",
        ]
    else:
        com, inertia = mass_properties(list(link.primitives), link.mass_kg)
        # Principal axes: pybullet reads only the diagonal of <inertia>, so the inertial frame is rotated
        # onto the eigenvectors and the off-diagonal terms are zero by construction.
        moments, axes = _principal_axes(inertia)
        # Mass properties rounded to 9 significant digits: stable text across BLAS builds.
        rpy = tuple(_r9(a) for a in Rotation.from_matrix(axes).as_euler("xyz"))
        com = np.array([_r9(c) for c in com])
        moments = np.array([_r9(m) for m in moments])
        out += [
            "    <inertial>",
            f'      <origin xyz="{_vec(tuple(com))}" rpy="{_vec(rpy)}"/>',
            f'      <mass value="{_f(link.mass_kg)}"/>',
            f'      <inertia ixx="{_f(moments[0])}" ixy="0" ixz="0" iyy="{_f(moments[1])}" iyz="0"'
            f' izz="{_f(moments[2])}"/>',
            "    </inertial>",
        ]
    for tag in ("visual", "collision"):
        for p in link.primitives:
            out += [
                f"    <{tag}>",
                f'      <origin xyz="{_vec(p.xyz_m)}" rpy="{_vec(p.rpy_rad)}"/>',
                f"      <geometry>{_geometry_xml(p)}</geometry>",
            ]
            if tag == "visual":
                out.append(
                    f'      <material name="{link.name}_mat"><color rgba="{_vec(link.rgba)}"/></material>'
                )
            out.append(f"    </{tag}>")
    out.append("  </link>")
    return out


def _fixed_joint_xml(
    name: str, parent: str, child: str, xyz: tuple[float, ...], rpy: tuple[float, ...]
) -> list[str]:
    return [
        f'  <joint name="{name}" type="fixed">',
        f'    <parent link="{parent}"/>',
        f'    <child link="{child}"/>',
        f'    <origin xyz="{_vec(xyz)}" rpy="{_vec(rpy)}"/>',
        "  </joint>",
    ]


def _arm_body(spec: ArmSpec) -> list[str]:
    links = spec.links()
    joints = spec.joints()
    out = _link_xml(links[0])
    for joint, parent, child in zip(joints, links[:-1], links[1:], strict=True):
        out += _link_xml(child)
        out += [
            f'  <joint name="{joint.name}" type="revolute">',
            f'    <parent link="{parent.name}"/>',
            f'    <child link="{child.name}"/>',
            f'    <origin xyz="{_vec(joint.xyz_m)}" rpy="0 0 0"/>',
            f'    <axis xyz="{_vec(joint.axis)}"/>',
            f'    <limit lower="{_f(joint.lower_rad)}" upper="{_f(joint.upper_rad)}"'
            f' velocity="{_f(joint.velocity_rad_s)}" effort="{_f(joint.effort_nm)}"/>',
            "  </joint>",
        ]
    g = spec.geometry
    out += [
        *_link_xml(LinkSpec("flange", 0.001, (), GREY)),
        *_fixed_joint_xml(
            "joint_flange", "link_6", "flange", (g.wrist_to_flange_m - g.j6_from_wrist_m, 0, 0), _ALONG_X
        ),
    ]
    return out


def _torch_body(torch: TorchGeometry, mount: str) -> list[str]:
    out: list[str] = []
    parent = mount
    for link, xyz, rpy in torch_links(torch):
        out += _link_xml(link)
        out += _fixed_joint_xml(f"joint_{link.name}", parent, link.name, xyz, rpy)
        parent = link.name
    return out


_HEADER = '<?xml version="1.0"?>\n<!-- Generated by weldcraft.envs.robot.urdf_gen; do not edit by hand. -->\n'


def arm_urdf(
    spec: ArmSpec | None = None, torch: TorchGeometry | None = None, *, with_torch: bool = True
) -> str:
    """URDF text of the arm; with the torch (links torch_body, torch_neck, torch_nozzle, tcp) by default."""
    spec = spec or ArmSpec()
    lines = ['<robot name="weldcraft_arc_arm">', *_arm_body(spec)]
    if with_torch:
        lines += _torch_body(torch or TorchGeometry(), "flange")
    lines.append("</robot>")
    return _HEADER + "\n".join(lines) + "\n"


def torch_urdf(torch: TorchGeometry | None = None) -> str:
    """URDF text of the torch alone; its root link `torch_mount` is the flange it bolts to."""
    lines = ['<robot name="weldcraft_mig_torch">', *_link_xml(LinkSpec("torch_mount", 0.001, (), GREY))]
    lines += _torch_body(torch or TorchGeometry(), "torch_mount")
    lines.append("</robot>")
    return _HEADER + "\n".join(lines) + "\n"


def generated_assets() -> dict[str, str]:
    """File name -> URDF text of every shipped URDF."""
    return {ARM_TORCH_URDF: arm_urdf(), BARE_ARM_URDF: arm_urdf(with_torch=False), TORCH_URDF: torch_urdf()}


def write_assets(directory: Path = ASSETS_DIR) -> list[Path]:
    """Write the shipped URDFs atomically (temp file in the same folder, then os.replace)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generated_assets().items():
        written.append(write_text_atomic(directory / name, text))
    return written


if __name__ == "__main__":
    write_assets()
