"""One retry policy for every request the verifier sends: transient failures, bounded back-off.

A 502/503/504 or a reset connection is retried (tenacity, exponential back-off
0.2 s then 0.4 s); each retry is noted as data (`verdict.observation.Retry`) so the
diagnosis can call the network unstable. The pause is between two attempts of one
request, never a wait for a page's state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from e2e.driver import NetworkFailure
from verdict.observation import Retry

T = TypeVar("T")
TRANSIENT_STATUSES = frozenset({502, 503, 504})
TRANSIENT_NETWORK = frozenset({"connection_reset"})
BACK_OFF_S = 0.2


class _Transient(Exception):
    def __init__(self, cause: str, result: object) -> None:
        self.cause, self.result = cause, result


async def with_retries(
    send: Callable[[], Awaitable[T]],
    *,
    url: str,
    retries: int,
    noted: list[Retry],
    status_of: Callable[[T], int | None],
) -> T:
    """`send()` until it answers something else than a transient failure, `retries` times at most.

    Returns the last answer (a final 503 stays a 503 for the diagnosis); re-raises the
    last `NetworkFailure` when the network never answered.
    """

    async def attempt() -> T:
        try:
            result = await send()
        except NetworkFailure as exc:
            if exc.kind in TRANSIENT_NETWORK:
                raise _Transient(exc.kind, exc) from None
            raise
        status = status_of(result)
        if status in TRANSIENT_STATUSES:
            raise _Transient(f"http_{status}", result)
        return result

    def note(state: object) -> None:
        exc = state.outcome.exception()  # type: ignore[attr-defined]
        noted.append(Retry(url=url, cause=exc.cause))

    retrying = AsyncRetrying(
        stop=stop_after_attempt(retries + 1),
        wait=wait_exponential(multiplier=BACK_OFF_S, max=2),
        retry=retry_if_exception_type(_Transient),
        before_sleep=note,
    )
    try:
        return await retrying(attempt)
    except RetryError as exc:
        last = exc.last_attempt.exception()
        assert isinstance(last, _Transient)
        if isinstance(last.result, NetworkFailure):
            raise last.result from None
        return last.result  # type: ignore[return-value]
