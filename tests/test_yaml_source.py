"""The located-YAML reader on hostile input: every problem is a one-line error at its line and column, never a
traceback, a crash or a hang."""

import os
import re
import threading
from pathlib import Path

import pytest

import costnet
from costnet.errors import UsageError
from costnet.studies.budget import load_baseline, parse_budget_file
from costnet.yamlsource import MAX_SOURCE_BYTES, parse_yaml, read_source

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(error: Exception) -> str:
    message = str(error)
    assert not CONTROL.search(message), message
    return message


# ---- reading files --------------------------------------------------------------------------------------

def usage_error_of(path, what="net.yaml") -> str:
    with pytest.raises(UsageError) as caught:
        read_source(path, what)
    return one_line(caught.value)


def test_a_file_larger_than_the_cap_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(MAX_SOURCE_BYTES + 1)  # sparse: no disk used
    assert "net.yaml: larger than the 16 MiB costnet reads (16,777,217 bytes)" in usage_error_of(big)
    with pytest.raises(UsageError, match="larger than the 16 MiB"):
        costnet.load(big)
    with pytest.raises(UsageError, match="budget file .*big.yaml: larger than the 16 MiB"):
        parse_budget_file(str(big))
    with pytest.raises(UsageError, match="baseline .*big.yaml: larger than the 16 MiB"):
        load_baseline(str(big))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_that_reports_no_size_is_read_only_up_to_the_cap():
    assert "larger than the 16 MiB costnet reads (more)" in usage_error_of("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_read_only_up_to_the_cap(tmp_path):
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    connected = threading.Event()

    def write():
        try:
            with open(fifo, "wb") as handle:
                connected.set()
                for _ in range(MAX_SOURCE_BYTES // 2**20 + 1):
                    handle.write(b"a" * 2**20)
        except BrokenPipeError:  # the reader stopped at the cap, as it should
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    holder = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # lets the writer open the FIFO before costnet does
    try:
        assert connected.wait(10)
        assert "larger than the 16 MiB costnet reads (more)" in usage_error_of(fifo)
    finally:
        os.close(holder)
    writer.join(10)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_nobody_writes_to_does_not_hang(tmp_path):
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    result = []
    reader = threading.Thread(target=lambda: result.append(read_source(fifo, "spec.yaml")), daemon=True)
    reader.start()
    reader.join(10)
    assert result == [""]


def test_a_file_that_is_not_utf8_names_the_offset(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_bytes(b"a: \xff\n")
    assert usage_error_of(path) == "net.yaml: not a text file (UTF-8 expected; byte 0xff at offset 3 is not UTF-8)"
    with pytest.raises(UsageError, match="not a text file"):
        costnet.load(path)


def test_os_errors_are_one_line_usage_errors(tmp_path):
    assert usage_error_of(tmp_path / "none.yaml") == "net.yaml: no such file"
    assert usage_error_of(tmp_path) == "net.yaml: is a directory, not a file"
    with pytest.raises(UsageError, match="budget file .*none.yaml: no such file"):
        parse_budget_file(str(tmp_path / "none.yaml"))


def test_line_breaks_and_a_leading_bom_are_kept_for_the_parser(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_bytes("\ufeffa: 1\r\nb: é\r\n".encode("utf-8"))
    text_ = read_source(path, "net.yaml")
    assert text_ == "\ufeffa: 1\r\nb: é\r\n"
    assert parse_yaml(text_, "net.yaml").items["b"].origin.line == 2


@pytest.mark.parametrize("content, reason", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"totals": ' + "1" * 5000 + "}", "Exceeds the limit"),  # int() refuses 5,000 digits with a ValueError
])
def test_a_baseline_that_json_cannot_read_is_a_usage_error(tmp_path, content, reason):
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=reason) as caught:
        load_baseline(str(path))
    one_line(caught.value)
