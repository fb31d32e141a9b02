"""Joint geometry: joint types, welding positions, seam paths and frames, weld jobs (numpy only).

Frames and units are those of CONTRACTS.md: seam geometry in metres in the part frame, process geometry in
millimetres and degrees; the seam frame has columns (t, n, b). See docs/seams.md.
"""

from weldcraft.seams.config import load_job, preset_names
from weldcraft.seams.job import GapProfile, PartPose, PlacementErrorSpec, WeldJob
from weldcraft.seams.joint import JointKind, JointSpec, WeldingPosition
from weldcraft.seams.paths import ArcSeam, SeamPath, StraightSeam
from weldcraft.seams.plates import Box
from weldcraft.seams.realization import SeamRealization
from weldcraft.seams.section import FusionFace, PlateDims
from weldcraft.seams.spline import SplineSeam
from weldcraft.seams.wps import WPS

__all__ = [
    "WPS",
    "ArcSeam",
    "Box",
    "FusionFace",
    "GapProfile",
    "JointKind",
    "JointSpec",
    "PartPose",
    "PlacementErrorSpec",
    "PlateDims",
    "SeamPath",
    "SeamRealization",
    "SplineSeam",
    "StraightSeam",
    "WeldJob",
    "WeldingPosition",
    "load_job",
    "preset_names",
]
