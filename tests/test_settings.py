"""Settings: every key documented, bad input explained field by field, before any browser."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.settings import Settings, SettingsError, env_file_warning, load_settings
from e2e.settings_errors import field_name, french
from lab.options import LabOptions

ROOT = Path(__file__).resolve().parent.parent
REAL = {
    "VERIFIER_ENT_URL": "https://ent.example.fr/",
    "VERIFIER_CAS_URL": "https://cas.example.fr/",
    "VERIFIER_PRONOTE_URL": "https://0310001a.index-education.net/pronote/",
}


def accounts(*items: dict) -> str:
    return json.dumps(list(items))


def test_settings_default_is_the_lab(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.uses_lab
    assert settings.accounts == []


def test_settings_env_example_documents_every_key() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    keys = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.M))
    for name, field in Settings.model_fields.items():
        key = field.validation_alias if isinstance(field.validation_alias, str) else None
        key = key or f"VERIFIER_{name.upper()}"
        if name in ("locators", "wording", "lab"):  # sections: documented key by key below
            continue
        assert key in keys, f"{key} missing from .env.example"
    for section in ("locators", "wording"):
        for name in Settings.model_fields[section].annotation.model_fields:
            assert f"VERIFIER_{section.upper()}__{name.upper()}" in keys
    for key in LabOptions.env_names():
        assert key in keys, f"{key} missing from .env.example"


def test_settings_environment_wins_over_env_file(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("VERIFIER_SHORTCUT_LABEL=Depuis-env-file\n", encoding="utf-8")
    assert load_settings().shortcut_label == "Depuis-env-file"
    env.setenv("VERIFIER_SHORTCUT_LABEL", "Depuis-environnement")
    assert load_settings().shortcut_label == "Depuis-environnement"


def test_settings_password_from_environment_variable(env: pytest.MonkeyPatch) -> None:
    env.setattr(os, "environ", {**os.environ, **REAL, "SECRET_PW": "s3cret-value"})
    env.setenv(
        "VERIFIER_ACCOUNTS",
        accounts({"login": "a.b", "profile": "élève", "password_env": "SECRET_PW"}),
    )
    settings = load_settings()
    account = settings.accounts[0]
    assert account.profile == "eleve"
    assert account.password is not None and account.password.get_secret_value() == "s3cret-value"
    assert "s3cret-value" not in repr(settings) and "s3cret-value" not in str(account)


def test_settings_password_from_file(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "pw.txt"
    secret.write_text("from-a-file\n", encoding="utf-8")
    for key, value in REAL.items():
        env.setenv(key, value)
    env.setenv(
        "VERIFIER_ACCOUNTS",
        accounts({"login": "p", "profile": "professeur", "password_file": str(secret)}),
    )
    password = load_settings().accounts[0].password
    assert password is not None and password.get_secret_value() == "from-a-file"


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        pytest.param(
            {"VERIFIER_ENT_URL": "https://ent.example.fr/"},
            # Not VERIFIER_CAS_URL: the run discovers it from PRONOTE.net (e2e/zero_config.py).
            ["il faut aussi VERIFIER_PRONOTE_URL, VERIFIER_ACCOUNTS"],
            id="ent-without-the-rest",
        ),
        pytest.param(
            {**REAL, "VERIFIER_CAS_URL": "cas.example.fr"}, ["VERIFIER_CAS_URL"], id="malformed-url"
        ),
        pytest.param(
            {
                **REAL,
                "VERIFIER_ACCOUNTS": accounts(
                    {"login": "x", "profile": "directeur", "password": "p"}
                ),
            },
            ["profil inconnu", "directeur"],
            id="unknown-profile",
        ),
        pytest.param(
            {**REAL, "VERIFIER_ACCOUNTS": accounts({"login": "x", "profile": "parent"})},
            ["compte x", "aucun mot de passe"],
            id="account-without-password",
        ),
        pytest.param(
            {
                **REAL,
                "VERIFIER_ACCOUNTS": accounts(
                    {"login": "x", "profile": "parent", "password_env": "NOPE_UNSET"}
                ),
            },
            ["NOPE_UNSET"],
            id="password-variable-missing",
        ),
        pytest.param(
            {**REAL, "VERIFIER_ACCOUNTS": "[{not json"},
            ["VERIFIER_ACCOUNTS", "JSON"],
            id="accounts-not-json",
        ),
        pytest.param({"VERIFIER_TIMEOUT_S": "-3"}, ["VERIFIER_TIMEOUT_S"], id="negative-timeout"),
        pytest.param(
            {"VERIFIER_TIMEOUT_S": "vingt"},
            ["VERIFIER_TIMEOUT_S : nombre attendu", "« vingt »"],
            id="timeout-not-a-number",
        ),
        pytest.param(
            {**REAL, "VERIFIER_ACCOUNTS": '{"login": "x"}'},
            ["VERIFIER_ACCOUNTS : liste JSON attendue"],
            id="accounts-not-a-list",
        ),
        pytest.param(
            {
                **REAL,
                "VERIFIER_ACCOUNTS": accounts(
                    {"login": "x", "profile": "eleve", "password": "p", "birth_date": "3/4/2010"}
                ),
            },
            [
                "VERIFIER_ACCOUNTS, compte n°1, champ birth_date : date attendue au format AAAA-MM-JJ"
            ],
            id="birth-date-not-iso",
        ),
        pytest.param(
            {**REAL, "VERIFIER_CAS_URL": "ftp://cas.example.fr/"},
            ["VERIFIER_CAS_URL : adresse invalide", "http:// ou https://"],
            id="url-not-http",
        ),
        pytest.param(
            {"VERIFIER_HEADLESS": "bof"}, ["VERIFIER_HEADLESS : true ou false"], id="bool"
        ),
        pytest.param(
            {"LAB_ESTABLISHMENTS": "700"},
            ["LAB_ESTABLISHMENTS : doit valoir de 1 à 600"],
            id="lab-key-as-typed",
        ),
        pytest.param(
            {"LAB_WORDING": "autre"}, ["LAB_WORDING : « autre » inconnu", "alt"], id="lab-choice"
        ),
    ],
)
def test_settings_bad_input_names_the_field(
    env: pytest.MonkeyPatch, variables: dict[str, str], expected: list[str]
) -> None:
    for key, value in variables.items():
        env.setenv(key, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    text = str(caught.value)
    assert text.startswith("Réglages invalides")
    for fragment in expected:
        assert fragment in text
    # pydantic's and json's English never reaches the user.
    for english in ("Input should", "Value error", "Field required", "Expecting", "unable to"):
        assert english not in text


@pytest.mark.parametrize(
    ("loc", "key"),
    [
        (("timeout_s",), "VERIFIER_TIMEOUT_S"),
        (("LAB_LATENCY",), "LAB_LATENCY"),
        (("locators", "space_user_label"), "VERIFIER_LOCATORS__SPACE_USER_LABEL"),
        (("accounts", 1, "login"), "VERIFIER_ACCOUNTS, compte n°2, champ login"),
        (("shortcut_labels", 0), "VERIFIER_SHORTCUT_LABELS[0]"),
        ((), "réglages"),
    ],
)
def test_settings_error_names_the_key_the_user_typed(loc: tuple, key: str) -> None:
    assert field_name(loc) == key


def test_settings_error_never_quotes_a_password_back() -> None:
    line = french(
        {"type": "string_type", "loc": ("accounts", 0, "password"), "msg": "", "input": 12345678}
    )
    assert "12345678" not in line and "VERIFIER_ACCOUNTS, compte n°1, champ password" in line


def test_settings_env_file_readable_by_others_warns(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("VERIFIER_HEADLESS=true\n", encoding="utf-8")
    path.chmod(0o644)
    assert "chmod 600" in (env_file_warning(path) or "")
    path.chmod(0o600)
    assert env_file_warning(path) is None


def test_e2e_bad_settings_stop_before_any_browser(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VERIFIER_")}
    environment.update({"VERIFIER_ENT_URL": "pas-une-url", "VERIFIER_REPORT_DIR": str(tmp_path)})
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "e2e/", "-p", "no:randomly", "-q"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 4, output
    assert "VERIFIER_ENT_URL" in output and "Traceback" not in output
    assert not (tmp_path / "allure-results").exists()


def test_e2e_password_file_readable_by_others_warns_like_env(tmp_path: Path) -> None:
    secret = tmp_path / "pw.txt"
    secret.write_text("un-mot-de-passe", encoding="utf-8")
    secret.chmod(0o644)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VERIFIER_")}
    environment.update(REAL)
    environment["VERIFIER_REPORT_DIR"] = str(tmp_path / "reports")
    environment["VERIFIER_ACCOUNTS"] = accounts(
        {"login": "a.b", "profile": "professeur", "password_file": str(secret)}
    )
    command = [sys.executable, "-m", "pytest", str(ROOT / "e2e"), "--collect-only"]
    run = subprocess.run(
        command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120
    )
    assert f"{secret} est lisible par d'autres utilisateurs" in run.stderr, run.stderr
    secret.chmod(0o600)
    run = subprocess.run(
        command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120
    )
    assert "lisible par d'autres" not in run.stderr and "un-mot-de-passe" not in run.stdout


@pytest.mark.parametrize(
    "proxy",
    ["http://agent:Pr0xy-Secret@proxy.example:99999", "http://agent:Pr0xy-Secret@[::1"],
    ids=["impossible-port", "unparsable"],
)
def test_e2e_bad_proxy_url_is_one_settings_line(tmp_path: Path, proxy: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VERIFIER_")}
    environment.update({"VERIFIER_PROXY": proxy, "VERIFIER_REPORT_DIR": str(tmp_path)})
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "e2e"), "-q"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 4, output[-2000:]
    assert "VERIFIER_PROXY : adresse de proxy invalide" in output
    assert "Traceback" not in output and "Pr0xy-Secret" not in output
