"""The weld-process model: torch pose and process settings per segment -> bead geometry and imperfections.

``ProcessModel(wps, joint, position)`` precomputes everything that is constant for one weld;
``evaluate(SegmentInputs) -> BeadSegments`` runs the kernel on (N,) arrays (struct of arrays) and
``evaluate_one(...) -> BeadSample`` on Python floats for the env's per-step call. Both run the same
formulas (``weldcraft.process.kernel``) and agree to rounding. Units: mm, mm/s, deg, V, A, m/min, kJ/mm.
The torch pose follows CONTRACTS.md: travel angle positive = push; work-angle error and lateral offset
positive = towards side B (+b of the seam frame); for a PB fillet side A is the horizontal flange and
side B the vertical web.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

import numpy as np

from weldcraft.errors import UserError
from weldcraft.process import kernel as K
from weldcraft.process.arc import MELT_ALPHA_MM3_PER_AS, MELT_BETA_MM3_PER_A2S
from weldcraft.process.iso5817 import ROWS, linear_limits
from weldcraft.process.kim import KIM_HEIGHT, KIM_PENETRATION, KIM_WIDTH, LN10
from weldcraft.seams import WPS, JointKind, JointSpec, WeldingPosition
from weldcraft.types import BoolArray, FloatArray, IntArray

INPUT_FIELDS = (
    "travel_speed_mm_s",
    "ctwd_mm",
    "travel_angle_deg",
    "work_angle_error_deg",
    "lateral_offset_mm",
    "weave_width_mm",
    "edge_dwell_fraction",
    "gap_mm",
    "wire_feed_m_min",
    "voltage_v",
)

#: Output fields in kernel order. Sizes of imperfections are >= 0 (0 = absent); butt joints have zero legs
#: and throat, fillets zero groove/root fields.
BEAD_FIELDS = (
    "current_a",  # welding current (A)
    "heat_input_kj_mm",  # EN 1011-1 heat input (kJ/mm)
    "deposited_area_mm2",  # mass-balance deposited cross-section (mm^2)
    "width_mm",  # face width: chord toe-to-toe (fillet) or cap width b (butt)
    "reinforcement_mm",  # cap height over the chord (fillet) or over the plate surface (butt)
    "penetration_mm",  # arc penetration P with pose factors
    "leg_a_mm",  # fillet leg on side A
    "leg_b_mm",  # fillet leg on side B
    "throat_mm",  # fillet throat a of the inscribed isosceles triangle (shorter leg)
    "toe_angle_a_deg",  # ISO 5817 toe angle at toe A (180 = flush)
    "toe_angle_b_deg",
    "fusion_a_mm",  # fusion depth into side A's plate / groove face
    "fusion_b_mm",
    "undercut_a_mm",  # 5011 depth at toe A
    "undercut_b_mm",
    "lack_of_fusion_a_mm",  # 4011 unfused depth on side A (P_req - fusion)
    "lack_of_fusion_b_mm",
    "porosity_pct",  # 2011 porosity, projected area %
    "excess_weld_metal_mm",  # 502 (butt)
    "convexity_mm",  # 503 (fillet)
    "asymmetry_mm",  # 512 |z_A - z_B|
    "insufficient_throat_mm",  # 5213 design throat - throat
    "excessive_throat_mm",  # 5214 throat - design throat
    "incomplete_fill_mm",  # 511 depth of the unfilled groove
    "excess_penetration_mm",  # 504 root-bead height
    "root_bead_width_mm",  # width of the root bead (b of row 504)
    "incomplete_root_penetration_mm",  # 4021 unfused root height
    "burn_through_mm",  # 510 depth beyond the burn-through threshold
    "root_gap_mm",  # the root gap (617 for fillets)
    "design_throat_mm",  # the design throat a the ISO limits of fillets use (0 for butt joints)
    "model_clamped",  # bit flags: 1 voltage, 2 current, 4 speed, 8 diameter outside the Kim box
    "severity",  # ISO severity: level index + position in the band, 0..4
    "level",  # per-segment ISO 5817 level index: 0 B, 1 C, 2 D, 3 none, -1 arc off
    "quality",  # per-step quality 1 - severity/4 in [0, 1] (0 when the arc is off)
)
_INT_FIELDS = ("model_clamped", "level")
#: Default design throat as a fraction of the WPS's nominal throat (a 15 % set-up margin) [assumption].
DESIGN_THROAT_FRACTION = 0.85
#: Segments per kernel call in ``evaluate`` (temporaries of 4096 float64 stay in L2 cache).
CHUNK_SEGMENTS = 4096


class BeadSample(NamedTuple):
    """One segment's outcome on Python floats (the fast per-step path); fields as ``BEAD_FIELDS``."""

    current_a: float
    heat_input_kj_mm: float
    deposited_area_mm2: float
    width_mm: float
    reinforcement_mm: float
    penetration_mm: float
    leg_a_mm: float
    leg_b_mm: float
    throat_mm: float
    toe_angle_a_deg: float
    toe_angle_b_deg: float
    fusion_a_mm: float
    fusion_b_mm: float
    undercut_a_mm: float
    undercut_b_mm: float
    lack_of_fusion_a_mm: float
    lack_of_fusion_b_mm: float
    porosity_pct: float
    excess_weld_metal_mm: float
    convexity_mm: float
    asymmetry_mm: float
    insufficient_throat_mm: float
    excessive_throat_mm: float
    incomplete_fill_mm: float
    excess_penetration_mm: float
    root_bead_width_mm: float
    incomplete_root_penetration_mm: float
    burn_through_mm: float
    root_gap_mm: float
    design_throat_mm: float
    model_clamped: int
    severity: float
    level: int
    quality: float
    arc_on: bool


_OFF_SAMPLE = BeadSample._make([*([0.0] * 30), 0, 0.0, -1, 0.0, False])


@dataclass(frozen=True)
class SegmentInputs:
    """Per-segment torch pose and process settings, each a (N,) array (struct of arrays).

    Attributes (units in the names): travel_speed_mm_s (> 0), ctwd_mm (> 0), travel_angle_deg (+ push),
    work_angle_error_deg (+ towards side B), lateral_offset_mm (+ towards side B), weave_width_mm (>= 0,
    peak-to-peak), edge_dwell_fraction (in [0, 1], share of the weave period spent at the edges),
    gap_mm (>= 0, root gap), wire_feed_m_min (> 0), voltage_v (> 0), arc_on (bool).
    """

    travel_speed_mm_s: FloatArray
    ctwd_mm: FloatArray
    travel_angle_deg: FloatArray
    work_angle_error_deg: FloatArray
    lateral_offset_mm: FloatArray
    weave_width_mm: FloatArray
    edge_dwell_fraction: FloatArray
    gap_mm: FloatArray
    wire_feed_m_min: FloatArray
    voltage_v: FloatArray
    arc_on: BoolArray

    def __post_init__(self) -> None:
        n = None
        for name in INPUT_FIELDS:
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.ndim != 1:
                raise UserError(f"SegmentInputs.{name} must be a 1-D array, got shape {arr.shape}")
            if n is None:
                n = arr.shape[0]
            elif arr.shape[0] != n:
                raise UserError(f"SegmentInputs.{name} has {arr.shape[0]} segments, expected {n}")
            if not np.all(np.isfinite(arr)):
                raise UserError(f"SegmentInputs.{name} must be finite")
            object.__setattr__(self, name, arr)
        arc = np.asarray(self.arc_on, dtype=np.bool_)
        if arc.shape != (n,):
            raise UserError(f"SegmentInputs.arc_on must have shape ({n},), got {arc.shape}")
        object.__setattr__(self, "arc_on", arc)
        for name in ("travel_speed_mm_s", "ctwd_mm", "wire_feed_m_min", "voltage_v"):
            if np.any(getattr(self, name) <= 0.0):
                raise UserError(f"SegmentInputs.{name} must be > 0")
        for name in ("weave_width_mm", "gap_mm"):
            if np.any(getattr(self, name) < 0.0):
                raise UserError(f"SegmentInputs.{name} must be >= 0")
        dwell = self.edge_dwell_fraction
        if np.any((dwell < 0.0) | (dwell > 1.0)):
            raise UserError("SegmentInputs.edge_dwell_fraction must be in [0, 1]")

    def __len__(self) -> int:
        return int(self.travel_speed_mm_s.shape[0])

    @classmethod
    def from_wps(cls, wps: WPS, n: int, **overrides: Any) -> SegmentInputs:
        """N segments at the WPS's nominal settings and ideal pose.

        ``overrides`` (scalars or (N,) arrays) replace fields by name.
        """
        unknown = set(overrides) - set(INPUT_FIELDS) - {"arc_on"}
        if unknown:
            raise UserError(
                f"unknown SegmentInputs field(s) {sorted(unknown)}; choose from {list(INPUT_FIELDS)}"
            )
        base: dict[str, Any] = {
            "travel_speed_mm_s": wps.travel_speed_mm_s,
            "ctwd_mm": wps.ctwd_mm,
            "travel_angle_deg": wps.travel_angle_deg,
            "work_angle_error_deg": 0.0,
            "lateral_offset_mm": 0.0,
            "weave_width_mm": 0.0,
            "edge_dwell_fraction": 0.0,
            "gap_mm": 0.0,
            "wire_feed_m_min": wps.wire_feed_m_min,
            "voltage_v": wps.voltage_v,
            "arc_on": True,
        }
        base.update(overrides)
        dtype = {"arc_on": np.bool_}
        arrays = {}
        for key, val in base.items():
            arr = np.asarray(val, dtype=dtype.get(key, np.float64))
            if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != n):
                raise UserError(
                    f"SegmentInputs.{key} has {arr.shape} values, expected a scalar or {n} segments"
                )
            arrays[key] = np.broadcast_to(arr, (n,)).copy()
        return cls(**arrays)


@dataclass(frozen=True)
class BeadSegments:
    """Outcome of N segments: one (N,) array per field of ``BEAD_FIELDS`` plus ``arc_on``.

    Float fields are float64; ``model_clamped`` and ``level`` are int64. Arc-off segments are all zero
    with level -1.
    """

    current_a: FloatArray
    heat_input_kj_mm: FloatArray
    deposited_area_mm2: FloatArray
    width_mm: FloatArray
    reinforcement_mm: FloatArray
    penetration_mm: FloatArray
    leg_a_mm: FloatArray
    leg_b_mm: FloatArray
    throat_mm: FloatArray
    toe_angle_a_deg: FloatArray
    toe_angle_b_deg: FloatArray
    fusion_a_mm: FloatArray
    fusion_b_mm: FloatArray
    undercut_a_mm: FloatArray
    undercut_b_mm: FloatArray
    lack_of_fusion_a_mm: FloatArray
    lack_of_fusion_b_mm: FloatArray
    porosity_pct: FloatArray
    excess_weld_metal_mm: FloatArray
    convexity_mm: FloatArray
    asymmetry_mm: FloatArray
    insufficient_throat_mm: FloatArray
    excessive_throat_mm: FloatArray
    incomplete_fill_mm: FloatArray
    excess_penetration_mm: FloatArray
    root_bead_width_mm: FloatArray
    incomplete_root_penetration_mm: FloatArray
    burn_through_mm: FloatArray
    root_gap_mm: FloatArray
    design_throat_mm: FloatArray
    model_clamped: IntArray
    severity: FloatArray
    level: IntArray
    quality: FloatArray
    arc_on: BoolArray

    def __post_init__(self) -> None:
        n = self.arc_on.shape[0]
        for f in fields(self):
            arr = getattr(self, f.name)
            if not isinstance(arr, np.ndarray) or arr.shape != (n,):
                raise ValueError(f"BeadSegments.{f.name} must be an array of shape ({n},)")

    def __len__(self) -> int:
        return int(self.arc_on.shape[0])

    def select(self, index: Any) -> BeadSegments:
        """The segments picked by a slice, an integer index array or a boolean mask."""
        return BeadSegments(
            **{f.name: np.asarray(getattr(self, f.name)[index]).reshape(-1) for f in fields(self)}
        )

    def sample(self, i: int) -> BeadSample:
        """Segment i as a ``BeadSample`` of Python scalars."""
        return BeadSample(*(getattr(self, name)[i].item() for name in (*BEAD_FIELDS, "arc_on")))

    @classmethod
    def from_samples(cls, samples: list[BeadSample]) -> BeadSegments:
        """Stack per-step samples (e.g. collected by an env) into arrays."""
        cols = list(zip(*samples, strict=True)) if samples else [()] * (len(BEAD_FIELDS) + 1)
        out: dict[str, Any] = {}
        for name, col in zip((*BEAD_FIELDS, "arc_on"), cols, strict=True):
            dtype = np.int64 if name in _INT_FIELDS else (np.bool_ if name == "arc_on" else np.float64)
            out[name] = np.asarray(col, dtype=dtype).reshape(-1)
        return cls(**out)


def _fold(lims: tuple[tuple[float, float, float], ...]) -> K.Limits:
    return (lims[0], lims[1], lims[2])


def _knots(lims: tuple[tuple[float, float, float], ...]) -> K.Knots:
    return K.knots(_fold(lims))


def _const_limits(values: tuple[float, float, float]) -> K.Limits:
    return ((values[0], 0.0, math.inf), (values[1], 0.0, math.inf), (values[2], 0.0, math.inf))


class ProcessModel:
    """GMAW/MAG process model of one weld: a WPS on a joint in a welding position.

    Args:
        wps: the welding procedure (wire diameter, efficiencies; nominal WFS/voltage/speed/CTWD/angle).
        joint: the joint cross-section (kind, thickness, groove, opening angle).
        position: ISO 6947 position; default PB for fillet-like joints, PA for butt joints.
        design_throat_mm: nominal (drawing) fillet throat a used by ISO 5817 rows 512/5213/5214/617;
            default 0.85 x the throat the WPS makes at its nominal settings and ideal pose, i.e. the WPS
            is taken to be set up with a 15 % margin over the drawing's throat [assumption].
    """

    def __init__(
        self,
        wps: WPS,
        joint: JointSpec,
        position: WeldingPosition | str | None = None,
        *,
        design_throat_mm: float | None = None,
    ) -> None:
        self.wps = wps
        self.joint = joint
        if position is None:
            position = WeldingPosition.PB if joint.kind.is_fillet_like else WeldingPosition.PA
        self.position = WeldingPosition(position)
        params = self._params(design_throat_mm if design_throat_mm is not None else 1.0)
        if design_throat_mm is None and joint.kind.is_fillet_like:
            nominal = K.evaluate_kernel(K.SCALAR_OPS, params, *self._nominal_args())
            design_throat_mm = DESIGN_THROAT_FRACTION * nominal[BEAD_FIELDS.index("throat_mm")]
            params = self._params(design_throat_mm)
        elif design_throat_mm is not None and not (
            math.isfinite(design_throat_mm) and design_throat_mm > 0.0
        ):
            raise UserError(f"design_throat_mm must be > 0, got {design_throat_mm!r}")
        self.design_throat_mm = float(design_throat_mm) if design_throat_mm is not None else 0.0
        self.params = params

    def _nominal_args(self) -> tuple[float, ...]:
        w = self.wps
        return (
            w.travel_speed_mm_s,
            w.ctwd_mm,
            w.travel_angle_deg,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            w.wire_feed_m_min,
            w.voltage_v,
            1.0,
        )

    def _params(self, throat: float) -> K.KernelParams:
        wps, joint = self.wps, self.joint
        d = wps.wire_diameter_mm
        area = math.pi * d * d / 4.0
        dc = min(max(d, 1.2), 1.6)

        def kim(c: tuple[float, float, float, float, float]) -> tuple[float, float, float, float]:
            return (c[0] * LN10 + c[1] * math.log(dc), c[2], c[3], c[4])

        g_t, g_n, g_b = (float(x) for x in self.position.gravity_seam())
        fillet = joint.kind.is_fillet_like
        opening = joint.opening_angle_deg * K.DEG if fillet else math.pi
        half = opening / 2.0
        t = joint.thickness_mm
        if joint.kind is JointKind.SINGLE_V_BUTT:
            tan_half = math.tan(joint.groove_angle_deg * K.DEG / 2.0)
            depth = t - joint.root_face_mm
            groove_area0, groove_top0, root_face = (
                depth * depth * tan_half,
                2.0 * depth * tan_half,
                joint.root_face_mm,
            )
        else:
            groove_area0, groove_top0, root_face, tan_half, depth = 0.0, 0.0, t, 0.0, 0.0
        toe_row = ROWS["toe_angle_fillet" if fillet else "toe_angle_butt"].thick
        toe_ref = 90.0 + joint.opening_angle_deg / 2.0 if fillet else 180.0
        toe_lims = tuple(max(toe_ref - toe_row[lv].const, 0.0) for lv in ("B", "C", "D"))
        a = throat
        cap_row = "excessive_convexity" if fillet else "excess_weld_metal"
        gap_lims = linear_limits("incorrect_root_gap_fillet", thickness_mm=t, throat_mm=a)
        return K.KernelParams(
            wire_diameter_mm=d,
            wire_area_mm2=area,
            eta_area=wps.deposition_efficiency * area,
            arc_efficiency=wps.arc_efficiency,
            melt_alpha=MELT_ALPHA_MM3_PER_AS,
            melt_beta_over_area=MELT_BETA_MM3_PER_A2S / area,
            kim_w=kim(KIM_WIDTH),
            kim_h=kim(KIM_HEIGHT),
            kim_p=kim(KIM_PENETRATION),
            diameter_flag=8 if dc != d else 0,
            fillet_like=fillet,
            lap=joint.kind is JointKind.LAP,
            thickness_mm=t,
            sin_open=math.sin(opening),
            cos_open=math.cos(opening),
            cos_half_open=math.cos(half),
            toe_ref_deg=toe_ref,
            groove_area0_mm2=groove_area0,
            groove_top0_mm=groove_top0,
            groove_tan_half=tan_half,
            groove_depth_mm=depth,
            root_face_mm=root_face,
            g_asym=-g_b * math.sin(half),
            g_sag=abs(g_b) + max(0.0, g_n) + 0.5 * max(0.0, -g_t),
            pen_position=1.0 - 0.25 * g_t,
            design_throat_mm=a,
            fusion_req_mm=min(K.P_REQ_MM, K.P_REQ_FRACTION * t),
            lim_undercut=_knots(linear_limits("undercut", thickness_mm=t)),
            lim_cap=_fold(linear_limits(cap_row, thickness_mm=t)),
            lim_toe=K.knots(_const_limits((toe_lims[0], toe_lims[1], toe_lims[2]))),
            lim_asym=_knots(linear_limits("fillet_asymmetry", thickness_mm=t, throat_mm=a)),
            lim_ins_throat=_knots(linear_limits("insufficient_throat", thickness_mm=t, throat_mm=a)),
            lim_exc_throat=_knots(linear_limits("excessive_throat", thickness_mm=t, throat_mm=a)),
            lim_fill=_knots(linear_limits("incompletely_filled_groove", thickness_mm=t)),
            lim_root=_fold(linear_limits("excess_penetration", thickness_mm=t)),
            lim_irp=_knots(linear_limits("incomplete_root_penetration", thickness_mm=t)),
            lim_gap=_knots(gap_lims) if fillet else K.NP_ALL_KNOTS,
            lim_porosity=_knots(linear_limits("porosity", thickness_mm=t)),
        )

    def evaluate(self, inputs: SegmentInputs) -> BeadSegments:
        """Bead geometry, imperfections and per-segment ISO severity for N segments ((N,) arrays).

        Runs the kernel in chunks of ``CHUNK_SEGMENTS`` so that its temporaries stay in the CPU cache.
        """
        n = len(inputs)
        arc = inputs.arc_on
        cols: dict[str, Any] = {
            name: np.empty(n, dtype=np.int64 if name in _INT_FIELDS else np.float64) for name in BEAD_FIELDS
        }
        columns = [cols[name] for name in BEAD_FIELDS]
        args = [getattr(inputs, name) for name in INPUT_FIELDS]
        for i0 in range(0, n, CHUNK_SEGMENTS):
            i1 = min(i0 + CHUNK_SEGMENTS, n)
            chunk = [x[i0:i1] for x in args]
            out = K.evaluate_kernel(K.ARRAY_OPS, self.params, *chunk, arc[i0:i1])  # type: ignore[call-arg]
            for column, value in zip(columns, out, strict=True):
                column[i0:i1] = value
        if not arc.all():
            off = ~arc
            for name, column in cols.items():
                column[off] = -1 if name == "level" else 0
        return BeadSegments(**cols, arc_on=arc.copy())

    def evaluate_one(
        self,
        travel_speed_mm_s: float,
        ctwd_mm: float,
        travel_angle_deg: float,
        work_angle_error_deg: float = 0.0,
        lateral_offset_mm: float = 0.0,
        weave_width_mm: float = 0.0,
        edge_dwell_fraction: float = 0.0,
        gap_mm: float = 0.0,
        wire_feed_m_min: float | None = None,
        voltage_v: float | None = None,
        arc_on: bool = True,
    ) -> BeadSample:
        """One segment on Python floats (the env's per-step call; same formulas as ``evaluate``).

        ``wire_feed_m_min`` and ``voltage_v`` default to the WPS. Raises UserError on a non-positive speed,
        CTWD, WFS or voltage, a negative weave or gap, or a dwell outside [0, 1].
        """
        if not arc_on:
            return _OFF_SAMPLE
        wfs = self.wps.wire_feed_m_min if wire_feed_m_min is None else wire_feed_m_min
        volt = self.wps.voltage_v if voltage_v is None else voltage_v
        if not (travel_speed_mm_s > 0.0 and ctwd_mm > 0.0 and wfs > 0.0 and volt > 0.0):
            raise UserError(
                f"travel_speed_mm_s, ctwd_mm, wire_feed_m_min, voltage_v must be > 0, got "
                f"{travel_speed_mm_s!r}, {ctwd_mm!r}, {wfs!r}, {volt!r}"
            )
        if not (weave_width_mm >= 0.0 and gap_mm >= 0.0 and 0.0 <= edge_dwell_fraction <= 1.0):
            raise UserError("weave_width_mm and gap_mm must be >= 0 and edge_dwell_fraction in [0, 1]")
        out = K.evaluate_kernel(
            K.SCALAR_OPS,
            self.params,
            travel_speed_mm_s,
            ctwd_mm,
            travel_angle_deg,
            work_angle_error_deg,
            lateral_offset_mm,
            weave_width_mm,
            edge_dwell_fraction,
            gap_mm,
            wfs,
            volt,
            1.0,
        )
        return BeadSample._make((*out, True))
