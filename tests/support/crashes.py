"""The failures a CLI run left in `reports/`: Schemathesis' own crash files, read back.

With its cache on, `schemathesis run` writes one JSON file per failed check under
`<cache directory>/crashes/`: the whole request sequence that led to it (one step for a single
case, the chain of linked calls for a stateful one), each step's operation, method, path,
query, headers and body, the `Authorization` value masked as `[Filtered]`, and the case id the
run printed. `schemathesis replay ID` sends that sequence again, the links re-read from the
fresh responses, and re-runs the checks that failed. `nox -s fuzz` keeps one cache directory
per CLI run in `reports/` (tests/fuzz/run.py), emptied when the run starts.
"""

import copy
import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemathesis.reporting.crashes import MANIFEST_FILENAME, CrashFile

CRASHES = "crashes"  # Schemathesis' folder for them inside a cache directory


@dataclass(frozen=True, slots=True)
class Failure:
    """One failing case: its id (what `--replay` takes), the operation whose response failed,
    the phase that produced it, and the checks that failed on it."""

    case_id: str
    operation: str
    phase: str
    checks: tuple[str, ...]
    messages: tuple[str, ...]
    steps: int  # requests in the sequence, the failing one last
    code_sample: str


def crash_files(cache: Path) -> list[Path]:
    folder = cache / CRASHES
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if p.name != MANIFEST_FILENAME)


def failures(cache: Path) -> list[Failure]:
    """The failing cases in `cache`, one per case however many checks it failed, in file order."""
    by_case: dict[str, list[CrashFile]] = {}
    for path in crash_files(cache):
        crash = CrashFile.from_dict(json.loads(path.read_text()))
        by_case.setdefault(crash.case_id, []).append(crash)
    return [_failure(case_id, files) for case_id, files in by_case.items()]


def _failure(case_id: str, files: Iterable[CrashFile]) -> Failure:
    files = list(files)
    first = files[0]
    terminal = first.sequence[-1]
    meta = terminal.meta or {}
    phase = meta.get("phase", {}).get("name", "") if isinstance(meta.get("phase"), dict) else ""
    checks = tuple(check for crash in files for check in crash.sequence[-1].checks)
    return Failure(
        case_id=case_id,
        operation=first.operation,
        phase=phase or ("stateful" if len(first.sequence) > 1 else ""),
        checks=tuple(dict.fromkeys(check.name for check in checks)),
        messages=tuple(dict.fromkeys(check.message for check in checks)),
        steps=len(first.sequence),
        code_sample=first.code_sample,
    )


def holding(caches: Iterable[Path], case_id: str) -> Path | None:
    """The cache directory, of `caches`, that holds the case `case_id`."""
    for cache in caches:
        if any(failure.case_id == case_id for failure in failures(cache)):
            return cache
    return None


# Where a link parameter's value sits in a crash step, by the link's location.
CONTAINERS = {
    "path": "path_parameters",
    "query": "query",
    "header": "case_headers",
    "cookie": "cookies",
}
NOT_RECORDED = object()


def recorded_link_value(expression: str, parent: dict[str, Any]) -> Any:
    """What a link's runtime expression gave in the recorded run, from the parent step's recorded
    response; `NOT_RECORDED` for an expression this does not read."""
    response = parent["response"]
    if expression.startswith("$response.body#"):
        try:
            document = json.loads(response["body"])
        except ValueError:
            return NOT_RECORDED
        for part in expression.removeprefix("$response.body#").split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(document, dict) and part in document:
                document = document[part]
            elif isinstance(document, list) and part.isdigit() and int(part) < len(document):
                document = document[int(part)]
            else:
                return NOT_RECORDED
        return document
    if expression.startswith("$response.header."):
        name = expression.removeprefix("$response.header.").lower()
        headers = {key.lower(): value for key, value in response["headers"].items()}
        return headers.get(name, NOT_RECORDED)
    return NOT_RECORDED


def faithful(crash: dict[str, Any]) -> dict[str, Any]:
    """`crash` with the link parameters the recorded run did not follow taken out.

    The stateful phase sometimes sends a generated value where a link points (an id that names
    nothing, say); `schemathesis replay` re-reads every link from the fresh responses, so it
    would send the new resource's id instead and report a missing-resource bug fixed. Where the
    recorded value is not what the link read from the recorded response, the recorded value is
    sent again.
    """
    crash = copy.deepcopy(crash)
    sequence = crash["sequence"]
    for index, step in enumerate(sequence):
        link = step.get("link")
        if not link or not link.get("parameters"):
            continue
        parent_index = step.get("parent_index")
        parent = sequence[parent_index if parent_index is not None else index - 1]
        kept = {}
        for key, expression in link["parameters"].items():
            location, _, name = key.partition(".")
            sent = step.get(CONTAINERS.get(location, ""), {}).get(name, NOT_RECORDED)
            read = recorded_link_value(expression, parent) if index else NOT_RECORDED
            if read is NOT_RECORDED or sent is NOT_RECORDED or str(read) == str(sent):
                kept[key] = expression
        link["parameters"] = kept
    return crash


def for_replay(cache: Path, case_id: str, target: Path) -> Path:
    """A crash folder under `target` with the case's files only, made `faithful`, for
    `schemathesis replay FOLDER`."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(cache / CRASHES / MANIFEST_FILENAME, target / MANIFEST_FILENAME)
    for path in crash_files(cache):
        data = json.loads(path.read_text())
        if data.get("case_id") == case_id:
            (target / path.name).write_text(json.dumps(faithful(data), indent=2))
    return target
