"""weldcraft.process: GMAW/MAG weld-process model and ISO 5817 grading (numpy only).

Public contract (DESIGN §4/§9): ``heat_input_kj_mm`` and ``iso5817_limit``. The model:
``ProcessModel(wps, joint, position).evaluate(SegmentInputs) -> BeadSegments`` (batched),
``ProcessModel.evaluate_one(...) -> BeadSample`` (per step),
``grade_weld(segments, s_mm, joint) -> WeldGrade``.
"""

from weldcraft.process.arc import current_from_wfs_a, deposited_area_mm2, heat_input_kj_mm
from weldcraft.process.grading import WeldGrade, WeldImperfection, grade_weld
from weldcraft.process.iso5817 import is_short_limited, iso5817_limit, iso6520_code
from weldcraft.process.kim import kim_bead_mm
from weldcraft.process.model import BEAD_FIELDS, BeadSample, BeadSegments, ProcessModel, SegmentInputs

__all__ = [
    "BEAD_FIELDS",
    "BeadSample",
    "BeadSegments",
    "ProcessModel",
    "SegmentInputs",
    "WeldGrade",
    "WeldImperfection",
    "current_from_wfs_a",
    "deposited_area_mm2",
    "grade_weld",
    "heat_input_kj_mm",
    "is_short_limited",
    "iso5817_limit",
    "iso6520_code",
    "kim_bead_mm",
]
