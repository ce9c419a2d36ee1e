"""The staff login throttle: per (username, client address), counted before the password is checked.

Every attempt takes a ticket first (`LoginThrottle.begin`), so parallel guesses cannot all slip past a
count that only grows after the slow password check. The first `free_attempts` attempts of a streak
go through at once; each one after waits for a delay that doubles (`base_delay_s`, 2x, 4x ... up to
`max_delay_s`). A right password ends the streak. A streak is forgotten `forget_after_s` after its
last delay ended.

Per (username, address) and not per username: a lockout one address causes never keeps the right
password out from another, so nobody can lock staff out (behind a reverse proxy, set TRUSTED_PROXIES
so the address is the client's). The state is a database row, so it holds across web processes and
needs no Redis. A ticket is a compare-and-set on the row's attempt count: atomic on SQLite and on
PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from bot.admin.models import LoginStreak
from bot.config import Settings

#: Rounds of compare-and-set a ticket may lose to parallel attempts before it is refused (only a burst
#: of attempts on one username from one address loses that often: refusing it is the point).
TICKET_ROUNDS = 8
USERNAME_MAX_CHARS = 64
#: Told to a ticket refused only because it lost every round to parallel attempts.
CONTENDED_WAIT = timedelta(seconds=1)


@dataclass(frozen=True)
class ThrottleRules:
    free_attempts: int
    base_delay_s: int
    max_delay_s: int
    forget_after_s: int

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottleRules:
        return cls(
            free_attempts=settings.login_max_failures,
            base_delay_s=settings.login_lockout_base_s,
            max_delay_s=settings.login_lockout_max_s,
            forget_after_s=settings.login_failure_window_s,
        )

    def delay_after(self, attempts: int) -> timedelta:
        """How long the next attempt waits after the streak's `attempts`-th."""
        if attempts < self.free_attempts:
            return timedelta(0)
        doublings = min(attempts - self.free_attempts, 32)  # 2**32 base delays is past any cap
        return timedelta(seconds=min(self.base_delay_s * 2**doublings, self.max_delay_s))


class LoginThrottle:
    def __init__(self, rules: ThrottleRules) -> None:
        self.rules = rules

    async def begin(self, username: str, address: str, now: datetime) -> timedelta | None:
        """Count one attempt before its password is checked: None to go ahead, else how long to wait."""
        username = username[:USERNAME_MAX_CHARS]
        forget = timedelta(seconds=self.rules.forget_after_s)
        for _ in range(TICKET_ROUNDS):
            streak = await LoginStreak.get_or_none(username=username, address=address)
            if streak is None:
                if await self._first(username, address, now):
                    return None
                continue  # another attempt created it first: count against its row
            if now < streak.next_allowed_at:
                return streak.next_allowed_at - now
            attempts = 0 if now >= streak.next_allowed_at + forget else streak.attempts
            taken = await LoginStreak.filter(id=streak.id, attempts=streak.attempts).update(
                attempts=attempts + 1, next_allowed_at=now + self.rules.delay_after(attempts + 1)
            )
            if taken:
                return None
        return CONTENDED_WAIT

    async def _first(self, username: str, address: str, now: datetime) -> bool:
        try:
            await LoginStreak.create(
                username=username, address=address, attempts=1, next_allowed_at=now + self.rules.delay_after(1)
            )
        except IntegrityError:
            return False
        return True

    async def succeeded(self, username: str, address: str) -> None:
        """The right password ends the streak of this username from this address."""
        await LoginStreak.filter(username=username[:USERNAME_MAX_CHARS], address=address).delete()


async def forget_stale_streaks(now: datetime, forget_after_s: int) -> int:
    """Housekeeping: drop streaks that would be forgotten at their next attempt anyway; returns how many."""
    return await LoginStreak.filter(next_allowed_at__lt=now - timedelta(seconds=forget_after_s)).delete()
