"""Atomic file output: nothing half-written is ever left where a reader would find it.

Every writer in weldcraft goes through `atomic_path` (a temp file in the target's folder, renamed into
place with `os.replace` only after the caller finished writing it, removed if anything failed).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from weldcraft.types import PathLikeStr


@contextmanager
def atomic_path(path: PathLikeStr, *, mode: int = 0o644) -> Iterator[Path]:
    """Yield a temp path beside `path`; on success it replaces `path`, on any error it is deleted.

    The temp name keeps the target's suffix, so writers that pick a format by extension (matplotlib,
    imageio) behave as for the real file.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}"
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: PathLikeStr, text: str) -> Path:
    """Write UTF-8 `text` to `path` atomically; returns the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes_atomic(path: PathLikeStr, data: bytes) -> Path:
    """Write `data` to `path` atomically; returns the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
