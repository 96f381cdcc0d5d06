"""Every login of a run passes one gate: paced per host, and stopped for a target that said it
suspends or locks.

PRONOTE and ENTs suspend an address or lock an account after repeated failed logins ("Votre
adresse IP est provisoirement suspendue", "Vous avez dépassé le nombre d'erreurs
d'authentification autorisées": DOMAIN.md, "What breaks in the real world"). A nightly run
must never be the cause: the credentials a run sends to one host are spaced out
(`VERIFIER_MAX_LOGINS_PER_MINUTE`), and once a target answers with a suspension or a lock,
no further login is sent to it in this run; its other accounts are reported "non vérifié".

The gate's state is a folder of small files under a lock (`fcntl.flock`), so that every
journey of a process and every pytest-xdist worker of the run share it: one pace per host,
one stop per target, whichever process sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path


class LoginGate:
    """The run's logins: *per_minute* at most to one host (0: no pace), and the targets
    where logins stopped, with the reason."""

    def __init__(self, folder: Path, per_minute: float) -> None:
        self.folder = folder
        self.interval_s = 60.0 / per_minute if per_minute > 0 else 0.0
        folder.mkdir(parents=True, exist_ok=True)

    async def wait_turn(self, host: str) -> float:
        """Wait for the host's next login slot, and take it; the seconds waited."""
        if not self.interval_s:
            return 0.0
        with self._locked(f"pace-{host}") as state:
            now = time.time()
            slot = max(now, float(state.get("next", 0.0)))
            state["next"] = slot + self.interval_s
        wait = slot - now
        if wait > 0:
            await asyncio.sleep(wait)  # pacing logins to a real host, not a page's state
        return wait

    def stop(self, target: str, by: str) -> None:
        """No further login to *target* in this run: the account *by* met its suspension, its
        lock or its captcha (the judge names which from that account's observation). The
        first stop is kept."""
        with self._locked(f"stop-{target}") as state:
            state.setdefault("by", by)

    def stopped(self, target: str) -> str | None:
        """The account whose answer stopped logins to *target*, else None."""
        with self._locked(f"stop-{target}") as state:
            return state.get("by")

    @contextlib.contextmanager
    def _locked(self, key: str) -> Iterator[dict]:
        """The state under *key*, read and written back under an exclusive lock."""
        name = hashlib.sha256(key.encode()).hexdigest()[:24]
        path = self.folder / f"{name}.json"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.read(fd, 1 << 16)
            state = json.loads(raw) if raw else {}
            before = dict(state)
            yield state
            if state != before:
                data = json.dumps(state).encode()
                os.lseek(fd, 0, os.SEEK_SET)
                os.ftruncate(fd, 0)
                os.write(fd, data)
        finally:
            os.close(fd)  # releases the lock
