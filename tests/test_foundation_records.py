import math

import numpy as np
import pytest

from weldcraft.errors import UserError
from weldcraft.registry import Registry
from weldcraft.seams import WPS, JointKind, JointSpec, WeldingPosition


def test_registry_rejects_duplicates_and_names_choices() -> None:
    reg: Registry[int] = Registry("exporter")
    reg.register("rapid")(1)
    reg.register("csv")(2)
    with pytest.raises(ValueError, match="duplicate exporter 'csv'"):
        reg.register("csv")(3)
    with pytest.raises(UserError, match="unknown exporter 'rapdi'; choose one of: csv, rapid"):
        reg.get("rapdi")


def test_wps_defaults_are_a_spray_mag_procedure_and_bad_values_fail() -> None:
    wps = WPS()
    assert wps.wire_diameter_mm == 1.2 and wps.arc_efficiency == 0.8
    with pytest.raises(ValueError, match="voltage_v must be in"):
        WPS(voltage_v=80.0)
    with pytest.raises(ValueError, match="ctwd_mm must be a finite number"):
        WPS(ctwd_mm=math.nan)


def test_joint_spec_validates_thickness_and_groove() -> None:
    assert JointSpec("fillet", 8.0).kind is JointKind.FILLET
    with pytest.raises(ValueError, match="thickness_mm must be a positive"):
        JointSpec(JointKind.FILLET, -1.0)
    with pytest.raises(ValueError, match="groove_angle_deg"):
        JointSpec(JointKind.SINGLE_V_BUTT, 8.0, groove_angle_deg=5.0)


@pytest.mark.parametrize("position", list(WeldingPosition))
def test_gravity_in_seam_frame_is_a_unit_vector(position: WeldingPosition) -> None:
    assert np.linalg.norm(position.gravity_seam()) == pytest.approx(1.0)
