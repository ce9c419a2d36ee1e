"""Residents: who is talking to the bot, their language, whether they blocked it, what awaits their answer.

A resident and their draft are read once per update, in one statement, and written only when something
really changed (a new name, a language, an unblock): most updates write nothing here at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from bot.i18n import KNOWN_LOCALES, normalize_locale
from bot.reports.models import Draft, Resident

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
    found = await Resident.filter(id=sender.user_id).select_related("draft").first()
    if found is None:
        return await _first_contact(sender, default_locale), None
    draft = getattr(found, "draft", None)
    changes = _changes(found, sender, now)
    if changes:
        await Resident.filter(id=found.id).update(**changes)
        for name, value in changes.items():
            setattr(found, name, value)
    return found, draft if isinstance(draft, Draft) else None


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
