"""After `nox -s generate`: what the spec change asks of src/, and optionally failing stubs for it.

    python openapi/tools/change_guide.py --before OLD_CONTRACT [--after generated/contract]
        [--src src] [--scaffold] [--ruff-python PYTHON]

Compares the Protocols of the generated routers before and after generation (parsed with `ast`,
nothing is imported) and the generated models, then looks in src/app/<tag>/service.py for each
method. It prints, for every new or changed Protocol method, its exact signature (the
principal's type filled in as the service writes it) and the file and class it belongs in;
methods the spec dropped; model fields that came or went, with the src/ files that use the
model; and any Protocol method src/ still lacks or has only as a stub.

`--scaffold` writes each missing method into its service as a stub decorated with
`app.contract_check.stub` that raises NotImplementedError, creating the tag's package, service
module and provider in app/providers.py when they do not exist. It only ever adds: an existing
method, class body or file is never rewritten (the touched files are then import-sorted and
formatted with ruff, when `--ruff-python` names a Python that has it). mypy is then satisfied,
but the app's start-up check still refuses to start while a stub is left, and names it.
Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCAFFOLD_HINT = "`nox -s generate -- --scaffold` writes a failing stub for it"
# Where the names a generated signature can use come from, for a service module's imports.
KNOWN_IMPORTS = {
    "models": "from contract import models",
    "UUID": "from uuid import UUID",
    "Literal": "from typing import Literal",
    "datetime": "from datetime import datetime",
    "date": "from datetime import date",
    "stub": "from app.contract_check import stub",
    "Database": "from app.db.database import Database",
}
DEFAULT_PRINCIPAL = ("Principal", "from app.auth.principal import Principal")


@dataclass(frozen=True)
class Method:
    """One method of a generated `<Tag>Api` Protocol."""

    router: str  # the router module's name, which is also the tag's package in src/app/
    protocol: str
    name: str
    params: tuple[str, ...]  # keyword-only names, without `self`
    signature: str  # `async def name(self, *, ...) -> ...`, as generated (P_contra included)
    doc: str
    generic: bool  # the Protocol takes the principal's type

    def written_as(self, principal: str) -> str:
        """The signature as the service writes it: its principal type for `P_contra`."""
        return re.sub(r"\bP_contra\b", principal, self.signature)


@dataclass(frozen=True)
class Home:
    """Where a Protocol method is implemented, from generated/contract/api.py's OPERATIONS."""

    operation_id: str
    http: str  # "GET /api/v1/items"
    module: str  # "app.items.service"
    cls: str

    def file(self, src: Path) -> Path:
        return src / Path(*self.module.split(".")).with_suffix(".py")


@dataclass
class Contract:
    methods: dict[str, Method] = field(default_factory=dict)  # by method name
    homes: dict[str, Home] = field(default_factory=dict)  # by method name
    models: dict[str, dict[str, str]] = field(default_factory=dict)  # model -> field -> line


def _protocol_methods(path: Path) -> list[Method]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [ast.unparse(b) for b in node.bases]
        if not any(b == "Protocol" or b.startswith("Protocol[") for b in bases):
            continue
        generic = any(b.startswith("Protocol[") for b in bases)
        for item in node.body:
            if isinstance(item, ast.AsyncFunctionDef):
                params = tuple(a.arg for a in item.args.kwonlyargs)
                returns = ast.unparse(item.returns) if item.returns else "None"
                signature = f"async def {item.name}({ast.unparse(item.args)}) -> {returns}"
                found.append(
                    Method(
                        path.stem,
                        node.name,
                        item.name,
                        params,
                        signature,
                        ast.get_docstring(item) or "",
                        generic,
                    )
                )
    return found


def _homes(api: Path) -> dict[str, Home]:
    homes = {}
    for node in ast.walk(ast.parse(api.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "OperationInfo":
            values = [ast.literal_eval(arg) for arg in node.args]
            operation_id, method, path, _tag, method_name, _protocol, module, cls = values
            homes[method_name] = Home(operation_id, f"{method} {path}", module, cls)
    return homes


def _model_fields(models: Path) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for node in ast.parse(models.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef):
            fields = {}
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    value = f" = {ast.unparse(item.value)}" if item.value else ""
                    fields[item.target.id] = f"{ast.unparse(item.annotation)}{value}"
            found[node.name] = fields
    return found


def read_contract(folder: Path) -> Contract:
    """The Protocols, operations and models of a generated contract package (empty if absent)."""
    contract = Contract()
    for router in sorted((folder / "routers").glob("*.py")):
        for method in _protocol_methods(router):
            contract.methods[method.name] = method
    if (folder / "api.py").exists():
        contract.homes = _homes(folder / "api.py")
    if (folder / "models.py").exists():
        contract.models = _model_fields(folder / "models.py")
    return contract


# What src/ has


@dataclass(frozen=True)
class Implemented:
    params: tuple[str, ...]
    stub: bool


@dataclass
class Service:
    file: Path
    tree: ast.Module | None  # None: the file does not exist
    cls: ast.ClassDef | None
    methods: dict[str, Implemented]
    principal: str


def _principal(src: Path) -> str:
    """The principal type the app's providers are generic over (`ServiceProviders[X]`)."""
    providers = src / "app" / "providers.py"
    if providers.exists():
        match = re.search(r"ServiceProviders\[(\w+)\]", providers.read_text(encoding="utf-8"))
        if match:
            return match[1]
    return DEFAULT_PRINCIPAL[0]


def _is_stub(function: ast.AsyncFunctionDef | ast.FunctionDef) -> bool:
    return any(ast.unparse(d).split(".")[-1] == "stub" for d in function.decorator_list)


def read_service(src: Path, home: Home) -> Service:
    file = home.file(src)
    principal = _principal(src)
    if not file.exists():
        return Service(file, None, None, {}, principal)
    tree = ast.parse(file.read_text(encoding="utf-8"))
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == home.cls), None)
    methods = {}
    if cls is not None:
        for base in cls.bases:
            if isinstance(base, ast.Subscript):
                principal = ast.unparse(base.slice)
        for item in cls.body:
            if isinstance(item, ast.AsyncFunctionDef | ast.FunctionDef):
                names = tuple(a.arg for a in item.args.kwonlyargs)
                methods[item.name] = Implemented(names, _is_stub(item))
    return Service(file, tree, cls, methods, principal)


# The report


@dataclass
class Guide:
    before: Contract
    after: Contract
    src: Path
    lines: list[str] = field(default_factory=list)
    missing: list[Method] = field(default_factory=list)  # no method in src/ at all

    def _where(self, method: Method) -> tuple[Home, Service]:
        home = self.after.homes[method.name]
        return home, read_service(self.src, home)

    def _relative(self, path: Path) -> str:
        root = self.src.resolve().parent
        resolved = path.resolve()
        return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)

    def _state(self, method: Method, service: Service, home: Home) -> str:
        where = f"{self._relative(service.file)}, class {home.cls}"
        if service.tree is None:
            return f"{where}: the file does not exist yet; {SCAFFOLD_HINT}"
        if service.cls is None:
            return f"{where}: the file has no class {home.cls}; add it"
        implemented = service.methods.get(method.name)
        if implemented is None:
            return f"{where}: missing; {SCAFFOLD_HINT}"
        if implemented.stub:
            return f"{where}: a stub (`@stub`); implement it and remove the decorator"
        if set(implemented.params) != set(method.params):
            extra = sorted(set(implemented.params) - set(method.params))
            lacking = sorted(set(method.params) - set(implemented.params))
            parts = [f"add {', '.join(lacking)}"] if lacking else []
            parts += [f"drop {', '.join(extra)}"] if extra else []
            return f"{where}: its parameters differ: {'; '.join(parts)}"
        return f"{where}: implemented (check it still does what the spec says)"

    def _entry(self, kind: str, method: Method, was: Method | None = None) -> None:
        home, service = self._where(method)
        self.lines.append(f"  {kind} {home.operation_id} ({home.http}) -> {method.name}")
        if was is not None:
            self.lines.append(f"      was: {was.written_as(service.principal)}")
            self.lines.append(f"      now: {method.written_as(service.principal)}")
        else:
            self.lines.append(f"      {method.written_as(service.principal)}")
        self.lines.append(f"      in {self._state(method, service, home)}")

    def build(self) -> list[str]:
        before, after = self.before.methods, self.after.methods
        added = [m for name, m in after.items() if name not in before]
        changed = [
            m
            for name, m in after.items()
            if name in before and before[name].signature != m.signature
        ]
        removed = [m for name, m in before.items() if name not in after]
        for method in added:
            self._entry("new    ", method)
        for method in changed:
            self._entry("changed", method, before[method.name])
        for method in removed:
            home = self.before.homes.get(method.name)
            if home is None:
                continue
            service = read_service(self.src, home)
            still = method.name in service.methods
            self.lines.append(f"  removed {home.operation_id} ({home.http}) -> {method.name}")
            self.lines.append(
                f"      {self._relative(service.file)}, class {home.cls}: "
                + ("delete the method; nothing calls it now" if still else "already gone")
            )
        self._models()
        reported = {m.name for m in [*added, *changed]}
        for name, method in after.items():
            home, service = self._where(method)
            implemented = service.methods.get(name)
            if implemented is None:
                self.missing.append(method)
            if name in reported:
                continue
            if implemented is None or implemented.stub:
                self._entry("todo   ", method)
        return self.lines

    def _models(self) -> None:
        before, after = self.before.models, self.after.models
        for name in sorted(after):
            old_fields, new_fields = before.get(name), after[name]
            if old_fields is None:
                self.lines.append(f"  model   models.{name} is new")
                continue
            diff = [f"+ {f}: {new_fields[f]}" for f in new_fields if f not in old_fields]
            diff += [f"- {f}: {old_fields[f]}" for f in old_fields if f not in new_fields]
            diff += [
                f"~ {f}: {old_fields[f]} -> {new_fields[f]}"
                for f in new_fields
                if f in old_fields and old_fields[f] != new_fields[f]
            ]
            if diff:
                users = self._users(name)
                used = f" (used in {', '.join(users)})" if users else " (not used in src/)"
                self.lines.append(f"  model   models.{name}{used}:")
                self.lines.extend(f"      {line}" for line in diff)
        for name in sorted(before.keys() - after.keys()):
            self.lines.append(f"  model   models.{name} is gone")

    def _users(self, model: str) -> list[str]:
        pattern = re.compile(rf"\bmodels\.{re.escape(model)}\b")
        return [
            self._relative(path)
            for path in sorted((self.src / "app").rglob("*.py"))
            if pattern.search(path.read_text(encoding="utf-8"))
        ]


def report(before: Contract, after: Contract, src: Path) -> tuple[list[str], list[Method]]:
    guide = Guide(before, after, src)
    return guide.build(), guide.missing


# Scaffolding


def _bound_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _imports_for(text: str, router: str, principal: str) -> dict[str, str]:
    """The import line for each name in `text` (signatures) that the service may lack."""
    wanted = {}
    for name in set(re.findall(r"(?<![.\w])[A-Za-z_]\w*", text)):  # `models.X` names models
        if name in KNOWN_IMPORTS:
            wanted[name] = KNOWN_IMPORTS[name]
        elif name.endswith(("Result", "Api")):
            wanted[name] = f"from contract.routers.{router} import {name}"
        elif name == principal == DEFAULT_PRINCIPAL[0]:
            wanted[name] = DEFAULT_PRINCIPAL[1]
    return wanted


def _stub_text(method: Method, home: Home, principal: str, file: str) -> str:
    """A failing, typed method; every line fits the project's 100 columns."""
    doc = method.doc if len(method.doc) <= 100 - 14 else f"{home.http} ({home.operation_id})."
    return (
        "    @stub\n"
        f"    {method.written_as(principal)}:\n"
        f'        """{doc}"""\n'
        "        raise NotImplementedError(\n"
        f"            {f'{home.operation_id} ({home.http}): '!r}\n"
        f"            {f'implement {home.cls}.{method.name} in {file}'!r}\n"
        "        )\n"
    )


def _add_imports(text: str, tree: ast.Module, lines: dict[str, str]) -> str:
    """`text` with an import for each name in `lines` its module does not bind yet.

    The new lines go after the module's last import (ruff then sorts them in).
    """
    bound = _bound_names(tree)
    missing = sorted({line for name, line in lines.items() if name not in bound})
    if not missing:
        return text
    source = text.splitlines(keepends=True)
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    if imports:
        at, block = imports[-1].end_lineno or 0, [f"{m}\n" for m in missing]
    else:
        docstring = tree.body[0] if tree.body and ast.get_docstring(tree) else None
        at = docstring.end_lineno or 0 if docstring else 0
        block = ["\n", *(f"{m}\n" for m in missing)]
    return "".join([*source[:at], *block, *source[at:]])


def _new_service(methods: list[Method], homes: list[Home], principal: str, file: str) -> str:
    first, home = methods[0], homes[0]
    base = f"{first.protocol}[{principal}]" if first.generic else first.protocol
    stubs = "\n".join(
        _stub_text(m, h, principal, file) for m, h in zip(methods, homes, strict=True)
    )
    signatures = " ".join(m.written_as(principal) for m in methods) + f" {base} stub Database"
    imports = sorted(set(_imports_for(signatures, first.router, principal).values()))
    return (
        f'"""Implements `contract.routers.{first.router}.{first.protocol}`.\n\n'
        "Scaffolded by `nox -s generate -- --scaffold`: each method is a failing stub.\n"
        '"""\n\n'
        + "".join(f"{line}\n" for line in imports)
        + f"\n\nclass {home.cls}({base}):\n"
        + '    """Subclasses its Protocol so mypy names any operation it lacks."""\n\n'
        + "    def __init__(self, database: Database) -> None:\n"
        + "        self._database = database\n\n"
        + stubs
    )


def _add_provider(src: Path, home: Home, router: str) -> Path | None:
    """Give app.providers.Providers a provider for a new tag's service; None if it has one."""
    providers = src / "app" / "providers.py"
    if not providers.exists():
        return None
    text = providers.read_text(encoding="utf-8")
    tree = ast.parse(text)
    cls = next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Providers"), None
    )
    if cls is None or any(
        isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef) and n.name == router for n in cls.body
    ):
        return None
    source = text.splitlines(keepends=True)
    end = cls.end_lineno or len(source)
    method = f"\n    def {router}(self) -> {home.cls}:\n        return {home.cls}(self.database)\n"
    text = "".join([*source[:end], method, *source[end:]])
    text = _add_imports(text, tree, {home.cls: f"from {home.module} import {home.cls}"})
    providers.write_text(text, encoding="utf-8")
    return providers


def scaffold(after: Contract, missing: list[Method], src: Path) -> list[Path]:
    """Write a stub for each missing method; returns the files written."""
    by_home: dict[tuple[str, str], list[Method]] = {}
    for method in missing:
        home = after.homes[method.name]
        by_home.setdefault((home.module, home.cls), []).append(method)
    written: list[Path] = []
    for methods in by_home.values():
        home = after.homes[methods[0].name]
        service = read_service(src, home)
        file = home.file(src)
        shown = (
            file.relative_to(src.parent).as_posix()
            if file.is_relative_to(src.parent)
            else str(file)
        )
        if service.tree is None:
            file.parent.mkdir(parents=True, exist_ok=True)
            package = file.parent / "__init__.py"
            if not package.exists():
                package.write_text(f'"""The `{methods[0].router}` tag."""\n', encoding="utf-8")
                written.append(package)
            homes = [after.homes[m.name] for m in methods]
            text = _new_service(methods, homes, service.principal, shown)
            file.write_text(text, encoding="utf-8")
            written.append(file)
            provider = _add_provider(src, home, methods[0].router)
            if provider:
                written.append(provider)
            continue
        if service.cls is None:
            continue  # reported: a class to write by hand; nothing here to add to
        text = file.read_text(encoding="utf-8")
        bound = _bound_names(service.tree)
        stubs = "".join(
            "\n" + _stub_text(m, after.homes[m.name], service.principal, shown) for m in methods
        )
        signatures = " ".join(m.written_as(service.principal) for m in methods) + " stub"
        if "uuid" in bound and "UUID" not in bound:  # the module writes `uuid.UUID`: follow it
            stubs = re.sub(r"(?<![.\w])UUID\b", "uuid.UUID", stubs)
            signatures = re.sub(r"(?<![.\w])UUID\b", "uuid.UUID", signatures)
        source = text.splitlines(keepends=True)
        end = service.cls.end_lineno or len(source)
        text = "".join([*source[:end], stubs, *source[end:]])
        wanted = _imports_for(signatures, methods[0].router, service.principal)
        text = _add_imports(text, service.tree, wanted)
        file.write_text(text, encoding="utf-8")
        written.append(file)
    return written


def format_files(ruff_python: Path, files: list[Path]) -> None:
    """Sort imports and format the touched files with ruff, under the project's settings."""
    names = [str(f) for f in files if f.suffix == ".py"]
    for args in (["check", "--select", "I", "--fix", "--quiet"], ["format", "--quiet"]):
        subprocess.run(
            [str(ruff_python), "-m", "ruff", *args, *names],
            cwd=ROOT,
            check=False,
            capture_output=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the contract before")
    parser.add_argument("--after", type=Path, default=ROOT / "generated" / "contract")
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--scaffold", action="store_true", help="write failing stubs")
    parser.add_argument("--ruff-python", type=Path, help="a Python with ruff, to format stubs")
    args = parser.parse_args(argv)
    before, after = read_contract(args.before), read_contract(args.after)
    lines, missing = report(before, after, args.src)
    if args.scaffold:
        lines = [line.replace(SCAFFOLD_HINT, "writing a failing stub for it now") for line in lines]
    out = sys.stdout
    if lines:
        out.write("What the change asks of src/:\n" + "\n".join(lines) + "\n")
    else:
        out.write(
            "Nothing for src/: no Protocol method or model changed, and all are implemented.\n"
        )
    if args.scaffold:
        written = scaffold(after, missing, args.src)
        if written and args.ruff_python:
            format_files(args.ruff_python, written)
        for path in written:
            out.write(f"scaffolded {path}\n")
        if written:
            out.write(
                "The stubs typecheck but raise NotImplementedError, and the app refuses to start "
                "while one is left: implement each and remove its `@stub`.\n"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
