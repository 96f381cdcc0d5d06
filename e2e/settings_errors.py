"""Settings errors in the user's words: the key they typed, what is expected, in French.

pydantic explains a validation error in English ("Input should be a valid URL"); school staff
read French, and they typed `VERIFIER_ACCOUNTS` or `LAB_LATENCY`, not a field path. Each
error type pydantic can raise for our settings has its sentence here; an unknown type still
gets a French line naming it. A value is quoted back only when it cannot be a secret.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

# pydantic's error type -> the French sentence, formatted with the error's context.
MESSAGES = {
    "missing": "obligatoire, absent",
    "url_parsing": "adresse invalide : attendu http(s)://hôte/chemin",
    "url_scheme": "adresse invalide : elle doit commencer par http:// ou https://",
    "url_type": "adresse attendue (http(s)://hôte/chemin)",
    "url_syntax_violation": "adresse invalide : attendu http(s)://hôte/chemin",
    "url_too_long": "adresse trop longue",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu (sans décimales)",
    "float_parsing": "nombre attendu (point décimal : 0.5)",
    "float_type": "nombre attendu",
    "bool_parsing": "true ou false attendu",
    "bool_type": "true ou false attendu",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit valoir au moins {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit valoir au plus {le}",
    "literal_error": "valeur inconnue : choisir parmi {expected}",
    "enum": "valeur inconnue : choisir parmi {expected}",
    "string_too_short": "ne doit pas être vide",
    "string_type": "texte attendu",
    "too_short": "au moins {min_length} élément(s) attendu(s)",
    "list_type": "liste JSON attendue ([…])",
    "dict_type": "objet JSON attendu ({…})",
    "model_type": "objet JSON attendu ({…})",
    "model_attributes_type": "objet JSON attendu ({…})",
    "json_invalid": "JSON invalide",
    "json_type": "JSON attendu",
    "date_parsing": "date attendue au format AAAA-MM-JJ",
    "date_from_datetime_parsing": "date attendue au format AAAA-MM-JJ",
    "date_type": "date attendue au format AAAA-MM-JJ",
    "path_type": "chemin de fichier attendu",
    "extra_forbidden": "clé inconnue",
}
# Fields whose value may be a secret (or hold one): never quoted back.
_SECRET_PARTS = ("password", "proxy", "accounts", "token", "secret")


def field_name(loc: tuple[int | str, ...]) -> str:
    """The key the user typed: `VERIFIER_TIMEOUT_S`, `LAB_LATENCY` (an alias is its own key),
    `VERIFIER_LOCATORS__SPACE_USER_LABEL`, `VERIFIER_ACCOUNTS, compte n°2, champ login`."""
    if not loc:
        return "réglages"
    head, *rest = loc
    name = str(head) if str(head).isupper() else f"VERIFIER_{str(head).upper()}"
    if head == "accounts" and rest and isinstance(rest[0], int):
        where = f"{name}, compte n°{rest[0] + 1}"
        return f"{where}, champ {'.'.join(map(str, rest[1:]))}" if rest[1:] else where
    for part in rest:
        name += f"__{str(part).upper()}" if isinstance(part, str) else f"[{part}]"
    return name


def french(error: ErrorDetails) -> str:
    """One error as `KEY : what is expected (reçu « value »)`."""
    loc = tuple(error.get("loc", ()))
    if loc == ("lab",):
        return explain(error)  # the lab's options name their own LAB_* key (lab.options)
    return f"{field_name(loc)} : {explain(error)}"


def explain(error: ErrorDetails) -> str:
    """What is expected, in French (`reçu « value »` when the value cannot be a secret)."""
    loc = tuple(error.get("loc", ()))
    kind = error.get("type", "")
    if kind in ("value_error", "assertion_error"):
        message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    elif kind in MESSAGES:
        message = MESSAGES[kind].format_map(_Context(error.get("ctx") or {}))
    else:
        message = f"valeur refusée ({kind})"
    shown = _shown(loc, error.get("input"))
    if shown and kind not in ("value_error", "missing"):
        message += f" (reçu « {shown} »)"
    return message


def _shown(loc: tuple[int | str, ...], value: Any) -> str | None:
    if any(part in str(p).lower() for p in loc for part in _SECRET_PARTS):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


class _Context(dict):
    """An error's context for str.format_map: `expected` in French, a missing key kept."""

    def __init__(self, ctx: dict[str, Any]) -> None:
        super().__init__(ctx)
        if isinstance(ctx.get("expected"), str):
            self["expected"] = ctx["expected"].replace(" or ", " ou ")

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
