"""Schemathesis' JUnit report, regrouped: one test case per operation, stateful failures included.

The CLI files every failure of its stateful phase under one test case, "Stateful tests",
whichever operation's response broke the contract; a CI page then shows the operation as
passing. `by_operation` moves each of those failures to the test case of the operation that
failed (the one a crash file names, else the last request of its "Reproduce with"), adds the
command that replays it, and drops "Stateful tests" when nothing is left in it (an error of the
phase itself, such as a link that cannot be followed, stays there).
"""

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from xml.etree import ElementTree

STATEFUL = "Stateful tests"  # the test case the CLI files its stateful phase under
CASE = re.compile(r"^\d+\. Test Case ID: (\S+)$", re.MULTILINE)
CODE = re.compile(r"^- (ST\d+) ", re.MULTILINE)
CURL = re.compile(r"^\s*curl -X (\w+) .*?(https?://\S+)\s*$", re.MULTILINE)
KINDS = ("failure", "error", "skipped")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def split_cases(text: str) -> list[tuple[str, str]]:
    """A failure's text, one `(case id, text)` per failing case it holds (the CLI joins them)."""
    starts = list(CASE.finditer(text))
    return [
        (
            match.group(1),
            text[match.start() : starts[i + 1].start() if i + 1 < len(starts) else None],
        )
        for i, match in enumerate(starts)
    ]


def operation_of(text: str, paths: Mapping[str, str]) -> str | None:
    """The label (`GET /api/v1/items/{item_id}`) of the failing case's last request, by the
    `paths` (label -> regular expression over method and path) it matches."""
    requests = CURL.findall(text)
    if not requests:
        return None
    method, url = requests[-1]
    path = re.sub(r"^https?://[^/]+", "", url).split("?")[0]
    return next(
        (label for label, rule in paths.items() if re.fullmatch(rule, f"{method} {path}")), None
    )


def label_rules(paths: Mapping[str, Mapping[str, object]]) -> dict[str, str]:
    """Operation labels of an OpenAPI `paths` object, each with the rule its requests match."""
    rules = {}
    for template, item in paths.items():
        pattern = "[^/]+".join(re.escape(part) for part in re.split(r"\{[^}]+\}", template))
        for method in item:
            if method in METHODS:
                rules[f"{method.upper()} {template}"] = f"{method.upper()} {pattern}"
    return rules


def by_operation(
    report: Path,
    operations: Mapping[str, str],
    rules: Mapping[str, str],
    replay: Callable[[str], str],
) -> int:
    """Rewrite `report` with the stateful failures under their operations' test cases.

    `operations` maps a case id to its operation's label (from the crash files), `rules` is
    `label_rules`' fallback, `replay` gives the command that replays a case. Returns how many
    failing cases moved.
    """
    tree = ElementTree.parse(report)  # noqa: S314  # the report the CLI just wrote, no one else's
    suites = tree.getroot()
    suite = suites.find("testsuite")
    if suite is None:
        return 0
    stateful = next((tc for tc in suite.findall("testcase") if tc.get("name") == STATEFUL), None)
    if stateful is None:
        return 0
    cases = {tc.get("name"): tc for tc in suite.findall("testcase")}
    moved = 0
    for failure in stateful.findall("failure"):
        kept = []
        for case_id, text in split_cases(failure.text or ""):
            label = operations.get(case_id) or operation_of(text, rules)
            if label is None:
                kept.append(text)
                continue
            target = cases.get(label)
            if target is None:
                target = cases[label] = ElementTree.SubElement(
                    suite, "testcase", {"name": label, "time": "0"}
                )
            codes = ", ".join(sorted(set(CODE.findall(text))))
            text = f"(stateful phase) {text.rstrip()}\n\nReplay with:\n\n    {replay(case_id)}\n"
            ElementTree.SubElement(
                target, "failure", {"type": "failure", "message": codes}
            ).text = text
            moved += 1
        if kept:
            failure.text = "\n\n".join(t.rstrip() for t in kept)
        else:
            stateful.remove(failure)
    if not any(stateful.find(kind) is not None for kind in KINDS):
        suite.remove(stateful)
    _count(suites, suite)
    ElementTree.indent(suites)
    report.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        + ElementTree.tostring(suites, encoding="unicode")
    )
    return moved


def _count(suites: ElementTree.Element, suite: ElementTree.Element) -> None:
    """The totals JUnit readers show, counted again: test cases, failing, erring, skipped."""
    testcases = suite.findall("testcase")
    counts = {
        "tests": len(testcases),
        "failures": sum(tc.find("failure") is not None for tc in testcases),
        "errors": sum(tc.find("error") is not None for tc in testcases),
        "skipped": sum(tc.find("skipped") is not None for tc in testcases),
    }
    for element in (suites, suite):
        for name, value in counts.items():
            element.set(name, str(value))
