"""Serving the explorer: a production WSGI server (waitress), a request-size limit, and
whether an address is this machine only.

Flask's development server is single-purpose and says so; waitress serves the same WSGI
app with a bounded pool of threads. A callback's request is a few kilobytes, so anything
above ``MAX_REQUEST_BYTES`` is refused (413) before it is read, and never echoed back.
"""

from __future__ import annotations

import ipaddress

import flask

MAX_REQUEST_BYTES = 1_000_000
THREADS = 4  # requests served at once; model runs are limited separately (viz.app_runs)
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_local(host: str) -> bool:
    """Whether binding to ``host`` serves this machine only (loopback)."""
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def limit_requests(server: flask.Flask) -> None:
    """Refuse request bodies above MAX_REQUEST_BYTES with 413 (Flask reads no further)."""
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES


def serve_wsgi(server: flask.Flask, host: str, port: int) -> None:
    """Serve ``server`` with waitress until interrupted (OSError if it cannot listen)."""
    from waitress import serve

    serve(
        server,
        host=host,
        port=port,
        threads=THREADS,
        max_request_body_size=MAX_REQUEST_BYTES,
        ident="spridning",
    )
