"""Writing output files as the shell's `>` would, without ever leaving half a file.

Where the bytes go is decided as `>` decides it:

- A symlink is followed: the link stays, and the file it points to is written (created if it does not exist).
- A FIFO, a character device (/dev/null, /dev/stdout, /dev/tty) or anything else that is not a regular file is
  opened and written in place. It is never unlinked, renamed over or chmod'ed.
- A regular file, or a path that does not exist yet, is replaced atomically: the content goes to a temporary
  file in the same directory (a unique name from mkstemp), is flushed and fsynced, takes the existing file's
  permission bits, owner and group (a new file gets 0o666 & ~umask, as `>` would give it), and is renamed over
  the target. Readers see the old file or the new one, never a part of either. The temporary file is removed
  on every way out, Ctrl-C included.
- A regular file with more than one hard link is written through, as `>` writes it, so that every name of it
  sees the new content (a rename would give the path a new file and leave the other names with the old one):
  the whole content is staged in a temporary first, as above, and only then copied into the file, truncated;
  a failure before the copy leaves the file as it was.
- A file the command has read as its input (a spec, a budget file, a baseline, an ONNX graph, or a link to
  one; costnet/inputfiles.py) is refused, not written over what was read.
- A regular file that the path reaches without naming it (/dev/stdout redirected to a file that was deleted
  since) has no name to rename over, so it is truncated and written in place.

A failure is a UsageError of one line, `cannot write PATH: <reason>` (no such directory, permission denied, is a
directory, read-only file system, no space left on device).

`write_files` writes several files into one directory all or nothing: every file is staged as a temporary
first, and only when all are staged are they moved into place; a failure while staging removes every temporary
and leaves the previous files untouched. The moves themselves are renames and cannot fail for want of space;
if one fails all the same, the error names the files already written.

A content is text, written as UTF-8, or a function that saves something (a figure) to the path it is given by
writing that file, so that this module needs no plotting library.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence, Union

from ..errors import UsageError
from ..inputfiles import read_as

Content = Union[str, Callable[[Path], None]]


@dataclass(frozen=True)
class _Target:
    path: Path  # as the user gave it, for messages
    real: Path  # where the bytes go: symlinks resolved
    existing: os.stat_result | None  # None: a new file
    in_place: bool
    through: bool = False  # a regular file of several hard links: staged, then copied into it


def write_file(path: Path, content: Content) -> None:
    _write_all({Path(path): content})


def write_files(directory: Path, contents: dict[str, Content]) -> list[Path]:
    """Write every NAME: content into DIRECTORY (created if needed), all or nothing; the paths written."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _error(directory, exc) from None
    paths = {directory / name: content for name, content in contents.items()}
    _write_all(paths)
    return list(paths)


def _write_all(contents: dict[Path, Content]) -> None:
    staged: dict[Path, Path] = {}  # target path -> its temporary, until moved into place
    written: list[Path] = []
    path = None  # the one being written, for the message
    try:
        targets = []
        for path, content in contents.items():
            target = _locate(path)
            targets.append((target, content))
            if not target.in_place:
                handle, name = tempfile.mkstemp(prefix=".costnet-", suffix=_temporary_suffix(target.real),
                                                dir=target.real.parent)
                staged[path] = Path(name)
                _fill(handle, staged[path], content, target.existing)
        # What is written in place cannot be staged; it goes first, so that if it fails the regular files
        # are still the previous ones.
        for target, content in targets:
            if target.in_place:
                path = target.path
                _write_in_place(target, content)
                written.append(path)
        for target, _ in targets:
            if target.through:
                path = target.path
                _copy_through(staged[path], target.real)
                written.append(path)
        for target, _ in targets:
            if not target.in_place and not target.through:
                path = target.path
                os.replace(staged[path], target.real)
                del staged[path]
                written.append(path)
    except OSError as exc:
        raise _error(path, exc, written) from None
    finally:
        for temporary in staged.values():
            with contextlib.suppress(OSError):
                temporary.unlink()


def _locate(path: Path) -> _Target:
    try:
        status = os.stat(path)  # follows symlinks, as `>` does
    except FileNotFoundError:  # nothing there, or a dangling symlink, whose target `>` would create
        return _Target(path, Path(os.path.realpath(path)), None, in_place=False)
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    source = read_as(status)
    if source is not None:
        same = "" if source == str(path) else f" (the same file as {source})"
        raise UsageError(f"cannot write {path}: it is an input of this command{same}, which writing would "
                         "replace; choose another output file")
    if not stat.S_ISREG(status.st_mode):
        return _Target(path, path, status, in_place=True)
    real = Path(os.path.realpath(path))
    if not _is_same_file(real, status):
        return _Target(path, path, status, in_place=True)
    return _Target(path, real, status, in_place=False, through=status.st_nlink > 1)


def _is_same_file(path: Path, status: os.stat_result) -> bool:
    try:
        other = os.stat(path)
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (status.st_dev, status.st_ino)


def _temporary_suffix(real: Path) -> str:
    # Ends with the target's name, so that a figure's format still follows its suffix; cut so that a name
    # near the length limit leaves room for the prefix and the random part.
    return "-" + real.name[-100:]


def _fill(handle: int, temporary: Path, content: Content, existing: os.stat_result | None) -> None:
    with os.fdopen(handle, "wb") as stream:
        if isinstance(content, str):
            stream.write(content.encode("utf-8"))
        else:
            content(temporary)  # writes the same file through its own handle
        stream.flush()
        _copy_permissions(stream.fileno(), existing)
        os.fsync(stream.fileno())


def _copy_permissions(handle: int, existing: os.stat_result | None) -> None:
    if existing is None:
        os.fchmod(handle, 0o666 & ~_umask())
        return
    try:
        os.fchown(handle, existing.st_uid, existing.st_gid)  # before chmod: chown clears setuid and setgid
    except PermissionError:
        pass  # only root may give a file away; the replacement then belongs to whoever writes it
    os.fchmod(handle, stat.S_IMODE(existing.st_mode))


def _umask() -> int:
    # The only way to read the umask is to set it; costnet writes files from one thread.
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _copy_through(staged: Path, real: Path) -> None:
    """The staged content into the existing file itself (every hard link of it), as `>` writes."""
    with open(staged, "rb") as source, os.fdopen(os.open(real, os.O_WRONLY | os.O_TRUNC | os.O_NOCTTY), "wb") as sink:
        shutil.copyfileobj(source, sink)
        sink.flush()
        os.fsync(sink.fileno())


def _write_in_place(target: _Target, content: Content) -> None:
    if not isinstance(content, str):
        content(target.path)
        return
    flags = os.O_WRONLY | os.O_NOCTTY
    if stat.S_ISREG(target.existing.st_mode):
        flags |= os.O_TRUNC
    with os.fdopen(os.open(target.path, flags), "wb") as stream:
        stream.write(content.encode("utf-8"))


def _error(path: Path, exc: OSError, written: Sequence[Path] = ()) -> UsageError:
    message = f"cannot write {path}: {exc.strerror or exc}"
    if written:
        message += f" (already written: {', '.join(map(str, written))})"
    return UsageError(message)
