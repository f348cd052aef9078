"""A YAML syntax error at a terminal shows the line with a caret under the column; anywhere else (CI logs,
pipes, scripts) the error stays one line."""

import os
import pty
import subprocess
import sys

import pytest
from click.testing import CliRunner

from costnet import parse_spec
from costnet.cli import cli
from costnet.cli.app import _caret
from costnet.errors import SpecError

BROKEN = "version: 1\nname: x\nbody:\n  - {type: conv, out: 8 kernel: 3}\n"


def test_caret_points_at_the_column_of_the_error():
    with pytest.raises(SpecError) as caught:
        parse_spec(BROKEN, "net.yaml")
    exc = caught.value
    line, caret = _caret(exc).splitlines()
    assert str(exc).startswith("net.yaml:4:")
    assert line.strip() == "- {type: conv, out: 8 kernel: 3}"
    assert caret.index("^") - 2 == exc.source_column - 1  # both lines indented by two
    assert line[caret.index("^")] == BROKEN.splitlines()[3][exc.origin.column - 1]


def test_without_a_terminal_the_error_is_one_line(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(BROKEN)
    result = CliRunner().invoke(cli, ["analyze", str(path)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal")
def test_at_a_terminal_the_line_and_caret_follow(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(BROKEN)
    leader, follower = pty.openpty()
    done = subprocess.run([sys.executable, "-m", "costnet", "analyze", str(path)], stdout=subprocess.PIPE,
                          stderr=follower, timeout=60)
    os.close(follower)
    text = os.read(leader, 65536).decode()
    os.close(leader)
    lines = [line for line in text.replace("\r", "").splitlines() if line]
    assert done.returncode == 2 and len(lines) == 3
    assert lines[0].startswith("costnet: error: ") and lines[2].strip() == "^"
