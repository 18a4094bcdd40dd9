"""Every shell example in README.md and docs/*.md runs as written, so the docs cannot drift.

The ```sh blocks of each file are run in order, each by bash from the project root, as a
reader would paste them after scripts/run's set-up: on a temporary SQLite database,
migrated and seeded (a fresh copy per file), with none of the test run's settings in the
environment (no DEBUG, no SECRET_KEY). A block that cannot run here (a server that never
stops, the whole test suite, a command for a production server) is marked by an HTML
comment on the line before it: <!-- not run: why -->.

Also: every repository path named in backticks exists, every link between the documents
(and to a heading) resolves, the README stays short, and each document under docs/ starts
with its table of contents.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.test_infra import SETTINGS_VARIABLES

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
DOCUMENTS = [README, *sorted(DOCS.glob("*.md"))]
README_MAX_LINES = 250
# Indented fences too (a block inside a list item), closed at the same indent.
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.MULTILINE | re.DOTALL
)
NOT_RUN = re.compile(r"<!-- not run: (?P<why>[^>]+?) -->\s*$")
HEADING = re.compile(r"^(?P<level>#{1,6}) (?P<text>.+?)[ \t]*$", re.MULTILINE)
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
INLINE_CODE = re.compile(r"(?<!`)`(?P<code>[^`\n]+)`(?!`)")
# What a repository path named in backticks starts with (or is).
REPO_DIRS = (
    "goals/",
    "config/",
    "projects/",
    "scripts/",
    "bench/",
    "deploy/",
    "tests/",
    "fixtures/",
    "templates/",
    "static/",
    "locale/",
    "docs/",
    ".ci/",
)
TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE"}
REPO_FILES = {"manage.py", "pyproject.toml", "Makefile", ".importlinter", "package.json", "package-lock.json"}


class Block(NamedTuple):
    line: int
    language: str
    body: str
    why_not_run: str | None


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def blocks(path: Path) -> list[Block]:
    """Every fenced block of the document, with the reason it is not run, if marked."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = NOT_RUN.search(before)
        line = text.count("\n", 0, match.start()) + 1
        body = textwrap.dedent(match["body"])
        found.append(Block(line, match["lang"], body, marker["why"] if marker else None))
    return found


def prose(path: Path) -> str:
    """The document without its fenced blocks (whose lines may start with # or hold backticks)."""
    return FENCE.sub("", path.read_text(encoding="utf-8"))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for match in HEADING.finditer(prose(path)):
        base = slug(match["text"])
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def reader_environment(**settings: str) -> dict[str, str]:
    """The environment of a reader's shell: none of the test run's settings (DEBUG,
    SECRET_KEY…, nor the async switch tests/conftest.py sets for the browser tests)."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES and k not in TEST_ONLY}
    env.update(settings)
    return env


def runnable(path: Path) -> list[Block]:
    return [block for block in blocks(path) if block.language == "sh" and not block.why_not_run]


# --- the shell examples -------------------------------------------------------------------


def test_it_finds_the_examples():
    shell = [block for path in DOCUMENTS for block in blocks(path) if block.language == "sh"]
    assert len(shell) >= 20, "fewer shell examples than the docs had: was a file not found?"
    assert sum(1 for block in shell if block.why_not_run is None) >= 12  # most are run, not excused
    assert {name(path) for path in DOCUMENTS} >= {
        "README.md",
        "docs/officials.md",
        "docs/reviewers.md",
        "docs/admins.md",
        "docs/operators.md",
        "docs/developers.md",
    }


@pytest.mark.parametrize("path", DOCUMENTS, ids=name)
def test_it_marks_every_shell_block_sh_and_every_marker_sits_on_one(path):
    text = path.read_text(encoding="utf-8")
    for block in blocks(path):
        assert block.language not in {"", "bash", "shell", "console", "zsh"}, (
            f"{name(path)}:{block.line}: mark shell examples ```sh so that tests/test_readme.py runs "
            "them (```text for output or file contents)"
        )
    markers = len(re.findall(r"^[ \t]*<!-- not run: ", text, flags=re.MULTILINE))
    assert markers == sum(1 for block in blocks(path) if block.why_not_run), (
        f"{name(path)}: a <!-- not run --> marker not on the line before a block"
    )


@pytest.fixture(scope="module")
def seeded_database(tmp_path_factory) -> Path:
    """A migrated, seeded SQLite file (what scripts/run sets up), copied for each document."""
    database = tmp_path_factory.mktemp("readme-seed") / "seeded.sqlite3"
    env = reader_environment(DATABASE_URL=f"sqlite:///{database}", DEBUG="1")
    for command in (["migrate", "--noinput", "-v0"], ["seed"]):
        subprocess.run(  # noqa: S603
            [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    return database


@pytest.mark.parametrize("path", [path for path in DOCUMENTS if runnable(path)], ids=name)
def test_it_runs_every_shell_example(path, seeded_database, tmp_path):
    database = tmp_path / "readme.sqlite3"
    shutil.copyfile(seeded_database, database)
    env = reader_environment(
        DATABASE_URL=f"sqlite:///{database}",
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    for block in runnable(path):
        result = subprocess.run(  # noqa: S603
            ["bash", "-e", "-o", "pipefail", "-c", block.body],  # noqa: S607
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,  # an unmarked server would hang here: fail instead
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(
                f"{name(path)}:{block.line}: this example failed (exit {result.returncode}):\n{block.body}\n"
                f"--- stdout\n{result.stdout[-2000:]}\n--- stderr\n{result.stderr[-3000:]}",
                pytrace=False,
            )


# --- paths, links and shape -----------------------------------------------------------------


def mentioned_paths(path: Path) -> set[str]:
    """Repository paths named in backticks: `goals/rules/progress.py`, `scripts/test -k seed`…"""
    found = set()
    for match in INLINE_CODE.finditer(prose(path)):
        for word in match["code"].split():
            word = word.strip(",;:()'\"").split("::")[0]
            if any(char in word for char in "<>*…{}$=|"):
                continue  # a pattern or a placeholder (goals/<capability>/…), not a path
            if word.startswith(REPO_DIRS) or word in REPO_FILES:
                found.add(word)
    return found


@pytest.mark.parametrize("path", DOCUMENTS, ids=name)
def test_every_repository_path_it_names_exists(path):
    # While a re-layout of goals/ is under way the docs may name the new paths first.
    missing = sorted(word for word in mentioned_paths(path) if not (ROOT / word).exists())
    assert not missing, f"{name(path)} names paths that do not exist: {', '.join(missing)}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=name)
def test_every_link_between_the_documents_resolves(path):
    broken = []
    for match in LINK.finditer(prose(path)):
        target = match["target"]
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        file, _hash, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        if not linked.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target} (no such heading)")
    assert not broken, f"{name(path)}: broken links: {', '.join(broken)}"


def test_the_readme_is_short_and_leads_to_every_document():
    text = README.read_text(encoding="utf-8")
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    assert lines < README_MAX_LINES, f"README.md has {lines} lines: move details to docs/"
    linked = {match["target"].partition("#")[0] for match in LINK.finditer(prose(README))}
    for document in DOCUMENTS[1:]:
        assert name(document) in linked, f"README.md does not link to {name(document)}"


@pytest.mark.parametrize("path", DOCUMENTS[1:], ids=name)
def test_each_document_starts_with_its_table_of_contents(path):
    text = prose(path)
    sections = [match["text"] for match in HEADING.finditer(text) if match["level"] == "##"]
    assert sections and sections[0] == "Contents", f"{name(path)}: the first section must be ## Contents"
    contents = text.split("## Contents", 1)[1].split("\n## ", 1)[0]
    listed = {match["target"] for match in LINK.finditer(contents)}
    missing = [section for section in sections[1:] if f"#{slug(section)}" not in listed]
    assert not missing, f"{name(path)}: the contents leave out {', '.join(missing)}"
