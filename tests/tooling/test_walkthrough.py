"""The README's walk-through ("Changing the API"), replayed in a fresh clone so that it cannot rot.

The clone is `git clone` of this repository (plus any uncommitted change, so the tree under
test is what is replayed), with `main` at that tree, as on a fresh clone. Every edit is taken
from the README's own code blocks, in order, and put where the prose before it says; a block
that moved or a sentence that changed fails here. Every command the README shows runs in the
clone as its nox session runs it, but through environments that already exist rather than new
nox environments in the clone (each would install the whole project again): the spec tools and
pytest on this interpreter with the clone's `src`, `generated` and root first on PYTHONPATH, the
generators from CODEGEN_*_PYTHON (nox hands them to the tests session), mypy and ruff from nox's
`typecheck` and `lint` environments beside this one. What each command prints must be what the
README shows, less the merge base's hash, the clone's path, timings, file counts, pytest's
header and nox's own lines.

The README ends with `nox`; in the clone that is the part of the suite that covers the change
(~2 minutes of this test's ~5): the new tests, the in-process fuzzer with its stateful phase
(which fails when a deleted user's posts answer 200: "Deleted resource still available"), and
the cases of the spec walks (statuses, security) for the new operation. The whole suite would
take far longer, and would run this test again, in the clone.
"""

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.codegen import Generators, generators

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "### Walk-through: a bio at registration, and a user's posts"
# How the README writes the clone's path and the merge base in the outputs it shows.
SHOWN_CLONE = "/tmp/fresh"
TIMEOUT_S = 600
# `nox` at the end, replayed as the tests that cover the change (see the module's docstring):
# whole files, and the tests of files that walk every operation that name the new one.
COVERING_FILES = ("tests/api/test_user_posts.py", "tests/contract/test_schemathesis.py")
COVERING_WALKS = ("-k", "listUserPosts", "tests/api/test_statuses.py", "tests/security")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    prose: str  # what the README says between the previous block and this one


def walkthrough_blocks(readme: str) -> list[Block]:
    start = readme.index(SECTION)
    end = readme.find("\n## ", start)
    section = readme[start : end if end >= 0 else None]
    blocks: list[Block] = []
    last = 0
    for match in FENCE.finditer(section):
        blocks.append(Block(match[1], match[2], section[last : match.start()]))
        last = match.end()
    return blocks


class Steps:
    """The README's blocks in order; each `take` is the next one, checked for kind and place."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self._blocks: Iterator[Block] = iter(blocks)
        self.taken = 0

    def take(self, lang: str, *, said: str = "") -> Block:
        block = next(self._blocks, None)
        self.taken += 1
        assert block is not None, f"the walk-through ends before its block {self.taken}"
        assert block.lang == lang, f"block {self.taken} is `{block.lang}`, expected `{lang}`"
        assert said in " ".join(block.prose.split()), (
            f"the prose before block {self.taken} no longer says {said!r}: where does it go?"
        )
        return block

    def done(self) -> None:
        left = next(self._blocks, None)
        assert left is None, f"the walk-through has a block this test does not replay: {left}"


# Editing YAML as text, as a person does: the README's blocks carry the file's indentation.


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _end(lines: list[str], start: int) -> int:
    """The index after the block whose key is lines[start]."""
    end = start + 1
    while end < len(lines) and (
        not lines[end].strip() or _indent(lines[end]) > _indent(lines[start])
    ):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    return end


def _find(lines: list[str], line: str, start: int = 0, end: int | None = None) -> int:
    for index in range(start, len(lines) if end is None else end):
        if lines[index].rstrip("\n") == line:
            return index
    raise AssertionError(f"no line {line!r} in lines {start}..{end}")


@dataclass
class Spec:
    path: Path
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lines = self.path.read_text(encoding="utf-8").splitlines(keepends=True)

    def block(self, *keys: str) -> tuple[int, int]:
        """The lines of the block under `keys`, each key a whole line, nested in the one before."""
        start, end = 0, len(self.lines)
        for key in keys:
            start = _find(self.lines, key, start, end)
            end = _end(self.lines, start)
        return start, end

    def insert(self, at: int, text: str) -> None:
        self.lines[at:at] = text.splitlines(keepends=True)
        self.save()

    def replace(self, span: tuple[int, int], text: str) -> None:
        self.lines[span[0] : span[1]] = text.splitlines(keepends=True)
        self.save()

    def save(self) -> None:
        self.path.write_text("".join(self.lines), encoding="utf-8")


# Running what the README shows


def normal(text: str, clone: Path) -> list[str]:
    """Output lines as the README shows them: the clone at /tmp/fresh, variable numbers hidden."""
    text = text.replace(str(clone), SHOWN_CLONE)
    text = re.sub(r"\(([0-9a-f]{12})\)", "(<merge base>)", text)
    text = re.sub(r" in \d+(\.\d+)?s\b", " in <time>", text)
    text = re.sub(
        r"\b\d+ (source files|files already formatted|files left unchanged)", r"<n> \1", text
    )
    text = re.sub(r"={3,}", "==", text)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def in_order(shown: list[str], printed: list[str]) -> bool:
    """Every line the README shows, in the order printed (pytest and mypy print more)."""
    lines = iter(printed)
    return all(any(line == candidate for candidate in lines) for line in shown)


@dataclass
class Clone:
    path: Path
    scratch: Path
    gen: Generators
    mypy: Path
    ruff: Path

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "PYTEST_"))}
        path = [self.path / "src", self.path / "generated", self.path]
        env["PYTHONPATH"] = os.pathsep.join(map(str, path))
        return env

    def run(self, *command: str | Path, env: dict[str, str] | None = None) -> tuple[int, str]:
        result = subprocess.run(
            [str(part) for part in command], cwd=self.path, env=env or self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
            timeout=TIMEOUT_S,
        )  # fmt: skip
        return result.returncode, result.stdout

    def python(self, *args: str | Path) -> tuple[int, str]:
        return self.run(sys.executable, *args)

    def generate(self, scaffold: bool) -> tuple[int, str]:
        """`nox -s generate [-- --scaffold]`: build.py, then change_guide.py on the old contract."""
        before = self.scratch / f"contract-before-{len(list(self.scratch.iterdir()))}" / "contract"
        shutil.copytree(
            self.path / "generated" / "contract",
            before,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        models, routers = self.gen.models_python, self.gen.routers_python
        code, built = self.python(
            self.path / "openapi/codegen/build.py",
            "--models-python", models, "--routers-python", routers,
        )  # fmt: skip
        if code:
            return code, built
        extra = ["--scaffold", "--ruff-python", str(models)] if scaffold else []
        code, guided = self.python(
            self.path / "openapi/tools/change_guide.py", "--before", before, *extra
        )
        return code, built + guided

    def nox(self, command: str) -> tuple[int, str]:
        """One `nox -s ...` line of the README, run as its session runs it."""
        words = command.split()
        if words == ["nox"]:
            return self.covering_tests()
        assert words[:2] == ["nox", "-s"], command
        sessions, posargs = words[2:], []
        if "--" in sessions:
            at = sessions.index("--")
            sessions, posargs = sessions[:at], sessions[at + 1 :]
        outputs, worst = [], 0
        for session in sessions:
            code, out = self.session(session, posargs)
            outputs.append(out)
            worst = worst or code
        return worst, "".join(outputs)

    def session(self, name: str, posargs: list[str]) -> tuple[int, str]:
        tools = self.path / "openapi" / "tools"
        if name in ("lint_spec", "breaking"):
            return self.python(tools / f"{name}.py", *posargs)
        if name == "generate":
            assert posargs in ([], ["--scaffold"]), posargs
            return self.generate(scaffold=posargs == ["--scaffold"])
        if name == "check_generated":
            return self.python(
                self.path / "openapi/codegen/build.py", "--models-python", self.gen.models_python,
                "--routers-python", self.gen.routers_python, "--check",
            )  # fmt: skip
        if name == "typecheck":
            return self.run(
                self.mypy,
                "src/app",
                "generated/contract",
                "tests",
                "noxfile.py",
                "perf",
                "openapi/tools",
            )
        if name == "lint":
            code = [
                "src",
                "generated",
                "tests",
                "noxfile.py",
                "openapi/codegen",
                "perf",
                "openapi/tools",
            ]
            checked, out = self.run(self.ruff, "check", *code)
            formatted, more = self.run(self.ruff, "format", "--check", *code)
            return checked or formatted, out + more
        if name == "tests":
            return self.python("-m", "pytest", "-p", "no:cacheprovider", *posargs)
        raise AssertionError(
            f"the walk-through runs `nox -s {name}`, which this test cannot replay"
        )

    def covering_tests(self) -> tuple[int, str]:
        pytest = ("-m", "pytest", "-p", "no:cacheprovider", "-m", "not slow")
        files, out = self.python(*pytest, *COVERING_FILES)
        walks, more = self.python(*pytest, *COVERING_WALKS)
        return files or walks, out + more

    def serve(self) -> tuple[int, str]:
        """`nox -s serve`: `python -m app serve` on a free port, a throw-away database and key."""
        env = self.env | {
            "APP_VAR_DIR": str(self.scratch / "var"),
            "APP_SECRET_KEY": "walkthrough-test-secret-key-long-enough-0123",
        }
        return self.run(sys.executable, "-m", "app", "serve", "--port", "0", env=env)


def check_console(clone: Clone, block: Block) -> None:
    """Run each `$ command` of a console block; its output must be what the block shows."""
    pairs: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        else:
            assert pairs, f"a console block without a command: {block.text}"
            pairs[-1][1].append(line)
    for command, shown_lines in pairs:
        code, printed = clone.nox(command)
        shown = normal("\n".join(shown_lines), clone.path)
        if command == "nox":
            assert code == 0, printed  # its summary differs: it ran the whole suite
            continue
        got = normal(printed, clone.path)
        if command == "nox -s typecheck":  # mypy's order of files varies
            got, shown = sorted(got), sorted(shown)
        if command.startswith(("nox -s tests", "nox -s lint_spec check_generated typecheck")):
            assert in_order(shown, got), f"$ {command}\n{printed}"  # pytest's and mypy's extras
        else:
            assert got == shown, (
                f"$ {command}\nshown:\n" + "\n".join(shown) + "\nprinted:\n" + printed
            )
        fails = any(line.startswith(("FAIL:", "Found ")) or "problem(s)" in line for line in shown)
        assert (code != 0) == fails, f"$ {command} exited {code}\n{printed}"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=walkthrough", "-c", "user.email=walkthrough@example.org", *args],
        cwd=cwd, capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip


def fresh_clone(into: Path) -> Path:
    """`git clone` of this repository with the working tree's changes, on a `main` of its own."""
    if not (ROOT / ".git").exists():
        pytest.skip("the walk-through starts from a git clone: this tree is not a git checkout")
    clone = into / "clone"
    git(into, "clone", "--quiet", str(ROOT), str(clone))
    diff = git(ROOT, "diff", "HEAD", "--binary")
    if diff:
        subprocess.run(
            ["git", "apply", "--binary", "-"], input=diff, cwd=clone, text=True, check=True,
            timeout=60,
        )  # fmt: skip
    for name in git(ROOT, "ls-files", "--others", "--exclude-standard", "-z").split("\0"):
        if name:
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    git(clone, "add", "--all")
    if git(clone, "status", "--porcelain"):
        git(clone, "commit", "--quiet", "-m", "the working tree under test")
    git(clone, "switch", "--quiet", "-C", "main")
    return clone


def sibling_tool(env: str, tool: str) -> Path:
    """A tool of another nox environment beside this one (.nox/<env>/bin/<tool>)."""
    path = Path(sys.executable).parents[1].parent / env / Path(sys.executable).parent.name / tool
    if not path.exists():
        pytest.skip(f"needs nox's `{env}` environment beside this one: run `nox -s {env}` once")
    return path


def test_the_walkthrough_followed_literally_ends_green(tmp_path: Path) -> None:
    if "/api/v1/users/{user_id}/posts:" in (ROOT / "openapi" / "openapi.yaml").read_text():
        # Someone followed it here: their `nox` must pass, and it cannot be followed twice.
        pytest.skip("the walk-through is applied in this tree already (listUserPosts exists)")
    gen = generators()
    mypy, ruff = sibling_tool("typecheck", "mypy"), sibling_tool("lint", "ruff")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    clone = Clone(fresh_clone(tmp_path), scratch, gen, mypy, ruff)
    spec = Spec(clone.path / "openapi" / "openapi.yaml")
    steps = Steps(walkthrough_blocks(README.read_text(encoding="utf-8")))

    switch = steps.take("sh").text.split()
    assert switch[0] == "git", switch
    git(clone.path, *switch[1:])

    # 1. An optional field.
    register = ("    UserRegister:", "      properties:")
    bio = steps.take(
        "yaml", said="under `components.schemas.UserRegister.properties`, after `full_name`"
    )
    spec.insert(spec.block(*register, "        full_name:")[1], bio.text)
    check_console(clone, steps.take("console"))
    bounded = steps.take("yaml", said="Give `bio` the bound of `User.bio` and that pattern")
    spec.replace(spec.block(*register, "        bio:"), bounded.text)
    check_console(clone, steps.take("console"))
    # The gate's answer had `bio` been required: the spec is put back afterwards.
    required = steps.take("console", said="Had `bio` been added to `required` as well")
    kept = list(spec.lines)
    at = spec.block("    UserRegister:", "      required: [email, password]")[0]
    spec.replace((at, at + 1), "      required: [email, password, bio]\n")
    check_console(clone, required)
    spec.lines = kept
    spec.save()
    check_console(clone, steps.take("console", said="Keep it optional and generate"))
    diff = steps.take(
        "diff", said="In `src/app/auth/service.py`, `register` builds the `UserRecord`"
    )
    removed = "".join(line[1:] + "\n" for line in diff.text.splitlines() if line.startswith("-"))
    added = "".join(line[1:] + "\n" for line in diff.text.splitlines() if line.startswith("+"))
    auth = clone.path / "src" / "app" / "auth" / "service.py"
    assert auth.read_text().count(removed) == 1, removed
    auth.write_text(auth.read_text().replace(removed, added))

    # 2. A new operation.
    operation = steps.take("yaml", said="under `paths:`, just before `/api/v1/items:`, add")
    spec.insert(spec.block("paths:", "  /api/v1/items:")[0], operation.text)
    check_console(clone, steps.take("console"))
    path = ("paths:", "  /api/v1/users/{user_id}/posts:", "    get:")
    pagination = steps.take("yaml", said="between `security: []` and `responses:` add")
    spec.insert(spec.block(*path, "      security: []")[1], pagination.text)
    unavailable = steps.take("yaml", said='after the `"500"` response add')
    spec.insert(spec.block(*path, "      responses:", '        "500":')[1], unavailable.text)
    check_console(clone, steps.take("console"))
    check_console(clone, steps.take("console", said="let the scaffold put a failing stub"))

    stub = steps.take("python", said="at the end of `PostsService`")
    stub_import = re.search(r"It added `(from [^`]+)`", stub.prose)
    assert stub_import, stub.prose
    posts = clone.path / "src" / "app" / "posts" / "service.py"
    scaffolded = posts.read_text()
    assert scaffolded.count(stub.text) == 1, scaffolded
    assert scaffolded.count(stub_import[1] + "\n") == 1, scaffolded

    refused = steps.take("console", said="the app will not start with a stub in it (`nox -s serve`")
    code, printed = clone.serve()
    assert code != 0, printed
    assert in_order(normal(refused.text, clone.path), normal(printed, clone.path)), printed

    implementation = steps.take("python", said="replacing the decorator and the `raise`")
    assert "delete the `stub` import" in implementation.prose
    posts.write_text(
        scaffolded.replace(stub.text, implementation.text).replace(stub_import[1] + "\n", "")
    )

    # 3. Tests, and the end.
    tests = steps.take("python", said="Create `tests/api/test_user_posts.py`")
    (clone.path / "tests" / "api" / "test_user_posts.py").write_text(tests.text)
    check_console(clone, steps.take("console"))
    check_console(clone, steps.take("console", said="Finish with `nox`"))
    steps.done()

    # What `nox` ran covers the change: the new operation answers 404 for a deleted user.
    status = git(clone.path, "status", "--porcelain")
    for changed in (
        "openapi/openapi.yaml",
        "generated/contract/",
        "src/app/auth/service.py",
        "src/app/posts/service.py",
        "tests/api/test_user_posts.py",
    ):
        assert changed in status, status
