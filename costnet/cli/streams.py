"""The command's standard streams: never an error for the console's encoding, and a failed write to standard
output that is one error line, not a traceback.

- Text the console cannot encode (a cp1252 stdout) is written with backslash escapes. (To an ASCII stream click
  writes UTF-8, taking ASCII for a misconfigured locale; that never fails either.)
- A failed write to standard output (EPIPE from a closed pipe, `costnet list | head -1`; ENOSPC from
  /dev/full; EBADF from a closed descriptor) raises StandardOutputError, which the CLI reports as
  `costnet: error: cannot write to standard output: <reason>` with exit 2. Standard output is then pointed at
  /dev/null, so that what is still buffered does not fail a second time when Python flushes at exit
  ("Exception ignored … BrokenPipeError").

`main()` sets this up around a run; click's test runner, which brings streams of its own, does not.
"""

from __future__ import annotations

import io
import os
import select
import sys
from contextlib import contextmanager
from typing import Iterator, TextIO

from ..errors import StandardOutputError


@contextmanager
def standard_streams() -> Iterator[None]:
    original = sys.stdout
    sys.stdout = _guarded(original)
    if hasattr(sys.stderr, "reconfigure"):
        sys.stderr.reconfigure(errors="backslashreplace")
    try:
        yield
    finally:
        try:
            if sys.stdout is not None:
                sys.stdout.flush()  # a failure here is still reported, before Python's own flush at exit
        finally:
            sys.stdout = original


class _StandardOutput(io.FileIO):
    """Standard output's descriptor, raising StandardOutputError when a write fails."""

    def write(self, data) -> int:
        try:
            # A descriptor that another program made non-blocking (a CI runner's log pipe) and that is full:
            # wait until it can take more, as a blocking one would.
            while (written := super().write(data)) is None:
                select.select([], [self], [])
            return written
        except OSError as exc:
            _discard_further_output(self.fileno())
            raise StandardOutputError(exc.strerror or str(exc)) from None


def _guarded(stream: TextIO | None) -> TextIO | None:
    if stream is None:  # descriptor 1 closed (`costnet list >&-`), so Python gives no sys.stdout
        if not _reserve_closed_stdout():
            return None
        handle, encoding, line_buffering = 1, "utf-8", False
    else:
        try:
            handle, encoding, line_buffering = stream.fileno(), stream.encoding, stream.line_buffering
        except (AttributeError, OSError, ValueError):  # not a file (io.UnsupportedOperation is both)
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="backslashreplace")
            return stream
    raw = _StandardOutput(handle, "w", closefd=False)
    return io.TextIOWrapper(io.BufferedWriter(raw), encoding=encoding, errors="backslashreplace",
                            line_buffering=line_buffering)


def _reserve_closed_stdout() -> bool:
    """Put /dev/null, read-only, on a closed descriptor 1: writes then fail with EBADF as on a closed stdout,
    and no file opened later (a spec, an output file) takes descriptor 1, to receive the output or to be closed
    by _discard_further_output. False if descriptor 1 is open."""
    try:
        os.fstat(1)
        return False
    except OSError:
        pass
    handle = os.open(os.devnull, os.O_RDONLY)
    if handle != 1:
        os.dup2(handle, 1)
        os.close(handle)
    return True


def _discard_further_output(handle: int) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, handle)
    os.close(devnull)
