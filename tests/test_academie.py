"""A whole académie in one run: targets files, pytest-xdist, a remote browser server and the
HTTP probe, each through the real `pytest e2e/` in a child process against the lab."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from e2e.settings import Settings
from e2e.target import TargetsFileError, targets_from_file
from lab.client import LabAccount, LabClient, running_lab
from lab.directory import build_directory
from tests.e2e_runner import run_e2e, site_env
from tests.fault_oracle import FAULT_CODES
from verdict.judge import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
DEBIAN_CHROMIUM = Path("/usr/lib/chromium/chromium")
E2E_TIMEOUT_S = 900  # a child `pytest e2e/`, on a loaded two-core machine
SERVER_START_TIMEOUT_S = 60


# -- helpers -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def academie_lab() -> Iterator[LabClient]:
    """Two establishments, five accounts of each profile in each: 40 accounts, one lab."""
    with running_lab(establishments=2, per_profile=5, startup_timeout=180) as client:
        yield client


@pytest.fixture
def fresh_lab(academie_lab: LabClient) -> LabClient:
    """The module's lab, healthy, nobody linked in PRONOTE yet."""
    academie_lab.reset()
    return academie_lab


def tail(run: subprocess.CompletedProcess) -> str:
    return run.stdout[-4000:] + run.stderr[-2000:]


def accounts_of(lab: LabClient, site: int = 0, profile: str | None = None) -> list[LabAccount]:
    uai = lab.info["establishments"][site]["uai"]
    return [a for a in lab.accounts if a.uai == uai and profile in (None, a.profile)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def console_groups(stdout: str) -> dict[str, list[str]]:
    """The console summary: each establishment's header line and the account lines under it."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "Résumé par compte" in line)
    groups: dict[str, list[str]] = {}
    header = ""
    for line in lines[start + 1 :]:
        if line.startswith("Détails :"):
            break
        if line.startswith("  "):
            groups[header].append(line.strip())
        else:
            header = line
            assert header not in groups, f"establishment header repeated: {header}"
            groups[header] = []
    return groups


def allure_results(folder: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*-result.json")]


def attachments(item: dict) -> list[dict]:
    """Every attachment of an Allure result, its steps' and their sub-steps'."""
    found = list(item.get("attachments", []))
    for step in item.get("steps", []):
        found += attachments(step)
    return found


def allure_environment(folder: Path) -> dict[str, str]:
    """Allure's `environment.properties`, unescaped."""
    entries = {}
    text = (folder / "environment.properties").read_text(encoding="utf-8")
    for line in text.splitlines():
        match = re.fullmatch(r"((?:[^=\\]|\\.)*)=(.*)", line)
        if match:
            key, value = (re.sub(r"\\(.)", r"\1", part) for part in match.groups())
            entries[key] = value
    return entries


# -- targets file: parsing -----------------------------------------------------------------
GOOD_TARGETS = """
[defaults]
ent_url = "https://ent.example.org/"
cas_url = "https://cas.example.org/cas/"
identifier_attribute = "codePronote"

[[establishments]]
uai = "0310001A"
name = "Collège Jean Jaurès"
pronote_url = "https://0310001a.index-education.net/pronote/"

  [[establishments.accounts]]
  login = "test.eleve1"
  profile = "élève"
  password_env = "ACADEMIE_PW_ELEVE"

  [[establishments.accounts]]
  login = "test.prof1"
  profile = "professeur"
  password_env = "ACADEMIE_PW_PROF"

[[establishments]]
uai = "0310002B"
name = "Collège Pierre de Fermat"
pronote_url = "https://0310002b.index-education.net/pronote/"
shortcut_label = "PRONOTE Fermat"

  [[establishments.accounts]]
  login = "test.parent2"
  profile = "parent"
  password_env = "ACADEMIE_PW_PARENT"
"""

SECOND = '[[establishments]]\nuai = "0310002B"\nname = "Collège Pierre de Fermat"\n'
BROKEN_TARGETS = {
    "missing_password_env": (
        SECOND
        + 'pronote_url = "https://b.example.org/pronote/"\n'
        + '[[establishments.accounts]]\nlogin = "x"\nprofile = "parent"\n'
        + 'password_env = "ACADEMIE_PW_NOT_SET"\n',
        ["0310002B", "ACADEMIE_PW_NOT_SET"],
    ),
    "bad_url": (
        SECOND
        + 'pronote_url = "pas une url"\n'
        + '[[establishments.accounts]]\nlogin = "x"\nprofile = "parent"\n'
        + 'password_env = "ACADEMIE_PW_PARENT"\n',
        ["0310002B", "pronote_url"],
    ),
    "unknown_key": (
        SECOND
        + 'pronote_url = "https://b.example.org/pronote/"\npronote_adresse = "typo"\n'
        + '[[establishments.accounts]]\nlogin = "x"\nprofile = "parent"\n'
        + 'password_env = "ACADEMIE_PW_PARENT"\n',
        ["0310002B", "pronote_adresse"],
    ),
    "no_accounts": (
        SECOND + 'pronote_url = "https://b.example.org/pronote/"\n',
        ["0310002B", "accounts"],
    ),
}


@pytest.fixture
def passwords(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "ACADEMIE_PW_ELEVE": "pw-élève-1",
        "ACADEMIE_PW_PROF": "pw-prof-1",
        "ACADEMIE_PW_PARENT": "pw-parent-2",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ACADEMIE_PW_NOT_SET", raising=False)
    return values


def settings_without_env_file() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_targets_file_gives_each_establishment_its_accounts_and_passwords(
    tmp_path: Path, passwords: dict[str, str]
) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(GOOD_TARGETS, encoding="utf-8")

    targets = targets_from_file(path, settings_without_env_file())

    assert [t.name for t in targets] == [
        "0310001A Collège Jean Jaurès",
        "0310002B Collège Pierre de Fermat",
    ]
    first, second = targets
    # Defaults are shared; what an establishment sets wins for it alone.
    assert first.ent_url == second.ent_url == "https://ent.example.org/"
    assert first.cas_url == "https://cas.example.org/cas/"
    assert first.identifier_attribute == second.identifier_attribute == "codePronote"
    assert first.shortcut_label == "Pronote" and second.shortcut_label == "PRONOTE Fermat"
    assert second.pronote_url == "https://0310002b.index-education.net/pronote/"
    assert [(a.login, a.profile) for a in first.accounts] == [
        ("test.eleve1", "eleve"),
        ("test.prof1", "professeur"),
    ]
    assert [a.login for a in second.accounts] == ["test.parent2"]
    secrets = {
        a.login: a.password.get_secret_value() for t in targets for a in t.accounts if a.password
    }
    assert secrets == {
        "test.eleve1": passwords["ACADEMIE_PW_ELEVE"],
        "test.prof1": passwords["ACADEMIE_PW_PROF"],
        "test.parent2": passwords["ACADEMIE_PW_PARENT"],
    }
    assert {a.establishment for a in second.accounts} == {second.name}


def test_targets_example_file_reads_with_its_password_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    example = ROOT / "targets.example.toml"
    names = set(re.findall(r'password_env = "(\w+)"', example.read_text(encoding="utf-8")))
    for name in names:
        monkeypatch.setenv(name, f"secret-{name}")

    targets = targets_from_file(example, settings_without_env_file())

    assert names and len(targets) >= 2
    assert sum(len(t.accounts) for t in targets) == len(names)


@pytest.mark.parametrize("case", sorted(BROKEN_TARGETS))
def test_targets_file_error_names_the_file_and_the_establishment(
    tmp_path: Path, passwords: dict[str, str], case: str
) -> None:
    second, expected = BROKEN_TARGETS[case]
    path = tmp_path / f"{case}.toml"
    # The first establishment is fine: the message must point at the second one.
    good_first = GOOD_TARGETS.split('[[establishments]]\nuai = "0310002B"')[0]
    path.write_text(good_first + second, encoding="utf-8")

    with pytest.raises(TargetsFileError) as error:
        targets_from_file(path, settings_without_env_file())

    message = str(error.value)
    assert str(path) in message
    assert "établissement n°2" in message
    assert "0310001A" not in message
    for fragment in expected:
        assert fragment in message


@pytest.mark.parametrize(
    ("case", "text", "expected"),
    [
        ("no_establishments", '[defaults]\nent_url = "https://ent.example.org/"\n', "aucune"),
        ("broken_toml", '[[establishments]]\nuai = "0310001A\n', "TOML invalide"),
    ],
    ids=["no_establishments", "broken_toml"],
)
def test_targets_file_error_names_the_file(
    tmp_path: Path, case: str, text: str, expected: str
) -> None:
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(TargetsFileError) as error:
        targets_from_file(path, settings_without_env_file())

    assert str(path) in str(error.value)
    assert expected in str(error.value)


# -- targets file: whole runs ---------------------------------------------------------------
def write_targets(
    path: Path, lab: LabClient, chosen: list[LabAccount], pronote_urls: list[str]
) -> dict[str, str]:
    """A targets file for *lab*, one establishment per URL; returns the password variables."""
    env: dict[str, str] = {}
    lines = [
        "[defaults]",
        f'ent_url = "{lab.info["ent"]}"',
        f'cas_url = "{lab.info["cas"]}"',
        f'identifier_attribute = "{lab.info["identifier_attribute"]}"',
    ]
    for n, (site, url) in enumerate(zip(lab.info["establishments"], pronote_urls, strict=True)):
        lines += [
            "",
            "[[establishments]]",
            f'uai = "{site["uai"]}"',
            f'name = "{site["name"]}"',
            f'pronote_url = "{url}"',
        ]
        for account in (a for a in chosen if a.uai == site["uai"]):
            variable = f"PW_{site['uai']}_{account.profile.upper()}_{n}"
            env[variable] = account.password
            lines += [
                "  [[establishments.accounts]]",
                f'  login = "{account.login}"',
                f'  profile = "{account.profile}"',
                f'  password_env = "{variable}"',
            ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return env


def site_names(lab: LabClient) -> list[str]:
    return [f"{s['uai']} {s['name']}" for s in lab.info["establishments"]]


def test_targets_file_run_checks_each_establishment_and_groups_the_summary(
    fresh_lab: LabClient, tmp_path: Path
) -> None:
    # Given one student in each of the lab's two establishments, in a targets file
    chosen = [accounts_of(fresh_lab, site, "eleve")[0] for site in (0, 1)]
    targets = tmp_path / "targets.toml"
    env = write_targets(
        targets, fresh_lab, chosen, [s["pronote"] for s in fresh_lab.info["establishments"]]
    )
    env["VERIFIER_TARGETS_FILE"] = str(targets)

    # When the verifier runs on it
    run, summary = run_e2e(tmp_path, "-k", "first_connection", env=env)

    # Then both establishments pass, each account with its own Id. CAS
    assert run.returncode == 0, tail(run)
    names = site_names(fresh_lab)
    assert run.stdout.splitlines()[0] == f"Cible : 2 établissement(s) de {targets}"
    assert sorted(s["target"] for s in summary) == sorted(names)
    assert all(s["outcome"] == "passed" and s["diagnosis"] is None for s in summary)
    assert {s["account"]: s["cas_user"] for s in summary} == {a.login: a.uid for a in chosen}
    # and the console summary has one header per establishment, its account under it.
    groups = console_groups(run.stdout)
    assert list(groups) == [f"{name} : 1/1 compte(s) OK" for name in names]
    for account, lines in zip(chosen, groups.values(), strict=True):
        assert len(lines) == 1 and account.login in lines[0] and lines[0].startswith("OK")


def test_targets_file_broken_establishment_fails_alone_with_a_diagnosis(
    fresh_lab: LabClient, tmp_path: Path
) -> None:
    # Given a targets file whose second establishment's PRONOTE.net is a closed port
    # (lab faults would hit every establishment of the lab)
    chosen = [accounts_of(fresh_lab, site, "eleve")[0] for site in (0, 1)]
    urls = [
        fresh_lab.info["establishments"][0]["pronote"],
        f"http://127.0.0.1:{free_port()}/pronote/",
    ]
    targets = tmp_path / "targets.toml"
    env = write_targets(targets, fresh_lab, chosen, urls)
    env["VERIFIER_TARGETS_FILE"] = str(targets)

    run, summary = run_e2e(tmp_path, env=env)

    assert run.returncode == 1, tail(run)
    healthy, broken = site_names(fresh_lab)
    by_target = {s["target"]: s for s in summary}
    assert set(by_target) == {healthy, broken}
    assert by_target[healthy]["outcome"] == "passed", tail(run)
    assert by_target[healthy]["cas_user"] == chosen[0].uid
    assert by_target[broken]["outcome"] == "failed", tail(run)
    assert by_target[broken]["diagnosis"] in CATALOGUE
    assert by_target[broken]["diagnosis"] in run.stdout
    groups = console_groups(run.stdout)
    assert list(groups) == [f"{healthy} : 1/1 compte(s) OK", f"{broken} : 0/1 compte(s) OK"]


# -- pytest-xdist ----------------------------------------------------------------------------
def test_xdist_twenty_accounts_each_record_their_own_id_cas(
    fresh_lab: LabClient, tmp_path: Path
) -> None:
    # Given the twenty local accounts of one establishment, checked by two workers
    chosen = [a for a in accounts_of(fresh_lab, 0) if a.route == "local"]
    assert len(chosen) == 20

    run, summary = run_e2e(
        tmp_path, "-n", "2", "-k", "first_connection", env=site_env(fresh_lab, chosen)
    )

    assert run.returncode == 0, tail(run)
    assert len(summary) == 20
    assert all(s["outcome"] == "passed" for s in summary), tail(run)
    recorded = {s["account"]: s["cas_user"] for s in summary}
    assert len(set(recorded.values())) == 20
    # No cross-talk: each account's Id. CAS is its own uid, and PRONOTE stored that very one.
    assert recorded == {a.login: a.uid for a in chosen}
    stored = {u["login"]: u["id_cas"] for u in fresh_lab.pronote_users(chosen[0].uai)}
    assert {login: stored[login] for login in recorded} == recorded


def test_xdist_auto_started_lab_starts_once_for_every_worker(tmp_path: Path) -> None:
    # Accounts as the lab reports them: ÉduConnect ones by their ÉduConnect login.
    demo = {(p.educonnect_login or p.login): p for p in build_directory() if not p.admin}

    run, summary = run_e2e(tmp_path, "-n", "2", "-k", "first_connection")

    assert run.returncode == 0, tail(run)
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Cible : le lab"), run.stdout[:500]
    assert sum(line.startswith("Cible :") for line in lines) == 1
    assert sorted(s["account"] for s in summary) == sorted(demo)
    assert all(s["outcome"] == "passed" for s in summary), tail(run)
    assert {s["account"]: s["cas_user"] for s in summary} == {
        login: person.uid for login, person in demo.items()
    }
    # Both workers reached the controller's lab: every journey ended on its PRONOTE.net.
    pronote = allure_environment(tmp_path / "allure-results")["PRONOTE.net (CAS)"]
    assert {urlsplit(s["final_url"]).netloc for s in summary} == {urlsplit(pronote).netloc}


# -- a remote browser server ----------------------------------------------------------------
@pytest.fixture
def browser_server(tmp_path: Path) -> Iterator[str]:
    """`playwright launch-server` with Debian's Chromium; yields its ws endpoint."""
    if not DEBIAN_CHROMIUM.exists():
        pytest.skip(f"{DEBIAN_CHROMIUM} absent: no browser for the server")
    port = free_port()
    config = tmp_path / "launch-server.json"
    config.write_text(
        json.dumps(
            {
                "headless": True,
                "executablePath": str(DEBIAN_CHROMIUM),
                "host": "127.0.0.1",
                "port": port,
                "wsPath": "/pw",
            }
        ),
        encoding="utf-8",
    )
    log = (tmp_path / "launch-server.log").open("w+b")
    command = [sys.executable, "-m", "playwright", "launch-server", "--browser", "chromium"]
    server = subprocess.Popen(
        [*command, "--config", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the driver and Chromium stop with it
    )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                log.seek(0)
                pytest.fail(f"launch-server stopped: {log.read().decode(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"launch-server not listening after {SERVER_START_TIMEOUT_S} s")
                time.sleep(0.1)  # polling a server's start, not a browser flow
        yield f"ws://127.0.0.1:{port}/pw"
    finally:
        with_group_stopped(server)
        log.close()


def with_group_stopped(process: subprocess.Popen) -> None:
    for sig, wait_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def test_remote_browser_server_runs_the_browser_checks(
    fresh_lab: LabClient, browser_server: str, tmp_path: Path
) -> None:
    student = accounts_of(fresh_lab, 0, "eleve")[0]
    parent = accounts_of(fresh_lab, 0, "parent")[0]
    env = site_env(fresh_lab, [student, parent])
    env["VERIFIER_BROWSER_WS_ENDPOINT"] = browser_server

    run, summary = run_e2e(tmp_path, "-k", "first_connection and eleve", env=env)

    assert run.returncode == 0, tail(run)
    assert [(s["account"], s["outcome"], s["mode"]) for s in summary] == [
        (student.login, "passed", "browser")
    ]
    assert summary[0]["cas_user"] == student.uid
    journeys = [r for r in allure_results(tmp_path / "allure-results") if r["status"] == "passed"]
    assert any(a["type"].startswith("image/") for r in journeys for a in attachments(r))


def test_remote_browser_endpoint_down_stops_the_browser_checks(
    fresh_lab: LabClient, tmp_path: Path
) -> None:
    # The endpoint is really used: with no server behind it, no check passes.
    student = accounts_of(fresh_lab, 0, "eleve")[0]
    env = site_env(fresh_lab, [student])
    port = free_port()
    env["VERIFIER_BROWSER_WS_ENDPOINT"] = f"ws://127.0.0.1:{port}/pw"
    env["VERIFIER_TIMEOUT_S"] = "5"

    run, summary = run_e2e(tmp_path, "-k", "first_connection and eleve", env=env)

    assert run.returncode == 1, tail(run)
    assert not any(s["outcome"] == "passed" for s in summary)
    assert f"ECONNREFUSED 127.0.0.1:{port}" in run.stdout, tail(run)
    assert "Navigateur indisponible" in run.stdout and "VERIFIER_BROWSER_WS_ENDPOINT" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


# -- the HTTP probe --------------------------------------------------------------------------
def test_probe_passes_without_starting_a_browser(fresh_lab: LabClient, tmp_path: Path) -> None:
    chosen = accounts_of(fresh_lab, 0)
    # Screenshots and traces asked for: a browser started anyway would leave them behind.
    run, summary = run_e2e(
        tmp_path,
        "--probe",
        "--screenshot",
        "on",
        "--tracing",
        "on",
        env=site_env(fresh_lab, chosen),
    )

    assert run.returncode == 0, tail(run)
    assert sorted(s["account"] for s in summary) == sorted(a.login for a in chosen)
    assert all(s["outcome"] == "passed" and s["mode"] == "probe" for s in summary)
    assert {s["account"]: s["cas_user"] for s in summary} == {a.login: a.uid for a in chosen}
    output = tmp_path / "test-results"
    assert not output.exists() or not any(p.is_file() for p in output.rglob("*"))
    results = tmp_path / "allure-results"
    assert allure_results(results)
    assert not [
        a
        for r in allure_results(results)
        for a in attachments(r)
        if a["type"].startswith(("image/", "video/"))
    ]
    assert not [p.name for p in results.iterdir() if p.suffix in (".png", ".jpg", ".webm", ".zip")]


@pytest.mark.parametrize(
    "fault", ["identifiers_not_imported", "service_not_registered", "wrong_cas_url"]
)
def test_probe_names_the_same_diagnosis_as_the_browser(
    fresh_lab: LabClient, tmp_path: Path, fault: str
) -> None:
    # Given a fault HTTP can see
    fresh_lab.set_faults([fault])
    chosen = accounts_of(fresh_lab, 0, "eleve")
    # When the browser checks run, then the probe (by the setting, not --probe)
    browser, by_browser = run_e2e(
        tmp_path / "browser", "-k", "first_connection", env=site_env(fresh_lab, chosen)
    )
    fresh_lab.set_faults([fault])  # the same state again: nobody linked since
    env = {**site_env(fresh_lab, chosen), "VERIFIER_MODE": "probe"}
    probe, by_probe = run_e2e(tmp_path / "probe", "-k", "first_connection", env=env)
    # Then both fail every account with the same code, the oracle's
    assert browser.returncode == probe.returncode == 1, tail(browser) + tail(probe)
    assert {s["mode"] for s in by_browser} == {"browser"} and {s["mode"] for s in by_probe} == {
        "probe"
    }
    codes = {s["account"]: s["diagnosis"] for s in by_browser}
    assert codes == {s["account"]: s["diagnosis"] for s in by_probe}
    assert set(codes.values()) == {FAULT_CODES[fault]}


def test_sharded_run_merged_equals_one_run(fresh_lab: LabClient, tmp_path: Path) -> None:
    # Given a targets file of three establishments (the lab's two, one twice under another UAI)
    sites = fresh_lab.info["establishments"]
    chosen = [accounts_of(fresh_lab, n, "professeur")[0] for n in (0, 1)]
    targets = tmp_path / "targets.toml"
    env = write_targets(targets, fresh_lab, chosen, [s["pronote"] for s in sites])
    text = targets.read_text(encoding="utf-8")
    third = text[
        text.index("[[establishments]]") : text.index(
            "[[establishments]]", text.index("[[establishments]]") + 1
        )
    ]
    targets.write_text(
        text + "\n" + third.replace(sites[0]["uai"], "0000003Z", 1), encoding="utf-8"
    )
    env["VERIFIER_TARGETS_FILE"] = str(targets)
    # When it runs as one job, and as three shards merged
    one, single = run_e2e(tmp_path / "one", "-k", "first_connection", env=env)
    jobs = []
    for shard in (1, 2, 3):
        fresh_lab.reset()
        run, _ = run_e2e(
            tmp_path / f"shard-{shard}", "-k", "first_connection", "--shard", f"{shard}/3", env=env
        )
        assert run.returncode == 0, tail(run)
        jobs.append(str(tmp_path / f"shard-{shard}"))
    merged = subprocess.run(
        [sys.executable, "-m", "verdict", "merge", str(tmp_path / "merged"), *jobs],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    # Then the merged summary has the same accounts and outcomes as the single job
    assert one.returncode == 0 and merged.returncode == 0, tail(one) + merged.stdout + merged.stderr
    data = json.loads((tmp_path / "merged" / "summary.json").read_text(encoding="utf-8"))

    def comparable(results: list[dict]) -> list[tuple]:
        return [
            (r["target"], r["account"], r["outcome"], r["diagnosis"], r["cas_user"])
            for r in results
        ]

    assert len(single) == 3
    assert comparable(data["results"]) == comparable(single)


@pytest.mark.parametrize(
    ("second_uai", "second_url", "same"),
    [("0310001a", "https://autre.index-education.net/pronote/", "0310001A")],
    ids=["same-uai"],
)
def test_targets_file_refuses_an_establishment_listed_twice_naming_both(
    tmp_path: Path, passwords: dict[str, str], second_uai: str, second_url: str, same: str
) -> None:
    """Listed twice, it would run twice and keep one in summary.json (accounts dropped); one
    PRONOTE.net for two UAIs (a cité scolaire) is allowed."""
    path = tmp_path / "targets.toml"
    path.write_text(
        GOOD_TARGETS
        + f'\n[[establishments]]\nuai = "{second_uai}"\npronote_url = "{second_url}"\n'
        + '  [[establishments.accounts]]\n  login = "x"\n  profile = "eleve"\n'
        + '  password_env = "ACADEMIE_PW_ELEVE"\n',
        encoding="utf-8",
    )
    with pytest.raises(TargetsFileError) as error:
        targets_from_file(path, settings_without_env_file())
    message = str(error.value)
    assert "établissement n°1 (0310001A)" in message and "établissement n°3" in message
    assert same.lower() in message.lower() and "\n" not in message


def test_targets_file_allows_one_pronote_for_two_uais_a_cite_scolaire(
    tmp_path: Path, passwords: dict[str, str]
) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(
        GOOD_TARGETS
        + '\n[[establishments]]\nuai = "0310009Z"\n'
        + 'pronote_url = "https://0310001a.index-education.net/pronote/"\n'
        + '  [[establishments.accounts]]\n  login = "x"\n  profile = "eleve"\n'
        + '  password_env = "ACADEMIE_PW_ELEVE"\n',
        encoding="utf-8",
    )
    assert len(targets_from_file(path, settings_without_env_file())) == 3
