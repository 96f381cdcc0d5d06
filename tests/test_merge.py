"""`python -m verdict merge`: N jobs' summary.json and Allure results as one run.

The fixtures in tests/fixtures/merge were written with the real writers (`RunRecorder`,
`write_categories`, and `environment.properties` the way `e2e/conftest.py` writes it): one
job over four establishments (`single`) and the same run in three shards (`shard-1..3`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import javaproperties
import pytest

from tests.fixtures.merge.generate import ESTABLISHMENTS, write_job
from verdict.__main__ import main
from verdict.merge import merge_categories, merge_environment, sort_key
from verdict.record import AccountResult, RunRecorder
from verdict.shard import select

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "merge"
SHARDS = [FIXTURES / f"shard-{i}" for i in (1, 2, 3)]


def summary(path: Path) -> list[dict]:
    """The accounts of a `summary.json` (an object whose `results` holds them)."""
    data = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    return data["results"] if isinstance(data, dict) else data


@pytest.fixture
def shards(tmp_path: Path) -> list[Path]:
    """A writable copy of the three shards' report folders."""
    copies = []
    for shard in SHARDS:
        copies.append(Path(shutil.copytree(shard, tmp_path / "jobs" / shard.name)))
    return copies


def run_merge(
    out: Path, jobs: list[Path], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    status = main(["merge", str(out), *map(str, jobs)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# -- the fixtures are what the run writes today ------------------------------------------------
def test_fixtures_hold_only_fields_the_recorder_writes(tmp_path: Path) -> None:
    recorder = RunRecorder(tmp_path)
    recorder.add(AccountResult(target="t", account="a", profile="eleve", outcome="passed"))
    written = set(summary(Path(recorder.write_summary()).parent)[0])
    for job in [FIXTURES / "single", *SHARDS]:
        for record in summary(job):
            # A field the recorder no longer writes: `python -m tests.fixtures.merge.generate`.
            assert set(record) <= written, job


def test_a_run_recorded_today_merges_like_one_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever fields AccountResult has now, shards written by RunRecorder merge into what
    one job over every establishment records."""
    names = list(ESTABLISHMENTS)
    write_job(tmp_path / "single", names, allure=False)
    jobs = []
    for index in (1, 2, 3):
        jobs.append(tmp_path / f"shard-{index}")
        write_job(jobs[-1], select(names, index, 3))
    status, _, err = run_merge(tmp_path / "merged", jobs, capsys)
    assert (status, err) == (1, "")
    assert summary(tmp_path / "merged") == sorted(summary(tmp_path / "single"), key=sort_key)


def test_fixture_shards_are_the_split_of_the_single_job() -> None:
    names = list(dict.fromkeys(r["target"] for r in summary(FIXTURES / "single")))
    for i, shard in enumerate(SHARDS, start=1):
        assert list(dict.fromkeys(r["target"] for r in summary(shard))) == select(names, i, 3)


# -- the merged summary ------------------------------------------------------------------------
def test_merging_three_shards_gives_the_single_job_summary(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "merged"
    status, _, err = run_merge(out, shards, capsys)
    assert err == ""
    single = summary(FIXTURES / "single")
    # The recorder sorts by target then account, so a merged run equals the single job.
    assert summary(out) == sorted(single, key=sort_key) == single
    assert status == 1  # one account of the fixtures failed


def test_merge_is_the_same_whatever_the_order_of_the_jobs(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run_merge(tmp_path / "forward", shards, capsys)
    run_merge(tmp_path / "backward", shards[::-1], capsys)
    assert summary(tmp_path / "forward") == summary(tmp_path / "backward")


def test_merge_prints_the_diagnosis_summary_and_fails_when_an_account_failed(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run_merge(tmp_path / "merged", shards, capsys)
    assert status == 1
    lines = out.splitlines()
    assert "3 job(s) fusionné(s) : 6 compte(s)." in lines
    assert "Résumé par compte" in lines
    failed = [line for line in lines if line.strip().startswith("KO ")]
    assert len(failed) == 1 and "PN-UTILISATEUR-INCONNU-PRONOTE" in failed[0]
    assert "0310002B Collège Pierre de Fermat : 0/1 compte(s) OK" in lines


def test_merge_succeeds_when_no_account_failed(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run_merge(tmp_path / "merged", [shards[0], shards[2]], capsys)
    assert status == 0
    assert "KO " not in out
    assert {r["target"] for r in summary(tmp_path / "merged")} == {
        r["target"] for shard in (shards[0], shards[2]) for r in summary(shard)
    }


def test_merge_accepts_an_empty_shard(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "jobs" / "shard-4"
    (empty / "allure-results").mkdir(parents=True)
    (empty / "summary.json").write_text('{"targets": [], "results": []}', encoding="utf-8")
    run_merge(tmp_path / "merged", [*shards, empty], capsys)
    assert len(summary(tmp_path / "merged")) == 6


# -- the merged Allure results -----------------------------------------------------------------
def test_merge_copies_every_allure_file_once(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run_merge(tmp_path / "merged", shards, capsys)
    results = tmp_path / "merged" / "allure-results"
    expected = {
        p.name
        for shard in shards
        for p in (shard / "allure-results").iterdir()
        if p.name not in {"environment.properties", "categories.json"}
    }
    copied = {p.name for p in results.iterdir()} - {"environment.properties", "categories.json"}
    assert copied == expected
    for shard in shards:
        for source in (shard / "allure-results").glob("*-result.json"):
            assert (results / source.name).read_bytes() == source.read_bytes()
    # Every account of the summary has its test result in the merged folder.
    tests = [json.loads(p.read_text(encoding="utf-8")) for p in results.glob("*-result.json")]
    assert len(tests) == len(summary(tmp_path / "merged"))


def test_merge_keeps_every_jobs_environment(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run_merge(tmp_path / "merged", shards, capsys)
    text = (tmp_path / "merged" / "allure-results" / "environment.properties").read_text(
        encoding="utf-8"
    )
    merged = javaproperties.loads(text)
    # Shard 1 checked two establishments: its keys are prefixed by UAI and kept as they are.
    assert merged["0310001A.PRONOTE.net (CAS)"] == "https://0310001a.index-education.net/pronote/"
    assert merged["0310004D.PRONOTE.net (CAS)"] == "https://0310004d.index-education.net/pronote/"
    # Shards 2 and 3 had one each (no prefix): both values are kept, in job order.
    assert merged["PRONOTE.net (CAS)"] == (
        "https://0310002b.index-education.net/pronote/ | "
        "https://0310003c.index-education.net/pronote/"
    )
    # What every job agrees on is written once.
    assert merged["cible"] == "réelle"
    assert merged["version.playwright"] == "1.65.2"


def test_merge_environment_lists_distinct_values_in_order() -> None:
    merged = merge_environment([{"a": "1", "b": "x"}, {"a": "2"}, {"a": "1", "c": "y"}])
    assert merged == {"a": "1 | 2", "b": "x", "c": "y"}


def test_merge_keeps_one_category_per_name_with_the_catch_all_last(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run_merge(tmp_path / "merged", shards, capsys)
    merged = json.loads(
        (tmp_path / "merged" / "allure-results" / "categories.json").read_text(encoding="utf-8")
    )
    first = json.loads((shards[0] / "allure-results" / "categories.json").read_text("utf-8"))
    assert merged == first  # the same catalogue in every job: once
    categories = merge_categories(
        [
            [{"name": "Autres"}, {"name": "A", "messageRegex": "a"}],
            [{"name": "B", "messageRegex": "b"}],
        ]
    )
    assert [c["name"] for c in categories] == ["A", "B", "Autres"]


@pytest.mark.skipif(
    not (ROOT / "node_modules" / ".bin" / "allure").exists(),
    reason="Allure 3 not installed (make node)",
)
def test_allure_builds_one_report_from_the_merged_results(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run_merge(tmp_path / "merged", shards, capsys)
    report = tmp_path / "report"
    # From tmp_path: the project's allurerc.mjs would write its history into reports/.
    subprocess.run(
        [
            str(ROOT / "node_modules" / ".bin" / "allure"),
            "generate",
            str(tmp_path / "merged" / "allure-results"),
            "--output",
            str(report),
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    stats = json.loads((report / "summary.json").read_text(encoding="utf-8"))["stats"]
    records = summary(tmp_path / "merged")
    outcomes = {o: sum(r["outcome"] == o for r in records) for o in ("passed", "failed", "skipped")}
    assert stats == {"total": len(records), **{k: v for k, v in outcomes.items() if v}}


# -- refusals: one French line, exit 2, nothing written ----------------------------------------
def test_merge_refuses_an_account_checked_by_two_jobs(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    overlap = Path(shutil.copytree(shards[1], tmp_path / "jobs" / "shard-2-again"))
    for result in (overlap / "allure-results").glob("*"):  # a real second run: new uuids
        result.rename(result.with_name("x" + result.name))
    out = tmp_path / "merged"
    status, _, err = run_merge(out, [*shards, overlap], capsys)
    assert status == 2
    assert err.startswith(
        "erreur : compte « test.parent2 » de « 0310002B Collège Pierre de Fermat »"
    )
    assert str(shards[1]) in err and str(overlap) in err
    assert "chevauchent" in err and "--shard i/n" in err
    assert len(err.splitlines()) == 1
    assert not out.exists()


def test_merge_refuses_an_account_twice_in_one_job(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    records = summary(shards[1])
    (shards[1] / "summary.json").write_text(json.dumps(records * 2), encoding="utf-8")
    status, _, err = run_merge(tmp_path / "merged", shards, capsys)
    assert status == 2
    assert "deux fois dans" in err and str(shards[1] / "summary.json") in err


def corrupt_truncated(job: Path) -> None:
    text = (job / "summary.json").read_text(encoding="utf-8")
    (job / "summary.json").write_text(text[: len(text) // 2], encoding="utf-8")


def corrupt_not_a_list(job: Path) -> None:
    (job / "summary.json").write_text('"ok"', encoding="utf-8")


def corrupt_no_account(job: Path) -> None:
    records = summary(job)
    del records[0]["account"]
    (job / "summary.json").write_text(json.dumps(records), encoding="utf-8")


def corrupt_not_utf8(job: Path) -> None:
    (job / "summary.json").write_bytes(b"\xff\xfe[]")


def remove_summary(job: Path) -> None:
    (job / "summary.json").unlink()


def remove_allure_results(job: Path) -> None:
    shutil.rmtree(job / "allure-results")


def remove_job(job: Path) -> None:
    shutil.rmtree(job)


def job_is_a_file(job: Path) -> None:
    shutil.rmtree(job)
    job.write_text("", encoding="utf-8")


def corrupt_categories(job: Path) -> None:
    (job / "allure-results" / "categories.json").write_text("{", encoding="utf-8")


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (remove_job, "dossier de job introuvable"),
        (job_is_a_file, "c'est un fichier, pas le dossier d'un job"),
        (remove_summary, "absent : ce job n'a pas écrit son résumé"),
        (corrupt_truncated, "JSON invalide"),
        (corrupt_not_utf8, "illisible"),
        (corrupt_not_a_list, "une liste de comptes était attendue, pas un texte"),
        (corrupt_no_account, "compte n°1 : champ « account » absent ou vide"),
        (remove_allure_results, "n'a pas laissé de résultats Allure"),
        (corrupt_categories, "categories.json : illisible ou JSON invalide"),
    ],
    ids=lambda value: getattr(value, "__name__", None) or "",
)
def test_merge_refuses_a_missing_or_corrupt_job_in_french(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str], damage, words: str
) -> None:
    damage(shards[2])
    out = tmp_path / "merged"
    status, stdout, err = run_merge(out, shards, capsys)
    assert status == 2
    assert err.startswith(f"erreur : {shards[2]}")
    assert words in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert stdout == ""
    assert not out.exists()  # nothing half-merged


def test_merge_refuses_two_different_files_under_one_name(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    stolen = next((shards[0] / "allure-results").glob("*-attachment.txt"))
    (shards[1] / "allure-results" / stolen.name).write_text("autre chose", encoding="utf-8")
    status, _, err = run_merge(tmp_path / "merged", shards, capsys)
    assert status == 2
    assert stolen.name in err and "contenus différents" in err


def test_merge_refuses_a_results_folder_that_is_already_full(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "merged" / "allure-results"
    old.mkdir(parents=True)
    (old / "old-result.json").write_text("{}", encoding="utf-8")
    status, _, err = run_merge(tmp_path / "merged", shards, capsys)
    assert status == 2
    assert "existe déjà et n'est pas vide" in err
    assert [p.name for p in old.iterdir()] == ["old-result.json"]


def test_merge_refuses_the_output_folder_as_a_job(
    tmp_path: Path, shards: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run_merge(shards[0], shards, capsys)
    assert status == 2 and "ne peut pas être l'un des jobs" in err


def test_merge_without_a_job_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["merge", "out"])
    assert exit_.value.code == 2
    assert "JOB" in capsys.readouterr().err


# -- the real command --------------------------------------------------------------------------
def test_python_m_verdict_merge_runs_as_a_command(tmp_path: Path, shards: list[Path]) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "verdict", "merge", str(tmp_path / "merged"), *map(str, shards)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1, run.stderr  # the fixtures hold one failed account
    assert "Résumé par compte" in run.stdout
    # The merge neither adds nor drops a field.
    merged = {tuple(sorted(r)) for r in summary(tmp_path / "merged")}
    assert merged == {tuple(sorted(r)) for shard in shards for r in summary(shard)}
