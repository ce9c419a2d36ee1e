"""Logging for every process: one format; update ids, types and exceptions in, personal data out.

A Telegram update carries phone numbers, real names and free text (the /claim conversation collects
all three), so an update is never logged whole: `describe_update` names it by id and type, and
`log_update_failure` logs a handler's exception with every personal string of that update cut out of
the traceback (an exception message may quote what the resident typed). `PersonalDataFilter`, put on
the process's log handler by `configure_logging`, does the same for any record that still passes an
update (or its JSON body) as an argument, whoever logged it (a library, a forgotten debug line).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
#: Update fields that hold what people typed or who they are (Telegram's own field names).
PERSONAL_FIELDS = frozenset(
    {
        "text",
        "caption",
        "phone_number",
        "first_name",
        "last_name",
        "username",
        "title",
        "vcard",
        "address",
        "data",
        "query",
        "bio",
        "email",
        "description",
    }
)
#: Shorter strings (a one-letter name) are left alone: cutting every "a" out of a traceback helps nobody.
SHORTEST_SCRUBBED_CHARS = 2


def update_body(value: object) -> dict[str, Any] | None:
    """The JSON body of a PTB Update (or such a body itself), else None."""
    if isinstance(value, Mapping):
        return dict(value) if "update_id" in value else None
    to_dict = getattr(value, "to_dict", None)
    if getattr(value, "update_id", None) is None or not callable(to_dict):
        return None
    body = to_dict()
    return body if isinstance(body, dict) else None


def describe_update(value: object) -> str:
    """`update 123 (message)`: what a log line may say about an update."""
    body = update_body(value)
    if body is None:
        return f"no update ({type(value).__name__})"
    kinds = [key for key in body if key != "update_id"]
    return f"update {body.get('update_id')} ({kinds[0] if kinds else 'empty'})"


def personal_strings(body: Mapping[str, Any]) -> set[str]:
    """Every personal value in an update body (names, phone numbers, typed text), at any depth."""
    found: set[str] = set()

    def walk(value: object, key: str | None) -> None:
        if isinstance(value, Mapping):
            for child_key, child in value.items():
                walk(child, str(child_key))
        elif isinstance(value, list):
            for child in value:
                walk(child, key)
        elif key in PERSONAL_FIELDS and isinstance(value, str) and len(value) >= SHORTEST_SCRUBBED_CHARS:
            found.add(value)

    walk(body, None)
    return found


def scrub(text: str, hidden: Iterable[str]) -> str:
    for value in sorted(hidden, key=len, reverse=True):  # longest first: a name inside a sentence goes too
        text = text.replace(value, REDACTED)
    return text


def log_update_failure(logger: logging.Logger, update: object, error: BaseException | None) -> None:
    """A handler failed: log the update's id and type and the traceback, without the update's personal data."""
    body = update_body(update)
    trace = "".join(traceback.format_exception(error)).rstrip() if error is not None else "(no exception)"
    logger.error("handler failed for %s\n%s", describe_update(update), scrub(trace, personal_strings(body or {})))


class PersonalDataFilter(logging.Filter):
    """Replace update arguments by their description and cut their personal strings out of the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = (record.args,) if isinstance(record.args, Mapping) else record.args or ()
        bodies = [body for arg in args if (body := update_body(arg)) is not None]
        if not bodies:
            return True
        hidden = set().union(*(personal_strings(body) for body in bodies))
        safe_args = tuple(describe_update(arg) if update_body(arg) is not None else arg for arg in args)
        record.msg, record.args = scrub(str(record.msg) % safe_args, hidden), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info), hidden)
        return True


def configure_logging(stream: TextIO | None = None, level: int = logging.INFO) -> logging.Handler:
    """The process's one log handler (stderr unless `stream`), with the personal-data filter on it."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry request URLs, the token among them
    return handler
