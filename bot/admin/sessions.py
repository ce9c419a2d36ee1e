"""Server-side staff sessions: a cookie is worth something only while its row exists.

The admin's cookie (encrypted, bot/admin/security.py) carries a random token; the row keyed by the
token's hash says whose session it is. Logout deletes the row and deactivation deletes all of a staff
member's rows, so a copied cookie stops working at once. A session also ends after `idle` without a
request and `max_age` after login, however busy.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q

from bot.admin.models import StaffSession, StaffUser
from bot.config import Settings

#: `last_seen_at` is written at most this often per session: idle expiry needs no finer clock than that,
#: and a page with many requests (thumbnails) should not write the row each time.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionRules:
    idle: timedelta
    max_age: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionRules:
        return cls(
            idle=timedelta(seconds=settings.admin_session_idle_s),
            max_age=timedelta(seconds=settings.admin_session_max_age_s),
        )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(staff: StaffUser, now: datetime, rules: SessionRules) -> str:
    """A new session for `staff`; returns the token for the cookie (its hash is all that is stored)."""
    await StaffSession.filter(staff_id=staff.id, last_seen_at__lt=now - rules.idle).delete()  # their old leftovers
    token = secrets.token_urlsafe(32)
    await StaffSession.create(token_hash=_hash(token), staff=staff, created_at=now, last_seen_at=now)
    return token


async def session_staff(token: str, now: datetime, rules: SessionRules) -> StaffUser | None:
    """The active staff member whose live session `token` names, else None (an expired session is deleted)."""
    session = await StaffSession.get_or_none(token_hash=_hash(token)).select_related("staff")
    if session is None:
        return None
    if now - session.last_seen_at > rules.idle or now - session.created_at > rules.max_age:
        await session.delete()
        return None
    if not session.staff.active:
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        await StaffSession.filter(id=session.id).update(last_seen_at=now)
    return session.staff


async def close_session(token: str) -> None:
    await StaffSession.filter(token_hash=_hash(token)).delete()


async def close_all_sessions(staff_id: int) -> int:
    """End every session of a staff member (deactivation); returns how many there were."""
    return await StaffSession.filter(staff_id=staff_id).delete()


async def forget_ended_sessions(now: datetime, rules: SessionRules) -> int:
    """Housekeeping: drop sessions past their idle or absolute limit (browsers that never came back)."""
    return await StaffSession.filter(
        Q(last_seen_at__lt=now - rules.idle) | Q(created_at__lt=now - rules.max_age)
    ).delete()
