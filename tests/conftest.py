import textwrap

import pytest

import costnet


def make_spec(body: str, resolution: int = 32, channels: int = 8, extra: str = "") -> str:
    """A minimal spec around a body given as YAML text (one stage named `s`)."""
    return textwrap.dedent(f"""\
        version: 1
        name: test
        input: {{channels: {channels}, resolution: {resolution}}}
        {extra}
        body:
          - name: s
            blocks:
        """) + textwrap.indent(textwrap.dedent(body), "      ")


@pytest.fixture
def analyze_text():
    def run(text: str, convention: str = "paper", **scaling):
        spec = costnet.parse_spec(text, "test.yaml")
        return costnet.analyze(costnet.scale(spec, **scaling), convention)
    return run


def pytest_terminal_summary(terminalreporter):
    """The counts of the generated tests (tests/test_properties.py, tests/test_hostile.py), when they ran."""
    from runcounts import COUNTS

    if COUNTS:
        terminalreporter.write_sep("-", "generated cases")
        for what, count in sorted(COUNTS.items()):
            terminalreporter.write_line(f"{what}: {count:,}")
