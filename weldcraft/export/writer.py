"""Atomic writing of a set of output files.

All files are first written to temporary files in their target directories, flushed and fsynced; only
when every one of them is complete are they moved into place with `os.replace`. If anything fails, the
temporary files (and directories this call created) are removed, so a failed export leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from weldcraft.errors import UserError
from weldcraft.types import PathLikeStr


def write_files_atomic(out_dir: PathLikeStr, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write `files` (relative path → text or bytes) under `out_dir`; returns the final paths.

    Text is written as UTF-8 with '\\n' line ends.
    """
    root = Path(out_dir)
    for rel in files:
        p = Path(rel)
        if p.is_absolute() or ".." in p.parts:
            raise ValueError(f"output path {rel!r} must be relative and inside the output directory")
    created_dirs: list[Path] = []
    temps: list[tuple[Path, Path]] = []
    umask = os.umask(0)
    os.umask(umask)
    mode = 0o666 & ~umask  # what open() would give; mkstemp's files are 0600
    try:
        for rel, content in files.items():
            final = root / rel
            missing = [d for d in [final.parent, *final.parent.parents] if not d.exists()]
            for d in reversed(missing):
                d.mkdir()
                created_dirs.append(d)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
            temps.append((Path(tmp_name), final))
            data = content.encode("utf-8") if isinstance(content, str) else content
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp_name, mode)
        for tmp, final in temps:
            os.replace(tmp, final)
    except OSError as exc:
        _cleanup(temps, created_dirs)
        raise UserError(
            f"cannot write the program: {exc.strerror}", where=str(exc.filename or root)
        ) from None
    except BaseException:
        _cleanup(temps, created_dirs)
        raise
    return [final for _, final in temps]


def _cleanup(temps: list[tuple[Path, Path]], created_dirs: list[Path]) -> None:
    for tmp, _ in temps:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
    for d in reversed(created_dirs):
        try:
            d.rmdir()
        except OSError:
            pass
