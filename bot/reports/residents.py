"""Residents: who is talking to the bot, their language, whether they blocked it, what awaits their answer.

A resident and their draft are read once per update, in one statement, and written only when something
really changed (a new name, a language, an unblock): most updates write nothing here at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from tortoise.exceptions import IntegrityError

from bot.i18n import KNOWN_LOCALES, normalize_locale
from bot.reports.models import Draft, Resident
from bot.reports.spatial import placeholders_for

#: "Last seen" is kept to the day: refreshing it on every message would be a write per update.
LAST_SEEN_RESOLUTION = timedelta(days=1)


@dataclass(frozen=True)
class Sender:
    """Who sent an update, as Telegram describes them (their private chat's id is their user id)."""

    user_id: int
    first_name: str
    username: str | None
    language_code: str | None


async def load_resident(sender: Sender, *, default_locale: str, now: datetime) -> tuple[Resident, Draft | None]:
    """The resident (created on their first update) and their draft, if any; one statement when nothing changed.

    Writing to the bot again clears a stale "blocked" mark; the client's language counts until the
    resident chooses one with /language."""
    loaded = await _resident_with_draft(sender.user_id)
    if loaded is None:
        return await _first_contact(sender, default_locale), None
    found, draft = loaded
    changes = _changes(found, sender, now)
    if changes:
        await Resident.filter(id=found.id).update(**changes)
        for name, value in changes.items():
            setattr(found, name, value)
    return found, draft


@cache
def _columns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(sorted(Resident._meta.db_fields)), tuple(sorted(Draft._meta.db_fields))


@cache
def _resident_with_draft_sql(dialect: str) -> str:
    resident_columns, draft_columns = _columns()
    listed = [f'r."{c}"' for c in resident_columns] + [f'd."{c}"' for c in draft_columns]
    sql = (
        f'SELECT {", ".join(listed)} FROM "resident" r LEFT JOIN "draft" d ON d."resident_id" = r."id" WHERE r."id" = ?'
    )
    return placeholders_for(dialect, sql)


async def _resident_with_draft(resident_id: int) -> tuple[Resident, Draft | None] | None:
    """The resident and their draft in one statement, its SQL written once: on every update, building the
    ORM's `select_related` query cost more than running it."""
    client = Resident._meta.db
    _, rows = await client.execute_query(_resident_with_draft_sql(client.capabilities.dialect), [resident_id])
    if not rows:
        return None
    resident_columns, draft_columns = _columns()
    values = list(rows[0])
    resident = Resident._init_from_db(**dict(zip(resident_columns, values, strict=False)))
    draft_values = values[len(resident_columns) :]
    if draft_values[draft_columns.index("id")] is None:
        return resident, None
    return resident, Draft._init_from_db(**dict(zip(draft_columns, draft_values, strict=True)))


def _changes(resident: Resident, sender: Sender, now: datetime) -> dict[str, Any]:
    wanted: dict[str, Any] = {
        "chat_id": sender.user_id,
        "first_name": sender.first_name[:128],
        "username": sender.username,
        "blocked_bot": False,
    }
    if not resident.language_chosen:
        wanted["language"] = normalize_locale(sender.language_code, resident.language)
    changes = {name: value for name, value in wanted.items() if getattr(resident, name) != value}
    if changes or resident.last_seen_at < now - LAST_SEEN_RESOLUTION:
        changes["last_seen_at"] = now
    return changes


async def _first_contact(sender: Sender, default_locale: str) -> Resident:
    try:
        return await Resident.create(
            id=sender.user_id,
            chat_id=sender.user_id,
            first_name=sender.first_name[:128],
            username=sender.username,
            language=normalize_locale(sender.language_code, default_locale),
        )
    except IntegrityError:  # their other first update got there first (another process, a replay)
        return await Resident.get(id=sender.user_id)


async def set_language(resident: Resident, locale: str) -> bool:
    """Store the resident's explicit choice; False for an unknown locale."""
    if locale not in KNOWN_LOCALES:
        return False
    resident.language, resident.language_chosen = locale, True
    await Resident.filter(id=resident.id).update(language=locale, language_chosen=True)
    return True


async def mark_blocked(chat_id: int) -> None:
    """Telegram said 403: skip this resident in broadcasts until they write again."""
    await Resident.filter(chat_id=chat_id).update(blocked_bot=True)


def awaits(resident: Resident, exchange: str) -> bool:
    """Whether the feature's `exchange` ("rewards.claim", ...) may be waiting for this resident's answer."""
    return exchange in _exchanges(resident.awaiting)


async def set_awaiting(resident: Resident, exchange: str, waiting: bool = True) -> None:
    """Mark (or unmark) one feature's exchange as waiting for the resident; the others' marks stay.

    Written only when it changes, and only over the value read (a web process and the admin may mark
    the same resident at once): on a race it reads again and retries."""
    for _ in range(5):
        exchanges = _exchanges(resident.awaiting)
        wanted = exchanges | {exchange} if waiting else exchanges - {exchange}
        if wanted == exchanges:
            return
        value = ",".join(sorted(wanted)) or None
        if await Resident.filter(id=resident.id, awaiting=resident.awaiting).update(awaiting=value):
            resident.awaiting = value
            return
        resident.awaiting = (await Resident.get(id=resident.id)).awaiting
    raise RuntimeError(f"resident {resident.id}: could not mark {exchange!r}")


async def mark_awaiting(resident_id: int, exchange: str, waiting: bool = True) -> None:
    """For a feature acting from elsewhere (the web admin asking the reporter a question, a job asking a crew)."""
    resident = await Resident.get_or_none(id=resident_id)
    if resident is not None:
        await set_awaiting(resident, exchange, waiting)


def _exchanges(value: str | None) -> set[str]:
    return set(value.split(",")) if value else set()
