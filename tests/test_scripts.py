"""The shell logic of scripts/test and .ci/run, run by bash on made-up inputs: one list of
system packages for both (installed as root, else one apt-get command printed), pytest's
counts read from its log, and a summary that never says "ok" over a skipped test."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ["scripts/test", "scripts/system-packages", "scripts/test-summary", ".ci/run"]


def bash(script: str, *, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - bash running our own scripts
        ["/bin/bash", "-c", f"set -uo pipefail\n{script}"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("path", SCRIPTS)
def test_the_scripts_parse(path):
    result = bash(f"bash -n {path}")
    assert result.returncode == 0, result.stderr


# --- pytest's counts and the summary -----------------------------------------------------------


@pytest.mark.parametrize(
    ("closing", "counts"),
    [
        ("===== 3 failed, 70 passed, 2 skipped in 9.10s =====", "70 3 2"),
        ("\x1b[32m===== 812 passed, \x1b[33m14 skipped\x1b[0m in 301.2s =====", "812 0 14"),
        ("== 1 failed, 5 passed, 2 errors, 1 xfailed in 3.0s ==", "5 3 1"),
        ("===== no tests ran in 0.12s =====", "0 0 0"),
        ("", "0 0 0"),  # pytest crashed before its closing line
    ],
)
def test_pytest_counts_reads_the_closing_line(tmp_path, closing, counts):
    log = tmp_path / "pytest.log"
    log.write_text(f"tests/test_x.py ....s\nsome output\n{closing}\n")
    result = bash(f"source scripts/test-summary && pytest_counts {log}")
    assert result.stdout.strip() == counts, result.stderr


@pytest.mark.parametrize(
    ("rc", "failed", "skipped", "ci", "status"),
    [
        (0, 0, 0, "false", "ok"),
        (0, 0, 14, "false", "ok*"),
        (0, 0, 14, "true", "FAIL"),  # CI: a skipped test is a failure
        (0, 0, 0, "true", "ok"),
        (1, 2, 0, "false", "FAIL"),
        (5, 0, 0, "false", "FAIL"),  # no tests ran
    ],
)
def test_a_step_with_skipped_tests_is_never_plain_ok(rc, failed, skipped, ci, status):
    result = bash(f"source scripts/test-summary && pytest_status {rc} {failed} {skipped} {ci}")
    assert result.stdout.strip() == status


def summary(*records: str) -> subprocess.CompletedProcess:
    lines = "\n".join(f"record {r}" for r in records)
    return bash(f"source scripts/test-summary\n{lines}\nsummary")


def test_the_summary_says_all_ok_only_when_nothing_was_skipped():
    result = summary('ok "ruff check" 1', 'ok "pytest on SQLite" 300 "812 passed, 0 failed, 0 skipped"')
    assert result.returncode == 0 and "ALL OK" in result.stdout


@pytest.mark.parametrize(
    "partial",
    [
        '"ok*" "pytest on SQLite" 300 "798 passed, 0 failed, 14 skipped (exit 0)"',
        'SKIP "pytest on PostgreSQL" 0 "SKIP_POSTGRES=1"',
    ],
)
def test_the_summary_never_says_ok_over_a_skip(partial):
    result = summary('ok "ruff check" 1', partial)
    assert result.returncode == 0, result.stderr
    assert "ALL OK" not in result.stdout
    assert "PASSED WITH SKIPS" in result.stdout
    step = [line for line in result.stdout.splitlines() if "pytest on" in line][0]
    assert step.split()[0] != "ok"


def test_the_summary_fails_on_a_failed_step():
    result = summary('"ok*" "pytest on SQLite" 300', 'FAIL "pytest on PostgreSQL" 310 "1 failed"')
    assert result.returncode == 1
    assert "FAILED: pytest on PostgreSQL" in result.stdout and "ALL OK" not in result.stdout


# --- the system packages -------------------------------------------------------------------------

FAKE_LIST = """
SYSTEM_PACKAGES=(
    "present|true|always there"
    "absent-a|false|never there"
    "absent-b|test -x /nonexistent/bin/tool || command -v no-such-command-here|a check with ||"
)
"""


def test_the_missing_packages_are_found_by_their_checks():
    result = bash(f"source scripts/system-packages\n{FAKE_LIST}\nmissing_system_packages")
    assert result.stdout.split() == ["absent-a", "absent-b"]


def test_not_root_it_prints_one_exact_apt_get_command():
    result = bash(
        f"source scripts/system-packages\n{FAKE_LIST}\nis_root() {{ return 1; }}\n"
        "apt-get() { echo CALLED; }\nensure_system_packages; echo rc=$?"
    )
    assert "rc=1" in result.stdout and "CALLED" not in result.stdout
    commands = [line.strip() for line in result.stderr.splitlines() if "apt-get" in line]
    assert commands == ["sudo apt-get install -y --no-install-recommends absent-a absent-b"]


def test_as_root_it_installs_the_missing_packages_without_starting_services(tmp_path):
    policy = tmp_path / "policy-rc.d"
    result = bash(
        f"source scripts/system-packages\n{FAKE_LIST}\nis_root() {{ return 0; }}\n"
        f"export POLICY_RC_D={policy}\n"
        f'apt-get() {{ echo "apt-get $* (policy: $(tr "\\n" " " <{policy}))" >>{tmp_path}/calls; }}\n'
        "ensure_system_packages; echo rc=$?"
    )
    assert "rc=0" in result.stdout, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls[0].startswith("apt-get update")
    assert calls[1].startswith("apt-get install -y -qq --no-install-recommends absent-a absent-b")
    assert "exit 101" in calls[1]  # nginx and redis are not started as services
    assert not policy.exists()  # and the policy is gone again


def test_nothing_missing_does_nothing():
    result = bash(
        'source scripts/system-packages\nSYSTEM_PACKAGES=("present|true|x")\n'
        "apt-get() { echo CALLED; }\nensure_system_packages; echo rc=$?"
    )
    assert result.stdout.strip() == "rc=0" and result.stderr == ""


def test_one_list_serves_the_test_command_and_ci():
    listed = bash(
        "source scripts/system-packages && printf '%s\\n' \"${SYSTEM_PACKAGES[@]%%|*}\""
    ).stdout.split()
    assert {"postgresql", "chromium", "fonts-noto-cjk", "npm", "default-jre-headless"} <= set(listed)
    assert {"nginx", "redis-server", "openssl"} <= set(listed)
    test_command = (ROOT / "scripts/test").read_text()
    ci = (ROOT / ".ci/run").read_text()
    assert "source scripts/system-packages" in test_command and "ensure_system_packages" in test_command
    assert "exec scripts/test" in ci and "apt-get" not in ci  # no second list
    # Every check runs here without error (whatever this machine has installed).
    result = bash("source scripts/system-packages && missing_system_packages")
    assert result.returncode == 0 and set(result.stdout.split()) <= set(listed), result.stderr
