"""What `verdict/` needs to know of a target: its addresses and what it expects.

`e2e.target.Target` satisfies this protocol; `verdict/` never imports it.
"""

from __future__ import annotations

from typing import Protocol


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
