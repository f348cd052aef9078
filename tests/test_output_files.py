"""Output files behave like the shell's `>`, never half-written; standard output fails in one line, exit 2."""

import csv
import io
import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from costnet.errors import UsageError
from costnet.outputs import files
from costnet.outputs.files import write_file, write_files

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")


def costnet(*args, env=None, **options):
    """The real command in a subprocess: its stdout as bytes (when piped), its stderr as text."""
    result = subprocess.run([sys.executable, "-m", "costnet", *args], stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})}, **options)
    result.stderr = result.stderr.decode("utf-8")
    return result


@pytest.fixture
def umask():
    saved = os.umask(0o022)
    yield os.umask
    os.umask(saved)


# Where the bytes go

def test_a_symlink_stays_and_its_target_is_written(tmp_path):
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    write_file(tmp_path / "link.txt", "new")
    assert os.readlink(tmp_path / "link.txt") == "real.txt"
    assert (tmp_path / "real.txt").read_text() == "new"
    assert sorted(os.listdir(tmp_path)) == ["link.txt", "real.txt"]


def test_a_dangling_symlink_gets_its_target_created(tmp_path):
    (tmp_path / "link.txt").symlink_to("real.txt")
    write_file(tmp_path / "link.txt", "new")
    assert (tmp_path / "link.txt").is_symlink() and (tmp_path / "real.txt").read_text() == "new"


def test_a_fifo_is_written_in_place(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_file(fifo, "through the pipe ×\n")
    reader.join(timeout=10)
    assert received == ["through the pipe ×\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and os.listdir(tmp_path) == ["fifo"]


def test_dev_null_stays_a_character_device(tmp_path):
    result = costnet("analyze", "mixnet_m", "-o", "/dev/null", cwd=tmp_path, stdout=subprocess.PIPE)
    assert (result.returncode, result.stderr, result.stdout) == (0, "", b"")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@needs_root
def test_a_device_node_is_written_in_place_not_replaced(tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("this container may not create device nodes")
    before = os.stat(device)
    result = costnet("analyze", "mixnet_m", "-f", "json", "-o", str(device), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev, after.st_mode) == (before.st_ino, before.st_rdev, before.st_mode)
    assert os.listdir(tmp_path) == ["null"]


def test_standard_output_as_a_path_is_written_in_place(tmp_path):
    result = costnet("analyze", "mixnet_m", "-f", "json", "-o", "/dev/stdout", cwd=tmp_path, stdout=subprocess.PIPE)
    assert result.returncode == 0 and json.loads(result.stdout)["model"] == "MixNet-M"


# Modes and owners

def test_an_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o640)
    write_file(target, "new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640 and target.read_text() == "new"


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_gets_0o666_less_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    write_file(tmp_path / "new.txt", "text")
    assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == mode


@needs_root
def test_root_replacing_a_file_keeps_its_owner(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    os.chown(target, 1234, 5678)
    write_file(target, "new")
    status = os.stat(target)
    assert (status.st_uid, status.st_gid, target.read_text()) == (1234, 5678, "new")


# Errors

def test_errors_are_one_line_naming_the_path(tmp_path):
    with pytest.raises(UsageError, match=r"^cannot write .*/no/such\.txt: No such file or directory$"):
        write_file(tmp_path / "no" / "such.txt", "x")
    with pytest.raises(UsageError, match=r"^cannot write .*: Is a directory$"):
        write_file(tmp_path, "x")
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(UsageError, match=r"^cannot write .*/locked/x\.txt: Permission denied$"):
            write_file(locked / "x.txt", "x")


@needs_dev_full
def test_a_full_device_is_a_clean_error():
    with pytest.raises(UsageError, match="^cannot write /dev/full: No space left on device$"):
        write_file(Path("/dev/full"), "x")


# Nothing half-written, no temporary left

@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError(28, "No space left on device")], ids=["ctrl-c", "enospc"])
def test_no_temporary_survives_a_failed_rename(tmp_path, monkeypatch, failure):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def fail(*_):
        raise failure

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(KeyboardInterrupt if failure is KeyboardInterrupt else UsageError):
        write_file(target, "new")
    assert os.listdir(tmp_path) == ["out.txt"] and target.read_text() == "old"


@pytest.mark.parametrize("failure", [KeyboardInterrupt, SystemExit, OSError(28, "No space left on device")],
                         ids=["ctrl-c", "exit", "enospc"])
def test_no_temporary_survives_a_failure_mid_write(tmp_path, failure):
    target = tmp_path / "figure.png"
    target.write_bytes(b"old")

    def save_half_then_fail(path):
        path.write_bytes(b"\x89PNG half")
        raise failure

    with pytest.raises(UsageError if isinstance(failure, OSError) else failure):
        write_file(target, save_half_then_fail)
    assert os.listdir(tmp_path) == ["figure.png"] and target.read_bytes() == b"old"


def test_a_saved_temporary_keeps_the_targets_suffix(tmp_path):
    seen = []
    write_file(tmp_path / "figure.svg", lambda path: (seen.append(path), path.write_text("<svg/>")))
    assert seen[0].parent == tmp_path and seen[0].suffix == ".svg" and seen[0].name != "figure.svg"
    assert os.listdir(tmp_path) == ["figure.svg"]


def test_several_files_are_written_all_or_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("a.md", "b.png", "c.csv"):
        (out / name).write_text(f"previous {name}")

    def disk_full(path):
        path.write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(UsageError, match=r"^cannot write .*/out/b\.png: No space left on device$"):
        write_files(out, {"a.md": "new a", "b.png": disk_full, "c.csv": "new c"})
    assert {p.name: p.read_text() for p in out.iterdir()} == {name: f"previous {name}"
                                                              for name in ("a.md", "b.png", "c.csv")}
    written = write_files(out, {"a.md": "new a", "b.png": lambda path: path.write_text("new b"), "c.csv": "new c"})
    assert written == [out / "a.md", out / "b.png", out / "c.csv"]
    assert {p.name: p.read_text() for p in out.iterdir()} == {"a.md": "new a", "b.png": "new b", "c.csv": "new c"}


def test_a_move_failing_midway_says_what_was_written(tmp_path, monkeypatch):
    moves = []

    def replace_then_fail(source, target):
        if moves:
            raise OSError(5, "Input/output error")
        moves.append(target)
        os.rename(source, target)

    monkeypatch.setattr(files.os, "replace", replace_then_fail)
    with pytest.raises(UsageError) as error:
        write_files(tmp_path, {"a.md": "a", "b.md": "b", "c.md": "c"})
    assert str(error.value) == (f"cannot write {tmp_path / 'b.md'}: Input/output error "
                                f"(already written: {tmp_path / 'a.md'})")
    assert sorted(os.listdir(tmp_path)) == ["a.md"]


def test_a_sweep_leaves_its_files_and_nothing_else(tmp_path):
    result = costnet("sweep", "mixnet_m", "--width", "1,0.5", "--no-plots", "--output", str(tmp_path / "s"),
                     stdout=subprocess.PIPE)
    assert result.returncode == 0
    assert sorted(os.listdir(tmp_path / "s")) == ["points.csv", "points.json", "report.md"]


# Standard output

COMMANDS = {
    "analyze": ["analyze", "mixnet_m"],
    "table": ["table", "mobilenet_v1", "--kind", "architecture"],
    "sweep": ["sweep", "mobilenet_v1", "--width", "1,0.5"],
    "compare": ["compare", "mixnet_s", "mixnet_m"],
    "check": ["check", "mixnet_m", "--max-macs", "300M"],  # over budget, and still exit 2, never 1
    "diff": ["diff", "mixnet_s", "mixnet_m"],
    "list": ["list"],
    "types": ["types"],
    "help": ["--help"],
}


@needs_dev_full
@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_full_standard_output_is_one_line_and_exit_2(args):
    with open("/dev/full", "wb") as full:
        result = costnet(*args, stdout=full)
    assert result.returncode == 2
    assert result.stderr == "costnet: error: cannot write to standard output: No space left on device\n"


@pytest.mark.parametrize("args", [COMMANDS["list"], COMMANDS["analyze"], COMMANDS["help"]], ids=["list", "analyze", "help"])
def test_a_closed_pipe_is_one_line_and_exit_2(args):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before costnet writes, as after `| head -c 10`
    try:
        result = costnet(*args, stdout=write_end)
    finally:
        os.close(write_end)
    assert result.returncode == 2
    assert result.stderr == "costnet: error: cannot write to standard output: Broken pipe\n"


def test_a_full_non_blocking_pipe_is_waited_for():
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)  # as some CI runners leave their log pipes
    process = subprocess.Popen([sys.executable, "-m", "costnet", "analyze", "mixnet_m", "-f", "json"],
                               stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    time.sleep(1)  # the JSON (70 KB) fills the pipe (64 KB) meanwhile
    with os.fdopen(read_end, "rb") as pipe:
        output = pipe.read()
    assert (process.wait(), process.stderr.read()) == (0, b"")
    assert json.loads(output)["model"] == "MixNet-M"


def test_a_closed_standard_output_is_one_line_and_exit_2():
    result = costnet("list", preexec_fn=lambda: os.close(1))
    assert result.returncode == 2
    assert result.stderr == "costnet: error: cannot write to standard output: Bad file descriptor\n"


def test_a_closed_standard_output_does_not_matter_when_writing_a_file(tmp_path):
    result = costnet("analyze", "mixnet_m", "-o", "out.txt", cwd=tmp_path, preexec_fn=lambda: os.close(1))
    assert (result.returncode, result.stderr) == (0, "")
    assert "MixNet-M" in (tmp_path / "out.txt").read_text()


# The console's encoding

ENCODED = {
    "table": ["analyze", "mixnet_m"],
    "json": ["analyze", "mixnet_m", "-f", "json"],
    "csv": ["analyze", "mixnet_m", "-f", "csv"],
    "diff": ["diff", "mixnet_s", "mixnet_m"],
}


def _parses(kind, text):
    if kind == "json":
        json.loads(text)
    elif kind == "csv":
        assert len({len(row) for row in csv.reader(io.StringIO(text))}) == 1
    return True


@pytest.mark.parametrize("kind, args", ENCODED.items(), ids=ENCODED.keys())
def test_an_ascii_standard_output_gives_the_same_output(kind, args):
    # click takes an ASCII stream for a misconfigured locale and writes UTF-8 to it
    plain = costnet(*args, stdout=subprocess.PIPE, env={"PYTHONIOENCODING": "utf-8"})
    ascii_ = costnet(*args, stdout=subprocess.PIPE, env={"PYTHONIOENCODING": "ascii"})
    assert (ascii_.returncode, ascii_.stderr) == (0, "")
    assert ascii_.stdout == plain.stdout and _parses(kind, ascii_.stdout.decode("utf-8"))


@pytest.mark.parametrize("kind, args", ENCODED.items(), ids=ENCODED.keys())
def test_a_cp1252_standard_output_gets_backslash_escapes(kind, args):
    plain = costnet(*args, stdout=subprocess.PIPE, env={"PYTHONIOENCODING": "utf-8"}).stdout.decode("utf-8")
    result = costnet(*args, stdout=subprocess.PIPE, env={"PYTHONIOENCODING": "cp1252"})
    assert (result.returncode, result.stderr) == (0, "")
    text = result.stdout.decode("cp1252")
    assert text == plain.encode("cp1252", "backslashreplace").decode("cp1252") and _parses(kind, text)


# ---- a hard-linked file is written through, as `>` writes it (found by review) ------------------------------

def test_a_hard_linked_file_is_written_through_so_every_link_sees_it(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("old\n")
    os.link(first, second)
    os.chmod(first, 0o640)
    inode = first.stat().st_ino
    write_file(first, "new\n")
    assert second.read_text() == "new\n" and first.read_text() == "new\n"
    status = first.stat()
    assert (status.st_ino, status.st_nlink, stat.S_IMODE(status.st_mode)) == (inode, 2, 0o640)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]  # no temporary left


def test_a_hard_linked_file_is_left_as_it_was_when_the_content_fails(tmp_path):
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    first.write_text("old\n")
    os.link(first, second)

    def fails(path):
        Path(path).write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(UsageError, match="cannot write .*a.png: No space left on device"):
        write_file(first, fails)
    assert first.read_text() == second.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png"]


def test_analyze_into_a_hard_link_as_the_review_found(tmp_path):
    from independent import reference

    (tmp_path / "a.json").write_text("old\n")
    os.link(tmp_path / "a.json", tmp_path / "b.json")
    result = costnet("analyze", "mobilenet_v2", "-f", "json", "-o", "a.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "b.json").read_text())["totals"]["macs"] == reference("mobilenet_v2")["macs"]


def test_write_files_writes_a_hard_linked_member_through(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.csv").write_text("old\n")
    os.link(tmp_path / "out" / "a.csv", tmp_path / "kept.csv")
    write_files(tmp_path / "out", {"a.csv": "x,y\n", "b.md": "# b\n"})
    assert (tmp_path / "kept.csv").read_text() == "x,y\n"
    assert (tmp_path / "out" / "b.md").read_text() == "# b\n"


# ---- an output that is an input is refused (found by review) ---------------------------------------------------

TINY_SPEC = ("version: 1\nname: tiny\ninput: {channels: 3, resolution: 8}\n"
             "body: [{name: a, blocks: [{type: conv, out: 4, kernel: 1}]}]\n")


def refused(result, path, before):
    from click.testing import Result

    stderr = result.stderr if not isinstance(result, Result) else result.output
    code = result.exit_code if isinstance(result, Result) else result.returncode
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"costnet: error: cannot write {path}: it is an input"), stderr
    assert Path(path).read_bytes() == before  # untouched


@pytest.mark.parametrize("args", [
    ["analyze", "m.yaml", "-o", "m.yaml"],
    ["analyze", "m.yaml", "-f", "json", "-o", "link.yaml"],   # a symlink to the input
    ["analyze", "m.yaml", "-o", "hard.yaml"],                 # a hard link to the input
    ["table", "m.yaml", "-k", "types", "-o", "m.yaml"],
    ["sweep", "grid.csv", "-w", "1,0.5", "-o", "grid.csv"],                # a spec named like a CSV grid
    ["sweep", "out/points.csv", "-w", "1,0.5", "--no-plots", "-o", "out"],  # the report's folder holds it
    ["sweep", "out/points.csv", "-w", "1,0.5", "--no-plots", "-o", "out/points.csv"],
    ["compare", "mobilenet_v2", "m.yaml", "-o", "m.yaml"],
    ["diff", "mobilenet_v2", "m.yaml", "-o", "m.yaml"],
    ["check", "m.yaml", "--max-macs", "1G", "-o", "m.yaml"],
    ["check", "--budget", "budgets.yaml", "-o", "budgets.yaml"],
    ["check", "--budget", "budgets.yaml", "-f", "json", "-o", "m.yaml"],   # a spec the budget file names
])
def test_an_output_that_is_an_input_is_refused_and_left_intact(tmp_path, monkeypatch, args):
    from click.testing import CliRunner

    from costnet.cli import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.yaml").write_text(TINY_SPEC)
    (tmp_path / "link.yaml").symlink_to("m.yaml")
    os.link(tmp_path / "m.yaml", tmp_path / "hard.yaml")
    (tmp_path / "budgets.yaml").write_text("version: 1\nbudgets: [{spec: m.yaml, max_macs: 1G}]\n")
    (tmp_path / "grid.csv").write_text(TINY_SPEC)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "points.csv").write_text(TINY_SPEC)
    target = args[-1] if args[-1] != "out" else "out/points.csv"
    before = (tmp_path / target).read_bytes()
    refused(CliRunner().invoke(cli, args), target, before)


def test_verify_refuses_to_write_over_its_onnx_model(tmp_path):
    from click.testing import CliRunner

    from costnet.cli import cli

    model = tmp_path / "mobilenet_v2.onnx"
    model.write_bytes((Path(__file__).parent / "data" / "onnx" / "mobilenet_v2.onnx").read_bytes())
    before = model.read_bytes()
    refused(CliRunner().invoke(cli, ["verify", "mobilenet_v2", str(model), "-o", str(model)]), model, before)


def test_standard_input_redirected_from_the_output_file_is_refused(tmp_path):
    spec = tmp_path / "m.yaml"
    spec.write_text(TINY_SPEC)
    with open(spec, "rb") as stdin:
        result = costnet("analyze", "-", "-o", str(spec), stdin=stdin)
    refused(result, spec, TINY_SPEC.encode())


def test_a_later_command_may_write_what_an_earlier_one_read(tmp_path):
    """The inputs are those of one command: tests and the Python API run many in one process."""
    from click.testing import CliRunner

    from costnet.cli import cli

    spec, out = tmp_path / "m.yaml", tmp_path / "out.txt"
    spec.write_text(TINY_SPEC)
    assert CliRunner().invoke(cli, ["analyze", str(spec), "-o", str(out)]).exit_code == 0
    assert CliRunner().invoke(cli, ["schema", "spec", "-o", str(spec)]).exit_code == 0
    assert json.loads(spec.read_text())["$schema"]
