"""Keep secrets out of everything the CLI prints on stderr: log lines, tracebacks, error lines.

Two rules, applied to every text before it is written:
- credentials inside a URL (`scheme://user:PASSWORD@host`) become `scheme://user:***@host`,
  whether or not the URL was seen before;
- known secret values (DATAHUB_GMS_TOKEN, `*_PASSWORD`/`*_TOKEN`/`*_SECRET` variables, the
  password of every URL on the command line or in cdw.yml, and every pydantic `SecretStr`
  DataHub validates) become `***REDACTED:NAME***`.

Known values live in a `SecretRegistry` of our own (DataHub's class, datahub.masking); of what
DataHub registers in its global one, the entries whose names say secret are taken over too.
DataHub registers *every* variable a recipe expands (`${CDW_DATA_DIR}` as well), and a folder
path masked in the demo's messages helps nobody. We do not call `initialize_secret_masking()`:
it also wraps stdout, which carries our data exports (json and md keep text as it is).

    masking.register_arguments(sys.argv[1:]); masking.install()
    click.echo(masking.mask(message), err=True)
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

from datahub.masking.masking_filter import SecretMaskingFilter
from datahub.masking.secret_registry import SecretRegistry

# `scheme://user:password@`: the user part has no `:`, `/` or `@`; the password runs to the `@`
# (SQLAlchemy's URL grammar allows `/` and `:` in it).
URL_CREDENTIALS = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*):[^@\s]+@")
SECRET_ENV = ("DATAHUB_GMS_TOKEN", "PGPASSWORD", "MYSQL_PWD")
SECRET_ENV_SUFFIXES = ("_PASSWORD", "_TOKEN", "_SECRET")
URL_ENV = ("CDW_CATALOG", "CDW_REGISTER", "DATAHUB_GMS_URL")

SECRET_WORDS = ("PASSWORD", "PASSWD", "PWD", "TOKEN", "SECRET", "KEY", "CREDENTIAL", "AUTH")

_registry = SecretRegistry()
_values = SecretMaskingFilter(_registry)
_synced_version = [-1]  # of DataHub's global registry


def _looks_secret(name: str) -> bool:
    upper = name.upper()
    return any(word in upper for word in SECRET_WORDS)


def _take_over_datahub_secrets() -> None:
    registry = SecretRegistry.get_instance()
    if registry.get_version() == _synced_version[0]:
        return
    for name, value in registry.get_all_secrets().items():
        if _looks_secret(name):
            _registry.register_secret(name, value)
    _synced_version[0] = registry.get_version()


def mask(text: str) -> str:
    if not isinstance(text, str) or not text:
        return text
    _take_over_datahub_secrets()
    return URL_CREDENTIALS.sub(r"\1:***@", _values.mask_text(text))


def register_secret(name: str, value: str | None) -> None:
    if value:
        _registry.register_secret(name, value)


def register_url(value: str | None, name: str = "URL_PASSWORD") -> None:
    """Remember the password of a URL (as typed and percent-decoded), if it has one."""
    if not value or "://" not in value:
        return
    try:
        password = urlsplit(value.strip()).password
    except ValueError:  # a malformed port or bracket: fall back to the URL pattern alone
        match = re.search(r"://[^:/@\s]*:([^@\s]+)@", value)
        password = match.group(1) if match else None
    if password:
        register_secret(name, password)
        register_secret(name, unquote(password))


def register_arguments(args: Iterable[str]) -> None:
    """Every URL given on the command line (`scan URL`, `--catalog`, `--register`, ...)."""
    for arg in args:
        register_url(arg.partition("=")[2] if arg.startswith("--") else arg)


def register_environment(environ: Any = None) -> None:
    environ = os.environ if environ is None else environ
    for name, value in environ.items():
        if name in SECRET_ENV or name.endswith(SECRET_ENV_SUFFIXES):
            register_secret(name, value)
    for name in URL_ENV:
        register_url(environ.get(name), name)


class MaskingFilter(logging.Filter):
    """Renders the record (message, arguments, traceback, stack) and masks the result."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep DataHub's own text, masked
            message = f"{record.msg} {record.args}"
        record.msg, record.args = mask(message), None
        if record.exc_info:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, mask(text)
        elif record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


class MaskingStream:
    """A text stream that masks what is written (stderr: tracebacks, warnings, prints)."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(mask(text))
        return len(text)  # all of the input was consumed (a short count would re-send raw text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


_FILTER = MaskingFilter()


def install() -> None:
    """Mask every logging handler present now, and stderr (which later handlers write to)."""
    register_environment()
    if not isinstance(sys.stderr, MaskingStream):
        sys.stderr = MaskingStream(sys.stderr)  # type: ignore[assignment]
    loggers = [logging.getLogger()] + [
        lg
        for lg in list(logging.root.manager.loggerDict.values())
        if isinstance(lg, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
