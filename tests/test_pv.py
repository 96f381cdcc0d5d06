"""The PV de recette, read as a person would: pages rendered to PNG, its text, its images.

Inputs are a saved lab run (`tests/fixtures/reports/`: today's `summary.json` and Allure
results of three accounts, one failing with PN-UTILISATEUR-ABSENT-IMPORT, screenshots
shrunk), so these tests do not depend on the e2e checks of the day.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from leaks import ACTION_DELETED, PDF_TEXT_MEMBER, scan_paths, scrub_paths
from pv import build_pvs, main, mask_login
from verdict.record import RUN_END, logins_stopped

FIXTURE = Path(__file__).parent / "fixtures" / "reports"
UAI = "3100001A"
SCREENSHOTS = 9  # three accounts, three step screenshots each, in the fixture


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    shutil.copytree(FIXTURE, folder)
    return folder


def pdf_text(pdf: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", *args, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_images(pdf: Path) -> list[list[str]]:
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [line.split() for line in listing.splitlines()[2:] if line.strip()]


def render_pages(pdf: Path, folder: Path) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(folder / "page")], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(folder.glob("page-*.png"))]


def test_pv_writes_a_pdf_and_a_single_html_file_per_establishment(
    reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--reports", str(reports)]) == 0

    out = capsys.readouterr().out
    assert f"{UAI}.pdf" in out and f"{UAI}.html" in out
    assert sorted(p.name for p in (reports / "pv").iterdir()) == [f"{UAI}.html", f"{UAI}.pdf"]
    html = (reports / "pv" / f"{UAI}.html").read_text(encoding="utf-8")
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert len(sources) == SCREENSHOTS
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r'(src|href)="(?!data:)', html), "the HTML must open alone from disk"


def test_pv_pdf_reads_as_an_acceptance_record(reports: Path, tmp_path: Path) -> None:
    assert main(["--reports", str(reports)]) == 0
    pdf = reports / "pv" / f"{UAI}.pdf"

    text = pdf_text(pdf)
    first_page_top = pdf_text(pdf, "-f", "1", "-l", "1", "-y", "0", "-H", "120", "-W", "600")
    pages = render_pages(pdf, tmp_path)

    assert "Procès-verbal de recette" in first_page_top  # the title, at the top of page 1
    for fact in ("Collège Jean Jaurès", "UAI", UAI, "Date et heure", "Vérificateur", "ENT"):
        assert fact in text
    # The summary table: one row per account, its cells on one line, logins masked.
    rows = [line for line in text.splitlines() if re.search(r"\b[a-z]\*\*\*\.", line)]
    assert any(
        re.search(r"Élèves\s+h\*\*\*\.bernard\s+Non conforme.*NAA30002\s+1,5 s", r) for r in rows
    )
    assert any(re.search(r"Professeurs\s+a\*\*\*\.fournier\s+Conforme\s+NAC30005", r) for r in rows)
    assert "hugo.bernard" not in text and "lea.martin" not in text
    # The failure's diagnosis, in French, with its fix and procedure step.
    assert "PN-UTILISATEUR-ABSENT-IMPORT" in text
    for heading in ("Quoi corriger.", "Étape de la procédure.", "Constaté."):
        assert heading in text
    assert "ticket=ST-…" in text and not re.search(r"ticket=ST-[0-9A-Za-z]", text)
    assert "Vérifications préalables" in text and "CAS joignable" in text
    assert "Vérifié par" in text and "Signature" in text
    assert "Vérifié par" in pdf_text(pdf, "-f", str(len(pages)), "-l", str(len(pages)))
    # One image per step screenshot, at its own size (the fixture's are 320×200).
    images = pdf_images(pdf)
    assert len(images) == SCREENSHOTS
    assert {(row[3], row[4]) for row in images} == {("320", "200")}
    # As a person sees it: pages that are not blank, and a red mark on the failure's page.
    assert all(page.getbbox() is not None for page in pages)
    assert any(_has_colour(page, (198, 40, 40)) for page in pages)


def _has_colour(page: Image.Image, rgb: tuple[int, int, int], tolerance: int = 30) -> bool:
    return any(
        all(abs(c - w) <= tolerance for c, w in zip(pixel, rgb, strict=True))
        for _, pixel in page.getcolors(maxcolors=1 << 20) or []
    )


def test_pv_accents_are_drawn_with_an_embedded_font(reports: Path) -> None:
    assert main(["--reports", str(reports)]) == 0
    fonts = subprocess.run(
        ["pdffonts", str(reports / "pv" / f"{UAI}.pdf")], capture_output=True, text=True, check=True
    ).stdout

    assert "DejaVu" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # embedded
    assert "Établissement" in pdf_text(reports / "pv" / f"{UAI}.pdf")


def test_pv_reads_the_richer_summary_when_the_run_writes_it(reports: Path) -> None:
    records = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    shot = next(p.name for p in (reports / "allure-results").glob("*-attachment.png"))
    for record in records:
        record["steps"] = [
            {"name": "portal", "title": "Portail de l'ENT", "seconds": 0.4, "screenshot": shot}
        ]
        if record["diagnosis"]:
            record["diagnosis_detail"] = {
                "code": record["diagnosis"],
                "title": "Titre venu du run",
                "explanation": "Explication venue du run.",
                "fix": "Correction venue du run.",
                "step": "V import",
            }
    summary = {
        "started_at": "2026-08-27T07:30:00+02:00",
        "verifier_version": "9.9.9",
        "targets": [
            {
                "name": "3100001A Collège Jean Jaurès",
                "uai": UAI,
                "ent_url": "https://ent.example.fr/",
                "cas_url": "https://cas.example.fr/",
                "pronote_url": "https://0310001a.index-education.net/pronote/",
                "preflight": [{"name": "ent_reachable", "title": "ENT joignable", "ok": True}],
            }
        ],
        "identifiers_audit": {
            "source": "export.txt",
            "sections": 1,
            "profiles": [
                {
                    "profile": "Élèves",
                    "users": 5,
                    "invalid_codes": 1,
                    "duplicate_rows": 0,
                    "linked": 2,
                    "unlinked": 3,
                }
            ],
            "totals": {
                "profile": "Total",
                "users": 5,
                "invalid_codes": 1,
                "duplicate_rows": 0,
                "linked": 2,
                "unlinked": 3,
            },
            "invalid_codes": [
                {
                    "line": 4,
                    "profile": "Élèves",
                    "name": "MARTIN Hugo",
                    "reasons": ["15 caractères au lieu de 16"],
                }
            ],
            "duplicates": [],
        },
        "results": records,
    }
    (reports / "summary.json").write_text(json.dumps(summary), encoding="utf-8")

    assert main(["--reports", str(reports)]) == 0
    text = pdf_text(reports / "pv" / f"{UAI}.pdf")

    assert "27 août 2026 à 07:30" in text and "9.9.9" in text
    assert "https://0310001a.index-education.net/pronote/" in text
    assert "Titre venu du run" in text and "Correction venue du run." in text
    assert "Fichier des identifiants PRONOTE" in text and "15 caractères au lieu de 16" in text
    assert "ENT joignable" in text and "CAS joignable" not in text  # the summary's preflight
    assert len(pdf_images(reports / "pv" / f"{UAI}.pdf")) == len(records)


def test_pv_without_allure_results_says_what_is_missing(reports: Path) -> None:
    shutil.rmtree(reports / "allure-results")

    assert main(["--reports", str(reports), "--html-only"]) == 0
    html = (reports / "pv" / f"{UAI}.html").read_text(encoding="utf-8")

    assert "Adresses de l&#39;ENT, du CAS ou de PRONOTE.net absentes" in html
    assert "captures d&#39;écran absentes des résultats : durées seules" in html
    assert "Vérifications préalables absentes" in html
    assert "<img" not in html


def test_pv_lists_accounts_not_verified_apart_and_never_as_failures(reports: Path) -> None:
    """Given a run where two accounts were not verified (logins stopped by a lock, the run's
    end), the PV counts them apart from the failure and lists each with its reason."""
    records = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    target = records[0]["target"]
    stopped = logins_stopped("PN-ENT-COMPTE-VERROUILLE", "hugo.bernard")
    records += [
        {"target": target, "account": "nina.petit", "profile": "parent", "outcome": "skipped",
         "diagnosis": "PN-ENT-COMPTE-VERROUILLE", "state": "non_verifie", "reason": stopped},
        {"target": target, "account": "yves.roux", "profile": "personnel", "outcome": "skipped",
         "state": "non_verifie", "reason": RUN_END},
    ]  # fmt: skip
    (reports / "summary.json").write_text(json.dumps(records), encoding="utf-8")

    assert main(["--reports", str(reports), "--html-only"]) == 0
    page = html.unescape((reports / "pv" / f"{UAI}.html").read_text(encoding="utf-8"))

    verdict_line = page.split('class="verdict', 1)[1].split("</p>", 1)[0]
    counts = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", verdict_line))
    assert "2 compte(s) conforme(s) sur 3 vérifié(s)" in counts
    assert "1 non conforme(s)" in counts and "2 non vérifié(s)" in counts
    apart = page.split('<section class="not-verified">', 1)[1].split("</section>", 1)[0]
    assert "n***.petit" in apart and stopped in apart
    assert "y***.roux" in apart and RUN_END in apart
    assert "h***.bernard" not in apart and "l***.martin" not in apart
    assert page.count("Non conforme") == 2  # hugo's row and his section, no one else's
    assert "nina.petit" not in page


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "introuvable : lancer d'abord les vérifications"),
        ("[{", "JSON invalide"),
        ('"texte"', "une liste de comptes"),
        ("[]", "aucun compte vérifié"),
    ],
    ids=["absent", "tronque", "pas-une-liste", "vide"],
)
def test_pv_bad_summary_is_one_french_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    if content is not None:
        (tmp_path / "summary.json").write_text(content, encoding="utf-8")

    assert main(["--reports", str(tmp_path)]) == 2

    err = capsys.readouterr().err
    assert err.startswith("erreur : ") and expected in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_pv_one_per_establishment(reports: Path) -> None:
    records = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    records[0] = {**records[0], "target": "0310002B Lycée Pierre de Fermat"}
    (reports / "summary.json").write_text(json.dumps(records), encoding="utf-8")

    pvs = build_pvs(reports)

    assert [(pv.uai, len(pv.accounts)) for pv in pvs] == [("0310002B", 1), (UAI, 2)]


@pytest.mark.parametrize(
    ("login", "masked"),
    [
        ("lea.martin", "l***.martin"),
        ("pascal.muller-1-8", "p***.muller-1-8"),
        ("jdupont", "j***t"),
        ("ab", "a***"),
        (".x", ".***"),
    ],
)
def test_mask_login_keeps_first_letter_and_surname(login: str, masked: str) -> None:
    assert mask_login(login) == masked


def test_secrets_scan_reads_the_text_of_the_pdf(reports: Path) -> None:
    # Given a password that ended up in what the PV shows (a diagnosis detail, say)
    password = "Zq9!pv-Secret"
    records = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    failed = next(r for r in records if r["diagnosis"])
    failed["details"] = f"formulaire renvoyé avec {password}"
    (reports / "summary.json").write_text(json.dumps(records), encoding="utf-8")
    assert main(["--reports", str(reports)]) == 0
    pdf = reports / "pv" / f"{UAI}.pdf"
    assert password.encode() not in pdf.read_bytes()  # compressed, re-encoded: bytes miss it

    # When the run's folders are scanned, then the PDF's text gives it away
    hits = scan_paths([reports / "pv"], [password]).hits
    assert {(Path(h.path).name, h.member) for h in hits} >= {
        (f"{UAI}.pdf", PDF_TEXT_MEMBER),
        (f"{UAI}.html", None),
    }
    # and the scrub deletes the PDF (its text cannot be replaced in place)
    scrubbed = scrub_paths([reports / "pv"], [password])
    assert any(h.action == ACTION_DELETED and h.path.endswith(".pdf") for h in scrubbed)
    assert not pdf.exists()


def test_secrets_scan_of_a_clean_pv_finds_nothing_though_it_reads_the_text(
    reports: Path,
) -> None:
    assert main(["--reports", str(reports)]) == 0

    clean = scan_paths([reports / "pv"], ["Zq9!pv-Secret"])
    # Control: a string the PV does show (an Identifiant CAS) is found in the PDF's text.
    control = scan_paths([reports / "pv"], ["NAA30002"])

    assert clean.hits == [] and clean.warnings == []
    assert (f"{UAI}.pdf", PDF_TEXT_MEMBER) in {(Path(h.path).name, h.member) for h in control.hits}
