"""Field fixtures: an agency with its crew, grid staff, a dispatched report with a photo, and the chats involved."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from bot.admin.accounts import Role, link_telegram
from bot.admin.models import StaffUser
from bot.city.models import Agency
from bot.config import Settings
from bot.reports.lifecycle import transition
from bot.reports.models import Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from tests.admin_client import AdminClient, make_staff
from tests.factories import FILED_AT, SLA, STAFF, add_photo, jpeg_bytes, make_report, make_resident
from tests.fake_botapi import BOT_USER, FakeBotAPI
from tests.fake_user import FakeUser

Worker = Callable[[], Awaitable[int]]
AGENCY = "huangpu_fire"
CREW_TG, CREW2_TG, OTHER_CREW_TG, GRID_TG = 7001, 7002, 7101, 7501
REPORTER = 9001
MODERATORS, SUPERVISORS, AGENCY_SUPERVISOR, AGENCY_GROUP = -100500, -100600, -100700, -100800
RED, GREEN = (200, 30, 30), (30, 190, 60)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """English group chats (assertions read plainly), a moderators' group and the officials' supervisors' chat."""
    return settings.model_copy(
        update={"default_locale": "en", "moderators_chat_id": MODERATORS, "supervisors_chat_id": SUPERVISORS}
    )


@pytest.fixture
async def client(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    yield client
    await client.close()


async def make_agency(
    key: str = AGENCY, *, group: int | None = None, supervisor: int | None = AGENCY_SUPERVISOR
) -> Agency:
    return await Agency.create(
        key=key,
        name=key.replace("_", " ").title(),
        name_zh="黄浦消防" if key == AGENCY else "",
        categories=[],
        areas=[],
        telegram_chat_id=group,
        supervisor_chat_id=supervisor,
    )


async def crew_member(username: str, telegram_id: int, agency: str = AGENCY, language: str = "en") -> StaffUser:
    staff: StaffUser = await make_staff(
        username, Role.CREW, agency=agency, language=language, display_name=username.title()
    )
    await link_telegram(staff, telegram_id)
    return staff


async def grid_member(username: str, telegram_id: int, areas: list[str], language: str = "en") -> StaffUser:
    staff: StaffUser = await make_staff(
        username, Role.GRID, areas=areas, language=language, display_name=username.title()
    )
    await link_telegram(staff, telegram_id)
    return staff


async def dispatched_report(
    settings: Settings,
    *,
    reporter_id: int = REPORTER,
    category: str = "ebike",
    agency: str = AGENCY,
    photo: bool = True,
    language: str = "en",
) -> Report:
    """A report with the reporter's (red) photo, accepted at medium severity and dispatched to `agency`."""
    report = await make_report(await make_resident(reporter_id, language), category=category, status=Status.ACCEPTED)
    if photo:
        await add_photo(report, settings, RED)
    await Report.filter(id=report.id).update(severity="medium", verified=True, agency=agency)
    report = await Report.get(id=report.id)
    await transition(report, Status.DISPATCHED, actor=STAFF, reason=agency, sla=SLA, now=FILED_AT)
    return await Report.get(id=report.id)


def buttons(message: dict[str, Any]) -> list[str]:
    return [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


def card_of(api: FakeBotAPI, chat_id: int, report_id: int) -> dict[str, Any]:
    """The crew card the bot sent to `chat_id` for the report (a photo with buttons, or a text)."""
    cards = [
        message
        for method in ("sendPhoto", "sendMessage")
        for message in api.sent(chat_id, method)
        if "reply_markup" in message and f"fc:t:{report_id}" in buttons(message)
    ]
    assert len(cards) == 1, cards
    return cards[0]


def alerted(answer: dict[str, Any]) -> bool:
    return str(answer.get("show_alert")).lower() == "true"


async def fixed_by_crew(
    settings: Settings, fake_api: FakeBotAPI, run_worker: Worker, *, after_photo: bool = True
) -> Report:
    """Dispatched, taken, fixed by Wang (with his green after photo, or without where allowed); the reporter asked."""
    await make_agency()
    await crew_member("wang", CREW_TG)
    report = await dispatched_report(settings)
    await run_worker()
    crew = FakeUser(fake_api, CREW_TG, first_name="Wang")
    [ask] = await crew.press(card_of(fake_api, CREW_TG, report.id), f"fc:f:{report.id}")
    if after_photo:
        await crew.photo(jpeg_bytes(GREEN), file_id=f"AFTER-{report.id}")
    else:
        await crew.press(ask, f"fc:x:{report.id}")
    await run_worker()
    return await Report.get(id=report.id)


def question_to(fake_api: FakeBotAPI, chat_id: int) -> dict[str, Any]:
    """The "is it fixed?" question sent to `chat_id` (a photo, or a text when there is no after photo)."""
    [question] = [
        message
        for method in ("sendPhoto", "sendMessage")
        for message in fake_api.sent(chat_id, method)
        if "reply_markup" in message and any(data.startswith("fv:") for data in buttons(message))
    ]
    return question


async def reply_in_group(
    user: FakeUser,
    bot_message: dict[str, Any] | None,
    *,
    chat_id: int | None = None,
    text: str | None = None,
    photo: bytes | None = None,
) -> int:
    """`user` writes in the group the bot sent `bot_message` to, as a reply to it (None: a plain message in
    `chat_id`). With privacy mode on, a bot sees only such replies (and commands) in a group. Returns the status."""
    chat_id = int(bot_message["chat_id"]) if bot_message is not None else chat_id
    assert chat_id is not None
    content: dict[str, Any] = {"text": text} if text is not None else {}
    if photo is not None:
        file_id = f"GROUP-{user.id}-{len(user.api.files)}"
        user.api.files[file_id] = (photo, f"photos/{file_id}.jpg")
        content = {"photo": [{"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280, "height": 960}]}
    message = {**user._message(**content), "chat": {"id": chat_id, "type": "supergroup", "title": "Crew"}}
    if bot_message is not None:
        result = bot_message["_result"]
        message["reply_to_message"] = {
            "message_id": result["message_id"],
            "date": result["date"],
            "chat": message["chat"],
            "from": BOT_USER,
            "text": result.get("text") or "",
        }
    return await user.api.deliver({"message": message})
