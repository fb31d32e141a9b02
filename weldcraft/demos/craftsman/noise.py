"""Human motor-noise processes for the Craftsman: physiological tremor, slow drift, reaction delay.

Every process draws from the `np.random.Generator` it is given, so a seed fixes the whole trajectory.

Sources:
* Physiological hand tremor is a narrow-band oscillation with its spectral peak between about 6 and
  12 Hz, mostly a mechanical resonance of the limb (Lakie et al., J Physiol 593(19):4411, 2015,
  doi:10.1113/JP270464); its neurogenic component lies at 8-12 Hz (Elble, "Physiologic and enhanced
  physiologic tremor", Handbook of Clinical Neurophysiology vol. 1, Elsevier 2003, ch. 22). We model
  it as a resonant second-order (AR(2)) process with its centre frequency drawn in 8-12 Hz.
* Its size at the tip of a hand-held instrument: 96.6 +/- 84.5 um RMS while trying to hold still
  (Becker et al., "Autoregressive modeling of physiological tremor under microsurgical conditions",
  IEEE EMBC 2008, doi:10.1109/IEMBS.2008.4649569); an unbraced welding torch held with the arm
  extended is larger, so the skill presets scale from there (an assumption, see docs/demos.md).
* Slow drift of the hand (posture, fatigue, attention) is modelled as an Ornstein-Uhlenbeck process,
  the standard mean-reverting model of a slowly wandering error (time constant of seconds) [U].
* Reaction delay: the welder responds to what they see of the seam and pool with a visuo-motor delay;
  simple visual reaction times are about 0.2 s, which training shortens [U, textbook value].
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from scipy import signal

from weldcraft.types import FloatArray

#: Internal rate of the tremor oscillator (Hz); tremor up to 12 Hz needs more than 24 Hz.
TREMOR_INTERNAL_RATE_HZ = 200.0


class Tremor:
    """Band-limited tremor around a centre frequency: an AR(2) resonator driven by white noise.

    The process runs at `TREMOR_INTERNAL_RATE_HZ` and is point-sampled at the control ticks (as a motion
    tracker samples a hand), so at a 20 Hz control rate the 8-12 Hz tremor appears aliased at 8-10 Hz.
    Each of the C channels is independent, with its own stationary RMS. The resonator is run over blocks
    of `BLOCK_STEPS` control periods at a time (`scipy.signal.lfilter` with carried state), drawing its
    noise from a child generator spawned from `rng` at construction: one draw from `rng`, whatever the
    number of steps taken.

    Args:
        rms: (C,) stationary RMS per channel, in the channel's unit (mm, deg, ...).
        frequency_hz: centre frequency of the resonance (8-12 Hz for physiological tremor).
        bandwidth_hz: -3 dB width of the resonance peak.
        dt_s: control period; the process advances by this at each `step()`.
        rng: the generator the tremor's own generator is spawned from.
    """

    BLOCK_STEPS = 256

    def __init__(
        self, rms: FloatArray, frequency_hz: float, bandwidth_hz: float, dt_s: float, rng: np.random.Generator
    ) -> None:
        if not 0.0 < frequency_hz < TREMOR_INTERNAL_RATE_HZ / 2:
            raise ValueError(
                f"tremor frequency must be in (0, {TREMOR_INTERNAL_RATE_HZ / 2}) Hz, got {frequency_hz}"
            )
        self._rng = np.random.default_rng(int(rng.integers(0, 2**63 - 1)))
        self._rms = np.asarray(rms, dtype=np.float64).reshape(-1)
        self._substeps = max(1, round(dt_s * TREMOR_INTERNAL_RATE_HZ))
        h = dt_s / self._substeps
        r = math.exp(-math.pi * bandwidth_hz * h)
        a1 = 2.0 * r * math.cos(2.0 * math.pi * frequency_hz * h)
        a2 = -r * r
        # Stationary variance of x_k = a1 x_{k-1} + a2 x_{k-2} + e_k with unit-variance e_k.
        var = (1.0 - a2) / ((1.0 + a2) * ((1.0 - a2) ** 2 - a1**2))
        self._den = np.array([1.0, -a1, -a2])
        self._e_scale = self._rms / math.sqrt(var)
        # Start in the stationary distribution: run the filter through a burn-in of 5 decay times.
        burn = int(5.0 / (math.pi * bandwidth_hz * h)) + 2
        noise = self._rng.standard_normal((burn, self._rms.shape[0])) * self._e_scale
        self._zi = np.zeros((2, self._rms.shape[0]))
        _, self._zi = signal.lfilter([1.0], self._den, noise, axis=0, zi=self._zi)
        self._block = np.zeros((0, self._rms.shape[0]))
        self._i = 0
        self.frequency_hz = frequency_hz

    def _refill(self) -> None:
        n = self.BLOCK_STEPS * self._substeps
        noise = self._rng.standard_normal((n, self._rms.shape[0])) * self._e_scale
        x, self._zi = signal.lfilter([1.0], self._den, noise, axis=0, zi=self._zi)
        self._block = x[self._substeps - 1 :: self._substeps]
        self._i = 0

    def step(self) -> FloatArray:
        """Advance one control period; returns the tremor displacement (C,) at the new tick."""
        if self._i >= self._block.shape[0]:
            self._refill()
        out = self._block[self._i]
        self._i += 1
        return np.array(out, dtype=np.float64)


class OrnsteinUhlenbeck:
    """Mean-reverting drift: dx = -x/tau dt + sigma sqrt(2/tau) dW, sampled exactly at every step.

    Args:
        sigma: (C,) stationary standard deviation per channel.
        tau_s: correlation time (s).
        dt_s: step period (s).
        rng: the generator all draws come from.
    """

    def __init__(self, sigma: FloatArray, tau_s: float, dt_s: float, rng: np.random.Generator) -> None:
        if not tau_s > 0.0:
            raise ValueError(f"tau_s must be positive, got {tau_s}")
        self._rng = rng
        self._sigma = np.asarray(sigma, dtype=np.float64)
        self._decay = math.exp(-dt_s / tau_s)
        self._kick = self._sigma * math.sqrt(1.0 - self._decay**2)
        self._x = self._rng.standard_normal(self._sigma.shape) * self._sigma

    def step(self) -> FloatArray:
        """Advance one step; returns the drift (C,) at the new tick."""
        self._x = self._decay * self._x + self._kick * self._rng.standard_normal(self._sigma.shape)
        return np.array(self._x, dtype=np.float64)


class DelayLine:
    """A fixed delay of whole control steps: `push(x)` returns what was pushed `delay_steps` ago.

    Until the line has filled, it returns the first value pushed (the welder's first look at the seam).
    """

    def __init__(self, delay_s: float, dt_s: float) -> None:
        if delay_s < 0.0:
            raise ValueError(f"delay_s must be >= 0, got {delay_s}")
        self.delay_steps = round(delay_s / dt_s)
        self._buf: deque[FloatArray] = deque(maxlen=self.delay_steps + 1)

    def push(self, x: FloatArray) -> FloatArray:
        """Add the newest observation; returns the delayed one."""
        value = np.array(x, dtype=np.float64)
        if not self._buf:
            for _ in range(self.delay_steps):
                self._buf.append(value)
        self._buf.append(value)
        return self._buf[0]
