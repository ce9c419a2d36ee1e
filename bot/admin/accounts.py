"""Staff accounts: roles, password hashing and checks, and who may see which report."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError

from bot.admin.models import StaffUser
from bot.admin.sessions import close_all_sessions
from bot.city.models import Agency
from bot.i18n import N_

_hasher = PasswordHasher()
#: Verifying against this keeps a wrong username as slow as a wrong password (no user enumeration).
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class Role(StrEnum):
    CREW = "crew"  #: works its agency's reports from Telegram (`StaffUser.agency`); no admin pages
    GRID = "grid"  #: grid staff: patrol and check fixes in their areas (district, street or cell keys); no admin pages
    MODERATOR = "moderator"  #: triages reports in their areas/categories
    OFFICIAL = "official"  #: also dispatches, sees dashboards, broadcasts, payouts
    ADMIN = "admin"  #: also manages staff and settings


ROLE_LABELS = {
    Role.CREW: N_("agency crew"),
    Role.GRID: N_("grid staff"),
    Role.MODERATOR: N_("moderator"),
    Role.OFFICIAL: N_("official"),
    Role.ADMIN: N_("admin"),
}
#: The field roles rank below every admin page's role; they are checked by what they are (`is_crew_of`,
#: `is_grid_staff`), never by rank.
ROLE_RANK = {Role.CREW: 0, Role.GRID: 0, Role.MODERATOR: 1, Role.OFFICIAL: 2, Role.ADMIN: 3}


def has_role(staff: StaffUser, needed: Role) -> bool:
    return ROLE_RANK.get(Role(staff.role), 0) >= ROLE_RANK[needed]


def in_scope(staff: StaffUser, area: str | None, category: str) -> bool:
    """Moderators see only their areas and categories; officials and admins see everything."""
    if has_role(staff, Role.OFFICIAL):
        return True
    areas, categories = list(staff.areas or []), list(staff.categories or [])
    return (not areas or area in areas) and (not categories or category in categories)


def is_crew_of(staff: StaffUser, agency_key: str | None) -> bool:
    """An active crew member of this agency (a crew member of another agency is not)."""
    return bool(agency_key) and staff.active and staff.role == Role.CREW and staff.agency == agency_key


def is_grid_staff(staff: StaffUser) -> bool:
    return staff.active and staff.role == Role.GRID


def covers_place(staff: StaffUser, *keys: str | None) -> bool:
    """Grid staff whose areas include one of the place's grid keys (its district, street or cell)."""
    return is_grid_staff(staff) and not set(staff.areas or []).isdisjoint(key for key in keys if key)


async def create_staff(
    username: str,
    password: str,
    role: Role,
    *,
    areas: list[str] | None = None,
    categories: list[str] | None = None,
    display_name: str = "",
    language: str = "zh_CN",
    agency: str | None = None,
) -> StaffUser:
    if len(password) < 10:
        raise ValueError("a staff password needs at least 10 characters")
    if (role is Role.CREW) != bool(agency):
        raise ValueError("a crew member works for one agency, and only a crew member does")
    if agency and not await Agency.exists(key=agency):
        raise ValueError(f"no agency {agency!r}")
    return await StaffUser.create(
        username=username,
        password_hash=_hasher.hash(password),
        role=role,
        areas=areas or [],
        categories=categories or [],
        display_name=display_name or username,
        language=language,
        agency=agency or None,
    )


async def link_telegram(staff: StaffUser, telegram_user_id: int | None) -> None:
    """Link the staff member's Telegram account (None unlinks it): it lets them act from the moderators' group.

    ValueError for a non-positive id or one already linked to another staff member (a press must name one)."""
    if telegram_user_id is not None:
        if not 0 < telegram_user_id < MAX_TELEGRAM_USER_ID:
            raise ValueError("a Telegram user id is a positive number of at most 52 bits")
        if await StaffUser.filter(telegram_user_id=telegram_user_id).exclude(id=staff.id).exists():
            raise ValueError("that Telegram account is linked to another staff member")
    staff.telegram_user_id = telegram_user_id
    await staff.save(update_fields=["telegram_user_id"])


class StaffChangeRefusedError(ValueError):
    """A change to a staff account that would lock the staff out; the message is an English msgid."""


CANNOT_DEACTIVATE_YOURSELF = N_("You cannot deactivate your own account.")
CANNOT_DEACTIVATE_LAST_ADMIN = N_("The last active admin cannot be deactivated.")


async def deactivate(member: StaffUser, by: StaffUser) -> int:
    """Stop `member` logging in and end every session of theirs at once; returns how many sessions ended.

    An admin cannot deactivate themselves, nor the last active admin (nobody could manage staff then)."""
    if member.id == by.id:
        raise StaffChangeRefusedError(CANNOT_DEACTIVATE_YOURSELF)
    if (
        member.role == Role.ADMIN
        and not await StaffUser.filter(role=Role.ADMIN, active=True).exclude(id=member.id).exists()
    ):
        raise StaffChangeRefusedError(CANNOT_DEACTIVATE_LAST_ADMIN)
    member.active = False
    await member.save(update_fields=["active"])
    return await close_all_sessions(member.id)


async def reactivate(member: StaffUser) -> None:
    """Let `member` log in again (their old sessions stay ended: they log in afresh)."""
    member.active = True
    await member.save(update_fields=["active"])


FIRST_ADMIN_USERNAME = "admin"
#: Telegram user ids have at most 52 significant bits (Bot API documentation).
MAX_TELEGRAM_USER_ID = 2**52


async def create_first_admin(password: str) -> StaffUser | None:
    """An admin for a fresh sandbox, so `make run` alone opens the whole product; None once staff exist."""
    if await StaffUser.exists():
        return None
    try:
        return await create_staff(
            FIRST_ADMIN_USERNAME, password, Role.ADMIN, display_name="Sandbox admin", language="en"
        )
    except IntegrityError:  # another process created it first
        return None


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class PasswordChecker:
    """argon2 off the event loop, in a pool of its own: one check takes about 64 MiB and a core for tens of
    milliseconds, so a burst of logins queues here (memory stays flat) while the loop serves other requests."""

    def __init__(self, threads: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="password-check")

    async def matches(self, password_hash: str, password: str) -> bool:
        return await asyncio.get_running_loop().run_in_executor(self._pool, _password_matches, password_hash, password)

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, _hasher.hash, password)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


async def authenticate(username: str, password: str, now: datetime, checker: PasswordChecker) -> StaffUser | None:
    """Return the active staff member whose password matches, else None."""
    staff = await StaffUser.get_or_none(username=username, active=True)
    if not await checker.matches(staff.password_hash if staff else _DUMMY_HASH, password) or staff is None:
        return None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = await checker.hash(password)
    staff.last_login_at = now
    await staff.save(update_fields=["password_hash", "last_login_at"])
    return staff
