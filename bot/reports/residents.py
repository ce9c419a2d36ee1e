"""Residents: who is talking to the bot, their language, whether they blocked it, their live prompt."""

from __future__ import annotations

from bot.i18n import KNOWN_LOCALES, normalize_locale
from bot.reports.models import Resident


async def touch_resident(
    user_id: int,
    chat_id: int,
    *,
    first_name: str,
    username: str | None,
    language_code: str | None,
    default_locale: str,
) -> Resident:
    """Create or refresh a resident; writing to the bot again clears a stale "blocked" mark."""
    resident = await Resident.get_or_none(id=user_id)
    if resident is None:
        return await Resident.create(
            id=user_id,
            chat_id=chat_id,
            first_name=first_name[:128],
            username=username,
            language=normalize_locale(language_code, default_locale),
        )
    resident.chat_id, resident.first_name, resident.username = chat_id, first_name[:128], username
    resident.blocked_bot = False
    if not resident.language_chosen:
        resident.language = normalize_locale(language_code, resident.language)
    await resident.save()
    return resident


async def set_language(resident: Resident, locale: str) -> bool:
    """Store the resident's explicit choice; False for an unknown locale."""
    if locale not in KNOWN_LOCALES:
        return False
    resident.language, resident.language_chosen = locale, True
    await resident.save(update_fields=["language", "language_chosen"])
    return True


async def mark_blocked(chat_id: int) -> None:
    """Telegram said 403: skip this resident in broadcasts until they write again."""
    await Resident.filter(chat_id=chat_id).update(blocked_bot=True)


async def set_prompt_message(resident: Resident, message_id: int | None) -> None:
    """Record the intake prompt whose inline buttons are live now (None: no prompt has any)."""
    resident.prompt_message_id = message_id
    await Resident.filter(id=resident.id).update(prompt_message_id=message_id)
