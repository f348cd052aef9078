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
