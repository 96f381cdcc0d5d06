"""Listeners: waitress WSGI servers on 127.0.0.1, one thread each, that can be cut and restored.

A listener binds its port before its app exists (so every app can be told every
URL), and can close its socket for real to stand for a firewall that does not
let the port through (`cas_port_blocked`): clients then get "connection refused".
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
from waitress import wasyncore
from waitress.server import create_server

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


class Listener:
    """One port of the lab. `app` may be set after the port is bound."""

    def __init__(self, name: str, *, port: int = 0, threads: int = 8) -> None:
        self.name = name
        self.threads = threads
        self.app: WSGIApp = _not_ready
        self._sock: socket.socket | None = _bind(port)
        self.port: int = self._sock.getsockname()[1]
        self._server: Any = None
        self._thread: threading.Thread | None = None
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
        self._server = create_server(
            self._dispatch,
            sockets=[self._sock],
            threads=self.threads,
            ident=None,
            channel_timeout=30,
            asyncore_loop_timeout=1,  # waitress makes it an int: 0 would busy-loop
            # poll(), not select(): a lab of 200 establishments holds over 1024 descriptors,
            # beyond which select() fails and the listener's loop dies.
            asyncore_use_poll=True,
            clear_untrusted_proxy_headers=True,
        )
        self._thread = threading.Thread(
            target=self._server.run, name=f"lab-{self.name}", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop accepting and drop every connection: the port refuses from now on."""
        if self._server is None:
            return
        server, self._server, self._sock = self._server, None, None
        server.task_dispatcher.shutdown(timeout=2)
        # Close the sockets from inside the loop thread, never under its select().
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        if self._thread:  # the loop sees its empty map at its next wake-up
            self._thread.join(timeout=3)

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
