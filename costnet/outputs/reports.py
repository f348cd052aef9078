"""The `reports/` pages: each paper's published tables beside costnet's exact figures, with the differences
explained, and its figures redrawn. Text is built by pure functions (the test suite compares it with the
committed files); `write_reports` also draws the plots."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from . import papers
from ..analysis.analyzer import Analysis
from ..api import analyze
from ..analysis.conventions import MACS_COUNTED, MACS_NOT_COUNTED
from ..frontends.spec.loader import load
from ..studies.points import Point, point, reported_points
from ..analysis.published import check
from ..frontends.spec.scaling import scale
from ..frontends.spec.spec import Reported, Spec
from ..graph.network import Figure
from .render import reported_conventions
from .tablerender import render_markdown
from .tables import LayerSpec, architecture, layer_modifications, layer_types

ZOO_FOR_FIGURE_1 = ("mixnet_s", "mixnet_m", "mixnet_l", "mobilenet_v1", "mobilenet_v2", "mobilenet_v3_large",
                    "mnasnet_a1", "mnasnet_b1", "efficientnet_b0", "shufflenet_v2")


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> str:
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _millions(n: int, digits: int) -> str:
    return f"{n / 1e6:,.{digits}f}"


def _digits(text: str) -> int:
    number = text.rstrip("KMGT")
    return len(number.split(".")[1]) if "." in number else 0


def _diff(published: float, exact: float) -> str:
    return f"{float((published - exact) / exact):+.2%}" if exact else "—"


def _variant(spec: Spec, r: Reported) -> tuple[float, int]:
    return (spec.width.multiplier if r.width is None else r.width,
            spec.input.resolution if r.resolution is None else r.resolution)


def _reported_rows(entries: Sequence[tuple[str, Spec, Reported]]) -> str:
    """Published MACs/params/top-1 of whole networks beside the exact counts under each entry's convention."""
    rows = []
    for label, spec, r in entries:
        width, resolution = _variant(spec, r)
        result = analyze(scale(spec, width=width, resolution=resolution, depth=r.depth), r.convention)
        cells = {c.quantity: c for c in check(r, result)}
        macs = cells.get("macs")
        params = cells.get("params")
        verdict = "matches" if all(c.matches for c in cells.values()) else r.note or "—"
        rows.append([
            label, f"{r.top1:.1f}" if r.top1 is not None else "—",
            f"{macs.published.text}" if macs else "—",
            f"{_millions(macs.exact, max(1, _digits(macs.published.text)))}M" if macs else "—",
            _diff(macs.published.value, macs.exact) if macs else "—",
            params.published.text if params else "—",
            f"{_millions(params.exact, max(2, _digits(params.published.text)))}M" if params else "—",
            _diff(params.published.value, params.exact) if params else "—",
            reported_conventions(r) or r.convention, verdict,
        ])
    return _md_table(["Model", "Top-1 %", "MACs published", "MACs costnet", "Δ", "Params published",
                      "Params costnet", "Δ", "convention", "explanation"], rows, "lrrrrrrrll")


def _entries(spec_name: str, source: str, label: Callable[[Spec, Reported], str]) -> list[tuple[str, Spec, Reported]]:
    spec = load(spec_name)
    return [(label(spec, r), spec, r) for r in spec.reported if source in r.source]


def _mobilenet_label(spec: Spec, r: Reported) -> str:
    width, resolution = _variant(spec, r)
    return f"{width:.2f} MobileNet-{resolution}".replace("1.00", "1.0").replace("0.50", "0.5")


def _figure_points_mobilenet() -> tuple[Point, ...]:
    return reported_points(load("mobilenet_v1"))


def _figure_points_mixnet() -> list[Point]:
    points = [point(load(name), prefer="MixConv") for name in ZOO_FOR_FIGURE_1]
    points.append(point(load("mobilenet_v2"), width=1.4, prefer="MixConv"))
    return points


def _agrees(printed: str, exact: float) -> bool:
    """Does `exact` round to the figure as printed ("94.86", "4866", "29.3"), at its printed precision?"""
    figure = Figure.parse(printed)
    return figure is not None and abs(exact - figure.value) * 2 <= figure.unit


def _verdict(pairs: Sequence[tuple[str, float]], explanation: str | None = None) -> str:
    """ "matches" when every printed figure agrees with its exact value; otherwise the explanation, which a
    figure that differs must have (a report never hides a difference)."""
    if all(_agrees(printed, exact) for printed, exact in pairs):
        return "matches"
    return explanation or "does NOT match"


def _published_row(label: str, spec: Spec, source: str, width: float = 1.0) -> list[str]:
    """Model, top-1, MACs and parameters as the spec's `reported:` entry from `source` prints them, beside
    the exact figures; the verdict is computed."""
    r = next(r for r in spec.reported if source in r.source and _variant(spec, r) == (width, spec.input.resolution))
    result = analyze(scale(spec, width=width), r.convention)
    exact = {c.quantity: c for c in check(r, result)}
    return [label, f"{r.top1:.1f}", r.macs.text.rstrip("M"), f"{exact['macs'].exact / 1e6:,.1f}",
            r.params.text.rstrip("M"), f"{exact['params'].exact / 1e6:.2f}",
            "matches" if all(c.matches for c in exact.values()) else r.note]


def mobilenets_report() -> str:
    spec = load("mobilenet_v1")
    base = analyze(spec, "paper")
    weights = analyze(spec, "weights")
    shares = {s.kind: (100 * s.macs / weights.totals.macs, 100 * s.params / weights.totals.params)
              for s in weights.by_type()}
    table2 = _md_table(
        ["Type", "Mult-Adds published", "costnet", "Parameters published", "costnet", "explanation"],
        [[kind, f"{macs}%", f"{shares[kind][0]:.2f}%", f"{params}%", f"{shares[kind][1]:.2f}%",
          _verdict([(macs, shares[kind][0]), (params, shares[kind][1])], papers.TABLE_2_NOTES.get(kind))]
         for kind, macs, params in papers.TABLE_2], "lrrrrl")
    dk, m, n, df = papers.TABLE_3_LAYER
    steps = layer_modifications(LayerSpec(dk, m, n, df), papers.TABLE_3_ALPHA, papers.TABLE_3_RHO).rows
    table3 = _md_table(
        ["Layer / Modification", "Million Mult-Adds published", "costnet", "Million Parameters published", "costnet",
         "explanation"],
        [[name, macs, f"{row['macs'] / 1e6:.1f} ({row['macs']:,})", params,
          f"{row['params'] / 1e6:.2f} ({row['params']:,})",
          _verdict([(macs, row["macs"] / 1e6), (params, row["params"] / 1e6)])]
         for (name, macs, params), row in zip(papers.TABLE_3, steps)], "lrrrrl")
    conv_name, conv_top1, conv_macs, conv_params = papers.TABLE_4_CONV_MOBILENET
    classifier_macs = sum(layer.macs for layer in base.layers if layer.type == "fc")
    convolutions_alone = base.standard.macs - classifier_macs
    conv_verdict = _verdict([(conv_macs, base.standard.macs / 1e6), (conv_params, base.standard.params / 1e6)])
    if conv_verdict != "matches" and _verdict([(conv_macs, convolutions_alone / 1e6)]) == "matches":
        conv_verdict = f"matches {papers.TABLE_4_NOTE}"
    table4 = _md_table(
        ["Model", "Top-1 %", "Million Mult-Adds published", "costnet", "Million Parameters published", "costnet",
         "explanation"],
        [[conv_name, conv_top1, conv_macs, f"{base.standard.macs / 1e6:,.1f} (convolutions alone: "
          f"{convolutions_alone / 1e6:,.1f})", conv_params, f"{base.standard.params / 1e6:.2f}", conv_verdict],
         _published_row("MobileNet", spec, "Tables 6 and 7")], "lrrrrrl")
    shallow = _shallow(spec)
    shallow_name, shallow_top1, shallow_macs, shallow_params = papers.TABLE_5_SHALLOW
    table5 = _md_table(
        ["Model", "Top-1 %", "Million Mult-Adds published", "costnet", "Million Parameters published", "costnet",
         "explanation"],
        [_published_row("0.75 MobileNet", spec, "Table 6", width=0.75),
         [f"{shallow_name} ({papers.TABLE_5_SHALLOW_NOTE})", shallow_top1, shallow_macs,
          f"{shallow.totals.macs / 1e6:.1f}", shallow_params, f"{shallow.totals.params / 1e6:.2f}",
          _verdict([(shallow_macs, shallow.totals.macs / 1e6), (shallow_params, shallow.totals.params / 1e6)])]],
        "lrrrrrl")
    arch = render_markdown(architecture(base)).split("\n", 2)[2]
    table6 = _reported_rows(_entries("mobilenet_v1", "Table 6", _mobilenet_label))
    table7 = _reported_rows(_entries("mobilenet_v1", "Table 7", _mobilenet_label))
    table8 = _reported_rows(
        [("1.0 MobileNet-224", spec, next(r for r in spec.reported if "Tables 6 and 7" in r.source))]
        + _entries("googlenet", "MobileNets, Table 8", lambda s, r: "GoogleNet")
        + _entries("vgg16", "MobileNets, Table 8", lambda s, r: "VGG 16"))
    table9 = _reported_rows(
        _entries("mobilenet_v1", "Table 9", _mobilenet_label)
        + _entries("squeezenet1_0", "MobileNets, Table 9", lambda s, r: "Squeezenet")
        + _entries("alexnet", "MobileNets, Table 9", lambda s, r: "AlexNet"))
    checkpoints = _reported_rows(_entries("mobilenet_v1", "2017_06_14", _mobilenet_label))
    return "\n".join([
        "# MobileNets (Howard et al. 2017) against costnet",
        "",
        f"Generated by `costnet report` from `archs/mobilenet_v1.yaml` and the comparison networks' specs. "
        f"Published figures are as printed in {papers.MOBILENETS} (and, for the released checkpoints, TF-slim's "
        f"README); costnet's are exact counts. Δ = (published − costnet) / costnet.",
        "",
        f"MACs are the {MACS_COUNTED}; not counted: {MACS_NOT_COUNTED}.",
        "",
        "## Table 1: MobileNet body architecture",
        "",
        "The paper prints the next-to-last depthwise layer as stride 2 although its input and output are both "
        "7 × 7; the reference implementation (TF-slim) uses stride 1, as here.",
        "",
        arch.rstrip(),
        "",
        "## Table 2: resource per layer type",
        "",
        "Shares of MACs and of parameters; the parameter shares count weights only (the `weights` convention), "
        "which is what reproduces the printed column.",
        "",
        table2,
        "",
        "## Table 3: one layer, step by step",
        "",
        f"D_K = {dk}, M = {m}, N = {n}, D_F = {df}; each row applies on top of the previous one "
        f"(`costnet table --kind layer-modifications`).",
        "",
        table3,
        "",
        "## Table 4: depthwise separable against full convolutions",
        "",
        table4,
        "",
        "## Table 5: narrow against shallow",
        "",
        table5,
        "",
        "## Table 6: width multiplier",
        "",
        table6,
        "",
        "## Table 7: resolution multiplier",
        "",
        table7,
        "",
        "## Table 8: MobileNet against popular models",
        "",
        table8,
        "",
        "## Table 9: small MobileNet against popular models",
        "",
        table9,
        "",
        "## The 16 released checkpoints (TF-slim README, 2017_06_14)",
        "",
        "The points of Figures 4 and 5. The README counts parameters as checkpoint variables (a 1001-class "
        "classifier; β, moving mean and moving variance per batch-norm channel), which reproduces all four of its "
        "parameter figures exactly.",
        "",
        checkpoints,
        "",
        "## Figures 4 and 5: accuracy against MACs and against parameters",
        "",
        "![Figure 4](mobilenets_figure4.png)",
        "",
        "![Figure 5](mobilenets_figure5.png)",
        "",
    ])


def _shallow(spec: Spec) -> Analysis:
    """MobileNet without the five 14 × 14 × 512 separable layers (the entry repeated five times)."""
    stages = tuple(replace(stage, nodes=tuple(n for n in stage.nodes if n.repeat != 5)) for stage in spec.stages)
    return analyze(replace(spec, stages=stages), "paper")


def mixnet_report() -> str:
    table2 = _reported_rows(
        [(f"{s.name}" + (f" ({_variant(s, r)[0]:g})" if _variant(s, r)[0] != s.width.multiplier else ""), s, r)
         for name in ("mobilenet_v1", "mobilenet_v2", "mnasnet_a1", "mixnet_s", "mixnet_m", "mixnet_l")
         for s in (load(name),) for r in s.reported if "MixConv" in r.source])
    exact_rows = []
    for name in ("mixnet_s", "mixnet_m", "mixnet_l"):
        paper, torch = analyze(load(name), "paper"), analyze(load(name), "torch")
        exact_rows.append([paper.model, f"{paper.totals.macs:,}", f"{paper.totals.params:,}",
                           f"{torch.totals.params:,}", f"{paper.totals.activations:,}",
                           f"{len(paper.separable)}"])
    exact = _md_table(["Model", "MACs", "Params (paper)", "Params (torch)", "Activations", "Separable pairs"],
                      exact_rows, "lrrrrr")
    medium = analyze(load("mixnet_m"), "paper")
    kinds = render_markdown(layer_types(medium)).split("\n", 2)[2].rstrip()
    ratios = [p.ratio for p in medium.separable]
    agreement = max(abs(p.ratio - p.formula) for p in medium.separable)
    return "\n".join([
        "# MixNet (Tan & Le 2019, MixConv) against costnet",
        "",
        "Generated by `costnet report` from `archs/mixnet_{s,m,l}.yaml` and the comparison networks' specs. "
        "Published figures are as printed in Tan & Le 2019 (arXiv 1907.09595), Table 2; costnet's are exact "
        "counts of the networks as TF's `mixnet_builder.py` and timm build them. Δ = (published − costnet) / costnet.",
        "",
        "## Table 2: ImageNet comparison",
        "",
        _reported_rows_note(),
        "",
        table2,
        "",
        "## The MixNets exactly",
        "",
        "Under the `torch` convention (batch-norm γ and β counted) the parameters equal timm's "
        "`sum(p.numel())` exactly, and the MACs equal its convolution and fully-connected multiply-accumulates.",
        "",
        exact,
        "",
        "## MixNet-M: where the MACs go",
        "",
        "MixConv splits a depthwise convolution's channels equally over its kernel sizes (remainder on the first "
        "group), so each kernel size appears as its own row.",
        "",
        kinds,
        "",
        f"MixNet-M has {len(medium.separable)} depthwise separable pairs (mixed depthwise → SE → possibly grouped "
        f"1×1). Their cost against a full convolution ranges from {min(ratios):.4f} to {max(ratios):.4f}; the "
        f"closed form 1/N + 1/(g·D̄k²) agrees with the measured ratio to {agreement:.1e}.",
        "",
        "## Figure 1: accuracy against MACs",
        "",
        "Each network at its default variant (and MobileNetV2 at 1.4), with the MixNet paper's accuracies where "
        "it lists the network and the spec's first published figure otherwise.",
        "",
        "![Figure 1](mixnet_figure1.png)",
        "",
    ])


def _reported_rows_note() -> str:
    return ("Where a published figure differs from the exact count by more than its printed rounding, the "
            "explanation column gives the spec's note.")


def _kib(n: int) -> str:
    return f"{n / 1024:,.1f} KiB"


def _memory_zoo() -> list[Analysis]:
    from ..frontends.spec.loader import bundled_names

    return [analyze(load(name), "paper", "int8") for name in bundled_names()]


def memory_report() -> str:
    from .memoryplots import DEVICE_BUDGETS, memory_steps

    mbv2 = analyze(load("mobilenet_v2"), "paper", "int8")
    in_place, plain = mbv2.peaks["in-place"], mbv2.peaks["plain"]
    rows = {l.name: l for l in mbv2.layers}
    expand, dw = rows[in_place.layer], rows[plain.layer]
    steps = memory_steps(mbv2, "in-place", "block")
    plain_steps = {s.name: s for s in memory_steps(mbv2, "plain", "block")}
    small = DEVICE_BUDGETS[0]
    over = [s for s in steps if s.bytes > small]
    later = max(s.bytes for s in steps[len(over):])
    block_rows = [[s.name, s.layer, f"{s.bytes:,}", f"{plain_steps[s.name].bytes:,}", f"{s.bytes / small:.2f}"]
                  for s in steps]
    zoo_rows = []
    for a in sorted(_memory_zoo(), key=lambda a: (a.peaks["in-place"].bytes, a.model)):
        peak = a.peaks["in-place"]
        zoo_rows.append([a.model, f"{peak.bytes:,}", _kib(peak.bytes), f"{a.peaks['plain'].bytes:,}",
                         printable_layer(peak.layer),
                         *("yes" if peak.bytes <= budget else "no" for budget in DEVICE_BUDGETS),
                         f"{a.weight_bytes:,}"])
    budgets = " and ".join(f"{b // 1024} KiB" for b in DEVICE_BUDGETS)
    return "\n".join([
        "# Peak activation memory (MCUNetV2, Lin et al. 2021, Figure 1) against costnet",
        "",
        "Generated by `costnet report` from the bundled specs. Memory here is the peak of live activations of "
        "layer-by-layer inference in int8 (one byte per element), under costnet's two memory models "
        "(docs/conventions.md, Memory): `plain`, every row writes a new tensor; `in-place`, TinyEngine's "
        "schedule, a depthwise convolution or an elementwise row overwrites its input when it is that input's "
        "last reader. A tensor lives from the row that makes it to the last row that reads it.",
        "",
        "## MobileNetV2 (1.0, 224), block by block",
        "",
        f"MCUNetV2 reports that MobileNetV2 peaks at 1,372 kB of int8 activations, set by its first blocks. "
        f"costnet's `in-place` peak is {in_place.bytes:,} bytes = {_kib(in_place.bytes)}, at `{in_place.layer}`, "
        f"the expansion of the second inverted residual block: its input of {expand.input_shape} "
        f"({expand.input_shape.elements:,} bytes) and its output of {expand.output_shape} "
        f"({expand.output_shape.elements:,} bytes) are alive together, {expand.input_shape.elements:,} + "
        f"{expand.output_shape.elements:,} = {in_place.bytes:,}. MCUNetV2's kB are KiB: "
        f"{in_place.bytes:,} / 1024 = {in_place.bytes // 1024:,} exactly. Under `plain` the peak is "
        f"{plain.bytes:,} bytes ({_kib(plain.bytes)}) at `{plain.layer}`, the depthwise convolution that "
        f"TinyEngine runs in place: {dw.input_shape} in and {dw.output_shape} out, and the block's input, which "
        f"no later row reads, already freed: {dw.input_shape.elements:,} + {dw.output_shape.elements:,} = "
        f"{dw.input_shape.elements + dw.output_shape.elements:,}.",
        "",
        f"{len(over)} blocks need more than {small // 1024} KiB (the stem and the first "
        f"{len(over) - 1} inverted residual blocks); every later block needs at most {later:,} bytes "
        f"({later / in_place.bytes:.0%} of the peak): the imbalance MCUNetV2's patch-based inference removes.",
        "",
        "![MobileNetV2 memory profile](memory_mobilenet_v2.png)",
        "",
        _md_table(["Block", "Row at its most", "In-place bytes", "Plain bytes", f"× {small // 1024} KiB"], block_rows,
                  "llrrr"),
        "",
        f"## The zoo against {budgets} of SRAM",
        "",
        "Every bundled spec at its default variant, int8, sorted by its in-place peak. Weight bytes are "
        "parameters (paper convention) × 1 byte: on a microcontroller they sit in flash, not SRAM.",
        "",
        "![Peak memory of the zoo](memory_zoo.png)",
        "",
        _md_table(["Network", "In-place peak (bytes)", "In-place peak", "Plain peak (bytes)", "At",
                   *(f"Fits {b // 1024} KiB" for b in DEVICE_BUDGETS), "Weight bytes"],
                  zoo_rows, "lrrrlllr"),
        "",
    ])


def printable_layer(name: str | None) -> str:
    return f"`{name}`" if name else "—"


REPORTS: dict[str, Callable[[], str]] = {"mobilenets.md": mobilenets_report, "mixnet.md": mixnet_report,
                                         "memory.md": memory_report}


def _figure(points: Callable[[], Sequence[Point]], x: str, log_x: bool, title: str) -> Callable[[], object]:
    def draw() -> object:
        from . import plots

        return plots.accuracy_figure(points(), x, "top1", log_x=log_x, title=title)

    return draw


FIGURES: dict[str, Callable[[], object]] = {
    "mobilenets_figure4.png": _figure(_figure_points_mobilenet, "macs", True,
                                      "MobileNet: top-1 against MACs (Figure 4)"),
    "mobilenets_figure5.png": _figure(_figure_points_mobilenet, "params", True,
                                      "MobileNet: top-1 against parameters (Figure 5)"),
    "mixnet_figure1.png": _figure(_figure_points_mixnet, "macs", False, "MixNet against mobile networks (Figure 1)"),
    "memory_mobilenet_v2.png": lambda: _memory_profile(),
    "memory_zoo.png": lambda: _zoo_memory(),
}


def _memory_profile() -> object:
    from .memoryplots import DEVICE_BUDGETS, memory_figure

    return memory_figure(analyze(load("mobilenet_v2"), "paper", "int8"), model=None, by="block",
                         budget_bytes=DEVICE_BUDGETS[0],
                         title="MobileNetV2 (1.0, 224): live int8 activations per block (MCUNetV2, Figure 1)")


def _zoo_memory() -> object:
    from .memoryplots import zoo_memory_figure

    return zoo_memory_figure(_memory_zoo())


def report_figures() -> dict[str, object]:
    return {name: draw() for name, draw in FIGURES.items()}


def write_reports(directory: Path, with_plots: bool = True) -> list[Path]:
    from .files import write_files

    contents = {name: build() for name, build in REPORTS.items()}
    if with_plots:
        from . import plots

        contents.update({name: plots.saver(figure) for name, figure in report_figures().items()})
    return write_files(directory, contents)
