"""Launching Debian's chromium for the browser tests (Playwright's own download does not
work here). Without the background-networking flags chromium keeps trying to reach
Google's hosts, which this machine's closed network refuses."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
