"""What the field's jobs share: sending once per key (a 429 defers the job), and the reader's language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from arq import Retry
from telegram.error import RetryAfter

from bot.admin.models import StaffUser
from bot.outbound import Delivery, retry_after_s
from bot.services import Services


async def deferring(send: Callable[[], Awaitable[Delivery]]) -> str:
    """Run one claimed send; Telegram's flood limit defers the whole job by what it asked for."""
    try:
        return await send()
    except RetryAfter as error:
        raise Retry(defer=retry_after_s(error)) from error


async def chat_language(services: Services, chat_id: int) -> str:
    """A crew member's or grid-staff member's own language in their private chat; a group's is the default."""
    staff = (
        await StaffUser.filter(telegram_user_id=chat_id, active=True).order_by("id").first() if chat_id > 0 else None
    )
    return str(staff.language) if staff is not None else services.settings.default_locale
