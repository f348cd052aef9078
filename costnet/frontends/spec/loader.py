"""Find and read a spec: a path that exists, or the name of a spec bundled with the package."""

from __future__ import annotations

import os
from pathlib import Path

from ...errors import Origin, SpecError, UsageError
from ...limits import MAX_SOURCE_BYTES
from ...yamlsource import _too_large as too_large, decode_source, read_source
from .spec import Spec, parse_spec


def bundled_dir() -> Path:
    # The package's own path: cheaper to import than importlib.resources, and right for wheels and editable
    # installs alike (pyproject.toml maps costnet.archs to the top-level archs/).
    from ... import archs

    return Path(archs.__file__).parent


def bundled_names() -> list[str]:
    return sorted(p.stem for p in bundled_dir().glob("*.yaml"))


STDIN = "-"
STDIN_FILE = "<stdin>"  # how a spec read from standard input is named in messages and in the JSON


def resolve(spec: str | Path) -> Path:
    """A path that exists is taken as is (a file, or a pipe such as /dev/fd/63 from `<(…)`), so a local
    file wins over a bundled spec of the same name; otherwise a bundled spec by name, with or without `.yaml`."""
    path = Path(spec)
    # os.path's tests, not Path's: they answer False for a name the system refuses (longer than NAME_MAX, a NUL)
    # where Path.exists() raises
    if os.path.isdir(path):
        raise UsageError(f"{spec}: is a directory, not a spec file")
    if os.path.exists(path):
        return path
    if path.parent != Path("."):
        raise UsageError(f"{spec}: no such file")
    return bundled_spec(str(spec), "no such file")


def bundled_spec(name: str, not_a_file: str) -> Path:
    """The bundled spec called `name` (with or without `.yaml`), or an error that starts with `not_a_file`."""
    stem = name[:-5] if name.endswith(".yaml") else name
    candidate = bundled_dir() / f"{stem}.yaml"
    if os.path.isfile(candidate):
        return candidate
    import difflib

    names = bundled_names()
    close = difflib.get_close_matches(stem, names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(f"{name}: {not_a_file}, and no bundled spec of that name ({hint}bundled: {', '.join(names)})")


def load(spec: str | Path, data: bytes | None = None) -> Spec:
    """Load and validate a spec from a path, a bundled name, or `-` (standard input). Raises SpecError or
    UsageError on bad input. `data`: the bytes of `-` or of a pipe, read already (sources.piped)."""
    if str(spec) == STDIN:
        return _load_stdin(data)
    return _load_path(resolve(spec), str(spec), variant_allowed=True, data=data)


def _load_stdin(data: bytes | None = None) -> Spec:
    """A spec piped in; a variant's base is then a bundled spec, or a file in the working directory."""
    import sys

    from ...inputfiles import record_stdin

    if data is None:
        record_stdin()
        data = sys.stdin.buffer.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:
        raise UsageError(f"standard input: more than {MAX_SOURCE_BYTES:,} bytes; a spec is far smaller")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("standard input: not a text file (UTF-8 expected)") from None

    def load_base(name: str, where: Origin) -> Spec:
        return _load_path(_base_path(Path(STDIN_FILE), name, where), name, variant_allowed=False)

    return parse_spec(text, STDIN_FILE, load_base)


def _load_path(path: Path, given: str, variant_allowed: bool, data: bytes | None = None) -> Spec:
    if data is None:
        text = read_source(path, given)
    elif len(data) > MAX_SOURCE_BYTES:
        raise too_large(given, "more")
    else:
        text = decode_source(data, given)
    shown = str(path) if path.parent != bundled_dir() else f"{path.name} (bundled)"

    def load_base(name: str, where: Origin) -> Spec:
        if not variant_allowed:
            raise SpecError("the base of a variant must be a full spec, not another variant", where)
        return _load_path(_base_path(path, name, where), name, variant_allowed=False)

    return parse_spec(text, shown, load_base)


def _base_path(variant: Path, name: str, where: Origin) -> Path:
    """A variant's base: a file in the variant's own folder (never elsewhere: a spec from a pull request
    must not make costnet read other files), or a bundled spec."""
    if Path(name).name != name or name in (".", ".."):
        raise SpecError(f"{name!r}: the base is a file in the variant's own folder or a bundled spec's name", where)
    beside = variant.parent / name
    if os.path.isfile(beside):
        # nor through a symlink that leads out of the folder
        folder = os.path.realpath(variant.parent)
        if os.path.commonpath([folder, os.path.realpath(beside)]) != folder:
            raise SpecError(f"{name!r} is a symlink that leads outside the variant's folder", where,
                            "the base is a file in the variant's own folder or a bundled spec's name")
        return beside
    try:
        return bundled_spec(name, f"not beside {variant.name}")
    except UsageError as exc:
        raise SpecError(str(exc), where) from None
