"""`nox -s mutants`: the in-process fuzz harness measured against planted contract bugs.

    python -m tests.fuzz.mutants [--quick] [--cli] [--only NAME ...] [-- pytest options]

For each mutant of tests/support/mutants.py, one at a time, it runs
tests/contract/test_schemathesis.py with the mutant planted (`FUZZ_MUTANT`) and the failed
checks recorded (`FUZZ_CATCHES`), then prints which phase and check caught it, and the catch
rate. `--quick` fuzzes only the operations each mutant is planted in, without the stateful
test: what CI runs. `--cli` measures the other runner, `nox -s fuzz` (tests/fuzz/run.py
`--mutant`), instead: a failing case's crash file says its phase and checks. The exit status
is 1 when a mutant escaped. `FUZZ_MUTANTS_FILE` adds the mutants of a file of yours.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.support import catches, crashes, mutants
from tests.support.fuzzing import OPERATIONS_ENV

ROOT = Path(__file__).resolve().parents[2]
HARNESS = "tests/contract/test_schemathesis.py"


@dataclass(frozen=True, slots=True)
class Outcome:
    mutant: mutants.Mutant
    caught: bool
    seconds: float
    catches: list[dict[str, object]]

    def where(self) -> tuple[str, str]:
        """The phases and checks that caught it, the mutant's own operations first."""
        own = [c for c in self.catches if c["operation"] in self.mutant.operations] or self.catches
        phases = Counter(str(c["phase"]) for c in own)
        checks = Counter(str(c["check"]) for c in own)
        return ", ".join(p for p, _ in phases.most_common()), ", ".join(
            c for c, _ in checks.most_common()
        )


def run(mutant: mutants.Mutant, quick: bool, extra: list[str], folder: Path) -> Outcome:
    record = folder / f"{mutant.name}.jsonl"
    env = {
        **os.environ,
        mutants.MUTANT_ENV: mutant.name,
        catches.CATCHES_ENV: str(record),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    selection = [HARNESS]
    if quick:
        env[OPERATIONS_ENV] = ",".join(mutant.operations)
        selection = [f"{HARNESS}::test_operation"]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
               "--no-header", "-o", "addopts=", *selection, *extra]  # fmt: skip
    started = time.monotonic()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    found = (
        [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    )
    if result.returncode not in (0, 1):  # 1: tests failed, the mutant was caught
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"{mutant.name}: pytest exited {result.returncode}")
    return Outcome(mutant, result.returncode == 1, seconds, found)


def operation_ids() -> dict[str, str]:
    """operationId by the label Schemathesis gives an operation (`GET /api/v1/items`)."""
    paths = yaml.safe_load((ROOT / "openapi" / "openapi.yaml").read_text())["paths"]
    return {
        f"{method.upper()} {path}": operation["operationId"]
        for path, item in paths.items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }


def run_cli(mutant: mutants.Mutant, quick: bool, extra: list[str], folder: Path) -> Outcome:
    """`nox -s fuzz -- --mutant NAME`: caught when the CLI runs fail, by the checks whose crash
    files they left (a slow answer leaves none: a timing is not replayed)."""
    reports = folder / mutant.name
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "tests.fuzz.run", "--mutant", mutant.name,
               "--reports", str(reports)]  # fmt: skip
    if quick:
        command += ["--operations", ",".join(mutant.operations)]
    if extra:
        command += ["--", *extra]
    started = time.monotonic()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    labels = operation_ids()
    found: list[dict[str, object]] = [
        {"operation": labels.get(f.operation, f.operation), "phase": f.phase, "check": check}
        for cache in sorted(reports.glob("*-cache"))
        for f in crashes.failures(cache)
        for check in f.checks
    ]
    if "max_response_time" in result.stdout and result.returncode == 1:  # not kept: timing
        found.append({"operation": "", "phase": "", "check": "max_response_time"})
    if result.returncode not in (0, 1):
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"{mutant.name}: the fuzz runner exited {result.returncode}")
    return Outcome(mutant, result.returncode == 1, seconds, found)


def table(outcomes: list[Outcome]) -> str:
    lines = ["| mutant | bug planted | caught | phase | check | s |", "|---|---|---|---|---|---|"]
    for o in outcomes:
        phase, check = o.where() if o.caught else ("", "")
        lines.append(
            f"| `{o.mutant.name}` | {o.mutant.bug} | {'yes' if o.caught else '**no**'} "
            f"| {phase} | {check} | {o.seconds:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Plant contract bugs; measure the harness.")
    parser.add_argument("--quick", action="store_true", help="only the planted operations")
    parser.add_argument("--cli", action="store_true", help="measure `nox -s fuzz` instead")
    known = mutants.catalogue()
    parser.add_argument("--only", nargs="+", choices=known, help="these mutants")
    parser.add_argument("extra", nargs="*", help="options for pytest (or the CLI), after --")
    args = parser.parse_args(argv)
    chosen = [known[name] for name in args.only or known]
    measure = run_cli if args.cli else run
    started = time.monotonic()
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="mutants-") as tmp:
        for mutant in chosen:
            outcome = measure(mutant, args.quick, args.extra, Path(tmp))
            outcomes.append(outcome)
            verdict = "caught" if outcome.caught else "ESCAPED"
            print(f"{mutant.name}: {verdict} in {outcome.seconds:.1f} s", flush=True)
    caught = sum(o.caught for o in outcomes)
    print()
    print(table(outcomes))
    print(
        f"\ncaught {caught} of {len(outcomes)} ({100 * caught / len(outcomes):.0f}%) in "
        f"{time.monotonic() - started:.0f} s{' (quick)' if args.quick else ''}"
    )
    return 0 if caught == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
