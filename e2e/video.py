"""Placeholder of the lead: the helper owning this file replaces it (keep `ensure_ffmpeg`)."""

from __future__ import annotations


def ensure_ffmpeg() -> str | None:
    return None
