"""Joint geometry: joint types, welding positions, seam paths and frames, weld jobs (numpy only)."""

from weldcraft.seams.joint import JointKind, JointSpec, WeldingPosition
from weldcraft.seams.wps import WPS

__all__ = ["WPS", "JointKind", "JointSpec", "WeldingPosition"]
