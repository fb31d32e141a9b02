"""Seam-tracking readings buffered by travelled distance, with latency and the robot's outlier gate.

A look-ahead tracker measures the seam `lookahead_mm` ahead of the wire; the robot controller stores
each measurement against the arc length where it was taken and applies it when the torch gets there
(feed-forward correction: Regaard, Kaierle & Poprawe, J. Laser Appl. 21(4) 2009; patent EP0370682,
reference section 6). The controller also rejects readings that jump away from the recent ones (an
outlier gate against the median of the last accepted readings), re-locks when several rejected readings
agree with each other (the seam really moved), and stores the running median of the last accepted
readings (a 5-point median filter: a single outlier inside the gate never reaches the torch; on a seam
that drifts 0.01 mm per reading it lags by 0.02 mm).

Everything is preallocated: `push` and `query` are O(1) (amortized) and allocate nothing.
"""

from __future__ import annotations

import math
from collections import deque
from typing import NamedTuple

import numpy as np


class SeamCorrection(NamedTuple):
    """The tracked seam at an arc length, relative to the programmed seam, millimetres.

    Attributes:
        lateral_mm: perceived minus programmed seam point along b.
        normal_mm: along n.
        gap_mm: the gap measured there.
        blind_mm: how far the queried arc length lies beyond the newest accepted reading (0 when inside).
        ok: False before any reading was accepted.
    """

    lateral_mm: float
    normal_mm: float
    gap_mm: float
    blind_mm: float
    ok: bool


class SeamCorrectionBuffer:
    """Ring buffer of accepted (s, lateral, normal, gap) readings, increasing in s.

    Args:
        capacity: ring size; must exceed the number of readings between the torch and the look-ahead.
        gate_mm: a reading is rejected when its lateral or normal correction differs by more than this
            from the median of the last `history` accepted readings.
        history: readings in the gate's median and in the stored median filter.
        relock: this many consecutive rejected readings that agree within `gate_mm` are accepted.
    """

    def __init__(self, capacity: int = 4096, gate_mm: float = 0.5, history: int = 5, relock: int = 5) -> None:
        self.capacity = capacity
        self.gate_mm = gate_mm
        self.history = history
        self.relock = relock
        self._data = np.zeros((capacity, 4))  # s_m, lateral, normal, gap
        self._recent_lat: deque[float] = deque(maxlen=history)
        self._recent_nrm: deque[float] = deque(maxlen=history)
        self._rejected: deque[tuple[float, float, float, float]] = deque(maxlen=relock)
        self.reset()

    def reset(self) -> None:
        """Forget every reading."""
        self._head = 0  # index of the next write
        self._tail = 0  # index of the oldest kept entry
        self._count = 0
        self._recent_lat.clear()
        self._recent_nrm.clear()
        self._rejected.clear()
        self.n_rejected = 0

    def __len__(self) -> int:
        return self._count

    def _append(self, s_m: float, lateral_mm: float, normal_mm: float, gap_mm: float) -> None:
        if self._count and s_m <= self._data[(self._head - 1) % self.capacity, 0]:
            return  # the torch went back or stood still: keep the first reading of that place
        self._recent_lat.append(lateral_mm)
        self._recent_nrm.append(normal_mm)
        k = len(self._recent_lat) // 2
        if self._count == self.capacity:
            self._tail = (self._tail + 1) % self.capacity
            self._count -= 1
        row = self._data[self._head]
        row[0], row[1], row[2], row[3] = (
            s_m,
            sorted(self._recent_lat)[k],
            sorted(self._recent_nrm)[k],
            gap_mm,
        )
        self._head = (self._head + 1) % self.capacity
        self._count += 1

    def push(self, s_m: float, lateral_mm: float, normal_mm: float, gap_mm: float) -> bool:
        """Offer a valid reading taken at arc length `s_m`; returns whether the gate accepted it."""
        if self._recent_lat:
            med_lat = sorted(self._recent_lat)[len(self._recent_lat) // 2]
            med_nrm = sorted(self._recent_nrm)[len(self._recent_nrm) // 2]
            if abs(lateral_mm - med_lat) > self.gate_mm or abs(normal_mm - med_nrm) > self.gate_mm:
                self.n_rejected += 1
                self._rejected.append((s_m, lateral_mm, normal_mm, gap_mm))
                if len(self._rejected) == self.relock:
                    lats = [r[1] for r in self._rejected]
                    nrms = [r[2] for r in self._rejected]
                    if max(lats) - min(lats) <= self.gate_mm and max(nrms) - min(nrms) <= self.gate_mm:
                        self._recent_lat.clear()
                        self._recent_nrm.clear()
                        for r in self._rejected:
                            self._append(*r)
                        self._rejected.clear()
                        return True
                return False
        self._rejected.clear()
        self._append(s_m, lateral_mm, normal_mm, gap_mm)
        return True

    def query(self, s_m: float) -> SeamCorrection:
        """The tracked correction at `s_m`, linearly interpolated between accepted readings.

        Entries more than one behind `s_m` are dropped (the torch only moves forward), so a sequence of
        increasing queries costs O(1) each. Before the oldest entry the oldest is held; beyond the
        newest the newest is held and `blind_mm` says how far beyond.
        """
        if self._count == 0:
            return SeamCorrection(0.0, 0.0, 0.0, math.inf, False)
        cap = self.capacity
        data = self._data
        while self._count >= 2 and data[(self._tail + 1) % cap, 0] <= s_m:
            self._tail = (self._tail + 1) % cap
            self._count -= 1
        a = data[self._tail]
        if self._count == 1 or s_m <= a[0]:
            blind = max(0.0, (s_m - a[0]) * 1000.0) if self._count == 1 else 0.0
            return SeamCorrection(float(a[1]), float(a[2]), float(a[3]), blind, True)
        b = data[(self._tail + 1) % cap]
        f = (s_m - a[0]) / (b[0] - a[0])
        return SeamCorrection(
            float(a[1] + f * (b[1] - a[1])),
            float(a[2] + f * (b[2] - a[2])),
            float(a[3] + f * (b[3] - a[3])),
            0.0,
            True,
        )
