"""Server-side sessions: logout and deactivation end them at once (copied cookies too); idle ones expire."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from yarl import URL

from bot.admin.accounts import Role
from bot.admin.audit import EventTag
from bot.admin.models import AuditEvent, StaffSession, StaffUser
from bot.admin.sessions import SessionRules, forget_ended_sessions, open_session, session_staff
from bot.runtime import WebRuntime
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock

Clients = Callable[[], Awaitable[AdminClient]]


@pytest.fixture
async def new_client(product: WebRuntime) -> AsyncIterator[Clients]:
    made: list[AdminClient] = []

    async def make() -> AdminClient:
        made.append(AdminClient(product.settings.local_base_url()))
        return made[-1]

    yield make
    for client in made:
        await client.close()


async def logged_in(new_client: Clients, username: str) -> AdminClient:
    client = await new_client()
    assert await client.login(username) == 200
    return client


async def copy_of(new_client: Clients, original: AdminClient) -> AdminClient:
    """Another browser holding a copy of `original`'s cookies (a stolen cookie)."""
    thief = await new_client()
    thief.session.cookie_jar.update_cookies(original.session.cookie_jar.filter_cookies(URL(original.base_url)))
    return thief


async def opens_admin(client: AdminClient) -> bool:
    status, _ = await client.get("/admin", allow_redirects=False)
    assert status in (200, 303)
    return status == 200


async def test_logout_ends_a_copied_cookie_at_once(product: WebRuntime, new_client: Clients) -> None:
    await make_staff("mod")
    owner = await logged_in(new_client, "mod")
    thief = await copy_of(new_client, owner)
    assert await opens_admin(thief)
    await owner.post("/admin/logout")
    assert not await opens_admin(thief) and not await opens_admin(owner)
    assert not await StaffSession.exists()


async def test_deactivation_ends_every_session_and_the_next_login(product: WebRuntime, new_client: Clients) -> None:
    """An admin deactivates a moderator in the web UI: the moderator's (copied) cookie stops working at
    once, their password no longer logs in, and the audit log says who did it."""
    await make_staff("boss", Role.ADMIN, language="en")
    member = await make_staff("leaver")
    admin, leaver = await logged_in(new_client, "boss"), await logged_in(new_client, "leaver")
    thief = await copy_of(new_client, leaver)
    await admin.get("/admin/staff")
    status, page = await admin.post(f"/admin/staff/{member.id}/deactivate")
    assert status == 200 and "leaver can no longer log in" in page
    assert not await opens_admin(leaver) and not await opens_admin(thief)
    assert await (await new_client()).login("leaver") == 401
    event = await AuditEvent.get(action=EventTag.STAFF_DEACTIVATE)
    assert event.actor.startswith("staff:") and event.data == {"username": "leaver", "sessions": 1}


async def test_reactivation_lets_them_log_in_afresh(product: WebRuntime, new_client: Clients) -> None:
    """Reactivated, the member logs in again; the cookie from before the deactivation stays dead."""
    await make_staff("boss", Role.ADMIN, language="en")
    member = await make_staff("back")
    admin, old = await logged_in(new_client, "boss"), await logged_in(new_client, "back")
    await admin.get("/admin/staff")
    await admin.post(f"/admin/staff/{member.id}/deactivate")
    status, page = await admin.post(f"/admin/staff/{member.id}/reactivate")
    assert status == 200 and "back can log in again" in page
    assert (await StaffUser.get(id=member.id)).active
    assert not await opens_admin(old)
    assert await opens_admin(await logged_in(new_client, "back"))
    assert await AuditEvent.filter(action=EventTag.STAFF_REACTIVATE).count() == 1


async def test_an_admin_cannot_deactivate_themselves(product: WebRuntime, new_client: Clients) -> None:
    me = await make_staff("solo", Role.ADMIN, language="en")
    admin = await logged_in(new_client, "solo")
    await admin.get("/admin/staff")
    status, page = await admin.post(f"/admin/staff/{me.id}/deactivate")
    assert status == 200 and "You cannot deactivate your own account" in page
    assert (await StaffUser.get(id=me.id)).active and await opens_admin(admin)


async def test_an_idle_session_expires(product: WebRuntime, new_client: Clients, clock: FrozenClock) -> None:
    await make_staff("idle")
    client = await logged_in(new_client, "idle")
    clock.advance(seconds=product.settings.admin_session_idle_s + 1)
    assert not await opens_admin(client)


async def test_a_used_session_stays_until_its_absolute_limit(
    product: WebRuntime, new_client: Clients, clock: FrozenClock
) -> None:
    """Requests keep a session alive past the idle limit, but not past the maximum age."""
    await make_staff("busy")
    client = await logged_in(new_client, "busy")
    step_s, elapsed_s = product.settings.admin_session_idle_s * 2 // 3, 0
    while elapsed_s + step_s <= product.settings.admin_session_max_age_s:
        clock.advance(seconds=step_s)
        elapsed_s += step_s
        assert await opens_admin(client), elapsed_s
    clock.advance(seconds=step_s)  # never idle for long, but now past the maximum age
    assert not await opens_admin(client)


async def test_housekeeping_drops_ended_sessions_only(orm: None, clock: FrozenClock) -> None:
    """Browsers that never come back leave rows: the hourly job drops those past their idle limit."""
    rules = SessionRules(idle=timedelta(minutes=30), max_age=timedelta(hours=8))
    gone, kept = await make_staff("gone"), await make_staff("kept")
    await open_session(gone, clock(), rules)
    clock.advance(minutes=20)
    token = await open_session(kept, clock(), rules)
    clock.advance(minutes=15)
    assert await forget_ended_sessions(clock(), rules) == 1
    assert await session_staff(token, clock(), rules) is not None
