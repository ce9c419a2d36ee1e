"""The broadcasts admin over real HTTP: compose, review, preview, send, progress, pause, cancel, education."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import aiohttp
import pytest

from bot.admin.accounts import Role
from bot.runtime import WebRuntime
from broadcasts.models import AreaSubscription, Broadcast, BroadcastStatus, EducationTheme, SelfCheckAnswer
from tests.admin_client import AdminClient, make_staff
from tests.bot.helpers import jpeg_bytes
from tests.conftest import FrozenClock
from tests.factories import make_residents
from tests.fake_botapi import FakeBotAPI

RunWorker = Callable[[], Awaitable[int]]
LETTER = {
    "title": "Rented rooms",
    "text_zh_CN": "出租屋消防安全公开信",
    "text_en": "Open letter on rented rooms",
    "button_report": "on",
    "target_kind": "everyone",
}


@pytest.fixture
async def official(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    await make_staff("official1", Role.OFFICIAL, language="en")
    assert await client.login("official1") == 200
    yield client
    await client.close()


async def compose(client: AdminClient, fields: dict[str, Any], photo: bytes | None = None) -> tuple[int, str, str]:
    """POST the compose form as a browser does (multipart); returns status, final URL and page."""
    await client.get("/admin/broadcasts/new")
    form = aiohttp.FormData()
    for key, value in {**fields, "csrf_token": client.csrf}.items():
        for item in value if isinstance(value, list) else [value]:
            form.add_field(key, str(item))
    if photo is not None:
        form.add_field("photo", photo, filename="letter.jpg", content_type="image/jpeg")
    async with client.session.post("/admin/broadcasts/new", data=form) as response:
        return response.status, str(response.url.path), await response.text()


async def send_now(client: AdminClient, path: str) -> None:
    await client.get(path)
    status, _ = await client.post(f"{path}/send", {"send_at": ""})
    assert status == 200


class TestAccess:
    async def test_moderators_cannot_open_broadcasts(self, product: WebRuntime) -> None:
        client = AdminClient(product.settings.local_base_url())
        await make_staff("mod1", Role.MODERATOR)
        await client.login("mod1")
        status, _ = await client.get("/admin/broadcasts")
        await client.close()
        assert status == 403


class TestCompose:
    async def test_review_page_shows_the_recipient_count(self, official: AdminClient, clock: FrozenClock) -> None:
        """Targeting an area shows how many residents follow it before anything is sent."""
        ids = await make_residents(60_001, 5)
        await AreaSubscription.bulk_create(
            [AreaSubscription(resident_id=i, area_key="huangpu", created_at=clock()) for i in ids[:3]]
        )
        status, path, page = await compose(official, {**LETTER, "target_kind": "areas", "areas": ["huangpu"]})
        assert status == 200 and re.fullmatch(r"/admin/broadcasts/\d+", path)
        assert "3 residents would receive it now." in page
        assert (await Broadcast.get()).status == BroadcastStatus.DRAFT

    async def test_problems_are_listed_and_the_input_kept(self, official: AdminClient) -> None:
        """No default-language text and a bad link: 400, both problems named, the English text still there."""
        fields = {**LETTER, "text_zh_CN": "", "link_url": "ftp://x", "link_label_en": "More"}
        status, _, page = await compose(official, fields)
        assert status == 400
        assert "Write the text at least in the default language (zh_CN)." in page
        assert "A link button needs a label" in page and "Open letter on rented rooms" in page
        assert not await Broadcast.exists()

    async def test_a_reward_campaign_is_announced_from_its_facts(
        self, official: AdminClient, clock: FrozenClock
    ) -> None:
        """The campaigns page links to a draft with the campaign's name, last day, categories and multiplier."""
        from rewards.models import Campaign

        campaign = await Campaign.create(
            name="E-bike month",
            starts_at=datetime.fromisoformat("2026-11-30T16:00:00+00:00"),
            ends_at=datetime.fromisoformat("2026-12-31T16:00:00+00:00"),
            categories=["ebike"],
            multiplier_pct=200,
            created_at=clock(),
        )
        _, campaigns = await official.get("/admin/rewards/campaigns")
        [link] = re.findall(r'href="(/admin/broadcasts/new\?[^"]+)"', campaigns)
        status, page = await official.get(html.unescape(link))
        assert status == 200 and f'name="campaign_id" value="{campaign.id}"' in page
        assert "2026-12-01 to 2026-12-31" in page and "earn 2 times the usual reward" in page
        assert "E-bike charging" in page and "奖励活动“E-bike month”" in page


class TestSending:
    async def test_send_now_delivers_and_progress_reports_it(
        self, official: AdminClient, fake_api: FakeBotAPI, run_worker: RunWorker
    ) -> None:
        """Send now queues the job; after the worker ran, progress.json shows every message sent."""
        await make_residents(61_001, 4)
        _, path, _ = await compose(official, LETTER)
        await send_now(official, path)
        await run_worker()
        assert len(fake_api.sent()) == 4
        async with official.session.get(f"{path}/progress.json") as response:
            progress = await response.json()
        assert progress["status"] == "done" and progress["counts"]["sent"] == 4 and progress["percent"] == 100.0
        _, page = await official.get(path)
        assert 'id="count-sent">4<' in page

    async def test_a_photo_is_uploaded_once_then_reused(
        self, official: AdminClient, fake_api: FakeBotAPI, run_worker: RunWorker
    ) -> None:
        """The first sendPhoto uploads the JPEG; the others reuse Telegram's file id."""
        await make_residents(62_001, 5)
        _, path, _ = await compose(official, LETTER, photo=jpeg_bytes())
        await send_now(official, path)
        await run_worker()
        photos = fake_api.sent(method="sendPhoto")
        assert len(photos) == 5 and fake_api.sent() == []
        uploads = [p for p in photos if isinstance(p["photo"], bytes | bytearray)]
        assert len(uploads) == 1 and {p["photo"] for p in photos if p not in uploads} == {"sent-1"}
        assert {p["caption"] for p in photos} == {LETTER[k] for k in ("text_zh_CN", "text_en")}

    async def test_preview_goes_to_the_officials_own_telegram(
        self, product: WebRuntime, official: AdminClient, fake_api: FakeBotAPI, run_worker: RunWorker
    ) -> None:
        """With a Telegram id on the staff account, the preview arrives there in the official's language."""
        await make_residents(63_001, 2)
        from bot.admin.models import StaffUser

        await StaffUser.filter(username="official1").update(telegram_user_id=777)
        _, path, _ = await compose(official, LETTER)
        await official.get(path)
        status, page = await official.post(f"{path}/preview")
        assert status == 200 and "on its way to your Telegram" in page
        await run_worker()
        [preview] = fake_api.sent(777)
        assert preview["text"] == LETTER["text_en"] and len(fake_api.sent()) == 1

    async def test_preview_without_a_telegram_id_is_explained(self, official: AdminClient) -> None:
        _, path, _ = await compose(official, LETTER)
        await official.get(path)
        _, page = await official.post(f"{path}/preview")
        assert "no Telegram user id" in page

    async def test_scheduled_then_paused_then_cancelled(
        self,
        official: AdminClient,
        fake_api: FakeBotAPI,
        clock: FrozenClock,
        run_worker: RunWorker,
        product: WebRuntime,
    ) -> None:
        """A send at a later local time is scheduled; pause and cancel stop it and nothing goes out."""
        await make_residents(64_001, 2)
        _, path, _ = await compose(official, LETTER)
        await official.get(path)
        await official.post(f"{path}/send", {"send_at": "2026-11-23T18:00"})  # Shanghai: 10:00 UTC
        broadcast = await Broadcast.get()
        assert broadcast.status == BroadcastStatus.SCHEDULED
        assert broadcast.scheduled_at == datetime.fromisoformat("2026-11-23T10:00:00+00:00")
        _, page = await official.get(path)
        assert "Scheduled for 2026-11-23 18:00 (Asia/Shanghai)." in page  # shown in local time again
        for action, status in (("pause", BroadcastStatus.PAUSED), ("cancel", BroadcastStatus.CANCELLED)):
            await official.post(f"{path}/{action}")
            assert (await Broadcast.get()).status == status
        clock.advance(hours=9)
        await product.services.redis.enqueue_job("broadcasts.tick")
        await run_worker()
        assert fake_api.sent() == []


class TestEducation:
    async def test_calendar_lists_twelve_months(self, official: AdminClient) -> None:
        status, page = await official.get("/admin/broadcasts/education")
        assert status == 200 and page.count('href="/admin/broadcasts/education/') == 13  # 12 edits + dashboard
        assert "E-bike charging" in page and "Summer drowning prevention" in page

    async def test_editing_a_month_is_stored(self, official: AdminClient) -> None:
        await official.get("/admin/broadcasts/education/4")
        fields = {
            "title_en": "E-bikes",
            "title_zh_CN": "电动车",
            "text_en": "Charge outside.",
            "text_zh_CN": "室外充电。",
            "check_0_key": "outside",
            "check_0_en": "My e-bike is charged outside",
            "check_0_zh_CN": "我的电动车在室外充电",
        }
        status, _ = await official.post("/admin/broadcasts/education/4", fields)
        assert status == 200
        theme = await EducationTheme.get(month=4)
        assert theme.titles == {"zh_CN": "电动车", "en": "E-bikes"} and theme.checks[0]["key"] == "outside"

    async def test_each_save_is_kept_in_the_months_history(
        self, official: AdminClient, clock: FrozenClock, product: WebRuntime
    ) -> None:
        """Who saved which version when, newest first, on the month's page; another month's saves stay apart."""
        await make_staff("official2", Role.OFFICIAL, language="en", display_name="Chen Jing")
        second = AdminClient(product.settings.local_base_url())
        try:
            assert await second.login("official2") == 200
            texts = {"title_zh_CN": "电动车", "text_en": "Charge outside.", "text_zh_CN": "室外充电。"}
            first = {**texts, "title_en": "E-bikes", "check_0_key": "outside", "check_0_en": "Outside"}
            await official.get("/admin/broadcasts/education/4")
            assert (await official.post("/admin/broadcasts/education/4", {**first, "check_0_zh_CN": "室外"}))[0] == 200
            clock.advance(minutes=10)
            again = {**texts, "title_en": "E-bikes, again", "check_0_key": "balcony", "check_0_en": "On the balcony"}
            await second.get("/admin/broadcasts/education/4")
            assert (await second.post("/admin/broadcasts/education/4", {**again, "check_0_zh_CN": "阳台"}))[0] == 200
            await official.get("/admin/broadcasts/education/5")
            other = {**texts, "title_en": "May", "check_0_key": "may", "check_0_en": "May", "check_0_zh_CN": "五月"}
            assert (await official.post("/admin/broadcasts/education/5", other))[0] == 200
            _, page = await official.get("/admin/broadcasts/education/4")
        finally:
            await second.close()
        history = page[page.index("Changes") :]
        assert history.index("E-bikes, again") < history.index("E-bikes</td>")  # newest first
        assert "Chen Jing" in history and "official1" in history
        assert "<code>balcony</code> On the balcony" in history and "<code>outside</code> Outside" in history
        assert "May" not in history  # month 5's save is on month 5's page

    async def test_malformed_checks_are_refused_row_by_row(self, official: AdminClient) -> None:
        """A row with a bad key, one missing a language and a repeated key each get their own message; the
        rows typed are shown again."""
        await official.get("/admin/broadcasts/education/4")
        fields = {
            "title_en": "a",
            "title_zh_CN": "b",
            "text_en": "c",
            "text_zh_CN": "d",
            **{"check_0_key": "charged outside", "check_0_en": "Outside", "check_0_zh_CN": "室外"},
            **{"check_1_key": "inside", "check_1_en": "Inside", "check_1_zh_CN": ""},
            **{"check_2_key": "fine", "check_2_en": "Fine", "check_2_zh_CN": "好"},
            **{"check_3_key": "fine", "check_3_en": "Fine again", "check_3_zh_CN": "又好"},
        }
        status, page = await official.post("/admin/broadcasts/education/4", fields)
        assert status == 400 and not await EducationTheme.exists()
        assert "The key is up to 32 letters, digits or underscores" in page
        assert "Give the answer in every language." in page and "Another answer has this key already." in page
        assert 'value="charged outside"' in page and 'value="Fine again"' in page

    async def test_no_check_at_all_is_refused(self, official: AdminClient) -> None:
        await official.get("/admin/broadcasts/education/4")
        fields = {"title_en": "a", "title_zh_CN": "b", "text_en": "c", "text_zh_CN": "d"}
        status, page = await official.post("/admin/broadcasts/education/4", fields)
        assert status == 400 and "Give at least one self-check answer." in page

    async def test_dashboard_counts_answers_per_option(
        self, official: AdminClient, clock: FrozenClock, product: WebRuntime, run_worker: RunWorker
    ) -> None:
        ids = await make_residents(65_001, 3)
        clock.now = datetime.fromisoformat("2026-12-05T02:00:00+00:00")
        await product.services.redis.enqueue_job("broadcasts.tick")
        await run_worker()
        for resident_id, option in zip(ids, ("no_charcoal", "no_charcoal", "ventilation"), strict=True):
            await SelfCheckAnswer.create(
                resident_id=resident_id, month_key="2026-12", option=option, answered_at=clock()
            )
        assert await official.login("official1") == 200  # twelve days later: the session before has expired
        _, page = await official.get("/admin/broadcasts/education/self-check")
        assert "3 answers from 3 residents reached (100.0%)." in page
        assert re.findall(r'class="answer-count">(\d+)<', page) == ["2", "1"]
