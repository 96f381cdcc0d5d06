"""The PRONOTE identifiers file: parsing, audit, comparison, lookup and the CLI."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from audit import (
    AUDIT_HEADINGS,
    COMPARISON_HEADINGS,
    ERROR_BINARY,
    ERROR_EMPTY,
    ERROR_NOT_AN_EXPORT,
    ERROR_UNKNOWN_COLUMNS,
    ERROR_UNKNOWN_DELIMITER,
    PROBLEM_PROFILE_TRUNCATED,
    PROBLEM_PROFILE_UNKNOWN,
    PROBLEM_ROW_OUTSIDE_SECTION,
    PROBLEM_ROW_TOO_MANY_CELLS,
    PROBLEM_ROW_UNREADABLE,
    PROBLEM_ROW_WITHOUT_CODE,
    IdentifiersFile,
    IdentifiersFileError,
    audit,
    audit_to_dict,
    code_defects,
    compare,
    comparison_to_dict,
    format_audit,
    format_comparison,
    lookup,
    parse_identifiers,
)
from verdict.__main__ import main

ROOT = Path(__file__).resolve().parents[1]

FIXTURES = ROOT / "tests" / "fixtures" / "identifiers"
SEED = ROOT.parent / "shared" / "seed" / "pronote-ent-cas-procedure.txt"
HEADER = "\tIdentifiant PRONOTE\tIdentifiant CAS"
CODE_A = "AZKH9C7WSQ2R54DP"
CODE_B = "FEH85K9JNUCASD2M"


def load(name: str) -> IdentifiersFile:
    path = FIXTURES / name
    return parse_identifiers(path.read_bytes(), source=str(path))


def parse_text(text: str) -> IdentifiersFile:
    return parse_identifiers(text.encode("utf-8"))


def summary(f: IdentifiersFile) -> list[tuple[str, str, str, str]]:
    return [(r.profile, r.name, r.pronote_id, r.cas_id) for r in f.rows()]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "verdict", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- fixtures


def test_fixtures_match_their_generator() -> None:
    for name, data in generator().fixtures().items():
        assert (FIXTURES / name).read_bytes() == data, f"{name}: run make_fixtures.py"


@pytest.mark.skipif(not SEED.exists(), reason="shared/seed is not beside this checkout")
def test_fixtures_seed_sample_is_the_end_of_the_seed() -> None:
    seed = SEED.read_bytes()
    sample = seed[seed.rindex(b"\nsseurs\t") + 1 :]
    assert (FIXTURES / "seed_sample.txt").read_bytes() == sample


# --------------------------------------------------------------------------- parsing


def test_parse_seed_sample_recognises_truncated_profile() -> None:
    f = load("seed_sample.txt")

    assert [s.profile for s in f.sections] == ["Professeurs"]
    assert f.sections[0].header_line == 1
    assert (f.problems[0].line, f.problems[0].code) == (1, PROBLEM_PROFILE_TRUNCATED)
    assert "« sseurs »" in f.problems[0].message


def test_parse_seed_sample_reports_damaged_row_and_keeps_the_others() -> None:
    f = load("seed_sample.txt")

    assert [(p.line, p.code) for p in f.problems[1:]] == [(2, PROBLEM_ROW_WITHOUT_CODE)]
    assert [r.line_no for r in f.rows()] == [3, 4, 5, 6, 7, 8, 9]
    assert f.sections[0].rows[0].pronote_id == "0.71/1.00.7\\0/COODE4DD"
    assert lookup(f, pronote_id="3KEUXDWC957JMQVR") is not None
    assert (f.encoding, f.delimiter) == ("utf-8", "\t")


def test_parse_clean_export_reads_windows_1252_crlf() -> None:
    f = load("clean_cp1252_crlf.txt")

    assert (f.encoding, f.delimiter, f.problems) == ("cp1252", "\t", [])
    assert [s.profile for s in f.sections] == [
        "Élèves",
        "Responsables",
        "Professeurs",
        "Personnels",
    ]
    assert [s.header_line for s in f.sections] == [1, 8, 14, 19]
    first = f.sections[0].rows[0]
    assert (first.line_no, first.name, first.cas_id) == (2, "DUPONT Léa", "")
    assert f.sections[0].rows[4].name == "LEFÈVRE Zoé"
    assert all("\r" not in r.cas_id and "\r" not in r.pronote_id for r in f.rows())


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter"),
    [
        ("clean_utf8_bom.txt", "utf-8-sig", "\t"),
        ("clean_semicolon.csv", "utf-8", ";"),
    ],
    ids=["utf8-with-bom", "semicolon-with-quoted-names"],
)
def test_parse_variants_read_the_same_rows_as_the_clean_export(
    name: str, encoding: str, delimiter: str
) -> None:
    variant = load(name)

    assert (variant.encoding, variant.delimiter, variant.problems) == (encoding, delimiter, [])
    assert summary(variant) == summary(load("clean_cp1252_crlf.txt"))


def test_parse_utf16_export_is_read_not_called_binary() -> None:
    text = (FIXTURES / "clean_cp1252_crlf.txt").read_bytes().decode("cp1252")

    f = parse_identifiers(text.encode("utf-16"))

    assert f.encoding == "utf-16"
    assert summary(f) == summary(load("clean_cp1252_crlf.txt"))


@pytest.mark.parametrize(
    ("header", "profile"),
    [
        ("Elèves", "Élèves"),
        ("ÉLÈVES", "Élèves"),
        ("Eleves", "Élèves"),
        ("Elève", "Élèves"),
        ("Responsables", "Responsables"),
        ("Professeurs", "Professeurs"),
        ("Personnels", "Personnels"),
        ("sseurs", "Professeurs"),
        ("nnels", "Personnels"),
        ("es", "inconnu"),
        ("bles", "Responsables"),
        ("Tuteurs", "inconnu"),
        ("", "inconnu"),
    ],
    ids=[
        "stand-in-spelling",
        "upper-case",
        "no-accents",
        "singular",
        "parents",
        "teachers",
        "staff",
        "truncated-teachers",
        "truncated-staff",
        "ambiguous-suffix",
        "truncated-parents",
        "other-profile",
        "missing",
    ],
)
def test_parse_section_profile_is_recognised(header: str, profile: str) -> None:
    f = parse_text(f"{header}{HEADER}\nDUPONT Léa\t{CODE_A}\t\n")

    assert f.sections[0].profile == profile
    assert f.sections[0].rows[0].profile == profile


def test_parse_unrecognised_profile_is_reported() -> None:
    f = parse_text(f"Tuteurs{HEADER}\nDUPONT Léa\t{CODE_A}\t\n")

    assert [(p.line, p.code) for p in f.problems] == [(1, PROBLEM_PROFILE_UNKNOWN)]


def test_parse_damaged_rows_are_reported_with_their_line() -> None:
    text = (
        f"DUPONT Léa\t{CODE_A}\t\n"
        f"Elèves{HEADER}\n"
        f"MARTIN Hugo\t{CODE_B}\tNAA30191\n"
        "BERNARD Chloé sans tabulation\n"
        f"PETIT Noé\t{CODE_A}\tNAB11802\t3A\n"
        "\t\tNAC33466\n"
    )

    f = parse_text(text)

    assert [(p.line, p.code) for p in f.problems] == [
        (1, PROBLEM_ROW_OUTSIDE_SECTION),
        (4, PROBLEM_ROW_UNREADABLE),
        (5, PROBLEM_ROW_TOO_MANY_CELLS),
        (6, PROBLEM_ROW_WITHOUT_CODE),
    ]
    assert [r.name for r in f.rows()] == ["MARTIN Hugo"]


def test_parse_padding_cells_and_missing_cas_cell_are_accepted() -> None:
    f = parse_text(f"Elèves{HEADER}\t\t\nDUPONT Léa\t{CODE_A}\t\t\t\nMARTIN Hugo\t{CODE_B}\n")

    assert f.problems == []
    assert summary(f) == [
        ("Élèves", "DUPONT Léa", CODE_A, ""),
        ("Élèves", "MARTIN Hugo", CODE_B, ""),
    ]


def test_parse_lines_of_only_delimiters_separate_sections() -> None:
    f = parse_text(f"Elèves{HEADER}\nDUPONT Léa\t{CODE_A}\t\n\t\t\nProfesseurs{HEADER}\n")

    assert [s.profile for s in f.sections] == ["Élèves", "Professeurs"]
    assert f.problems == []


@pytest.mark.parametrize(
    ("name", "code", "line", "fragment"),
    [
        ("bad_empty.txt", ERROR_EMPTY, None, "vide"),
        ("bad_binary.xlsx", ERROR_BINARY, 1, "archive ZIP"),
        ("bad_not_an_export.csv", ERROR_NOT_AN_EXPORT, 1, "« Nom;Prénom;Classe »"),
    ],
    ids=["empty", "excel-workbook", "other-csv"],
)
def test_parse_bad_file_raises_with_code_and_line(
    name: str, code: str, line: int | None, fragment: str
) -> None:
    with pytest.raises(IdentifiersFileError) as caught:
        load(name)

    assert (caught.value.code, caught.value.line) == (code, line)
    assert fragment in str(caught.value)
    assert caught.value.source.endswith(name)


def test_parse_other_csv_message_says_what_is_expected() -> None:
    with pytest.raises(IdentifiersFileError) as caught:
        parse_identifiers("Nom;Prénom\r\nDUPONT;Léa\r\n".encode("cp1252"))

    assert str(caught.value) == (
        "Ligne 1 : colonnes inattendues « Nom;Prénom » : ce fichier n'est pas un export "
        "des identifiants PRONOTE (colonnes attendues « Identifiant PRONOTE » et "
        "« Identifiant CAS »)."
    )


def test_parse_plain_text_is_not_an_export() -> None:
    with pytest.raises(IdentifiersFileError) as caught:
        parse_text("\n\nBonjour,\nvoici le fichier demandé.\n")

    assert (caught.value.code, caught.value.line) == (ERROR_NOT_AN_EXPORT, 3)
    assert "aucune ligne d'en-tête" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (f"Elèves{HEADER}\tClasse\n", 1, "« Classe »"),
        ("Elèves\tIdentifiant CAS\tIdentifiant PRONOTE\n", 1, "dans cet ordre"),
        (f"Elèves{HEADER}\nDUPONT Léa\t{CODE_A}\t\n\nProfesseurs{HEADER}\tMatière\n", 4, "Matière"),
    ],
    ids=["extra-column", "swapped-columns", "later-section"],
)
def test_parse_unknown_columns_raise_at_their_header(text: str, line: int, fragment: str) -> None:
    with pytest.raises(IdentifiersFileError) as caught:
        parse_text(text)

    assert (caught.value.code, caught.value.line) == (ERROR_UNKNOWN_COLUMNS, line)
    assert str(caught.value).startswith(f"Ligne {line} : colonnes inattendues")
    assert fragment in str(caught.value)


def test_parse_comma_separated_header_raises_unknown_delimiter() -> None:
    with pytest.raises(IdentifiersFileError) as caught:
        parse_text("Elèves,Identifiant PRONOTE,Identifiant CAS\n")

    assert (caught.value.code, caught.value.line) == (ERROR_UNKNOWN_DELIMITER, 1)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", ERROR_EMPTY),
        (b"\r\n \r\n\t\r\n", ERROR_EMPTY),
        (b"\xef\xbb\xbf", ERROR_EMPTY),
        (b"Elev\x00es", ERROR_BINARY),
        (bytes(range(1, 256)) * 4, ERROR_BINARY),
    ],
    ids=["no-bytes", "blank-lines", "bom-only", "nul-byte", "control-characters"],
)
def test_parse_non_text_raises(data: bytes, code: str) -> None:
    with pytest.raises(IdentifiersFileError) as caught:
        parse_identifiers(data)

    assert caught.value.code == code


# --------------------------------------------------------------------------- audit


@pytest.mark.parametrize(
    ("code", "defects"),
    [
        (CODE_A, []),
        (CODE_A[:15], ["15 caractères au lieu de 16"]),
        (CODE_A.lower(), ["minuscules"]),
        ("AZKH9C7W-Q2R54DP", ["caractères non autorisés « - » (attendu A-Z et 0-9)"]),
        (
            "AZKH9C7WSQ2R54DPÉ",
            ["17 caractères au lieu de 16", "caractères non autorisés « É » (attendu A-Z et 0-9)"],
        ),
    ],
    ids=["valid", "short", "lowercase", "hyphen", "long-with-accent"],
)
def test_code_defects_names_what_is_wrong(code: str, defects: list[str]) -> None:
    assert code_defects(code) == defects


def test_audit_clean_export_counts_users_per_profile() -> None:
    result = audit(load("clean_cp1252_crlf.txt"))

    assert [(p.profile, p.users, p.linked, p.unlinked) for p in result.profiles] == [
        ("Élèves", 5, 2, 3),
        ("Responsables", 4, 2, 2),
        ("Professeurs", 3, 2, 1),
        ("Personnels", 2, 1, 1),
    ]
    assert (result.totals.users, result.totals.invalid_codes, result.totals.duplicate_rows) == (
        14,
        0,
        0,
    )
    assert (result.invalid_codes, result.duplicates, result.problems) == ((), (), ())


def test_audit_flags_short_lowercase_and_foreign_codes_with_lines() -> None:
    result = audit(load("duplicates_invalid.txt"))

    assert [(i.row.line_no, i.row.name) for i in result.invalid_codes] == [
        (4, "MARTIN Hugo"),
        (5, "BERNARD Chloé"),
        (6, "PETIT Noé"),
        (12, "BLANC Inès"),
    ]
    assert result.invalid_codes[1].reasons == ("minuscules",)
    assert {p.profile: p.invalid_codes for p in result.profiles} == {
        "Élèves": 3,
        "Professeurs": 1,
        "Personnels": 0,
    }


def test_audit_finds_duplicates_across_the_whole_file() -> None:
    result = audit(load("duplicates_invalid.txt"))

    groups = [[(r.line_no, r.profile) for r in d.rows] for d in result.duplicates]
    assert groups == [
        [(2, "Élèves"), (3, "Élèves"), (9, "Professeurs")],
        [(11, "Professeurs"), (15, "Personnels")],
    ]
    assert {p.profile: p.duplicate_rows for p in result.profiles} == {
        "Élèves": 2,
        "Professeurs": 2,
        "Personnels": 1,
    }


def test_audit_totals_are_the_sum_of_the_profiles() -> None:
    result = audit(load("duplicates_invalid.txt"))

    for field in ("users", "invalid_codes", "duplicate_rows", "linked", "unlinked"):
        assert getattr(result.totals, field) == sum(getattr(p, field) for p in result.profiles)
    assert result.totals.users == result.totals.linked + result.totals.unlinked == 10


def test_audit_seed_sample_counts_the_garbled_code_as_invalid() -> None:
    result = audit(load("seed_sample.txt"))

    teachers = result.profiles[0]
    assert (teachers.profile, teachers.users, teachers.invalid_codes) == ("Professeurs", 7, 1)
    assert (teachers.linked, teachers.unlinked) == (3, 4)
    assert [i.row.line_no for i in result.invalid_codes] == [3]
    assert [p.line for p in result.problems] == [1, 2]


# --------------------------------------------------------------------------- compare


def test_compare_lists_cas_ids_generated_in_between() -> None:
    c = compare(load("compare_old.txt"), load("compare_new.txt"))

    assert [(g.profile, g.name, g.new_cas_id, g.new_line) for g in c.generated] == [
        ("Élèves", "DUPONT Léa", "NAA30750", 2),
        ("Professeurs", "GARCIA Hélène", "NAD20101", 8),
    ]
    assert all(g.old_cas_id == "" for g in c.generated)


def test_compare_reports_a_cas_id_that_changed() -> None:
    c = compare(load("compare_old.txt"), load("compare_new.txt"))

    assert [(x.name, x.old_cas_id, x.new_cas_id) for x in c.changed] == [
        ("ROUX Jérôme", "NAD20014", "NAD20999")
    ]


def test_compare_lists_codes_that_appeared_or_disappeared() -> None:
    c = compare(load("compare_old.txt"), load("compare_new.txt"))

    assert [r.name for r in c.appeared] == ["BLANC Inès", "SIMON Camille"]
    assert [r.name for r in c.disappeared] == ["PETIT Noé"]


def test_compare_unlinked_are_the_new_rows_without_cas_id() -> None:
    c = compare(load("compare_old.txt"), load("compare_new.txt"))

    assert [r.name for r in c.unlinked] == ["BERNARD Chloé", "BLANC Inès", "FAURE Cécile"]


def test_compare_same_export_twice_finds_no_change() -> None:
    f = load("clean_cp1252_crlf.txt")

    c = compare(f, f)

    assert (c.generated, c.changed, c.appeared, c.disappeared) == ((), (), (), ())
    assert len(c.unlinked) == audit(f).totals.unlinked


# --------------------------------------------------------------------------- text and JSON


def test_format_audit_shows_the_french_table() -> None:
    text = format_audit(audit(load("clean_cp1252_crlf.txt")))

    lines = text.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("Profil "))
    assert [c.strip() for c in lines[heading].split("|")] == list(AUDIT_HEADINGS)
    total = next(line for line in lines if line.startswith("Total "))
    assert [c.strip() for c in total.split("|")] == ["Total", "14", "0", "0", "7", "7"]
    assert "Encodage : cp1252 ; séparateur : tabulation" in text


def test_format_audit_details_name_the_lines_of_each_problem() -> None:
    text = format_audit(audit(load("duplicates_invalid.txt")))

    assert "ligne 4 (Élèves, MARTIN Hugo) : « " in text
    assert "15 caractères au lieu de 16" in text
    assert "lignes 11 (Professeurs, ROUX Jérôme), 15 (Personnels, ROUX Jérôme)" in text


def test_format_audit_seed_sample_lists_damaged_lines() -> None:
    text = format_audit(audit(load("seed_sample.txt")))

    assert "Lignes endommagées (2) :" in text
    assert "Ligne 1 : profil tronqué « sseurs » reconnu comme « Professeurs »." in text
    assert "ligne 3 (Professeurs, (sans nom))" in text


def test_format_audit_caps_long_detail_lists() -> None:
    text = format_audit(audit(load("duplicates_invalid.txt")), max_details=1)

    assert "Codes invalides (4) :" in text
    assert "… et 3 autres" in text
    assert "ligne 5 (Élèves" not in text


def test_format_comparison_shows_table_and_generated_ids() -> None:
    text = format_comparison(compare(load("compare_old.txt"), load("compare_new.txt")))

    lines = text.splitlines()
    heading = next(line for line in lines if line.startswith("Profil "))
    assert [c.strip() for c in heading.split("|")] == list(COMPARISON_HEADINGS)
    total = next(line for line in lines if line.startswith("Total "))
    assert [c.strip() for c in total.split("|")] == ["Total", "2", "1", "3", "2", "1"]
    assert "(Élèves, DUPONT Léa) : « " in text and "(vide) -> NAA30750" in text


def test_audit_to_dict_round_trips_through_json() -> None:
    data = json.loads(json.dumps(audit_to_dict(audit(load("duplicates_invalid.txt")))))

    assert data["totals"]["users"] == 10
    assert [d["pronote_id"] for d in data["duplicates"]] == [
        d.code for d in audit(load("duplicates_invalid.txt")).duplicates
    ]
    assert data["invalid_codes"][0]["line"] == 4
    assert data["delimiter"] == "\t"


def test_comparison_to_dict_round_trips_through_json() -> None:
    c = compare(load("compare_old.txt"), load("compare_new.txt"))

    data = json.loads(json.dumps(comparison_to_dict(c)))

    assert data["totals"] == {
        "generated": 2,
        "changed": 1,
        "unlinked": 3,
        "appeared": 2,
        "disappeared": 1,
    }
    assert [p["profile"] for p in data["profiles"]] == ["Élèves", "Professeurs"]
    assert data["generated"][0]["new_cas_id"] == "NAA30750"


# --------------------------------------------------------------------------- lookup


def test_lookup_by_name_ignores_case_and_spacing() -> None:
    row = lookup(load("clean_cp1252_crlf.txt"), name="  garcia   hélène ")

    assert row is not None
    assert (row.profile, row.cas_id, row.line_no) == ("Professeurs", "NAA30622", 15)


def test_lookup_by_identifiers_needs_every_criterion_to_match() -> None:
    f = load("seed_sample.txt")

    assert lookup(f, cas_id="NAC33466") == lookup(f, pronote_id="KQS98RPC4FNVAZU7")
    assert lookup(f, pronote_id="KQS98RPC4FNVAZU7", cas_id="NAC33466") is not None
    assert lookup(f, pronote_id="KQS98RPC4FNVAZU7", cas_id="NAA30191") is None


def test_lookup_returns_none_for_an_unknown_account() -> None:
    assert lookup(load("clean_cp1252_crlf.txt"), name="INCONNU Personne") is None


def test_lookup_without_criteria_raises() -> None:
    with pytest.raises(ValueError, match="needs"):
        lookup(load("clean_cp1252_crlf.txt"))


# --------------------------------------------------------------------------- CLI


def test_cli_audit_prints_the_table_and_exits_zero() -> None:
    result = run_cli("audit", str(FIXTURES / "duplicates_invalid.txt"))

    assert result.returncode == 0, result.stderr
    assert "Codes invalides (4) :" in result.stdout
    assert result.stdout.splitlines()[0].endswith("duplicates_invalid.txt")
    assert result.stderr == ""


def test_cli_audit_json_parses() -> None:
    result = run_cli("audit", str(FIXTURES / "seed_sample.txt"), "--json")

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["profiles"][0]["profile"] == "Professeurs"
    assert [p["line"] for p in data["problems"]] == [1, 2]


def test_cli_audit_of_two_files_compares_them() -> None:
    old, new = str(FIXTURES / "compare_old.txt"), str(FIXTURES / "compare_new.txt")

    text = run_cli("audit", old, new)
    as_json = run_cli("audit", old, new, "--json")

    assert (text.returncode, as_json.returncode) == (0, 0)
    assert "Id. CAS générés depuis l'ancien fichier (2) :" in text.stdout
    assert json.loads(as_json.stdout)["totals"]["generated"] == 2


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("absent.txt", "fichier introuvable"),
        (".", "c'est un dossier"),
        ("bad_empty.txt", "Le fichier est vide"),
        ("bad_binary.xlsx", "Ligne 1 : contenu binaire"),
        ("bad_not_an_export.csv", "Ligne 1 : colonnes inattendues"),
    ],
    ids=["missing-file", "directory", "empty", "binary", "not-an-export"],
)
def test_cli_bad_input_exits_2_with_one_french_line(name: str, fragment: str) -> None:
    path = str(FIXTURES / name)

    result = run_cli("audit", path)

    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"erreur : {path} : ")
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_bad_new_file_of_a_comparison_is_named() -> None:
    new = str(FIXTURES / "bad_not_an_export.csv")

    result = run_cli("audit", str(FIXTURES / "compare_old.txt"), new)

    assert result.returncode == 2
    assert result.stderr.startswith(f"erreur : {new} : Ligne 1 :")


def test_cli_without_a_command_exits_2() -> None:
    result = run_cli()

    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_main_returns_2_in_process_for_a_missing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["audit", str(tmp_path / "absent.txt")])

    assert code == 2
    assert "fichier introuvable" in capsys.readouterr().err
