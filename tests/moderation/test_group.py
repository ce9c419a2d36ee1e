"""The moderators' Telegram group: each submitted report is posted once; linked moderators act from its buttons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.admin.accounts import Role, link_telegram
from bot.admin.audit import EventTag
from bot.admin.models import AuditEvent, StaffUser
from bot.config import Settings
from bot.i18n import Translator
from bot.reports.lifecycle import transition
from bot.reports.models import Photo, Report, StatusChange
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from bot.storage import DirectoryStorage
from moderation.jobs.group import keyboard
from moderation.models import GroupPost
from tests.admin_client import AdminClient, make_staff
from tests.factories import SLA, add_photo, make_report, make_resident
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser

Worker = Callable[[], Awaitable[int]]
GROUP = -1001234567890
MODERATOR_TG = 5001


@pytest.fixture
def group_chat_id() -> int | None:
    return GROUP


@pytest.fixture
def settings(settings: Settings, group_chat_id: int | None) -> Settings:
    """The group is on, and speaks English (the default locale) so the assertions read plainly."""
    return settings.model_copy(update={"moderators_chat_id": group_chat_id, "default_locale": "en"})


async def linked_staff(
    username: str, telegram_id: int, role: Role = Role.MODERATOR, language: str = "en", **scope: list[str]
) -> StaffUser:
    staff: StaffUser = await make_staff(username, role, language=language, display_name=username.title(), **scope)
    await link_telegram(staff, telegram_id)
    return staff


async def posted(product: WebRuntime, run_worker: Worker, fake_api: FakeBotAPI, resident_id: int) -> Report:
    """A report with a photo, submitted and posted to the group (the worker ran)."""
    report = await make_report(await make_resident(resident_id))
    await add_photo(report, product.settings)
    await run_worker()
    return report


def group_post(fake_api: FakeBotAPI) -> dict[str, Any]:
    [post] = fake_api.sent(GROUP, "sendPhoto")
    return post


def alerted(answer: dict[str, Any]) -> bool:
    """The bot answered the press with an alert (form-encoded: "true")."""
    return str(answer.get("show_alert")).lower() == "true"


def buttons(message: dict[str, Any]) -> list[str]:
    return [b.get("callback_data") or b["url"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


class TestPosting:
    async def test_a_submitted_report_is_posted_once_with_its_photo_and_buttons(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """The stored cleaned JPEG goes as bytes, with the details and the buttons; a second run posts nothing."""
        report = await posted(product, run_worker, fake_api, 8001)
        change = await StatusChange.get(report_id=report.id, to_status=Status.SUBMITTED)
        await product.services.redis.enqueue_job("moderation.group_post", change.id, _job_id="group-post:again")
        await run_worker()
        post, photo = group_post(fake_api), await Photo.get(report_id=report.id)
        assert post["photo"] == await DirectoryStorage(product.settings.photo_dir).get(photo.storage_key)
        caption = post["caption"]
        assert f"New report #{report.id}" in caption and "E-bike" in caption and "Huangpu" in caption
        assert "31.230400, 121.473700" in caption and "2026-11-24 10:00 (Asia/Shanghai)" in caption
        assert "E-bike charging in the stairwell" in caption
        assert buttons(post) == [
            *(f"mg:a:{report.id}:{severity}" for severity in ("low", "medium", "high")),
            *(f"mg:r:{report.id}:{key}" for key in ("not_hazard", "unclear", "location", "outside")),
        ]
        assert fake_api.sent(GROUP) == [] and await GroupPost.filter(report_id=report.id).count() == 1

    async def test_a_report_without_a_photo_is_posted_as_text(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        report = await make_report(await make_resident(8011))
        await run_worker()
        [post] = fake_api.sent(GROUP)
        assert f"New report #{report.id}" in post["text"] and f"mg:a:{report.id}:medium" in buttons(post)

    @pytest.mark.parametrize("group_chat_id", [None])
    async def test_nothing_is_posted_when_no_group_is_set(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        await posted(product, run_worker, fake_api, 8021)
        assert [m for m, p in fake_api.calls if int(p.get("chat_id", 0)) < 0] == []
        assert await GroupPost.all().count() == 0

    def test_the_open_in_admin_button_needs_an_https_address(self, settings: Settings) -> None:
        """Telegram refuses other URLs on buttons, so a plain-http deployment gets none."""
        _ = Translator("en")
        https = settings.model_copy(update={"public_url": "https://safecity.example/"})
        [link] = keyboard(7, _, https).inline_keyboard[-1]
        assert link.url == "https://safecity.example/admin/reports/7"
        assert all(button.url is None for row in keyboard(7, _, settings).inline_keyboard for button in row)


class TestPressing:
    async def test_a_linked_moderator_accepts_from_the_group(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """Accept · medium: accepted with that severity as the staff member, reporter told, post edited."""
        staff = await linked_staff("wang", MODERATOR_TG, areas=["huangpu"])
        report = await posted(product, run_worker, fake_api, 8101)
        answer = await FakeUser(fake_api, MODERATOR_TG).press_in_group(group_post(fake_api), f"mg:a:{report.id}:medium")
        stored = await Report.get(id=report.id)
        assert (stored.status, stored.severity) == (Status.ACCEPTED, "medium") and not alerted(answer)
        assert await AuditEvent.exists(action=EventTag.REPORT_ACCEPT, actor=f"staff:{staff.id}", report_id=report.id)
        await run_worker()
        [dm] = fake_api.sent(8101)
        assert f"report #{report.id}" in dm["text"] and "accepted" in dm["text"]
        [edit] = fake_api.sent(GROUP, "editMessageCaption")  # once: the close job finds it done
        assert int(edit["message_id"]) == group_post(fake_api)["_result"]["message_id"]
        assert edit["caption"].endswith("Accepted (medium) by Wang") and "reply_markup" not in edit

    async def test_an_unlinked_user_is_refused(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        report = await posted(product, run_worker, fake_api, 8111)
        answer = await FakeUser(fake_api, 6006).press_in_group(group_post(fake_api), f"mg:a:{report.id}:high")
        assert alerted(answer) and "not linked to a staff account" in answer["text"]
        assert (await Report.get(id=report.id)).status == Status.SUBMITTED
        assert fake_api.sent(GROUP, "editMessageCaption") == []

    async def test_a_moderator_of_another_area_is_refused_in_their_language(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """A Chinese-speaking moderator of Jing'an cannot decide on a Huangpu report."""
        await linked_staff("li", MODERATOR_TG, language="zh_CN", areas=["jingan"])
        report = await posted(product, run_worker, fake_api, 8121)
        answer = await FakeUser(fake_api, MODERATOR_TG).press_in_group(
            group_post(fake_api), f"mg:r:{report.id}:unclear"
        )
        expected = Translator("zh_CN")("Report #%(id)s is outside your areas or categories.", id=report.id)
        assert alerted(answer) and answer["text"] == expected and expected.isascii() is False
        assert (await Report.get(id=report.id)).status == Status.SUBMITTED

    async def test_a_second_press_after_handling_is_refused(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        await linked_staff("wang", MODERATOR_TG)
        await linked_staff("zhao", MODERATOR_TG + 1)
        report = await posted(product, run_worker, fake_api, 8131)
        post = group_post(fake_api)
        await FakeUser(fake_api, MODERATOR_TG).press_in_group(post, f"mg:a:{report.id}:low")
        answer = await FakeUser(fake_api, MODERATOR_TG + 1).press_in_group(post, f"mg:r:{report.id}:not_hazard")
        assert alerted(answer) and "already handled" in answer["text"]
        assert (await Report.get(id=report.id)).status == Status.ACCEPTED
        assert not await AuditEvent.exists(action=EventTag.REPORT_REJECT, report_id=report.id)


class TestOtherRoutes:
    async def test_a_web_rejection_removes_the_group_buttons(
        self, product: WebRuntime, client: AdminClient, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        report = await posted(product, run_worker, fake_api, 8201)
        await make_staff("official", Role.OFFICIAL, language="en", display_name="Chen")
        await client.login("official")
        await client.post(f"/admin/reports/{report.id}/reject", {"template": "unclear"})
        await run_worker()
        [edit] = fake_api.sent(GROUP, "editMessageCaption")
        assert "reply_markup" not in edit
        assert edit["caption"].endswith(
            "Rejected by Chen: The photo and description do not show the hazard clearly enough."
        )

    async def test_a_post_that_is_gone_is_left_alone(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """Someone deleted the message: the edit fails once and the job ends without retrying."""
        report = await posted(product, run_worker, fake_api, 8211)
        fake_api.fail_next("editMessageCaption", 400, "Bad Request: message to edit not found")
        await transition(report, Status.NO_ACTION, actor="staff:1", sla=SLA)
        await run_worker()
        assert [p["_fault"] for m, p in fake_api.calls if m == "editMessageCaption"] == [400]
        assert not (await GroupPost.get(report_id=report.id)).open

    async def test_an_answered_question_brings_the_buttons_back(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """Asking the reporter closes the post; their answer puts the report, and its buttons, back."""
        report = await posted(product, run_worker, fake_api, 8221)
        await transition(report, Status.NEEDS_INFO, actor="staff:1", public_note="Which floor?", sla=SLA)
        await run_worker()
        await transition(report, Status.SUBMITTED, actor="resident:8221", reason="answered", sla=SLA)
        await run_worker()
        closed, reopened = fake_api.sent(GROUP, "editMessageCaption")
        assert "reply_markup" not in closed and "asked the reporter" in closed["caption"]
        assert buttons(reopened) == buttons(group_post(fake_api)) and "back awaiting moderation" in reopened["caption"]


class TestLinking:
    async def test_an_admin_links_a_staff_members_telegram_account(
        self, product: WebRuntime, client: AdminClient
    ) -> None:
        """On the staff page; an id already linked to someone else is refused."""
        await make_staff("admin", Role.ADMIN, language="en")
        member, other = await make_staff("mod1"), await make_staff("mod2")
        await client.login("admin")
        await client.get("/admin/staff")
        _, page = await client.post(f"/admin/staff/{member.id}/telegram", {"telegram_user_id": "5001"})
        assert "Telegram account of mod1 saved" in page
        _, page = await client.post(f"/admin/staff/{other.id}/telegram", {"telegram_user_id": "5001"})
        assert "not linked to another staff member" in page
        assert [s.telegram_user_id for s in await StaffUser.filter(id__in=[member.id, other.id]).order_by("id")] == [
            5001,
            None,
        ]
