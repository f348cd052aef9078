"""Reading an input file, and the files a command has read as its input (specs, their variants' bases, budget
files, baselines, ONNX graphs, standard input redirected from a file), so that an output file that is one of
them is refused rather than written over what was read: `costnet analyze m.yaml -o m.yaml` would replace the
spec with its table.

Files are known by device and inode, so a hard link or a symlink to an input is that input too. The CLI
forgets them at the start of every command (outputs/files.py asks).
"""

from __future__ import annotations

import os
import stat

_READ: dict[tuple[int, int], str] = {}  # (st_dev, st_ino) -> the name it was read as
_NO_WAIT = getattr(os, "O_NONBLOCK", 0)


class FifoWithoutWriter(OSError):
    """A FIFO that gave nothing to read: opened without waiting for a writer, which never came."""

    @staticmethod
    def message(what: str) -> str:
        return (f"{what}: a FIFO that gave nothing to read; costnet does not wait for a writer to connect (pipe "
                "into `-`, or use <(…), whose writer is already there)")


class TooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(size)
        self.size = size  # as the file system reports it


def read_bytes(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of a file, at most limit + 1 of them (more than `limit` means the file is larger), recorded as an
    input. TooLarge for a file whose reported size is over `limit`, before it is read; FifoWithoutWriter for a
    FIFO that nobody writes to (opened without waiting, so never waited for); OSError or ValueError (a NUL in
    the name) from the system."""
    with open(path, "rb", opener=_open_without_waiting) as handle:
        if _NO_WAIT:
            os.set_blocking(handle.fileno(), True)
        record(handle.fileno(), os.fspath(path))
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise TooLarge(size)
        # /dev/zero, FIFOs and /proc files report a size of 0: never read more than one byte past the cap.
        data = handle.read(limit + 1)
        if not data and stat.S_ISFIFO(os.fstat(handle.fileno()).st_mode):
            raise FifoWithoutWriter()
    return data


def _open_without_waiting(path: str, flags: int) -> int:
    # Opening a FIFO that nobody writes to would wait forever; the file is set blocking again once open.
    return os.open(path, flags | _NO_WAIT)


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
