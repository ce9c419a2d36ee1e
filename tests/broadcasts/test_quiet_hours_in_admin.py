"""Quiet hours as officials meet them (issue 16): a send into them says when it starts; an urgent one goes through
them (audited, also when another feature asks for it); texts keep no Windows line ends; previews in the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.admin.accounts import Role
from bot.admin.audit import EventTag
from bot.admin.models import AuditEvent
from bot.config import Settings
from bot.runtime import WebRuntime
from bot.worker import build_worker
from broadcasts.grid_scope import WarningRequest, create_requested, grid_target
from broadcasts.models import Broadcast
from broadcasts.views.letters import sandbox_preview_chat
from tests.admin_client import AdminClient, make_staff
from tests.bot.conftest import sandbox_product, sandbox_settings
from tests.broadcasts.test_views import LETTER, compose
from tests.conftest import FrozenClock
from tests.factories import make_broadcast, make_residents
from tests.fake_botapi import FakeBotAPI

RunWorker = Callable[[], Awaitable[int]]
__all__ = ["sandbox_product", "sandbox_settings"]  # the product without a token: its own Bot API emulation


@pytest.fixture
async def official(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    await make_staff("night-official", Role.OFFICIAL, language="en")
    assert await client.login("night-official") == 200
    yield client
    await client.close()


async def at_night(clock: FrozenClock, official: AdminClient) -> None:
    clock.advance(hours=13)  # 23:00 in Shanghai: quiet hours (22:00-08:00)
    assert await official.login("night-official") == 200  # the day's session has expired meanwhile


async def test_a_send_into_quiet_hours_says_when_it_starts(
    official: AdminClient, clock: FrozenClock, fake_api: FakeBotAPI, run_worker: RunWorker
) -> None:
    await make_residents(62_001, 2)
    await at_night(clock, official)
    status, path, page = await compose(official, LETTER)
    assert status == 200, page
    await official.get(path)
    _, page = await official.post(f"{path}/send", {"send_at": ""})
    assert "Quiet hours: nothing is sent now; the broadcast starts at 08:00." in page
    assert "The broadcast is on its way." not in page
    await run_worker()
    assert fake_api.sent() == []


async def test_a_send_in_the_day_is_on_its_way(official: AdminClient) -> None:
    _, path, _ = await compose(official, LETTER)
    await official.get(path)
    _, page = await official.post(f"{path}/send", {"send_at": ""})
    assert "The broadcast is on its way." in page and "Quiet hours" not in page


async def test_an_urgent_send_goes_out_during_quiet_hours_and_is_audited(
    official: AdminClient, clock: FrozenClock, fake_api: FakeBotAPI, run_worker: RunWorker
) -> None:
    await make_residents(62_101, 3)
    await at_night(clock, official)
    _, path, _ = await compose(official, LETTER)
    await official.get(path)
    _, page = await official.post(f"{path}/send", {"send_at": "", "urgent": "1"})
    assert "The broadcast is on its way." in page
    await run_worker()
    assert len(fake_api.sent()) == 3
    broadcast_id = int(path.rsplit("/", 1)[1])
    event = await AuditEvent.get(action=EventTag.BROADCAST_URGENT)
    assert event.actor.startswith("staff:") and event.data == {"broadcast": broadcast_id}


async def test_windows_line_ends_are_not_kept(official: AdminClient) -> None:
    _, path, _ = await compose(official, {**LETTER, "text_en": "First line\r\nSecond line\r\n"})
    broadcast = await Broadcast.get(id=int(path.rsplit("/", 1)[1]))
    assert broadcast.texts["en"] == "First line\nSecond line"


async def test_a_requested_warning_marked_urgent_is_sent_through_quiet_hours(
    product: WebRuntime, clock: FrozenClock
) -> None:
    payload = {"scope": "city", "texts": {"en": "Flood\r\nwarning"}, "title": "Flood", "urgent": True}
    request = WarningRequest.from_payload(payload)
    assert request is not None
    target = grid_target(request.scope, product.services.grid)
    assert target is not None
    broadcast = await create_requested("event:urgent-1", request, target, clock())
    assert broadcast.urgent and broadcast.texts == {"en": "Flood\nwarning"}
    plain = WarningRequest.from_payload({**payload, "urgent": "yes"})  # only a JSON true counts
    assert plain is not None and not plain.urgent


async def test_without_telegram_outside_the_sandbox_a_preview_says_why_not(official: AdminClient) -> None:
    _, path, _ = await compose(official, LETTER)
    await official.get(path)
    _, page = await official.post(f"{path}/preview")
    assert "has no Telegram user id" in page


async def test_in_the_sandbox_the_preview_reaches_the_officials_own_sandbox_chat(
    sandbox_product: WebRuntime, sandbox_settings: Settings, clock: FrozenClock
) -> None:
    client = AdminClient(sandbox_settings.local_base_url())
    staff = await make_staff("sandbox-official", Role.OFFICIAL, language="en")
    assert await client.login("sandbox-official") == 200
    broadcast = await make_broadcast(clock(), scheduled=False)
    await client.get(f"/admin/broadcasts/{broadcast.id}")
    _, page = await client.post(f"/admin/broadcasts/{broadcast.id}/preview")
    chat_id = sandbox_preview_chat(staff.id)
    assert f"open /sandbox?user={chat_id} to read it" in page
    worker = build_worker(sandbox_settings, clock=clock, burst=True, own_database=False)
    try:
        await worker.main()
    finally:
        await worker.close()
    _, transcript = await client.get(f"/sandbox/api/messages?chat_id={chat_id}&after=0&wait=0")
    await client.close()
    assert "Fire safety letter" in transcript
