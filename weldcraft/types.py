"""Shared type aliases used across weldcraft.

Every array alias documents only the dtype; shapes and units are stated where the array is used.
"""

from __future__ import annotations

from os import PathLike
from typing import Union

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
PathLikeStr = Union[str, "PathLike[str]"]
