"""The lab ENT's directory of demo people, shared by the CAS, the ENT and PRONOTE.

Passwords are random for every lab start (so a leaked one is easy to spot in
artifacts) and stored only as salted PBKDF2 hashes; the clear password exists
in the lab's own report of its accounts, which the tests read.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import string
from dataclasses import dataclass, field

PROFILES = ("eleve", "parent", "professeur", "personnel")

# Edifice-style categories sent by the ENT's CAS (DOMAIN.md).
CATEGORIES = {
    "eleve": "National_1",
    "parent": "National_2",
    "professeur": "National_3",
    "personnel": "National_4",
}

# PRONOTE space page of each profile; "personnel" lands in vie scolaire.
SPACE_PAGES = {
    "eleve": "eleve.html",
    "parent": "parent.html",
    "professeur": "professeur.html",
    "personnel": "viescolaire.html",
}

# Section names of PRONOTE's identifiers export, one per profile.
EXPORT_SECTIONS = {
    "eleve": "Elèves",
    "parent": "Responsables",
    "professeur": "Professeurs",
    "personnel": "Personnels",
}

_NAMES = {
    "eleve": [("Martin", "Léa"), ("Bernard", "Hugo"), ("Moreau", "Chloé"), ("Laurent", "Nathan")],
    "parent": [("Petit", "Sophie"), ("Durand", "Olivier"), ("Leroy", "Isabelle"), ("Roux", "Marc")],
    "professeur": [
        ("Fournier", "Anne"),
        ("Girard", "Thomas"),
        ("Bonnet", "Céline"),
        ("Lambert", "Julien"),
    ],
    "personnel": [
        ("Fontaine", "Nadia"),
        ("Rousseau", "Éric"),
        ("Vincent", "Hélène"),
        ("Muller", "Pascal"),
    ],
}

# Classes given to élèves in turn (PRONOTE shows the class after an élève's name).
_CLASSES = ("4B", "3A", "5C", "6D", "1GB", "2NDE3")

# The CAS keeps salted PBKDF2 hashes, as a CAS does, with few rounds: not a production count,
# since the passwords are new at every start and live as long as the lab (a production count
# would slow every lab start and every login).
_HASH_ITERATIONS = 2_000
_ID_ALPHABET = string.ascii_uppercase + string.digits


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _HASH_ITERATIONS)
    return f"pbkdf2_sha256${_HASH_ITERATIONS}${salt.hex()}${digest.hex()}"


def check_password(password: str, encoded: str) -> bool:
    _, iterations, salt, digest = encoded.split("$")
    candidate = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), bytes.fromhex(salt), int(iterations)
    )
    return hmac.compare_digest(candidate.hex(), digest)


def new_password() -> str:
    # Characters that change under URL, JSON and base64 encoding, so that leak
    # scans are tested on every form.
    return f"Lab-{secrets.token_urlsafe(10)}+é/&"


def pronote_identifier(rng: random.Random) -> str:
    return "".join(rng.choice(_ID_ALPHABET) for _ in range(16))


@dataclass
class Person:
    """One demo person: an ENT account and, most of the time, a PRONOTE user."""

    login: str  # what the user types at the ENT's CAS login
    uid: str  # ENT uid, released as cas:user to PRONOTE (its "Identifiant CAS")
    profile: str
    nom: str
    prenom: str
    date_naissance: str  # dd/mm/yyyy, as Edifice sends it
    uai: str
    password_hash: str = field(repr=False)
    password: str = field(repr=False, default="")  # clear text, for the lab's report only
    pronote_login: str = ""  # PRONOTE "Id. connexion"
    pronote_password: str = field(repr=False, default="")
    pronote_password_hash: str = field(repr=False, default="")
    pronote_id: str = ""  # PRONOTE "Id. PRONOTE-ENT", 16 characters
    admin: bool = False
    classe: str = ""  # élèves only: the class PRONOTE's banner shows, e.g. "4B"
    child: Person | None = field(default=None, repr=False)  # parents: the child they follow
    # Élèves and parents of most ENTs log in at ÉduConnect, not at the ENT (DOMAIN.md).
    route: str = "local"  # "local" (the ENT's own form) or "educonnect"
    educonnect_login: str = ""  # what the user types at ÉduConnect (password: `password`)
    educonnect_id: str = ""  # FrEduCtId, sent by ÉduConnect; the ENT links it to this account

    @property
    def display_name(self) -> str:
        return f"{self.prenom} {self.nom.upper()}"

    @property
    def sign_in_login(self) -> str:
        """What the user types to log in: the ÉduConnect login or the ENT one."""
        return self.educonnect_login or self.login

    @property
    def export_name(self) -> str:
        """ "NOM Prénom": PRONOTE's way of naming a user (identifiers export, space banner)."""
        return f"{self.nom.upper()} {self.prenom}"


def uai_for(index: int) -> str:
    """A UAI-shaped code (7 digits and a letter) for lab establishment number *index*."""
    return f"{310_0001 + index:07d}{'ABCDEFGHJKLMNPRSTUVWXYZ'[index % 23]}"


def build_directory(
    *,
    establishments: int = 1,
    per_profile: int = 2,
    educonnect_per_profile: int = 1,
    seed: int | None = None,
) -> list[Person]:
    """Demo people: *per_profile* of each profile in each establishment, plus one ENT admin."""
    rng = random.Random(seed)
    people: list[Person] = []
    for index in range(establishments):
        people += _establishment_people(
            rng, index, per_profile, educonnect_per_profile, first_serial=30_001 + len(people)
        )
    admin_password = new_password()
    people.append(
        Person(
            login="admin.ent",
            uid="NAZ00001",
            profile="personnel",
            nom="Administrateur",
            prenom="ENT",
            date_naissance="01/01/1970",
            uai=uai_for(0),
            password_hash=hash_password(admin_password),
            password=admin_password,
            admin=True,
        )
    )
    return people


def _establishment_people(
    rng: random.Random,
    index: int,
    per_profile: int,
    educonnect_per_profile: int,
    *,
    first_serial: int,
) -> list[Person]:
    """One establishment's people: local accounts of every profile, then ÉduConnect ones."""
    uai = uai_for(index)
    people: list[Person] = []
    for profile in PROFILES:
        for n in range(per_profile):
            nom, prenom = _NAMES[profile][n % len(_NAMES[profile])]
            if n >= len(_NAMES[profile]) or index:
                nom = f"{nom}-{index + 1}-{n + 1}"
            serial = first_serial + len(people)
            password, pronote_password = new_password(), new_password()
            people.append(
                Person(
                    login=_login(prenom, nom),
                    uid=f"NA{'ABCD'[PROFILES.index(profile)]}{serial:05d}",
                    profile=profile,
                    nom=nom,
                    prenom=prenom,
                    date_naissance=_birth_date(rng, profile),
                    uai=uai,
                    password_hash=hash_password(password),
                    password=password,
                    pronote_login=f"{prenom[0]}{nom}".lower().replace("é", "e")[:12],
                    pronote_password=pronote_password,
                    pronote_password_hash=hash_password(pronote_password),
                    pronote_id=pronote_identifier(rng),
                    classe=_CLASSES[n % len(_CLASSES)] if profile == "eleve" else "",
                )
            )
    # Élèves and parents with ÉduConnect accounts (no ENT password), after the others.
    for profile in ("eleve", "parent"):
        for n in range(per_profile, per_profile + educonnect_per_profile):
            serial = first_serial + len(people)
            people.append(_educonnect_person(rng, profile, n, index, uai, serial))
    # Each parent follows the élève of the same rank in their establishment.
    pupils = [p for p in people if p.profile == "eleve"]
    parents = [p for p in people if p.profile == "parent"]
    for rank, parent in enumerate(parents):
        parent.child = pupils[rank % len(pupils)] if pupils else None
    return people


def _educonnect_person(
    rng: random.Random, profile: str, n: int, index: int, uai: str, serial: int
) -> Person:
    nom, prenom = _NAMES[profile][n % len(_NAMES[profile])]
    if n >= len(_NAMES[profile]) or index:
        nom = f"{nom}-{index + 1}-{n + 1}"
    password = new_password()
    # ÉduConnect logins look like "p.nom12"; FrEduCtId is an opaque identifier.
    folded = _login(prenom, nom)
    return Person(
        login=folded,
        uid=f"NA{'ABCD'[PROFILES.index(profile)]}{serial:05d}",
        profile=profile,
        nom=nom,
        prenom=prenom,
        date_naissance=_birth_date(rng, profile),
        uai=uai,
        password_hash=hash_password(password),
        password=password,
        pronote_id=pronote_identifier(rng),
        classe=_CLASSES[n % len(_CLASSES)] if profile == "eleve" else "",
        route="educonnect",
        educonnect_login=f"{folded[0]}.{folded.split('.', 1)[1]}{serial % 100:02d}",
        educonnect_id=f"F{rng.getrandbits(64):016x}",
    )


def _login(prenom: str, nom: str) -> str:
    table = str.maketrans("éèêëàâîïôöûüç", "eeeeaaiioouuc")
    return f"{prenom}.{nom}".lower().translate(table).replace(" ", "")


def _birth_date(rng: random.Random, profile: str) -> str:
    year = rng.randint(2009, 2014) if profile == "eleve" else rng.randint(1965, 1990)
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}"
