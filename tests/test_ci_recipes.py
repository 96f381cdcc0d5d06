"""The nightly CI recipes (GitHub Actions, GitLab CI): on a schedule, installed with `make
setup`, the real checks against a target from secrets, the report, summary and JUnit XML kept
even when the checks fail, and a red pipeline when they do. The académie variant splits a
targets file over several jobs (`--shard i/n`) and merges them (`python -m verdict merge`)
into one report. The recipes handle test-account passwords: actions pinned to a commit,
checkouts without a kept token, read-only permissions, and zizmor's audit and the platforms'
schemas (check-jsonschema) pass."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from verdict.board.nights import NIGHTS_FILE
from verdict.shard import parse as parse_shard
from verdict.shard import select

yaml = pytest.importorskip("yaml", reason="PyYAML (dev dependency) reads the CI recipes")

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github" / "workflows" / "nightly.yml"
GITLAB = ROOT / ".gitlab-ci.yml"
PLATFORMS = ["github", "gitlab"]
WORKFLOWS = ROOT / ".github" / "workflows"
ARTIFACTS = {"reports/allure-report/index.html", "reports/summary.json", "reports/junit.xml"}
REPORT = {"reports/allure-report/index.html", "reports/summary.json"}
SHARD_RECORDS = {"reports/summary.json", "reports/allure-results/", "reports/junit.xml"}
MERGE_FIXTURES = ROOT / "tests" / "fixtures" / "merge"
TARGET_SETTINGS = ("VERIFIER_ENT_URL", "VERIFIER_CAS_URL", "VERIFIER_PRONOTE_URL")
SECRET_SETTINGS = (*TARGET_SETTINGS, "VERIFIER_ACCOUNTS")
SECRET_NAME = re.compile(
    r"PASSWORD|PW_|SECRET|TOKEN|VERIFIER_ACCOUNTS|VERIFIER_\w*_URL|VERIFIER_\w*_ENDPOINT"
)
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
# Where the status board sends its alerts and where it is published: no test-account password.
ALERT_SECRETS = ("VERIFIER_NOTIFY_URLS", "VERIFIER_BOARD_URL")
SHELL_OPERATORS = {"|", "||", "&&", ";", ">", ">>", "2>&1"}


# -- reading the recipes ---------------------------------------------------------------------


def accounts_of(path: Path) -> list[dict]:
    """The accounts of a `summary.json` (an object whose `results` holds them)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["results"] if isinstance(data, dict) else data


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


def github_role(job: dict[str, Any]) -> str:
    """ "publish" (deploys GitHub Pages), "merge" (runs `python -m verdict merge`), "shard" (a
    matrix over shards) or "single"."""
    if any(step.get("uses", "").startswith("actions/deploy-pages@") for step in job["steps"]):
        return "publish"
    if any("verdict merge" in step.get("run", "") for step in job["steps"]):
        return "merge"
    if "shard" in ((job.get("strategy") or {}).get("matrix") or {}):
        return "shard"
    return "single"


def gitlab_role(job: dict[str, Any], name: str = "") -> str:
    """ "publish" (the `pages` job), "merge" (runs `python -m verdict merge`), "shard"
    (`parallel:`) or "single"."""
    if name == "pages" or "pages" in job:
        return "publish"
    if any("verdict merge" in line for line in job.get("script", [])):
        return "merge"
    return "shard" if "parallel" in job else "single"


def jobs_of(platform: str, role: str) -> dict[str, dict[str, Any]]:
    if platform == "github":
        found = {n: j for n, j in github_jobs().items() if github_role(j) == role}
    else:
        found = {n: j for n, j in gitlab_jobs().items() if gitlab_role(j, n) == role}
    assert found, f"{platform}: no {role} job"
    return found


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
    made_by_the_run = ("reports/", "node_modules/", "public/")
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
    for args in runs:
        junit = [a for a in args if a.startswith("--junitxml=")]
        assert len(junit) == 1 and junit[0].endswith("/junit.xml"), args
    assert any("--junitxml=reports/junit.xml" in args for args in runs)
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
    jobs = {**jobs_of("github", "single"), **jobs_of("github", "shard")}
    for job in jobs.values():
        step = github_step(job, lambda s: "/pytest" in s.get("run", ""))
        assert step.get("id") == "checks"
        assert not step.get("continue-on-error", False)
        status, calls = run_script(
            step["run"],
            tmp_path,
            pytest_status=pytest_status,
            env={**TARGET, "SHARD": "1/3"},
            flags=github_shell_flags(step),
        )
        assert (status != 0) == bool(expected), step["run"]
        assert calls and calls[-1].startswith("pytest e2e/")


def test_github_report_and_artifacts_follow_a_failed_check() -> None:
    jobs = {**jobs_of("github", "single"), **jobs_of("github", "merge")}
    for name, job in jobs.items():
        steps = job["steps"]
        position = {id(step): n for n, step in enumerate(steps)}
        checks = github_step(job, lambda s: s.get("id") == "checks")
        report = github_step(job, lambda s: s.get("run", "").strip() == "make report")
        upload = github_step(job, lambda s: s.get("uses", "").startswith("actions/upload-art"))
        assert position[id(checks)] < position[id(report)] < position[id(upload)], name
        for step in (report, upload):
            assert re.search(r"!cancelled\(\)|always\(\)", step.get("if", "")), (name, step)
        paths = set(upload["with"]["path"].split())
        assert paths >= REPORT, name
        assert any(path.endswith("junit.xml") for path in paths), name
        if github_role(job) == "single":
            assert paths >= ARTIFACTS, name


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
    for name, job in jobs_of("gitlab", "single").items():
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
        # The report, then the status board and the folder GitLab Pages publishes.
        assert [" ".join(c.split()[:2]) for c in calls] == [
            "pytest e2e/",
            "make report",
            "make board",
            "make site",
        ], name
        assert calls[-1].startswith("make site SITE=public/"), name


def test_gitlab_browser_job_refuses_to_run_without_a_staging_target(tmp_path: Path) -> None:
    job = next(job for name, job in gitlab_jobs().items() if "rules" not in job and name != "pages")
    status, calls = run_script(
        gitlab_script(job), tmp_path, pytest_status=0, env={}, flags=["-eo", "pipefail"]
    )
    assert status == 1
    assert calls == []  # neither the checks nor the report ran


def test_gitlab_keeps_report_summary_and_junit_even_on_failure() -> None:
    for name, job in jobs_of("gitlab", "single").items():
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
            if github_role(job) == "shard":  # a shard keeps raw records, not a report
                assert not any("actions/cache" in s.get("uses", "") for s in job["steps"])
                continue
            if github_role(job) == "publish":  # publishes what the others built
                continue
            restored = {
                path
                for s in job["steps"]
                if s.get("uses", "").startswith("actions/cache/restore")
                for path in s["with"]["path"].split()
            }
            saved = {
                path
                for s in job["steps"]
                if s.get("uses", "").startswith("actions/cache/save")
                and re.search(r"!cancelled\(\)|always\(\)", s.get("if", ""))
                for path in s["with"]["path"].split()
            }
            assert restored and restored == saved
            paths |= saved
    else:
        for name, job in gitlab_jobs().items():
            if gitlab_role(job, name) in ("shard", "publish"):
                assert not job.get("cache")
                continue
            cache = job["cache"]
            assert cache["when"] == "always"
            paths |= set(cache["paths"])
    return paths


def test_ci_recipes_keep_the_same_report_history_files() -> None:
    github, gitlab = history_paths("github"), history_paths("gitlab")
    assert github == gitlab and len(github) == 2
    assert all(path.startswith("reports/") for path in github)  # where `make report` works


def test_ci_history_files_are_allures_and_the_boards_nights() -> None:
    config = (ROOT / "allurerc.mjs").read_text(encoding="utf-8")
    match = re.search(r"""historyPath:\s*["']([^"']+)["']""", config)
    assert match is not None, "allurerc.mjs keeps no history between nightly runs"
    assert history_paths("github") == {
        os.path.normpath(match.group(1)),
        f"reports/{NIGHTS_FILE}",  # what `make board` reads and adds tonight to
    }


# -- the académie split over several jobs, then merged -----------------------------------------
def academie_names() -> list[str]:
    records = accounts_of(MERGE_FIXTURES / "single" / "summary.json")
    return list(dict.fromkeys(r["target"] for r in records))


def assert_shards_cover(specs: list[str]) -> None:
    """Each spec parses, they share one total, and they deal every establishment once."""
    parsed = [parse_shard(spec) for spec in specs]
    assert {total for _, total in parsed} == {len(specs)}
    assert sorted(index for index, _ in parsed) == list(range(1, len(specs) + 1))
    dealt = [name for index, total in parsed for name in select(academie_names(), index, total)]
    assert sorted(dealt) == sorted(academie_names())


def github_expand(text: str, values: dict[str, str]) -> str:
    """`${{ name }}` replaced as GitHub would, for the few names a test gives."""
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m.group(1)], text)


def test_github_shards_are_a_matrix_each_passing_its_shard_to_pytest(tmp_path: Path) -> None:
    for name, job in jobs_of("github", "shard").items():
        strategy = job["strategy"]
        assert strategy.get("fail-fast") is False, name  # one shard's failure hides no other
        shards = strategy["matrix"]["shard"]
        specs = [github_expand(job["env"]["SHARD"], {"matrix.shard": str(k)}) for k in shards]
        assert_shards_cover(specs)
        assert "VERIFIER_TARGETS_TOML" in job["if"], name  # only with an académie's file
        step = github_step(job, lambda s: "/pytest" in s.get("run", ""))
        for spec in specs:
            _, calls = run_script(
                step["run"],
                tmp_path / spec.replace("/", "-"),
                pytest_status=0,
                env={"SHARD": spec},
                flags=github_shell_flags(step),
            )
            assert calls == [f"pytest e2e/ --shard {spec} --junitxml=reports/junit.xml"]
        upload = github_step(job, lambda s: s.get("uses", "").startswith("actions/upload-art"))
        assert re.search(r"!cancelled\(\)|always\(\)", upload.get("if", "")), name
        assert set(upload["with"]["path"].split()) >= SHARD_RECORDS, name


def test_gitlab_shards_are_parallel_jobs_each_with_its_own_folder(tmp_path: Path) -> None:
    stages = load("gitlab")["stages"]
    for name, job in jobs_of("gitlab", "shard").items():
        total = job["parallel"]
        assert isinstance(total, int) and total >= 2, name
        assert_shards_cover([f"{k}/{total}" for k in range(1, total + 1)])
        report_dirs = []
        for k in range(1, total + 1):
            env = {"CI_NODE_INDEX": str(k), "CI_NODE_TOTAL": str(total)}
            report_dir = job["variables"]["VERIFIER_REPORT_DIR"].replace("$CI_NODE_INDEX", str(k))
            report_dirs.append(report_dir)
            status, calls = run_script(
                gitlab_script(job),
                tmp_path / str(k),
                pytest_status=1,
                env={**env, "VERIFIER_REPORT_DIR": report_dir},
                flags=["-eo", "pipefail"],
            )
            assert status == 1, name  # a failed check fails this shard's job
            assert calls == [f"pytest e2e/ --shard {k}/{total} --junitxml={report_dir}/junit.xml"]
        # Each shard writes its own folder under reports/, kept even when the checks fail.
        assert len(set(report_dirs)) == total and all(d.startswith("reports/") for d in report_dirs)
        artifacts = job["artifacts"]
        assert artifacts["when"] == "always", name
        for report_dir in report_dirs:
            assert any(fnmatch.fnmatch(f"{report_dir}/", p) for p in artifacts["paths"]), name
            assert fnmatch.fnmatch(f"{report_dir}/junit.xml", artifacts["reports"]["junit"])
        merge = next(iter(jobs_of("gitlab", "merge").values()))
        assert stages.index(merge["stage"]) > stages.index(job["stage"])
        assert {"job": name, "artifacts": True} in merge["needs"]


def lay_out_shards(reports: Path, names: list[str]) -> None:
    for k, name in enumerate(names, start=1):
        shutil.copytree(MERGE_FIXTURES / f"shard-{k}", reports / name)


def run_merge_script(
    script: str, tmp_path: Path, *, flags: list[str]
) -> tuple[int, list[str], subprocess.CompletedProcess[str]]:
    """Run a merge script with the real `python -m verdict merge` and `make` as a stub."""
    log = tmp_path / "calls.log"
    for folder in (tmp_path / ".venv" / "bin", tmp_path / "stubs"):
        folder.mkdir(parents=True, exist_ok=True)
    python = tmp_path / ".venv" / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    make = tmp_path / "stubs" / "make"
    make.write_text(f'#!/bin/sh\necho "make $*" >> "{log}"\n', encoding="utf-8")
    for path in (python, make):
        path.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERIFIER_", "PW_"))}
    env["PATH"] = f"{tmp_path / 'stubs'}{os.pathsep}{os.environ['PATH']}"
    env["PYTHONPATH"] = str(ROOT)
    env["GITHUB_STEP_SUMMARY"] = str(tmp_path / "step-summary.md")
    run = subprocess.run(
        ["bash", "--noprofile", "--norc", *flags, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return run.returncode, calls, run


def merged_summary(tmp_path: Path) -> list[dict[str, Any]]:
    return accounts_of(tmp_path / "reports" / "summary.json")


def single_job_summary() -> list[dict[str, Any]]:
    records = accounts_of(MERGE_FIXTURES / "single" / "summary.json")
    return sorted(records, key=lambda r: (r["target"], r["account"]))


def github_merge_job() -> tuple[str, dict[str, Any]]:
    return next(iter(jobs_of("github", "merge").items()))


def test_github_merge_job_waits_for_every_shard_even_a_failed_one() -> None:
    name, job = github_merge_job()
    shard_jobs = jobs_of("github", "shard")
    needs = job["needs"] if isinstance(job["needs"], list) else [job["needs"]]
    assert set(needs) == set(shard_jobs)
    assert "!cancelled()" in job["if"] and "skipped" in job["if"]
    # It downloads exactly the shards' artifacts, whatever their number.
    download = github_step(job, lambda s: s.get("uses", "").startswith("actions/download-art"))
    pattern = download["with"]["pattern"]
    for shard_job in shard_jobs.values():
        upload = github_step(
            shard_job, lambda s: s.get("uses", "").startswith("actions/upload-artifact")
        )
        for k in shard_job["strategy"]["matrix"]["shard"]:
            artifact = github_expand(upload["with"]["name"], {"matrix.shard": str(k)})
            assert fnmatch.fnmatch(artifact, pattern)
    for other in jobs_of("github", "single").values():
        upload = github_step(other, lambda s: s.get("uses", "").startswith("actions/upload-art"))
        artifact = github_expand(upload["with"]["name"], {"github.run_id": "4242"})
        assert not fnmatch.fnmatch(artifact, pattern)
    # The merge reads no password: none is handed to it, only where to send alerts.
    handed = set(re.findall(r"secrets\.(\w+)", yaml.safe_dump(job)))
    assert handed <= set(ALERT_SECRETS), (name, handed)


@pytest.mark.parametrize("layout", ["one_folder_per_artifact", "a_single_artifact_unpacked"])
def test_github_merge_step_merges_the_downloaded_shards_and_fails_on_a_failed_account(
    tmp_path: Path, layout: str
) -> None:
    _, job = github_merge_job()
    download = github_step(job, lambda s: s.get("uses", "").startswith("actions/download-art"))
    step = github_step(job, lambda s: s.get("id") == "checks")
    shards = tmp_path / download["with"]["path"]
    if layout == "one_folder_per_artifact":
        lay_out_shards(shards, [f"pronote-ent-academie-shard-{k}" for k in (1, 2, 3)])
        expected = single_job_summary()
    else:  # download-artifact unpacks a lone matching artifact in `path` itself
        shutil.copytree(MERGE_FIXTURES / "shard-1", shards)
        expected = sorted(
            accounts_of(shards / "summary.json"),
            key=lambda r: (r["target"], r["account"]),
        )
    status, _, run = run_merge_script(step["run"], tmp_path, flags=github_shell_flags(step))
    assert merged_summary(tmp_path) == expected
    # The fixtures' shard 2 holds a failed account: the job fails, the summary is printed.
    assert status == (1 if layout == "one_folder_per_artifact" else 0), run.stderr
    console = (tmp_path / "reports" / "console.txt").read_text(encoding="utf-8")
    assert "Résumé par compte" in console
    assert (tmp_path / "reports" / "allure-results").is_dir()


def test_github_merge_step_says_so_when_no_shard_left_records(tmp_path: Path) -> None:
    _, job = github_merge_job()
    step = github_step(job, lambda s: s.get("id") == "checks")
    status, _, run = run_merge_script(step["run"], tmp_path, flags=github_shell_flags(step))
    assert status == 2
    assert "::error::" in run.stdout and "fusionner" in run.stdout


BOARD_AFTER_REPORT = ["make report", "make board", "make site SITE=public/"]


def test_gitlab_merge_job_merges_the_shards_then_builds_the_report(tmp_path: Path) -> None:
    name, job = next(iter(jobs_of("gitlab", "merge").items()))
    assert job["rules"] and all(rule.get("when") == "always" for rule in job["rules"]), name
    shard = next(iter(jobs_of("gitlab", "shard").values()))
    dirs = [
        shard["variables"]["VERIFIER_REPORT_DIR"].replace("$CI_NODE_INDEX", str(k))
        for k in range(1, shard["parallel"] + 1)
    ]
    lay_out_shards(tmp_path, dirs[:3])
    status, calls, run = run_merge_script(gitlab_script(job), tmp_path, flags=["-eo", "pipefail"])
    assert status == 1, run.stderr  # the fixtures hold one failed account
    assert calls == BOARD_AFTER_REPORT
    assert merged_summary(tmp_path) == single_job_summary()
    assert "Résumé par compte" in run.stdout
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always" and set(artifacts["paths"]) >= REPORT
    assert fnmatch.fnmatch(f"{dirs[0]}/junit.xml", artifacts["reports"]["junit"])


def test_gitlab_merge_job_still_builds_the_report_when_a_shard_is_broken(tmp_path: Path) -> None:
    _, job = next(iter(jobs_of("gitlab", "merge").items()))
    lay_out_shards(tmp_path / "reports", ["shard-1", "shard-2", "shard-3"])
    (tmp_path / "reports" / "shard-2" / "summary.json").unlink()
    status, calls, run = run_merge_script(gitlab_script(job), tmp_path, flags=["-eo", "pipefail"])
    assert status == 2
    assert "erreur : " in run.stderr and "shard-2" in run.stderr
    assert calls == BOARD_AFTER_REPORT  # the report step still runs, the job still fails


# -- security of the recipes (zizmor's audits, checked here too) -------------------------------
def workflow_files() -> list[Path]:
    files = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
    assert GITHUB in files
    return files


def github_steps_everywhere() -> list[dict[str, Any]]:
    steps = []
    for path in workflow_files():
        for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values():
            steps += job.get("steps", [])
    return steps


def test_github_actions_are_pinned_to_a_full_commit_sha_with_its_version() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in workflow_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not re.match(r"\s*(-\s+)?uses:", line):
                continue
            match = re.fullmatch(
                r"\s*(?:-\s+)?uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40})\s+#\s*(v\d+\.\d+\.\d+)\s*",
                line,
            )
            assert match, f"{path.name}: not pinned to a commit with its version: {line.strip()}"
            repository = match.group(1).split("/")[0] + "/" + match.group(1).split("/")[1]
            pins.setdefault(repository, set()).add((match.group(2), match.group(3)))
    assert pins
    # One action, one pinned commit, everywhere.
    assert all(len(found) == 1 for found in pins.values()), pins
    uses = [step["uses"] for step in github_steps_everywhere() if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses)


def test_github_checkouts_keep_no_credentials() -> None:
    checkouts = [
        step
        for step in github_steps_everywhere()
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert checkouts
    for step in checkouts:
        assert (step.get("with") or {}).get("persist-credentials") is False, step


def test_github_permissions_are_read_only() -> None:
    for path in workflow_files():
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert workflow.get("permissions") == {}, path.name  # nothing unless a job asks
        for name, job in workflow["jobs"].items():
            permissions = job.get("permissions")
            assert isinstance(permissions, dict), (path.name, name)
            if github_role(job) == "publish":  # GitHub Pages' deployment, and nothing else
                assert permissions == {"pages": "write", "id-token": "write"}, name
                assert "secrets." not in yaml.safe_dump(job), name
                continue
            assert set(permissions.values()) <= {"read", "none"}, (path.name, name)


def test_github_shell_lines_expand_no_expression() -> None:
    # Anything from outside (variables, secrets, matrix) reaches a shell through `env:` only.
    for step in github_steps_everywhere():
        assert "${{" not in step.get("run", ""), step.get("name", step["run"])


def test_ci_recipes_offer_several_remote_browser_endpoints_as_an_optional_secret() -> None:
    for name, job in {**jobs_of("github", "single"), **jobs_of("github", "shard")}.items():
        runs = [s["run"] for s in job["steps"] if "/pytest" in s.get("run", "")]
        if any("--probe" in run for run in runs):
            continue
        assert job["env"]["VERIFIER_BROWSER_WS_ENDPOINT"] == (
            "${{ secrets.VERIFIER_BROWSER_WS_ENDPOINT }}"
        ), name
    for path in (GITHUB, GITLAB):
        header = path.read_text(encoding="utf-8").split("\n\n")[0]
        prose = " ".join(line.lstrip("# ") for line in header.splitlines())
        assert re.search(r"VERIFIER_BROWSER_WS_ENDPOINT \(optional[^)]*\): .*a comma list", prose)


# -- the linters, as `make lint` runs them --------------------------------------------------
def tool(name: str) -> str:
    path = ROOT / ".venv" / "bin" / name
    found = str(path) if path.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (`make setup` installs the dev dependencies)")
    return found


def lint_recipe() -> list[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^lint:.*\n((?:\t.*\n)+)", text, re.M)
    assert match is not None
    return [line.strip() for line in match.group(1).splitlines()]


def test_make_lint_audits_and_validates_both_recipes_offline() -> None:
    lines = lint_recipe()
    zizmor = [line for line in lines if "/zizmor " in line]
    assert zizmor and all("--offline" in line for line in zizmor)
    assert any(".github/workflows" in line for line in zizmor)
    schemas = " ".join(line for line in lines if "/check-jsonschema " in line)
    assert "--builtin-schema vendor.github-workflows .github/workflows/" in schemas
    assert "--builtin-schema vendor.gitlab-ci --data-transform gitlab-ci .gitlab-ci.yml" in schemas


def zizmor_findings(target: Path) -> list[dict[str, Any]]:
    run = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", "--format", "json", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    findings = json.loads(run.stdout)
    assert (run.returncode == 0) == (not findings), run.stderr
    return findings


def test_zizmor_finds_nothing_in_the_recipes() -> None:
    assert zizmor_findings(WORKFLOWS) == []


def test_zizmor_would_flag_an_unpinned_action_and_a_checkout_keeping_its_token(
    tmp_path: Path,
) -> None:
    # The control: the audit does look, on the same recipe with the two old faults put back.
    text = GITHUB.read_text(encoding="utf-8")
    text = re.sub(r"actions/checkout@[0-9a-f]{40} # \S+", "actions/checkout@v4", text, count=1)
    text = text.replace("persist-credentials: false", "fetch-depth: 1", 1)
    broken = tmp_path / ".github" / "workflows" / "nightly.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(text, encoding="utf-8")
    found = {finding["ident"] for finding in zizmor_findings(broken)}
    assert {"unpinned-uses", "artipacked"} <= found


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    extra = ["--data-transform", "gitlab-ci"] if schema == "vendor.gitlab-ci" else []
    return subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", schema, *extra, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("schema", "path"),
    [("vendor.github-workflows", GITHUB), ("vendor.gitlab-ci", GITLAB)],
    ids=["github", "gitlab"],
)
def test_recipes_match_their_platforms_schema(schema: str, path: Path) -> None:
    run = check_jsonschema(schema, path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_schemas_would_refuse_a_broken_recipe(tmp_path: Path) -> None:
    workflow = load("github")
    del workflow["jobs"]["browser"]["runs-on"]
    broken_github = tmp_path / "nightly.yml"
    broken_github.write_text(yaml.safe_dump(workflow, allow_unicode=True), encoding="utf-8")
    pipeline = load("gitlab")
    shard = next(iter(jobs_of("gitlab", "shard")))
    pipeline[shard]["artifacts"]["when"] = "sometimes"
    broken_gitlab = tmp_path / ".gitlab-ci.yml"
    broken_gitlab.write_text(yaml.safe_dump(pipeline, allow_unicode=True), encoding="utf-8")
    assert check_jsonschema("vendor.github-workflows", broken_github).returncode != 0
    assert check_jsonschema("vendor.gitlab-ci", broken_gitlab).returncode != 0


# -- the status boards published beside their reports (GitHub Pages, GitLab Pages) -------------
def test_github_pages_job_publishes_each_board_as_its_folders_index(tmp_path: Path) -> None:
    job = next(iter(jobs_of("github", "publish").values()))
    assert set(job["needs"]) == {
        name for name, j in github_jobs().items() if github_role(j) in ("single", "merge")
    } - {"sweep"}
    assert "!cancelled()" in job["if"]
    # Given the staging target's artifact downloaded (no académie tonight)
    downloads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/download-art")]
    folder = tmp_path / downloads[0]["with"]["path"]
    (folder / "allure-report").mkdir(parents=True)
    (folder / "board.html").write_text("tableau", encoding="utf-8")
    (folder / "allure-report" / "index.html").write_text("rapport", encoding="utf-8")
    step = github_step(job, lambda s: "board.html" in s.get("run", ""))
    status, _ = run_script(step["run"], tmp_path, pytest_status=0, env={}, flags=["-e"])
    assert status == 0
    upload = github_step(job, lambda s: s.get("uses", "").startswith("actions/upload-pages"))
    site = tmp_path / upload["with"]["path"]
    part = folder.name
    assert (site / part / "index.html").read_text(encoding="utf-8") == "tableau"
    assert (site / part / "allure-report" / "index.html").exists()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="{part}/index.html"' in index and index.count("<li>") == 1


def test_make_site_lays_the_board_beside_what_it_links_to(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    (reports / "allure-report").mkdir(parents=True)
    (reports / "board.html").write_text("tableau", encoding="utf-8")
    (reports / "allure-report" / "index.html").write_text("rapport", encoding="utf-8")
    (reports / "summary.json").write_text("{}", encoding="utf-8")
    site = tmp_path / "public" / "nightly-browser"
    run = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "site", f"REPORTS={reports}", f"SITE={site}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert (site / "index.html").read_text(encoding="utf-8") == "tableau"
    assert (site / "allure-report" / "index.html").exists() and (site / "summary.json").exists()
    assert not (site / "pv").exists()  # no PV was written: none is published


def test_gitlab_pages_job_indexes_the_boards_the_jobs_left(tmp_path: Path) -> None:
    job = gitlab_jobs()["pages"]
    assert job["artifacts"]["paths"] == ["public"]
    assert {need["job"] for need in job["needs"]} == {
        name for name, j in gitlab_jobs().items() if gitlab_role(j, name) in ("single", "merge")
    } - {"nightly-sweep"}
    assert all(need.get("optional") for need in job["needs"])
    (tmp_path / "public" / "nightly-browser").mkdir(parents=True)
    (tmp_path / "public" / "nightly-browser" / "index.html").write_text("x", encoding="utf-8")
    status, _ = run_script(
        gitlab_script(job), tmp_path, pytest_status=0, env={}, flags=["-eo", "pipefail"]
    )
    assert status == 0
    index = (tmp_path / "public" / "index.html").read_text(encoding="utf-8")
    assert 'href="nightly-browser/index.html"' in index and index.count("<li>") == 1
