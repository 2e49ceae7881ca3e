"""Launching Debian's chromium headless (Playwright's own browser download does not work
here): for printing the brief, and for the browser tests. Without the
background-networking flags chromium keeps trying to reach Google's hosts, which a
closed network refuses."""

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
