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
        if name in ("locators", "wording"):  # sections: documented field by field below
            continue
        assert key in keys, f"{key} missing from .env.example"
    for section in ("locators", "wording"):
        for name in Settings.model_fields[section].annotation.model_fields:
            assert f"VERIFIER_{section.upper()}__{name.upper()}" in keys


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
            ["VERIFIER_CAS_URL", "VERIFIER_PRONOTE_URL", "VERIFIER_ACCOUNTS"],
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
