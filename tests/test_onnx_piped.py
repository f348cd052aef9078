"""ONNX through pipes: a FIFO named .onnx that nobody writes to is refused at once (as a spec FIFO is), and `-`
(standard input) or a pipe (`<(cat model.onnx)`, /dev/stdin) takes an ONNX model as well as a spec, told apart
by its bytes. Found by review: the FIFO blocked forever, and piped ONNX was "not a text file"."""

import os
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

onnx = pytest.importorskip("onnx")
from onnx import helper  # noqa: E402

import costnet  # noqa: E402
from costnet.cli import cli  # noqa: E402
from costnet.errors import CostnetError  # noqa: E402

from test_onnx_convert import conv, save, weight  # noqa: E402

def one_conv(tmp_path):
    # 1×1 convolution, 3 → 4 channels on 8×8: 4 × 3 × 64 = 768 MACs, 12 weights
    return save(tmp_path, [conv("x", "y", "w", 1, name="/c/Conv")], [weight("w", 4, 3, 1, 1)])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_an_onnx_fifo_without_a_writer_is_refused_at_once(tmp_path):
    fifo = tmp_path / "ff.onnx"
    os.mkfifo(fifo)
    result = []

    def read() -> None:
        try:
            costnet.read_onnx(fifo)
        except CostnetError as exc:
            result.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    assert result == [f"{fifo}: a FIFO that gave nothing to read; costnet does not wait for a writer to connect "
                      "(pipe into `-`, or use <(…), whose writer is already there)"]
    out = CliRunner().invoke(cli, ["analyze", str(fifo)])
    assert out.exit_code == 2 and len(out.output.strip().splitlines()) == 1


def test_standard_input_takes_an_onnx_model(tmp_path):
    data = one_conv(tmp_path).read_bytes()
    result = CliRunner().invoke(cli, ["analyze", "-", "-f", "json"], input=data)
    assert result.exit_code == 0, result.output
    assert '"macs": 768' in result.output and '"spec": "<stdin>"' in result.output
    result = CliRunner().invoke(cli, ["analyze", "-", "--input-shape", "1,3,4,4", "-f", "json"], input=data)
    assert '"macs": 192' in result.output  # 4 × 3 × 16
    result = CliRunner().invoke(cli, ["analyze", "-", "--width", "0.5"], input=data)
    assert result.exit_code == 2 and "width scales a spec; an ONNX graph is costed as exported" in result.output


def test_standard_input_still_takes_a_spec_and_names_what_it_is_not(tmp_path):
    text = ("version: 1\nname: x\ninput: {channels: 3, resolution: 8}\n"
            "body: [{name: s, blocks: [{type: conv, out: 4, kernel: 1, bias: false}]}]\n")
    result = CliRunner().invoke(cli, ["analyze", "-", "-f", "json"], input=text.encode())
    assert result.exit_code == 0, result.output
    assert '"macs": 768' in result.output  # the same 1×1 convolution as a spec: 4 × 3 × 64
    result = CliRunner().invoke(cli, ["analyze", "-"], input=b"a: \xff\n")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "standard input: not a text file (UTF-8 expected; byte 0xff at offset 3 is not UTF-8), nor an ONNX " \
           "model (" in result.output
    result = CliRunner().invoke(cli, ["analyze", "-"], input=b"")
    assert result.exit_code == 2 and "the file is empty" in result.output


def test_a_pipe_path_takes_an_onnx_model_read_once(tmp_path):
    data = one_conv(tmp_path).read_bytes()
    run = subprocess.run([sys.executable, "-m", "costnet", "analyze", "/dev/stdin", "-f", "json"], input=data,
                         capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert b'"macs": 768' in run.stdout and b'"spec": "/dev/stdin"' in run.stdout


def test_load_of_standard_input_gives_a_graph_for_onnx(tmp_path, monkeypatch):
    import io

    data = one_conv(tmp_path).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    graph = costnet.load("-")
    assert costnet.analyze(graph).totals.macs == 768


@pytest.mark.parametrize("args", [["sweep", "{}"], ["compare", "{}", "mixnet_m"], ["plot", "{}", "-o", "p.png"],
                                  ["sweep", "-"]])
def test_commands_that_vary_a_spec_refuse_an_onnx_graph_in_one_line(tmp_path, args):
    path = one_conv(tmp_path)
    args = [str(path) if a == "{}" else str(tmp_path / a) if a == "p.png" else a for a in args]
    result = CliRunner().invoke(cli, args, input=path.read_bytes() if "-" in args else None)
    assert result.exit_code == 2 and "takes a YAML spec, whose width, resolution and depth it varies" in result.output
    assert "internal error" not in result.output and not (tmp_path / "p.png").exists()
