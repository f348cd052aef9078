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


@pytest.mark.parametrize("text,n", [
    ("4.9726695M", 4_972_669),              # a limit rounds down: 4,972,670 must not pass it
    ("339172671.99999999", 339_172_671),    # no float rounding up to 339,172,672
    ("9007199254740993", 9_007_199_254_740_993),  # 2**53 + 1, beyond float precision
    ("0.5K", 500),
    ("0.4", 0),
    ("1e18", 10**18),
])
def test_limits_are_parsed_exactly_and_rounded_down(text, n):
    assert parse_count(text) == n


@pytest.mark.parametrize("bad", ["1e400", "2e18", "1e-400", "inf", "nan", "1" + "0" * 400])
def test_absurd_limits_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_count(bad)
    with pytest.raises(ValueError):
        parse_bytes(bad + "MB")
