"""Listeners: waitress WSGI servers on 127.0.0.1 that can be cut and restored.

A listener binds its port before its app exists (so every app can be told every
URL), and can close its socket for real to stand for a firewall that does not
let the port through (`cas_port_blocked`): clients then get "connection refused".

A listener has its own accept loop and worker threads, or shares them (`Shared`): an
académie's lab has two PRONOTE.net ports per establishment, 1,200 at 600 establishments,
and a loop and a pool each made 7,300 threads whose loops woke 1,200 times a second.
Shared, they are one pool of workers and one loop per few dozen ports.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
from waitress import trigger, wasyncore
from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

HOST = "127.0.0.1"
# The Jinja (Flask apps) and Django (CAS) templates of every lab page.
TEMPLATES = str(Path(__file__).parent / "templates")


@functools.cache
def backchannel() -> httpx.Client:
    """The HTTP client the lab's services call each other with (ticket validations), one for
    the whole process: each client builds a TLS context, and there are two per establishment."""
    return httpx.Client(timeout=10)


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(128)
    return sock


def _not_ready(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


# waitress's options for every listener.
_ADJUSTMENTS: dict[str, Any] = {
    "ident": None,
    "channel_timeout": 30,
    "asyncore_loop_timeout": 1,  # waitress makes it an int: 0 would busy-loop
    # poll(), not select(): a lab of 200 establishments holds over 1024 descriptors, beyond
    # which select() fails and the listener's loop dies.
    "asyncore_use_poll": True,
    "clear_untrusted_proxy_headers": True,
    # Counted over the whole socket map, which a shared loop's ports and triggers fill.
    "connection_limit": 10_000,
}


class _Loop:
    """One waitress accept loop (wasyncore's) over the ports placed in its map, whose
    requests go to *dispatcher*'s workers."""

    def __init__(self, name: str, dispatcher: ThreadedTaskDispatcher) -> None:
        self.dispatcher = dispatcher
        self.map: dict[int, Any] = {}
        self.trigger = trigger.trigger(self.map)  # keeps the map, and the loop, alive
        self.thread = threading.Thread(
            target=wasyncore.loop,
            kwargs={
                "timeout": _ADJUSTMENTS["asyncore_loop_timeout"],
                "map": self.map,
                "use_poll": _ADJUSTMENTS["asyncore_use_poll"],
            },
            name=f"lab-{name}",
            daemon=True,
        )
        self.thread.start()

    def call(self, work: Callable[[], None]) -> None:
        """Run *work* in the loop's thread, never under its poll(), and wait for it."""
        done = threading.Event()

        def thunk() -> None:
            try:
                work()
            finally:
                done.set()

        self.trigger.pull_trigger(thunk)
        done.wait(5)

    def close(self) -> None:
        self.trigger.pull_trigger(lambda: wasyncore.close_all(self.map))
        self.thread.join(timeout=3)


class Shared:
    """One pool of *threads* workers, and one loop per *per_loop* ports, for many listeners."""

    def __init__(self, name: str, *, threads: int, per_loop: int = 32) -> None:
        self.name, self.per_loop = name, per_loop
        self.dispatcher = ThreadedTaskDispatcher()
        self.dispatcher.set_thread_count(threads)
        self.loops: list[_Loop] = []
        self._placed = 0

    def place(self) -> _Loop:
        """The loop of the next listener."""
        if self._placed % self.per_loop == 0:
            self.loops.append(_Loop(f"{self.name}{len(self.loops)}", self.dispatcher))
        self._placed += 1
        return self.loops[-1]

    def close(self) -> None:
        self.dispatcher.shutdown(timeout=2)
        for loop in self.loops:
            loop.close()


class Listener:
    """One port of the lab. `app` may be set after the port is bound."""

    def __init__(
        self, name: str, *, port: int = 0, threads: int = 8, shared: Shared | None = None
    ) -> None:
        self.name = name
        self.threads = threads
        self.app: WSGIApp = _not_ready
        self._sock: socket.socket | None = _bind(port)
        self.port: int = self._sock.getsockname()[1]
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._loop = shared.place() if shared else None  # else a loop and workers of its own
        self._start()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def open(self) -> bool:
        return self._server is not None

    def _dispatch(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.app(environ, start_response)

    def _start(self) -> None:
        assert self._sock is not None
        if self._loop is None:
            self._server = create_server(
                self._dispatch, sockets=[self._sock], threads=self.threads, **_ADJUSTMENTS
            )
            self._thread = threading.Thread(
                target=self._server.run, name=f"lab-{self.name}", daemon=True
            )
            self._thread.start()
            return
        loop, sock = self._loop, self._sock

        def build() -> None:
            self._server = create_server(
                self._dispatch,
                map=loop.map,
                _dispatcher=loop.dispatcher,
                sockets=[sock],
                **_ADJUSTMENTS,
            )

        # In the loop's thread: a server enters the map before it is whole, and a poll() that
        # asked it `readable()` then killed the loop (one loop's 16 establishments refused).
        loop.call(build)

    def close(self) -> None:
        """Stop accepting and drop every connection: the port refuses from now on."""
        if self._server is None:
            return
        server, self._server, self._sock = self._server, None, None
        if self._loop is None:
            server.task_dispatcher.shutdown(timeout=2)
            # Close the sockets from inside the loop thread, never under its poll().
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
            if self._thread:  # the loop sees its empty map at its next wake-up
                self._thread.join(timeout=3)
            return

        def cut() -> None:  # this port and its connections; the loop's other ports go on
            for channel in list(server._map.values()):
                if getattr(channel, "server", None) is server:
                    channel.close()
            server.close()

        self._loop.call(cut)

    def reopen(self) -> None:
        if self._server is not None:
            return
        deadline = time.monotonic() + 5
        while True:
            try:
                self._sock = _bind(self.port)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self._start()
