"""Every shell example in README.md runs as written, so that the README cannot drift.

The ```sh blocks are run in order, each by bash from the project root, as a reader would
paste them after scripts/run's set-up: on a temporary SQLite database, migrated and seeded,
with none of the test run's settings in the environment (no DEBUG, no SECRET_KEY). A block
that cannot run here (a server that never stops, the whole test suite) is marked by an
HTML comment on the line before it: <!-- not run: why -->.
"""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.test_infra import SETTINGS_VARIABLES

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# Indented fences too (a block inside a list item), closed at the same indent.
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.MULTILINE | re.DOTALL
)
NOT_RUN = re.compile(r"<!-- not run: (?P<why>[^>]+?) -->\s*$")


def blocks() -> list[tuple[int, str, str, str | None]]:
    """(line, language, body, why not run) for every fenced block of the README."""
    text = README.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = NOT_RUN.search(before)
        line = text.count("\n", 0, match.start()) + 1
        body = textwrap.dedent(match["body"])
        found.append((line, match["lang"], body, marker["why"] if marker else None))
    return found


def test_it_finds_the_examples():
    shell = [block for block in blocks() if block[1] == "sh"]
    assert len(shell) >= 6
    assert sum(1 for block in shell if block[3] is None) >= 3  # most are run, not excused


def test_it_marks_every_shell_block_sh_and_every_marker_sits_on_one():
    text = README.read_text(encoding="utf-8")
    for line, language, _body, _why in blocks():
        assert language not in {"", "bash", "shell", "console", "zsh"}, (
            f"README.md:{line}: mark shell examples ```sh so that tests/test_readme.py runs them"
        )
    markers = len(re.findall(r"^[ \t]*<!-- not run: ", text, flags=re.MULTILINE))
    assert markers == sum(1 for block in blocks() if block[3]), "a <!-- not run --> marker not before a block"


def test_it_runs_every_shell_example(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/readme.sqlite3",
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    python = str(ROOT / ".venv" / "bin" / "python")
    for command in (["migrate", "--noinput", "-v0"], ["seed"]):  # what scripts/run sets up
        subprocess.run(  # noqa: S603
            [python, "manage.py", *command],
            cwd=ROOT,
            env={**env, "DEBUG": "1"},
            check=True,
            capture_output=True,
        )
    ran = 0
    for line, language, body, why in blocks():
        if language != "sh" or why:
            continue
        result = subprocess.run(  # noqa: S603
            ["bash", "-e", "-o", "pipefail", "-c", body],  # noqa: S607
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,  # an unmarked server would hang here: fail instead
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(
                f"README.md:{line}: this example failed (exit {result.returncode}):\n{body}\n"
                f"--- stdout\n{result.stdout[-2000:]}\n--- stderr\n{result.stderr[-3000:]}",
                pytrace=False,
            )
        ran += 1
    assert ran >= 3
