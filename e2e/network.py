"""Proxies and certificate authorities for the browser and every HTTP call (minimal, the lead's
placeholder: the helper owning this file replaces it; keep `httpx_client_kwargs` and
`playwright_proxy` as the lead's journey runner calls them)."""

from __future__ import annotations

from typing import Any


def httpx_client_kwargs(settings: Any, *, insecure_tls: bool = False) -> dict[str, Any]:
    return {"verify": not (insecure_tls or settings.insecure_tls)}


def playwright_proxy(settings: Any) -> dict[str, str] | None:
    return None
