"""The moderators' web admin over real HTTP: scope, the queue, the report page and its actions (acceptance 4)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from io import BytesIO

import pytest
from PIL import Image

from bot.admin.accounts import Role
from bot.admin.audit import EventTag
from bot.admin.models import AuditEvent
from bot.config import Settings
from bot.reports.models import DuplicateFlag, Photo, Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from moderation.models import PhotoRedaction
from moderation.routing import AgencyForm, save_agency
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.factories import JINGAN, add_photo, make_report, make_resident
from tests.fake_botapi import FakeBotAPI

Worker = Callable[[], Awaitable[int]]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"queue_page_size": 3})


async def login(client: AdminClient, role: Role = Role.MODERATOR, **scope: list[str]) -> None:
    username = f"{role}-{len(scope)}"
    await make_staff(username, role, language="en", **scope)
    assert await client.login(username) == 200


async def image_at(client: AdminClient, path: str) -> Image.Image:
    async with client.session.get(path) as response:
        assert response.status == 200 and response.content_type == "image/jpeg"
        return Image.open(BytesIO(await response.read())).convert("RGB")


def brightest(image: Image.Image, xy: tuple[int, int]) -> int:
    """The brightest channel of one pixel (0 for black)."""
    pixel = image.getpixel(xy)
    assert isinstance(pixel, tuple)
    return max(pixel)


class TestScope:
    async def test_a_moderator_cannot_open_another_areas_queue(self, product: WebRuntime, client: AdminClient) -> None:
        await login(client, areas=["huangpu"])
        status, _ = await client.get("/admin/queue?area=jingan")
        assert status == 403

    async def test_the_unfiltered_queue_shows_only_the_moderators_areas(
        self, product: WebRuntime, client: AdminClient
    ) -> None:
        reporter = await make_resident(7001)
        mine = await make_report(reporter, description="mine")
        theirs = await make_report(reporter, area="jingan", position=JINGAN)
        await login(client, areas=["huangpu"])
        status, page = await client.get("/admin/queue")
        assert status == 200 and f'href="/admin/reports/{mine.id}"' in page
        assert f'href="/admin/reports/{theirs.id}"' not in page

    async def test_a_moderator_cannot_open_or_act_on_another_areas_report(
        self, product: WebRuntime, client: AdminClient
    ) -> None:
        """The page, its photos and its actions all answer 403; the report is untouched."""
        theirs = await make_report(await make_resident(7011), area="jingan", position=JINGAN)
        photo = await add_photo(theirs, product.settings)
        await login(client, areas=["huangpu"])
        assert (await client.get(f"/admin/reports/{theirs.id}"))[0] == 403
        assert (await client.get(f"/admin/photos/{photo.id}/thumb"))[0] == 403
        await client.get("/admin/queue")
        assert (await client.post(f"/admin/reports/{theirs.id}/accept", {"severity": "low"}))[0] == 403
        assert (await Report.get(id=theirs.id)).status == Status.SUBMITTED

    async def test_category_scope(self, product: WebRuntime, client: AdminClient) -> None:
        traffic = await make_report(await make_resident(7021), category="traffic")
        await login(client, categories=["ebike"])
        assert (await client.get("/admin/queue?category=traffic"))[0] == 403
        assert (await client.get(f"/admin/reports/{traffic.id}"))[0] == 403

    async def test_officials_see_every_area(self, product: WebRuntime, client: AdminClient) -> None:
        theirs = await make_report(await make_resident(7031), area="jingan", position=JINGAN)
        await login(client, Role.OFFICIAL)
        status, page = await client.get("/admin/queue?area=jingan")
        assert status == 200 and f"#{theirs.id}" in page


class TestQueue:
    async def test_sorted_by_due_time_and_paginated(
        self, product: WebRuntime, client: AdminClient, clock: FrozenClock
    ) -> None:
        """The report due first comes first; page 2 holds the rest (page size 3 here)."""
        reporter = await make_resident(7101)
        late_filed = await make_report(reporter, now=clock.now + timedelta(hours=5))
        reports = [await make_report(reporter, now=clock.now + timedelta(hours=h)) for h in (1, 2, 3)]
        await login(client)
        _, first = await client.get("/admin/queue")
        _, second = await client.get("/admin/queue?page=2")
        order = [first.index(f'href="/admin/reports/{r.id}"') for r in reports]
        assert order == sorted(order) and f'href="/admin/reports/{late_filed.id}"' in second
        assert "Page 1 of 2" in first

    async def test_overdue_filter(self, product: WebRuntime, client: AdminClient) -> None:
        reporter = await make_resident(7111)
        late, fine = await make_report(reporter), await make_report(reporter)
        await Report.filter(id=late.id).update(overdue=True)
        await login(client)
        _, page = await client.get("/admin/queue?overdue=1")
        assert f'href="/admin/reports/{late.id}?' in page and f'href="/admin/reports/{fine.id}?' not in page

    async def test_has_duplicates_filter(self, product: WebRuntime, client: AdminClient, clock: FrozenClock) -> None:
        """Reports with an intake photo flag (either side) or a merged duplicate are listed; others are not."""
        reporter = await make_resident(7121)
        first, second, third, merged_into = [await make_report(reporter) for _ in range(4)]
        await DuplicateFlag.create(
            report=second, similar_to=first, kind="photo", phash_distance=3, distance_m=12.0, created_at=clock.now
        )
        duplicate = await make_report(reporter, status=Status.DUPLICATE)
        await Report.filter(id=duplicate.id).update(duplicate_of_id=merged_into.id)
        await login(client, Role.OFFICIAL)
        _, page = await client.get("/admin/queue?has_duplicates=1")
        listed = {r.id for r in (first, second, third, merged_into) if f'href="/admin/reports/{r.id}?' in page}
        assert listed == {first.id, second.id, merged_into.id}

    async def test_status_filter(self, product: WebRuntime, client: AdminClient) -> None:
        reporter = await make_resident(7131)
        fixed, waiting = await make_report(reporter, status=Status.FIXED), await make_report(reporter)
        await login(client)
        _, page = await client.get("/admin/queue?status=fixed")
        assert f'href="/admin/reports/{fixed.id}?' in page and f'href="/admin/reports/{waiting.id}?' not in page


class TestReportPage:
    @pytest.mark.parametrize("status", [Status.FIXED, Status.REJECTED, Status.NO_ACTION])
    async def test_a_fixed_or_closed_report_has_no_accept_or_reject_controls(
        self, product: WebRuntime, client: AdminClient, status: Status
    ) -> None:
        report = await make_report(await make_resident(7701), status=status)
        await login(client, Role.OFFICIAL)
        _, page = await client.get(f"/admin/reports/{report.id}")
        assert f"/admin/reports/{report.id}/accept" not in page and f"/admin/reports/{report.id}/reject" not in page
        assert "it needs no moderation decision" in page

    async def test_a_waiting_report_has_one_button_per_severity_and_reject_reason(
        self, product: WebRuntime, client: AdminClient
    ) -> None:
        report = await make_report(await make_resident(7702))
        await login(client)
        _, page = await client.get(f"/admin/reports/{report.id}")
        for severity in ("low", "medium", "high", "critical"):
            assert f'name="severity" value="{severity}"' in page
        for reason in ("not_hazard", "unclear", "location", "outside", "improper"):
            assert f'name="template" value="{reason}"' in page

    async def test_the_flash_after_a_decision_is_in_the_readers_language(
        self, product: WebRuntime, client: AdminClient
    ) -> None:
        report = await make_report(await make_resident(7703))
        await make_staff("zh-mod", Role.MODERATOR, language="zh_CN")
        assert await client.login("zh-mod") == 200
        await client.get(f"/admin/reports/{report.id}")
        _, page = await client.post(f"/admin/reports/{report.id}/accept", {"severity": "high"})
        assert f"举报 #{report.id} 已受理。" in page and "此队列中已没有待处理的举报。" in page

    async def test_shows_place_photos_history_candidates_and_timeline(
        self, product: WebRuntime, client: AdminClient
    ) -> None:
        reporter = await make_resident(7201, first_name="Mei")
        older = await make_report(reporter, status=Status.REJECTED)
        report = await make_report(reporter)
        neighbour = await make_report(await make_resident(7202))
        photo, neighbour_photo = await add_photo(report, product.settings), await add_photo(neighbour, product.settings)
        await login(client)
        status, page = await client.get(f"/admin/reports/{report.id}")
        assert status == 200 and "31.230400, 121.473700 (shared in Telegram)" in page and "Huangpu" in page
        assert f'src="/admin/photos/{photo.id}"' in page and "Mei" in page  # full size, to draw redactions on
        assert f'href="/admin/reports/{older.id}"' in page  # the reporter's history
        assert f"/admin/photos/{neighbour_photo.id}/thumb" in page  # a nearby candidate, with its thumbnail
        assert f"Merge into #{neighbour.id}" in page and "Timeline" in page
        assert '<td data-label="Time">2026-11-23 10:00</td><td data-label="By">the reporter</td>' in page  # local time
        assert "resident:7201" not in page
        assert 'href="https://www.openstreetmap.org/?mlat=31.230400&amp;mlon=121.473700' in page
        thumbnail = await image_at(client, f"/admin/photos/{photo.id}/thumb")
        assert max(thumbnail.size) <= product.settings.thumbnail_max_side_px

    async def test_accept_dispatch_fixed_produces_the_dms(
        self, product: WebRuntime, client: AdminClient, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """An official walks a report to fixed through the pages; the reporter hears each step."""
        await save_agency(
            AgencyForm("roads", "Road works", "道路养护", categories=("traffic",)),
            actor="staff:1",
            now=product.services.clock(),
        )
        report = await make_report(await make_resident(7301, "zh_CN"))
        await login(client, Role.OFFICIAL)
        await client.get(f"/admin/reports/{report.id}")
        await client.post(f"/admin/reports/{report.id}/accept", {"severity": "high"})
        await client.post(f"/admin/reports/{report.id}/dispatch", {"agency": "roads"})
        status, page = await client.post(f"/admin/reports/{report.id}/status", {"to": "fixed", "public_note": ""})
        assert status == 200 and "Status changed." in page
        assert (await Report.get(id=report.id)).status == Status.FIXED
        await run_worker()
        # Status DMs (the verification question, with its buttons, is the field feature's: tests/field).
        updates = [message for message in fake_api.sent(7301) if "reply_markup" not in message]
        bodies = sorted(message["text"].splitlines()[1] for message in updates)  # jobs run concurrently
        assert bodies == sorted(
            [
                "审核员已核实并受理，将转交负责部门处理。",
                "已派发给道路养护负责整改。",
                "负责部门称该隐患已整改，将由部门以外的人员确认。",
            ]
        )

    async def test_a_moderator_cannot_mark_fixed(self, product: WebRuntime, client: AdminClient) -> None:
        report = await make_report(await make_resident(7311), status=Status.DISPATCHED)
        await login(client)
        status, page = await client.post(f"/admin/reports/{report.id}/status", {"to": "fixed"})
        assert status == 200 and "cannot set that status" in page
        assert (await Report.get(id=report.id)).status == Status.DISPATCHED

    async def test_an_illegal_change_is_explained(self, product: WebRuntime, client: AdminClient) -> None:
        report = await make_report(await make_resident(7321), status=Status.REJECTED)
        await login(client)
        status, page = await client.post(f"/admin/reports/{report.id}/accept", {"severity": "low"})
        assert status == 200 and "not possible in the report" in page

    async def test_editing_the_description_keeps_the_original(self, product: WebRuntime, client: AdminClient) -> None:
        report = await make_report(await make_resident(7331), description="Call me on 13800000000")
        await login(client)
        await client.post(f"/admin/reports/{report.id}/description", {"description": "E-bike in the corridor"})
        await client.post(f"/admin/reports/{report.id}/description", {"description": "E-bike in corridor 3"})
        stored = await Report.get(id=report.id)
        assert (stored.description, stored.original_description) == ("E-bike in corridor 3", "Call me on 13800000000")
        assert await AuditEvent.filter(action=EventTag.REPORT_DESCRIPTION_EDIT).count() == 2


class TestRedaction:
    async def test_a_box_is_blacked_out_and_the_original_kept_for_admins(
        self, product: WebRuntime, client: AdminClient
    ) -> None:
        report = await make_report(await make_resident(7401))
        photo = await add_photo(report, product.settings)
        before_key = photo.storage_key
        await make_staff("admin", Role.ADMIN, language="en")
        await client.login("admin")
        await client.get(f"/admin/reports/{report.id}")
        status, page = await client.post(
            f"/admin/reports/{report.id}/photos/{photo.id}/redact", {"x": "100", "y": "50", "w": "200", "h": "100"}
        )
        assert status == 200 and "Photo redacted" in page
        stored = await Photo.get(id=photo.id)
        assert stored.storage_key != before_key
        redacted = await image_at(client, f"/admin/photos/{photo.id}")
        assert brightest(redacted, (200, 100)) < 16 and brightest(redacted, (20, 20)) > 100
        original = await image_at(client, f"/admin/photos/{photo.id}/original")
        assert brightest(original, (200, 100)) > 100
        assert (await PhotoRedaction.get(photo_id=photo.id)).original_key.startswith("restricted/")

    async def test_a_box_outside_the_photo_is_refused(self, product: WebRuntime, client: AdminClient) -> None:
        report = await make_report(await make_resident(7411))
        photo = await add_photo(report, product.settings)
        await login(client)
        await client.get(f"/admin/reports/{report.id}")
        status, page = await client.post(
            f"/admin/reports/{report.id}/photos/{photo.id}/redact", {"x": "5000", "y": "0", "w": "10", "h": "10"}
        )
        assert status == 200 and "inside the photo" in page
        assert not await PhotoRedaction.exists()


class TestOtherPages:
    async def test_audit_log_lists_actions(self, product: WebRuntime, client: AdminClient) -> None:
        report = await make_report(await make_resident(7501))
        await login(client, Role.OFFICIAL)
        await client.get(f"/admin/reports/{report.id}")
        await client.post(f"/admin/reports/{report.id}/reject", {"template": "not_hazard"})
        status, page = await client.get(f"/admin/audit?report={report.id}")
        assert status == 200 and "report:reject" in page

    async def test_dashboard_counts(self, product: WebRuntime, client: AdminClient) -> None:
        await make_report(await make_resident(7511))
        await login(client, Role.OFFICIAL)
        status, page = await client.get("/admin/dashboard")
        assert status == 200 and "Open reports: 1" in page

    async def test_admins_create_staff(self, product: WebRuntime, client: AdminClient) -> None:
        await login(client, Role.ADMIN)
        await client.get("/admin/staff")
        status, page = await client.post(
            "/admin/staff",
            {
                "username": "newmod",
                "password": "long enough password",
                "role": "moderator",
                "areas": "xuhui",
                "language": "en",
            },
        )
        assert status == 200 and "newmod created" in page
        assert await client.login("newmod", "long enough password") == 200

    async def test_pages_speak_the_staff_members_language(self, product: WebRuntime, client: AdminClient) -> None:
        """A Chinese-speaking moderator (the default) gets the queue and the report page in Chinese."""
        report = await make_report(await make_resident(7521))
        await add_photo(report, product.settings)
        await make_staff("zh-mod", Role.MODERATOR)
        await client.login("zh-mod")
        _, queue = await client.get("/admin/queue")
        status, page = await client.get(f"/admin/reports/{report.id}")
        assert "按截止时间排序" in queue and status == 200 and "重复举报" in page and "黄浦区" in page
