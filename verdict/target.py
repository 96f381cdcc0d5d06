"""What `verdict/` needs to know of a target: its addresses and what it expects.

`e2e.target.Target` satisfies this protocol; `verdict/` never imports it.
"""

from __future__ import annotations

import re
from typing import Protocol

# An establishment's UAI at the start of a target's name ("0310001A Collège …"): seven
# digits and a letter.
UAI = re.compile(r"^(\d{7}[A-Z])\b")


class TargetLike(Protocol):
    """One establishment as checked: ENT, CAS, PRONOTE.net addresses and expectations."""

    name: str
    ent_url: str
    cas_url: str
    pronote_url: str  # public URL of the CAS listener, as announced in `service`
    pronote_classic_url: str | None
    pronote_direct_url: str | None
    identifier_attribute: str  # the CAS attribute carrying the PRONOTE identifier
    is_lab: bool

    @property
    def shortcut_label(self) -> str: ...

    @property
    def pronote_hosts(self) -> set[str]: ...
