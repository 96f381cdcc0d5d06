"""Writing each PV: HTML from the Jinja2 template, PDF from that HTML by WeasyPrint."""

from __future__ import annotations

from pathlib import Path

from pv.build import build_pvs
from pv.model import Pv, PvError

TEMPLATES = Path(__file__).parent / "templates"


def render_html(pv: Pv) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
    )
    env.filters["seconds"] = lambda v: "—" if v is None else f"{float(v):.1f} s".replace(".", ",")
    css = (TEMPLATES / "pv.css").read_text(encoding="utf-8")
    return env.get_template("pv.html").render(pv=pv, css=css)


def write_pvs(reports: Path, out: Path | None = None, *, pdf: bool = True) -> list[Path]:
    """Write `<out>/<UAI>.html` and `.pdf` for each establishment; return the files written."""
    out = out or reports / "pv"
    pvs = build_pvs(reports)
    if not pvs:
        raise PvError(f"{reports / 'summary.json'} : aucun compte vérifié, pas de PV à écrire.")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for pv in pvs:
        page = render_html(pv)
        html_path = out / f"{pv.uai}.html"
        html_path.write_text(page, encoding="utf-8")
        written.append(html_path)
        if pdf:
            written.append(_write_pdf(page, out / f"{pv.uai}.pdf"))
    return written


def _write_pdf(page: str, path: Path) -> Path:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: pango missing from the system
        raise PvError(
            "PDF impossible : WeasyPrint ou ses bibliothèques système manquent "
            f"({exc.__class__.__name__}) : pip install weasyprint, et sous Debian "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core. "
            "Le PV HTML est écrit."
        ) from None
    HTML(string=page).write_pdf(path)
    return path
