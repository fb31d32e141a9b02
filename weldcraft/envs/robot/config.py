"""Robot and cell configuration records, loaded from YAML (configs/cell/*.yaml) or mappings.

Frames: the WORLD frame is z up, gravity -z, origin on the floor. The robot's BASE frame is its URDF root
link frame placed at `robot_base_xyz_m` / `robot_base_rpy_rad` in the world. The WORK frame is the frame a
WeldJob's `part_pose` is relative to: in the shipped cell it lies on the table-top plane straight below the
robot's J1 axis, x towards the table, so parts at x = 0.8-1.0 m sit on the table at mid-reach. rpy angles are
fixed-axis roll, pitch, yaw about x, y, z (URDF and pybullet `getQuaternionFromEuler` convention).

Paths: `weldcraft://NAME` names a file shipped in weldcraft/assets/; a relative path in a YAML file is
relative to that file's folder; otherwise relative to the working directory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from weldcraft.envs.robot.ik import Keepout
from weldcraft.errors import ConfigError

SCHEMA_VERSION = 1
ASSET_PREFIX = "weldcraft://"
ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"
CELL_CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs" / "cell"

Vec3 = tuple[float, float, float]


def resolve_path(path: str, base_dir: Path | None = None) -> Path:
    """Filesystem path of a config path (see the module docstring for the rules)."""
    if path.startswith(ASSET_PREFIX):
        return ASSETS_DIR / path[len(ASSET_PREFIX) :]
    p = Path(path).expanduser()
    if not p.is_absolute() and base_dir is not None:
        p = base_dir / p
    return p


def _vec(value: Any, n: int, where: str) -> tuple[float, ...]:
    if not isinstance(value, list | tuple) or len(value) != n:
        raise ConfigError(f"expected a list of {n} numbers, found {value!r}", where=where)
    try:
        out = tuple(float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"expected numbers, found {value!r}", where=where) from exc
    if not all(math.isfinite(v) for v in out):
        raise ConfigError(f"expected finite numbers, found {value!r}", where=where)
    return out


@dataclass(frozen=True)
class KeepoutSpec:
    """A forbidden interval (rad, modulo 2π) of the named joint; see `weldcraft.envs.robot.ik.Keepout`."""

    joint: str
    lower_rad: float
    upper_rad: float

    def __post_init__(self) -> None:
        if not 0.0 < self.upper_rad - self.lower_rad < 2.0 * math.pi:
            raise ConfigError(f"keep-out of {self.joint!r} needs 0 < upper_rad - lower_rad < 2π")


@dataclass(frozen=True)
class RobotConfig:
    """Which robot, where its TCP is, and its motion limits.

    `urdf`: the robot URDF (revolute joints from the root link to `tcp_link`). `tool_xyz_m` / `tool_rpy_rad`:
    the TCP in `tcp_link`'s frame (zero for the shipped arm, whose URDF ends at the contact tip `tcp`).
    `tool_urdf`: an optional separate tool (e.g. the shipped torch on a user's arm) whose root link is
    bolted to `tcp_link`'s frame. `accel_rad_s2`: per-joint acceleration limits; empty means
    v_max / `accel_rise_time_s` (an industrial arm reaches full speed in about 0.2-0.4 s; 0.3 s assumed).
    `home_q_rad`: a pose to start from and seed the IK with. `keepouts`: mechanical interferences.
    `self_collision_pairs`: link pairs (both on the robot or its tool) checked against each other.
    """

    urdf: str = ASSET_PREFIX + "weldcraft_arc_arm.urdf"
    tcp_link: str = "tcp"
    tool_xyz_m: Vec3 = (0.0, 0.0, 0.0)
    tool_rpy_rad: Vec3 = (0.0, 0.0, 0.0)
    tool_urdf: str | None = None
    accel_rad_s2: tuple[float, ...] = ()
    accel_rise_time_s: float = 0.3
    home_q_rad: tuple[float, ...] = ()
    keepouts: tuple[KeepoutSpec, ...] = ()
    self_collision_pairs: tuple[tuple[str, str], ...] = ()
    base_dir: str | None = None

    def __post_init__(self) -> None:
        if self.accel_rise_time_s <= 0.0:
            raise ConfigError("robot.accel_rise_time_s must be positive")
        if any(a <= 0.0 for a in self.accel_rad_s2):
            raise ConfigError("robot.accel_rad_s2 must be positive")

    def urdf_path(self) -> Path:
        return resolve_path(self.urdf, Path(self.base_dir) if self.base_dir else None)

    def tool_urdf_path(self) -> Path | None:
        if self.tool_urdf is None:
            return None
        return resolve_path(self.tool_urdf, Path(self.base_dir) if self.base_dir else None)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str, base_dir: Path | None = None) -> RobotConfig:
        """Validated config from a mapping (a YAML `robot:` section); `where` names it in errors."""
        _check_keys(data, cls, where, exclude={"base_dir"})
        kw: dict[str, Any] = {"base_dir": str(base_dir) if base_dir else None}
        for key in ("urdf", "tcp_link", "tool_urdf"):
            if key in data:
                if not isinstance(data[key], str | None) or (key != "tool_urdf" and data[key] is None):
                    raise ConfigError(f"expected a string, found {data[key]!r}", where=f"{where}.{key}")
                kw[key] = data[key]
        for key in ("tool_xyz_m", "tool_rpy_rad"):
            if key in data:
                kw[key] = _vec(data[key], 3, f"{where}.{key}")
        for key in ("accel_rad_s2", "home_q_rad"):
            if key in data:
                value = data[key]
                kw[key] = _vec(value, len(value) if isinstance(value, list | tuple) else -1, f"{where}.{key}")
        if "accel_rise_time_s" in data:
            kw["accel_rise_time_s"] = _vec([data["accel_rise_time_s"]], 1, f"{where}.accel_rise_time_s")[0]
        if "keepouts" in data:
            items = []
            for i, item in enumerate(data["keepouts"] or []):
                w = f"{where}.keepouts[{i}]"
                if not isinstance(item, Mapping) or set(item) != {"joint", "lower_rad", "upper_rad"}:
                    raise ConfigError("expected keys joint, lower_rad, upper_rad", where=w)
                lo, hi = _vec([item["lower_rad"], item["upper_rad"]], 2, w)
                try:
                    items.append(KeepoutSpec(str(item["joint"]), lo, hi))
                except ConfigError as exc:
                    raise ConfigError(exc.message, where=w) from exc
            kw["keepouts"] = tuple(items)
        if "self_collision_pairs" in data:
            pairs = []
            for i, pair in enumerate(data["self_collision_pairs"] or []):
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    raise ConfigError(
                        "expected a pair of link names", where=f"{where}.self_collision_pairs[{i}]"
                    )
                pairs.append((str(pair[0]), str(pair[1])))
            kw["self_collision_pairs"] = tuple(pairs)
        try:
            return cls(**kw)
        except ConfigError as exc:
            raise ConfigError(exc.message, where=where) from exc

    def ik_keepouts(self, joint_names: tuple[str, ...]) -> tuple[Keepout, ...]:
        """Keep-outs with joint indices of the loaded chain."""
        out = []
        for k in self.keepouts:
            if k.joint not in joint_names:
                raise ConfigError(
                    f"keep-out joint {k.joint!r} is not one of {joint_names}", where="robot.keepouts"
                )
            out.append(Keepout(joint_names.index(k.joint), k.lower_rad, k.upper_rad))
        return tuple(out)


@dataclass(frozen=True)
class CellConfig:
    """The welding cell: robot on a pedestal, a welding table, and the work frame on the table top.

    `pedestal_size_m`: full box sizes (x, y, z) under the robot base, centred below it (empty: no pedestal).
    `table_top_center_m`: centre of the table's top surface (world); `table_size_m`: (length x, width y,
    top thickness z); `table_yaw_rad` about world z. `allowed_contacts`: (link, body) pairs never reported
    as collisions (`body` names: "table", "pedestal", "part"). `collision_margin_m`: distances up to this
    are reported (0: touching or penetrating only).
    """

    robot: RobotConfig = field(default_factory=RobotConfig)
    robot_base_xyz_m: Vec3 = (0.0, 0.0, 0.0)
    robot_base_rpy_rad: Vec3 = (0.0, 0.0, 0.0)
    pedestal_size_m: tuple[float, ...] = ()
    table_top_center_m: Vec3 = (0.95, 0.0, 0.8)
    table_size_m: Vec3 = (0.9, 1.0, 0.04)
    table_yaw_rad: float = 0.0
    work_xyz_m: Vec3 = (0.0, 0.0, 0.8)
    work_rpy_rad: Vec3 = (0.0, 0.0, 0.0)
    allowed_contacts: tuple[tuple[str, str], ...] = ()
    collision_margin_m: float = 0.0
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        if self.schema_version != SCHEMA_VERSION:
            raise ConfigError(f"cell schema_version {self.schema_version} is not {SCHEMA_VERSION}")
        if self.pedestal_size_m and (len(self.pedestal_size_m) != 3 or min(self.pedestal_size_m) <= 0.0):
            raise ConfigError("cell.pedestal_size_m must be empty or three positive sizes")
        if min(self.table_size_m) <= 0.0:
            raise ConfigError("cell.table_size_m must be positive")
        if self.collision_margin_m < 0.0:
            raise ConfigError("cell.collision_margin_m must be >= 0")

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], source: str = "<mapping>", base_dir: Path | None = None
    ) -> CellConfig:
        """Validated config from a mapping; unknown keys are errors naming `source` and the key."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"expected a mapping, found {type(data).__name__}", where=source)
        data = {k: v for k, v in data.items() if k != "defaults"}  # a Hydra defaults list, if any
        _check_keys(data, cls, source)
        kw: dict[str, Any] = {}
        if "robot" in data:
            if not isinstance(data["robot"], Mapping):
                raise ConfigError("expected a mapping", where=f"{source} key 'robot'")
            kw["robot"] = RobotConfig.from_mapping(data["robot"], f"{source} key 'robot'", base_dir)
        for key in ("robot_base_xyz_m", "robot_base_rpy_rad", "table_top_center_m", "table_size_m"):
            if key in data:
                kw[key] = _vec(data[key], 3, f"{source} key '{key}'")
        for key in ("work_xyz_m", "work_rpy_rad"):
            if key in data:
                kw[key] = _vec(data[key], 3, f"{source} key '{key}'")
        if "pedestal_size_m" in data:
            value = data["pedestal_size_m"] or []
            kw["pedestal_size_m"] = _vec(value, 3, f"{source} key 'pedestal_size_m'") if value else ()
        for key in ("table_yaw_rad", "collision_margin_m"):
            if key in data:
                kw[key] = _vec([data[key]], 1, f"{source} key '{key}'")[0]
        if "schema_version" in data:
            kw["schema_version"] = int(data["schema_version"])
        if "allowed_contacts" in data:
            pairs = []
            for i, pair in enumerate(data["allowed_contacts"] or []):
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    raise ConfigError("expected [link, body]", where=f"{source} key 'allowed_contacts[{i}]'")
                pairs.append((str(pair[0]), str(pair[1])))
            kw["allowed_contacts"] = tuple(pairs)
        try:
            return cls(**kw)
        except ConfigError as exc:
            raise ConfigError(exc.message, where=source) from exc

    @classmethod
    def from_yaml(cls, path: str | Path) -> CellConfig:
        """Load a cell YAML file; relative paths inside it are relative to its folder."""
        p = Path(path)
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot read cell config: {exc}", where=str(p)) from exc
        return cls.from_mapping(data or {}, str(p), p.resolve().parent)


def load_cell_config(name_or_path: str = "default") -> CellConfig:
    """A shipped cell config by name (configs/cell/NAME.yaml) or a YAML file path."""
    candidate = CELL_CONFIG_DIR / f"{name_or_path}.yaml"
    if candidate.is_file():
        return CellConfig.from_yaml(candidate)
    p = Path(name_or_path)
    if p.is_file():
        return CellConfig.from_yaml(p)
    names = sorted(f.stem for f in CELL_CONFIG_DIR.glob("*.yaml"))
    raise ConfigError(
        f"unknown cell config {name_or_path!r}; choose one of: {', '.join(names)} or a YAML path"
    )


def _check_keys(data: Mapping[str, Any], cls: type, where: str, exclude: set[str] | None = None) -> None:
    known = {f.name for f in fields(cls)} - (exclude or set())
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"unknown key(s) {unknown}; expected some of: {', '.join(sorted(known))}", where=where
        )
