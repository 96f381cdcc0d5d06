"""The nightly CI recipes (GitHub Actions, GitLab CI): on a schedule, installed with `make
setup`, the real checks against a target from secrets, the report, summary and JUnit XML kept
even when the checks fail, and a red pipeline when they do."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML (dev dependency) reads the CI recipes")

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github" / "workflows" / "nightly.yml"
GITLAB = ROOT / ".gitlab-ci.yml"
PLATFORMS = ["github", "gitlab"]
ARTIFACTS = {"reports/allure-report/index.html", "reports/summary.json", "reports/junit.xml"}
TARGET_SETTINGS = ("VERIFIER_ENT_URL", "VERIFIER_CAS_URL", "VERIFIER_PRONOTE_URL")
SECRET_SETTINGS = (*TARGET_SETTINGS, "VERIFIER_ACCOUNTS")
SECRET_NAME = re.compile(r"PASSWORD|PW_|SECRET|TOKEN|VERIFIER_ACCOUNTS|VERIFIER_\w*_URL")
GITLAB_RESERVED = {
    "workflow",
    "stages",
    "variables",
    "default",
    "include",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
}
SHELL_OPERATORS = {"|", "||", "&&", ";", ">", ">>", "2>&1"}


# -- reading the recipes ---------------------------------------------------------------------
def load(platform: str) -> dict[str, Any]:
    return yaml.safe_load((GITHUB if platform == "github" else GITLAB).read_text(encoding="utf-8"))


def github_jobs() -> dict[str, dict[str, Any]]:
    return load("github")["jobs"]


def gitlab_jobs() -> dict[str, dict[str, Any]]:
    """GitLab's jobs with their `extends` resolved (hidden `.templates` merged in, one level)."""
    data = load("gitlab")
    jobs = {}
    for name, job in data.items():
        if name in GITLAB_RESERVED or name.startswith(".") or not isinstance(job, dict):
            continue
        parents = job.get("extends", [])
        merged: dict[str, Any] = {}
        for parent in [parents] if isinstance(parents, str) else parents:
            merged.update(data[parent])
        merged.update(job)
        jobs[name] = merged
    return jobs


def step_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def commands(platform: str) -> list[str]:
    """Every shell line the recipe runs, in order, all jobs together."""
    lines: list[str] = []
    if platform == "github":
        for job in github_jobs().values():
            for step in job["steps"]:
                lines += step_lines(step.get("run", ""))
    else:
        for job in gitlab_jobs().values():
            for key in ("before_script", "script", "after_script"):
                for item in job.get(key, []):
                    lines += step_lines(item)
    return lines


def words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:  # a line of a multi-line shell block (`if ...; then`)
        return line.split()


def invocations(platform: str, program: str) -> list[list[str]]:
    """The arguments of each run of *program* (a command, not a word such as a package name)."""
    runs = []
    for line in commands(platform):
        tokens = words(line)
        for n, token in enumerate(tokens):
            at_command = n == 0 or tokens[n - 1] in SHELL_OPERATORS
            if at_command and (token == program or token.endswith(f"/{program}")):
                args = []
                for word in tokens[n + 1 :]:
                    if word in SHELL_OPERATORS or word.startswith((">", "<", "2>")):
                        break
                    args.append(word)
                runs.append(args)
    return runs


def check_runs(platform: str) -> list[list[str]]:
    """The `pytest e2e/` runs: the words after the pytest executable, up to a shell operator."""
    return invocations(platform, "pytest")


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return {
        target
        for line in text.splitlines()
        if (match := re.match(r"^([\w./-]+(?:\s+[\w./-]+)*)\s*:(?!=)", line))
        for target in match.group(1).split()
    }


def without_comments(path: Path) -> str:
    return "\n".join(
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    )


# -- schedule ------------------------------------------------------------------------------
def test_github_recipe_runs_every_night_and_not_on_push() -> None:
    workflow = load("github")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    crons = [entry["cron"] for entry in triggers["schedule"]]
    assert crons
    for cron in crons:
        minute, hour, day, month, weekday = cron.split()
        # Once a day at a fixed time.
        assert minute.isdigit() and 0 <= int(minute) < 60
        assert hour.isdigit() and 0 <= int(hour) < 24
        assert (day, month, weekday) == ("*", "*", "*")
    assert not {"push", "pull_request", "pull_request_target"} & set(triggers)


def test_gitlab_recipe_runs_for_scheduled_pipelines_only_or_by_hand() -> None:
    rules = load("gitlab")["workflow"]["rules"]
    conditions = [rule.get("if", "") for rule in rules]
    assert '$CI_PIPELINE_SOURCE == "schedule"' in conditions
    # No rule lets an ordinary push or merge request start the nightly checks.
    assert all(re.fullmatch(r'\$CI_PIPELINE_SOURCE == "(schedule|web)"', c) for c in conditions)


# -- what they run ---------------------------------------------------------------------------
@pytest.mark.parametrize("platform", PLATFORMS)
def test_ci_recipe_make_targets_exist_in_the_makefile(platform: str) -> None:
    called = [
        word
        for args in invocations(platform, "make")
        for word in args
        if not word.startswith("-") and "=" not in word
    ]
    assert {"setup", "report"} <= set(called)
    assert set(called) <= makefile_targets()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_ci_recipe_paths_exist_in_the_repository(platform: str) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    made_by_the_run = ("reports/", "node_modules/")
    checked = []
    for line in commands(platform):
        for word in words(line):
            if word.startswith(".venv/bin/"):
                # The virtualenv `make setup` builds, and a program the Makefile itself runs.
                assert re.search(r"^VENV\s*:?=\s*\.venv\s*$", makefile, re.M)
                assert f"$(VENV)/bin/{word.removeprefix('.venv/bin/')}" in makefile, word
            elif re.fullmatch(r"(\./)?[\w.][\w.-]*/[\w./-]*", word) and not word.startswith(
                made_by_the_run
            ):
                checked.append(word)
                assert (ROOT / word).exists(), f"{platform}: {word} is not in the repository"
    assert "e2e/" in checked


@pytest.mark.parametrize("platform", PLATFORMS)
def test_ci_recipe_runs_the_browser_checks_and_the_probe_with_junit(platform: str) -> None:
    runs = check_runs(platform)
    assert runs and all(args[0] == "e2e/" for args in runs)
    assert all("--junitxml=reports/junit.xml" in args for args in runs)
    # The nightly job is the real browser check; a probe sweep may come on top.
    assert any("--probe" not in args for args in runs)
    # Nothing secret on a command line (passwords never come from there).
    assert not any(re.search(r"passw|secret", " ".join(args), re.I) for args in runs)


# -- secrets ---------------------------------------------------------------------------------
@pytest.mark.parametrize("platform", PLATFORMS)
def test_ci_recipe_holds_no_address_or_password(platform: str) -> None:
    text = without_comments(GITHUB if platform == "github" else GITLAB)
    assert not re.search(r"https?://", text)
    assert not re.search(r"[\"']?password[\"']?\s*[:=]\s*\S", text, re.I)


def test_github_recipe_reads_the_target_and_passwords_from_secrets() -> None:
    jobs = github_jobs()
    browser = next(job for job in jobs.values() if "VERIFIER_ENT_URL" in job.get("env", {}))
    for name in SECRET_SETTINGS:
        assert re.fullmatch(r"\$\{\{ secrets\.\w+ \}\}", browser["env"][name]), name
    for job in jobs.values():
        for name, value in job.get("env", {}).items():
            if SECRET_NAME.search(name):
                assert re.fullmatch(r"\$\{\{ secrets\.\w+ \}\}", str(value)), name
    # Every password the accounts may name is mapped from a secret.
    assert {n for n in browser["env"] if n.startswith("PW_")}


def test_gitlab_recipe_leaves_target_and_passwords_to_project_variables() -> None:
    data = load("gitlab")
    defined = dict(data.get("variables", {}))
    for job in gitlab_jobs().values():
        defined.update(job.get("variables", {}))
    for name, value in defined.items():
        if SECRET_NAME.search(name):
            # Only a reference to another (masked) variable, never a value.
            assert re.fullmatch(r"\$\w+", str(value)), name
    assert not set(SECRET_SETTINGS) & set(defined)


# -- behaviour of the scripts, run with stand-ins for pytest and make --------------------------
def run_script(
    script: str, tmp_path: Path, *, pytest_status: int, env: dict[str, str], flags: list[str]
) -> tuple[int, list[str]]:
    """Run *script* with bash as the CI would, `.venv/bin/pytest` and `make` replaced by stubs."""
    log = tmp_path / "calls.log"
    stubs = tmp_path / "stubs"
    for folder in (tmp_path / ".venv" / "bin", stubs, tmp_path / "reports"):
        folder.mkdir(parents=True, exist_ok=True)
    for path, status in ((tmp_path / ".venv/bin/pytest", pytest_status), (stubs / "make", 0)):
        path.write_text(
            f'#!/bin/sh\necho "$(basename "$0") $*" >> "{log}"\nexit {status}\n', encoding="utf-8"
        )
        path.chmod(0o755)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VERIFIER_", "PW_"))}
    clean["PATH"] = f"{stubs}{os.pathsep}{os.environ['PATH']}"
    clean["GITHUB_STEP_SUMMARY"] = str(tmp_path / "step-summary.md")
    run = subprocess.run(
        ["bash", "--noprofile", "--norc", *flags, "-c", script],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return run.returncode, calls


def github_step(job: dict[str, Any], predicate: Any) -> dict[str, Any]:
    return next(step for step in job["steps"] if predicate(step))


def github_shell_flags(step: dict[str, Any]) -> list[str]:
    """What GitHub runs a `run` step with: `shell: bash` adds pipefail, the default does not."""
    defaults = (load("github").get("defaults") or {}).get("run") or {}
    shell = step.get("shell") or defaults.get("shell")
    return ["-eo", "pipefail"] if shell == "bash" else ["-e"]


def gitlab_script(job: dict[str, Any]) -> str:
    return "\n".join(job["script"])


TARGET = {"VERIFIER_ENT_URL": "https://ent.staging.invalid/"}


@pytest.mark.parametrize(
    ("pytest_status", "expected"), [(0, 0), (1, 1)], ids=["checks_pass", "checks_fail"]
)
def test_github_checks_step_fails_the_job_when_the_checks_fail(
    tmp_path: Path, pytest_status: int, expected: int
) -> None:
    for job in github_jobs().values():
        step = github_step(job, lambda s: "/pytest" in s.get("run", ""))
        assert not step.get("continue-on-error", False)
        status, calls = run_script(
            step["run"],
            tmp_path,
            pytest_status=pytest_status,
            env=TARGET,
            flags=github_shell_flags(step),
        )
        assert (status != 0) == bool(expected), step["run"]
        assert calls and calls[-1].startswith("pytest e2e/")


def test_github_report_and_artifacts_follow_a_failed_check() -> None:
    for name, job in github_jobs().items():
        steps = job["steps"]
        position = {id(step): n for n, step in enumerate(steps)}
        checks = github_step(job, lambda s: "/pytest" in s.get("run", ""))
        report = github_step(job, lambda s: s.get("run", "").strip() == "make report")
        upload = github_step(job, lambda s: s.get("uses", "").startswith("actions/upload-art"))
        assert position[id(checks)] < position[id(report)] < position[id(upload)], name
        for step in (report, upload):
            assert re.search(r"!cancelled\(\)|always\(\)", step.get("if", "")), (name, step)
        assert set(upload["with"]["path"].split()) >= ARTIFACTS, name


def test_github_refuses_to_run_without_a_staging_target(tmp_path: Path) -> None:
    for name, job in github_jobs().items():
        if "VERIFIER_ENT_URL" not in job.get("env", {}):
            continue
        steps = job["steps"]
        guard = github_step(job, lambda s: "VERIFIER_ENT_URL" in s.get("run", ""))
        checks = github_step(job, lambda s: "/pytest" in s.get("run", ""))
        assert steps.index(guard) < steps.index(checks), name
        flags = github_shell_flags(guard)
        missing, _ = run_script(guard["run"], tmp_path, pytest_status=0, env={}, flags=flags)
        present, _ = run_script(guard["run"], tmp_path, pytest_status=0, env=TARGET, flags=flags)
        assert (missing, present) == (1, 0), name


@pytest.mark.parametrize(
    ("pytest_status", "expected"), [(0, 0), (1, 1), (2, 2)], ids=["pass", "fail", "usage_error"]
)
def test_gitlab_script_builds_the_report_then_fails_like_the_checks(
    tmp_path: Path, pytest_status: int, expected: int
) -> None:
    for name, job in gitlab_jobs().items():
        env = {**TARGET, "VERIFIER_TARGETS_FILE": "targets.toml"}
        # GitLab's bash runs the script with errexit and pipefail.
        status, calls = run_script(
            gitlab_script(job),
            tmp_path / name,
            pytest_status=pytest_status,
            env=env,
            flags=["-eo", "pipefail"],
        )
        assert status == expected, name
        assert [c.split()[0] for c in calls] == ["pytest", "make"], name
        assert calls[-1] == "make report", name


def test_gitlab_browser_job_refuses_to_run_without_a_staging_target(tmp_path: Path) -> None:
    job = next(job for job in gitlab_jobs().values() if "rules" not in job)
    status, calls = run_script(
        gitlab_script(job), tmp_path, pytest_status=0, env={}, flags=["-eo", "pipefail"]
    )
    assert status == 1
    assert calls == []  # neither the checks nor the report ran


def test_gitlab_keeps_report_summary_and_junit_even_on_failure() -> None:
    for name, job in gitlab_jobs().items():
        artifacts = job["artifacts"]
        assert artifacts["when"] == "always", name
        assert set(artifacts["paths"]) >= ARTIFACTS, name
        assert artifacts["reports"]["junit"] == "reports/junit.xml", name


# -- the report's history ----------------------------------------------------------------------
def history_paths(platform: str) -> set[str]:
    """The files each recipe restores before the run and saves after it, failed or not."""
    paths: set[str] = set()
    if platform == "github":
        for job in github_jobs().values():
            restored = {
                s["with"]["path"]
                for s in job["steps"]
                if s.get("uses", "").startswith("actions/cache/restore")
            }
            saved = {
                s["with"]["path"]
                for s in job["steps"]
                if s.get("uses", "").startswith("actions/cache/save")
                and re.search(r"!cancelled\(\)|always\(\)", s.get("if", ""))
            }
            assert restored and restored == saved
            paths |= saved
    else:
        for job in gitlab_jobs().values():
            cache = job["cache"]
            assert cache["when"] == "always"
            paths |= set(cache["paths"])
    return paths


def test_ci_recipes_keep_the_same_report_history_file() -> None:
    github, gitlab = history_paths("github"), history_paths("gitlab")
    assert github == gitlab and len(github) == 1
    assert next(iter(github)).startswith("reports/")  # where `make report` works


def test_ci_history_file_is_the_one_allure_writes() -> None:
    config = (ROOT / "allurerc.mjs").read_text(encoding="utf-8")
    match = re.search(r"""historyPath:\s*["']([^"']+)["']""", config)
    assert match is not None, "allurerc.mjs keeps no history between nightly runs"
    assert history_paths("github") == {os.path.normpath(match.group(1))}
