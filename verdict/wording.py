"""Every text the page classifier and the diagnosis rules look for, as settings.

Texts only refine a diagnosis the protocol evidence already points to (see
`verdict.judge.rules`): a page whose wording is unknown still gets the right family. Each
entry is a whole phrase, matched case- and accent-insensitively on word boundaries;
"…" inside a phrase stands for any short run of text (a URL, a name). Never a lone
common word: "ticket" or "erreur" would match pages that mean something else.

The e2e settings embed this model as `Settings.wording` (`VERIFIER_WORDING__<FIELD>`,
a JSON list), so a PRONOTE or CAS that words things differently is a setting away.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

GAP = "…"
_GAP_RE = r".{1,200}?"  # what "…" stands for: a URL or a name, not a paragraph
_MARK = "\x00"


def fold(text: str) -> str:
    """Lowercase, accents and typographic apostrophes dropped, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("\u00a0", " "))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@lru_cache(maxsize=512)
def _pattern(phrase: str) -> re.Pattern[str]:
    body = re.escape(fold(phrase.replace(GAP, _MARK))).replace(re.escape(_MARK), _GAP_RE)
    start = r"\b" if re.match(r"\w", fold(phrase)) else ""
    end = r"\b" if re.search(r"\w$", fold(phrase)) else ""
    return re.compile(start + body + end)


def found(text: str, phrases: Iterable[str]) -> str | None:
    """The first of *phrases* that *text* contains, or None."""
    folded = fold(text)
    return next((p for p in phrases if p.strip() and _pattern(p).search(folded)), None)


class Wording(BaseModel):
    """Whole phrases real systems show, per meaning. Defaults: `DOMAIN.md`, with the fact."""

    model_config = ConfigDict(extra="forbid")

    # DOMAIN.md, "PRONOTE.net URL conventions" and Index Éducation's knowledge base
    # ("HTTP Error 503" is also http.sys's page when PRONOTE.net's listener is stopped).
    unavailable: list[str] = Field(
        default_factory=lambda: [
            "Le site n'est pas disponible",
            "Le site est momentanément indisponible",
            "HTTP Error 503",
        ]
    )
    # DOMAIN.md, "Error texts seen on real PRONOTE pages".
    ip_suspended: list[str] = Field(
        default_factory=lambda: ["Votre adresse IP est provisoirement suspendue"]
    )
    too_many_errors: list[str] = Field(
        default_factory=lambda: [
            "Vous avez dépassé le nombre d'erreurs d'authentification autorisées"
        ]
    )
    # DOMAIN.md, "What real PRONOTE shows when it cannot link an ENT user": today's
    # message and its explanation; and the seed's 2011 first-connection prompt.
    not_linked: list[str] = Field(
        default_factory=lambda: [
            "Identification impossible",
            "Les données d'authentification renseignées dans l'ENT ne correspondent pas "
            "aux données renseignées dans PRONOTE",
            "identifiant PRONOTE ENT",
        ]
    )
    # The ENT's maintenance page: no public wording, so the usual French phrasings of one
    # (whole phrases, never the lone word).
    ent_maintenance: list[str] = Field(
        default_factory=lambda: [
            "en cours de maintenance",
            "maintenance en cours",
            "opération de maintenance",
            "indisponible pour maintenance",
            "site en maintenance",
        ]
    )
    # A CAS refusing a locked account (DOMAIN.md, "What breaks in the real world": accounts
    # are locked after repeated failures); the usual French phrasings.
    account_locked: list[str] = Field(
        default_factory=lambda: [
            "compte est temporairement verrouillé",
            "compte est verrouillé",
            "compte verrouillé",
            "compte est bloqué",
            "compte bloqué",
        ]
    )
    # PRONOTE 2024's second factor (DOMAIN.md: a PIN code, trusted devices).
    pronote_pin: list[str] = Field(
        default_factory=lambda: ["code PIN", "appareil de confiance", "double authentification"]
    )
    # Same source: a known user opening a space that is not theirs.
    space_refused: list[str] = Field(default_factory=lambda: ["Vous n'avez pas accès à l'Espace"])
    # Same source: PRONOTE's own login form refusing what was typed.
    pronote_login_refused: list[str] = Field(
        default_factory=lambda: ["Votre identifiant ou votre mot de passe est incorrect"]
    )
    # DOMAIN.md: PRONOTE's error page titles.
    pronote_error: list[str] = Field(
        default_factory=lambda: ["Impossible d'afficher la page", "Accès refusé"]
    )
    # DOMAIN.md, "Real login pages": Apereo CAS and other real CAS servers; django-cas-server
    # 3.1's own messages (cas_server/views.py, locale/fr/LC_MESSAGES/django.po:
    # "Service %(url)s not allowed." / "le service %(url)s n'est pas autorisé.").
    cas_refused: list[str] = Field(
        default_factory=lambda: [
            "Application Not Authorized to Use CAS",
            "Application not allowed to use CAS",
            f"Service {GAP} not allowed",
            f"le service {GAP} n'est pas autorisé",
        ]
    )
    # The seed (I.2, II.9): an outdated MsXML on the DMZ server is what makes PRONOTE.net
    # unable to read the CAS answer. PRONOTE's exact sentence is not public: only the
    # component's name is a safe default; add the sentence your PRONOTE shows.
    msxml: list[str] = Field(default_factory=lambda: ["MsXML"])
    # An ENT that cannot link an ÉduConnect identity to one of its accounts. No ENT's exact
    # sentence is public (an inference: the ENTs' help pages speak of an ÉduConnect account
    # "non rattaché" to the ENT account); the assertion's own dates are checked first.
    educonnect_unmapped: list[str] = Field(
        default_factory=lambda: [
            f"n'est rattaché à aucun compte {GAP}ENT",
            "compte ÉduConnect non rattaché",
        ]
    )
