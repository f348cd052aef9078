"""Budget results for people and for CI systems: a table, JSON, GitHub annotations, JUnit XML.

`CHECK_FORMATS` is the registry the CLI's `--format` choices come from.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from ..studies.budget import EntryResult, LimitResult
from ..units import printable
from .jsonout import dumps
from .textable import format_table


def _headroom(r: LimitResult) -> str:
    return "—" if r.headroom is None else f"{r.headroom:+.1f}%"


def _message(entry: EntryResult, r: LimitResult) -> str:
    over = f"over by {-r.headroom:.1f}%" if r.headroom is not None else "over a limit of 0"
    return f"{entry.label}: {r.label} {r.value_text} ({r.value:,}) exceeds {r.limit_text} ({r.maximum:,}), {over}"


GROWN_SHOWN = 10


def _grown(e: EntryResult) -> list:
    """The layers to name: those that grew in a quantity whose baseline gate failed."""
    failed = {r.quantity for r in e.results if r.against_baseline and not r.passed}
    return [g for g in e.growth if g.quantity in failed]


def _error(e: EntryResult) -> str:
    return e.error if e.error.startswith(e.label) else f"{e.label}: {e.error}"


def summary(entries: Sequence[EntryResult]) -> str:
    failed = sum(1 for e in entries for r in e.results if not r.passed)
    errors = sum(1 for e in entries if e.error)
    checked = sum(len(e.results) for e in entries)
    parts = [f"{checked} limit{'' if checked == 1 else 's'} checked", f"{failed} exceeded"]
    if errors:
        parts.append(f"{errors} could not be evaluated")
    return ", ".join(parts)


def render_table(entries: Sequence[EntryResult]) -> str:
    rows = []
    for e in entries:
        for r in e.results:
            rows.append([e.label, r.label, r.value_text, r.limit_text, _headroom(r), "PASS" if r.passed else "FAIL"])
        if e.error:
            rows.append([e.label, "—", "—", "—", "—", "ERROR"])
    lines = [format_table(["entry", "limit", "value", "max", "headroom", "result"], rows, "llrrrl"), ""]
    for e in entries:
        if e.error:  # (names, paths and messages come from specs and budget files: control characters escaped)
            lines.append(f"ERROR {printable(_error(e))}")
        grown = _grown(e)
        if grown:
            lines.append(f"{printable(e.label)}: layers that grew since the baseline, largest first:")
            for g in grown[:GROWN_SHOWN]:
                where = f"  ({printable(str(g.origin))})" if g.origin else ""
                lines.append(f"  {printable(g.layer)}: {g.quantity} {g.before:,} → {g.after:,} "
                             f"({g.after - g.before:+,}){where}")
            if len(grown) > GROWN_SHOWN:
                lines.append(f"  … and {len(grown) - GROWN_SHOWN} more (--format json lists all)")
    conventions = sorted({e.convention for e in entries})
    lines.append(f"{summary(entries)} (convention: {', '.join(conventions)})")
    return "\n".join(lines) + "\n"


def render_json(entries: Sequence[EntryResult]) -> str:
    data = {
        "schema_version": 1,
        "passed": all(e.passed for e in entries),
        "summary": summary(entries),
        "entries": [{
            "name": e.label, "spec": e.spec_file, "convention": e.convention, "passed": e.passed, "error": e.error,
            "file": e.origin.file if e.origin else None, "line": e.origin.line if e.origin else None,
            "limits": [{"quantity": r.quantity, "label": r.label, "value": r.value, "max": r.maximum,
                        "limit": r.limit_text, "headroom": r.headroom, "passed": r.passed} for r in e.results],
            "grown_layers": [{"layer": g.layer, "quantity": g.quantity, "before": g.before, "after": g.after,
                              "line": g.origin.line if g.origin else None} for g in e.growth],
        } for e in entries],
    }
    return dumps(data)


def _escape_data(text: str) -> str:
    """A workflow command's data, one line with no control character (a name from a spec may hold any)."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(level: str, origin, title: str, message: str) -> str:
    place = f" file={_escape_property(origin.file)},line={origin.line},col={origin.column}," if origin else " "
    return f"::{level}{place}title={_escape_property(title)}::{_escape_data(message)}"


def render_github(entries: Sequence[EntryResult]) -> str:
    """GitHub Actions workflow commands: an error annotation at the entry (or layer) for every failure."""
    lines = []
    for e in entries:
        if e.error:
            lines.append(_annotation("error", e.origin, "costnet check: cannot evaluate", _error(e)))
        for r in e.results:
            if not r.passed:
                lines.append(_annotation("error", r.origin, "costnet check: budget exceeded", _message(e, r)))
        for g in _grown(e)[:GROWN_SHOWN]:
            lines.append(_annotation("warning", g.origin if e.spec_in_tree else e.origin,
                                     "costnet check: layer grew",
                                     f"{e.label}: {g.layer}: {g.quantity} {g.before:,} → {g.after:,}"))
    lines.append(f"::notice title=costnet check::{_escape_data(summary(entries))}")
    return "\n".join(lines) + "\n"


def render_github_error(exc: Exception) -> str:
    """An input error that stopped the whole check (a malformed budget file), as an annotation at its place."""
    origin = getattr(exc, "origin", None)
    return _annotation("error", origin, "costnet check: invalid input", str(exc)) + "\n"


# What XML 1.0 cannot carry, even escaped, and the controls it can but a terminal should not get (DEL, C1)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """XML 1.0 cannot carry control characters, even escaped; a name from a budget file might hold one."""
    return _XML_INVALID.sub("\ufffd", text)


def render_junit(entries: Sequence[EntryResult]) -> str:
    """JUnit XML: a test suite per entry, a test case per limit; failures for exceeded limits, an error
    for an entry that could not be evaluated."""
    from xml.etree import ElementTree as ET

    root = ET.Element("testsuites", name="costnet check")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for e in entries:
        label = _xml_text(e.label)
        suite = ET.SubElement(root, "testsuite", name=label)
        counts = {"tests": 0, "failures": 0, "errors": 0}
        # Report viewers split a classname at dots into package and class: keep the entry whole.
        classname = "costnet-check." + label.replace(".", "_")
        for r in e.results:
            case = ET.SubElement(suite, "testcase", classname=classname,
                                 name=_xml_text(f"{r.label} <= {r.limit_text}"), time="0")
            counts["tests"] += 1
            if not r.passed:
                message = _xml_text(_message(e, r))
                ET.SubElement(case, "failure", message=message, type="BudgetExceeded").text = message
                counts["failures"] += 1
            else:
                ET.SubElement(case, "system-out").text = f"{r.value_text} ({r.value:,}), headroom {_headroom(r)}"
        if e.error:
            case = ET.SubElement(suite, "testcase", classname=classname, name="evaluate", time="0")
            message = _xml_text(e.error)
            ET.SubElement(case, "error", message=message, type="CostnetError").text = message
            counts["tests"] += 1
            counts["errors"] += 1
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", str(counts["errors"]))
        suite.set("skipped", "0")
        suite.set("time", "0")
        for key in totals:
            totals[key] += counts[key]
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


CHECK_FORMATS: dict[str, Callable[[Sequence[EntryResult]], str]] = {
    "table": render_table,
    "json": render_json,
    "github": render_github,
    "junit": render_junit,
}
