import pytest

from costnet.units import format_count, parse_bytes, parse_count


@pytest.mark.parametrize("n,text", [(568740352, "568.7M"), (999, "999"), (1500, "1.5K"), (4866269184, "4.9G"), (0, "0")])
def test_format_count(n, text):
    assert format_count(n) == text


@pytest.mark.parametrize("text,n", [("400M", 400_000_000), ("1.5G", 1_500_000_000), ("4096", 4096), ("2k", 2000)])
def test_parse_count(text, n):
    assert parse_count(text) == n


@pytest.mark.parametrize("text,n", [("8MB", 8_000_000), ("8MiB", 8_388_608), ("512", 512), ("1KiB", 1024)])
def test_parse_bytes(text, n):
    assert parse_bytes(text) == n


@pytest.mark.parametrize("bad", ["", "M", "4X", "-3M", "1.2.3"])
def test_parse_rejects(bad):
    with pytest.raises(ValueError):
        parse_count(bad)
