"""Errors the CLI turns into one clear line and exit code 2 (bad usage or bad input)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CdwError(Exception):
    """Bad input or configuration: the message names what and where, and how to fix it."""

    exit_code = 2


class InputError(CdwError):
    """A file, cell, URL or value the user gave is wrong.

    `location` is "file:line", "sheet!cell", a URL without its secret, ... anything a person can
    go to; `key` names the field inside it.
    """

    def __init__(self, message: str, location: str | None = None, key: str | None = None):
        self.message = message  # without location and key, for callers that re-place it
        self.location = location
        self.key = key
        parts = [p for p in (location, key and f"'{key}'") if p]
        super().__init__(f"{': '.join(parts)}: {message}" if parts else message)


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.5, most: int = 3) -> str:
    """` (did you mean 'a', 'b'?)` for the closest candidates, ignoring case; "" when none is."""
    lowered = {c.lower(): c for c in sorted(set(candidates))}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=most, cutoff=cutoff)
    if not close:
        return ""
    return " (did you mean " + ", ".join(f"'{lowered[c]}'" for c in close) + "?)"


def environment_error(e: BaseException) -> CdwError | None:
    """An error of the machine rather than of the code (a full disk, a missing or read-only
    path, a folder where a file should be, a database that refuses) as the one line the CLI
    prints; None for anything else, which stays a traceback (a bug to report)."""
    if isinstance(e, BrokenPipeError):
        return None  # `... | head`: not worth a message
    if isinstance(e, OSError):
        where = " -> ".join(str(f) for f in (e.filename, e.filename2) if f)
        return InputError(e.strerror or str(e), where or None)
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    if isinstance(e, DBAPIError):
        e = e.orig if isinstance(e.orig, BaseException) else e
    if isinstance(e, sqlite3.Error) or type(e).__module__.startswith("psycopg2"):
        text = " ".join(str(e).split("(Background on this error", 1)[0].split())
        return InputError(f"database error: {text}")
    return None


def server_problem(error: BaseException, token_env: str, token_given: bool) -> str:
    """Why a DataHub server (GMS) could not be used, and the fix, in one line without the
    token: from the HTTP status or the connection error anywhere in the exception's chain
    (DataHub wraps requests' errors in its own)."""
    import requests
    from datahub.configuration.common import ConfigurationError

    chain: list[BaseException] = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    statuses = [getattr(getattr(e, "response", None), "status_code", None) for e in chain]
    status = next((s for s in statuses if s), None)
    text = " ".join(str(e) for e in chain)
    if "401 Client Error" in text or "got an authentication error" in text:  # DataHub's words
        status = status or 401
    elif "403 Client Error" in text:
        status = status or 403
    if status in (401, 403):
        if token_given:
            return f"the server refused the token (HTTP {status}); check {token_env}"
        return f"the server needs a token (HTTP {status}); set {token_env} to an access token"
    if any(isinstance(e, requests.exceptions.Timeout) for e in chain):
        return "the server did not answer in time; check that GMS is up and the URL"
    if any(isinstance(e, requests.exceptions.ConnectionError) for e in chain):
        return (
            "nothing answers at this address (connection refused or unknown host); check the "
            "URL (GMS listens on port 8080) and that the server is up"
        )
    if "connected to the frontend" in text:
        return "this is the DataHub frontend, not GMS; use the GMS URL (port 8080) or .../api/gms"
    if any(isinstance(e, ConfigurationError) for e in chain):
        return "this does not look like a DataHub GMS server (no /config); check the URL"
    return f"unexpected answer ({type(chain[0]).__name__}{f', HTTP {status}' if status else ''})"
