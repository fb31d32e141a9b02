"""The bead as numpy state: preallocated per-step segment records and the weave window.

DESIGN section 3: the bead is state in numpy arrays, O(1) per step, never one pybullet body per deposit
(a peer simulator that does so slows down 3.6x after 2,400 deposits). `BeadRecorder` writes one row per
control step into arrays sized for the whole episode at construction; `WeaveWindow` keeps the recent
lateral offsets of the wire (a ring buffer) and turns them into the weave inputs of the process model.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from weldcraft.process import BEAD_FIELDS, BeadSample, BeadSegments, WeldGrade, grade_weld
from weldcraft.seams import JointSpec
from weldcraft.types import FloatArray

_INT_FIELDS = ("model_clamped", "level")
_N_FIELDS = len(BEAD_FIELDS) + 1  # + arc_on


class BeadRecorder:
    """Per-step bead segments of one episode in preallocated arrays.

    Args:
        capacity: the most steps an episode can have (max_episode_steps).

    Attributes after `record`: `n` segments; `values[:n]` (n, len(BEAD_FIELDS) + 1) holds each step's
    `BeadSample` (arc_on as 0/1); `s_mm[:n]` the segment centres along the true seam (strictly
    increasing), `length_mm[:n]` the segment lengths; `aim_world_m[:n]` (n, 3) where the wire met the work
    (for drawing).
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        self.capacity = capacity
        self.values = np.zeros((capacity, _N_FIELDS))
        self.s_mm = np.zeros(capacity)
        self.length_mm = np.zeros(capacity)
        self.aim_world_m = np.zeros((capacity, 3))
        self.frame_b_world = np.zeros((capacity, 3))
        self.frame_n_world = np.zeros((capacity, 3))
        self.n = 0

    def reset(self) -> None:
        """Forget the bead (arrays are reused, not reallocated)."""
        self.n = 0

    def record(
        self,
        sample: BeadSample,
        s_start_mm: float,
        s_end_mm: float,
        aim_world_m: FloatArray,
        seam_frame_world: FloatArray,
    ) -> None:
        """Append one step's segment from `s_start_mm` to `s_end_mm` along the true seam.

        A step that did not advance (or went back) still deposits metal; it is recorded with a minimum
        length of 1 um after the previous segment so that positions stay strictly increasing, as
        `grade_weld` requires.
        """
        i = self.n
        if i >= self.capacity:
            raise IndexError(f"bead is full ({self.capacity} segments)")
        lo = s_start_mm
        if i:
            prev_end = self.s_mm[i - 1] + 0.5 * self.length_mm[i - 1]
            lo = max(lo, prev_end)
        hi = max(s_end_mm, lo + 1e-3)
        self.values[i] = sample
        self.s_mm[i] = 0.5 * (lo + hi)
        self.length_mm[i] = hi - lo
        self.aim_world_m[i] = aim_world_m
        self.frame_n_world[i] = seam_frame_world[:, 1]
        self.frame_b_world[i] = seam_frame_world[:, 2]
        self.n = i + 1

    def segments(self) -> BeadSegments:
        """The recorded segments as a `BeadSegments` (copies)."""
        cols: dict[str, np.ndarray] = {}
        v = self.values[: self.n]
        for k, name in enumerate(BEAD_FIELDS):
            cols[name] = v[:, k].astype(np.int64) if name in _INT_FIELDS else v[:, k].copy()
        return BeadSegments(**cols, arc_on=v[:, -1] > 0.5)

    def column(self, name: str) -> FloatArray:
        """A view (n,) of one `BEAD_FIELDS` column."""
        return self.values[: self.n, BEAD_FIELDS.index(name)]

    def grade(self, joint: JointSpec) -> WeldGrade:
        """ISO 5817 grade of the bead so far (`weldcraft.process.grade_weld`)."""
        if self.n == 0:
            raise ValueError("no segment recorded")
        return grade_weld(
            self.segments(),
            self.s_mm[: self.n].copy(),
            joint,
            segment_length_mm=self.length_mm[: self.n].copy(),
        )


class WeaveWindow:
    """Ring buffer of the wire's recent motion -> the weld pool's view of it.

    The weld pool integrates the torch motion over its lifetime, so the process model sees, over the
    window: the mean lateral offset (the bead centre), the peak-to-peak width of the offsets (the weave
    width, 0 for a straight run), the share of the window spent within `edge_band` x width of either
    extreme (edge dwell; a sine spends 41 % of its time within 10 % of the width from its peaks, a
    trapezoidal weave with dwell more), and the mean travel speed (distance along the seam / arc time).
    [U] window = 1 s by default: at least one period of a weave of 1 Hz or faster, and about the time the
    pool of a 6 mm/s, 280 A MAG weld takes to pass a point.

    Args:
        length: number of control steps in the window.
        edge_band: edge zone as a fraction of the weave width.
    """

    def __init__(self, length: int, edge_band: float = 0.1) -> None:
        if length < 1:
            raise ValueError(f"length must be >= 1, got {length}")
        self.length = length
        self.edge_band = edge_band
        self._lat: deque[float] = deque(maxlen=length)
        self._ds: deque[float] = deque(maxlen=length)
        self._dt: deque[float] = deque(maxlen=length)

    def reset(self) -> None:
        self._lat.clear()
        self._ds.clear()
        self._dt.clear()

    def push(self, lateral_offset_mm: float, ds_mm: float, dt_s: float) -> tuple[float, float, float, float]:
        """Add one step; returns (mean_offset_mm, weave_width_mm, edge_dwell_fraction, speed_mm_s).

        Args:
            lateral_offset_mm: the wire's offset from the seam at the end of the step.
            ds_mm: distance travelled along the seam in the step.
            dt_s: arc time of the step.
        """
        buf = self._lat
        buf.append(lateral_offset_mm)
        self._ds.append(ds_mm)
        self._dt.append(dt_s)
        speed = sum(self._ds) / sum(self._dt)
        lo, hi = min(buf), max(buf)
        width = hi - lo
        mean = sum(buf) / len(buf)
        if width <= 1e-9:
            return mean, 0.0, 0.0, speed
        band = self.edge_band * width
        at_edge = sum(1 for x in buf if x <= lo + band or x >= hi - band)
        return mean, width, at_edge / len(buf), speed


def weave_window_steps(window_s: float, control_hz: float) -> int:
    """Number of control steps in a weave window of `window_s` seconds (at least 1)."""
    return max(1, int(math.ceil(window_s * control_hz - 1e-9)))
