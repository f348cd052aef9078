"""The files a command has read as its input (specs, their variants' bases, budget files, baselines, ONNX
graphs, standard input redirected from a file), so that an output file that is one of them is refused rather
than written over what was read: `costnet analyze m.yaml -o m.yaml` would replace the spec with its table.

Files are known by device and inode, so a hard link or a symlink to an input is that input too. The CLI
forgets them at the start of every command (outputs/files.py asks).
"""

from __future__ import annotations

import os
import stat

_READ: dict[tuple[int, int], str] = {}  # (st_dev, st_ino) -> the name it was read as


def record(handle: int, name: str) -> None:
    """Remember the regular file open as `handle` (a pipe, a FIFO or a device is never an output's victim)."""
    try:
        status = os.fstat(handle)
    except (OSError, ValueError):
        return
    if stat.S_ISREG(status.st_mode):
        _READ.setdefault((status.st_dev, status.st_ino), name)


def record_stdin() -> None:
    """Remember standard input when it is redirected from a file (`analyze - < m.yaml -o m.yaml`)."""
    import sys

    try:
        record(sys.stdin.fileno(), "standard input")
    except (AttributeError, OSError, ValueError):  # a stream with no descriptor (a test's)
        pass


def read_as(status: os.stat_result) -> str | None:
    """The name an input was read as, if `status` is that input's."""
    return _READ.get((status.st_dev, status.st_ino))


def forget() -> None:
    _READ.clear()
