"""Turn the spec into `generated/contract/`, or check that `generated/` matches the spec.

Runs the two pinned generators (each in its own environment, made by `noxfile.py`) into a
scratch folder, gives every file the do-not-edit header, formats it with the pinned ruff, and
then either syncs the result into the output folder (writing changed files, deleting stale
ones) or compares it with the output folder and prints a diff. Standard library only: it runs
under whatever Python runs nox.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# The visitor walks the spec with the project's own spec module (`from specdoc import ...`).
SPEC_TOOLS = ROOT / "openapi" / "tools"
HEADER = "# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`."
PACKAGE_DOC = '"""The contract: models and routers generated from openapi/openapi.yaml."""\n'
ROUTERS_DOC = '"""One module per OpenAPI tag: a Protocol to implement and a router factory."""\n'
RUFF_SETTINGS = [
    "--isolated",
    "--line-length=100",
    "--target-version=py311",
]

DATAMODEL_OPTIONS = [
    "--input-file-type=openapi",
    "--output-model-type=pydantic_v2.BaseModel",
    "--target-python-version=3.11",
    "--use-annotated",
    "--field-constraints",
    "--use-standard-collections",
    "--use-union-operator",
    "--use-double-quotes",
    "--strict-nullable",
    "--use-schema-description",
    "--use-field-description",
    "--disable-timestamp",
    # JSON true is a boolean, "no" is not: no coercion between JSON types in request bodies.
    "--strict-types",
    "str",
    "bool",
    "int",
    "--formatters",
    "builtin",
    # EmailStr (email-validator) refuses addresses the contract's `format: email` and `pattern`
    # allow (`.test` domains) and rewrites others (`xn--` domains come back as Unicode, which the
    # format forbids): the spec's pattern says what an address is, as for any other string.
    "--type-mappings",
    "email=string",
]


def _run(cmd: list[str | Path], env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"generation failed: {' '.join(str(c) for c in cmd)}")


def _with_header(text: str) -> str:
    """Drop the generators' own comment header and put ours first."""
    lines = text.splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return HEADER + "\n" + "\n".join(lines).rstrip() + "\n"


def render(spec: Path, out: Path, models_python: Path, routers_python: Path) -> None:
    """Render the whole contract package for `spec` into the empty folder `out`."""
    with tempfile.TemporaryDirectory(prefix="codegen-") as scratch_dir:
        scratch = Path(scratch_dir)
        _run([
            models_python, "-m", "datamodel_code_generator",
            "--input", spec, "--output", scratch / "models.py", *DATAMODEL_OPTIONS,
        ])  # fmt: skip
        _run([
            routers_python, "-m", "fastapi_code_generator",
            "--input", spec, "--output", scratch / "fcg",
            "--template-dir", HERE / "templates", "--generate-routers",
            "--custom-visitor", HERE / "visitor.py", "--disable-timestamp",
        ], env={**os.environ, "PYTHONPATH": str(SPEC_TOOLS)})  # fmt: skip
        (out / "routers").mkdir(parents=True)
        files = {
            out / "__init__.py": PACKAGE_DOC,
            out / "routers" / "__init__.py": ROUTERS_DOC,
            out / "models.py": (scratch / "models.py").read_text(),
            out / "api.py": (scratch / "fcg" / "api.py").read_text(),
            out / "runtime.py": (scratch / "fcg" / "runtime.py").read_text(),
            out / "document.py": (scratch / "fcg" / "document.py").read_text(),
            out / "mock.py": (scratch / "fcg" / "mock.py").read_text(),
        }
        for router in sorted((scratch / "fcg" / "routers").glob("*.py")):
            files[out / "routers" / router.name] = router.read_text()
        for path, text in files.items():
            path.write_text(_with_header(text))
        (out / "py.typed").write_text(HEADER + "\n")
        (out / "openapi.yaml").write_text(HEADER + "\n" + spec.read_text())
    ruff: list[str | Path] = [models_python, "-m", "ruff"]
    _run([*ruff, "check", *RUFF_SETTINGS, "--select=I,F401", "--fix", "--quiet",
          "--config=lint.isort.known-first-party=['contract']", out])  # fmt: skip
    _run([*ruff, "format", *RUFF_SETTINGS, "--quiet", out])


def _tree(root: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(root)): p
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def compare(expected: Path, actual: Path) -> list[str]:
    """Unified diffs (and added/removed notes) from `actual` to `expected`; empty when equal."""
    want, have = _tree(expected), _tree(actual)
    problems: list[str] = []
    for name in sorted(want.keys() | have.keys()):
        if name not in have:
            problems.append(f"missing from generated/: {name} (the spec produces it)\n")
        elif name not in want:
            problems.append(f"not produced by the spec: {name} (added by hand?)\n")
        elif not filecmp.cmp(want[name], have[name], shallow=False):
            problems.append(
                "".join(
                    difflib.unified_diff(
                        have[name].read_text().splitlines(keepends=True),
                        want[name].read_text().splitlines(keepends=True),
                        f"generated/{name} (on disk)",
                        f"generated/{name} (from the spec)",
                    )
                )
            )
    return problems


def sync(source: Path, target: Path) -> list[str]:
    """Make `target` equal to `source`, touching only files that differ; report what changed."""
    changes: list[str] = []
    want, have = _tree(source), _tree(target) if target.exists() else {}
    for name, path in want.items():
        dest = target / name
        if name not in have or not filecmp.cmp(path, dest, shallow=False):
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
            changes.append(f"{'updated' if name in have else 'added'} {dest}")
    for name in sorted(have.keys() - want.keys()):
        (target / name).unlink()
        changes.append(f"removed {target / name}")
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", type=Path, default=ROOT / "openapi" / "openapi.yaml")
    parser.add_argument("--out", type=Path, default=ROOT / "generated" / "contract")
    parser.add_argument("--models-python", type=Path, required=True)
    parser.add_argument("--routers-python", type=Path, required=True)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="contract-") as tmp:
        fresh = Path(tmp) / "contract"
        render(args.spec.resolve(), fresh, args.models_python, args.routers_python)
        if args.check:
            problems = compare(fresh, args.out)
            for problem in problems:
                sys.stdout.write(problem)
            if problems:
                sys.stdout.write(
                    f"\n{len(problems)} file(s) in generated/ differ from what the spec "
                    "produces. Run `nox -s generate` and commit the result; never edit "
                    "generated/ by hand.\n"
                )
                return 1
            sys.stdout.write("generated/ matches the spec.\n")
            return 0
        for change in sync(fresh, args.out):
            sys.stdout.write(change + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
