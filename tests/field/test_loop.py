"""Acceptance 1: dispatch → the crew takes it → on site → fixed with an after photo → the reporter gets both photos
and confirms → the report is verified fixed → the reward (paid only once fixed) is granted; over the fake Bot API."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from bot.admin.models import AuditEvent
from bot.reports.models import Report, StatusChange
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from field.models import CrewTask
from rewards.models import RewardGrant
from rewards.rulebook import current_rules_text, save_rules
from rewards.states import GrantState
from tests.factories import jpeg_bytes, make_pool
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser
from tests.field.conftest import (
    CREW_TG,
    GREEN,
    REPORTER,
    Worker,
    buttons,
    card_of,
    crew_member,
    dispatched_report,
    make_agency,
)


def colour_at(jpeg: bytes, x_fraction: float) -> tuple[int, int, int]:
    with Image.open(BytesIO(jpeg)) as image:
        rgb = image.convert("RGB")
        return rgb.getpixel((int(rgb.width * x_fraction), rgb.height // 2 + 7))  # type: ignore[return-value]


async def pay_only_once_fixed(product: WebRuntime) -> None:
    """E-bike hazards pay only once fixed (and a pool to pay from)."""
    text = (await current_rules_text(product.settings)).replace("require_fixed = []", 'require_fixed = ["ebike"]')
    await save_rules(text, staff_id=None, now=product.services.clock())
    await make_pool()


async def test_the_loop_closes_from_dispatch_to_the_reward(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
) -> None:
    await pay_only_once_fixed(product)
    await make_agency()
    await crew_member("wang", CREW_TG)
    report = await dispatched_report(product.settings)
    await run_worker()

    # The crew member gets the map pin, then the card: the reporter's photo, the details, the buttons.
    [pin] = fake_api.sent(CREW_TG, "sendLocation")
    assert (float(pin["latitude"]), float(pin["longitude"])) == (report.lat, report.lon)
    card = card_of(fake_api, CREW_TG, report.id)
    assert (
        f"Report #{report.id} for Huangpu Fire" in card["caption"] and "Deadline: 2026-11-30 10:00" in card["caption"]
    )
    assert buttons(card) == [f"fc:{action}:{report.id}" for action in "tnsfm"]

    crew = FakeUser(fake_api, CREW_TG, first_name="Wang")
    [took] = await crew.press(card, f"fc:t:{report.id}")
    assert took["text"] == f"Wang took report #{report.id}."
    [on_site] = await crew.press(card, f"fc:s:{report.id}")
    assert "on site" in on_site["text"] and (await Report.get(id=report.id)).status == Status.IN_PROGRESS
    [ask_photo] = await crew.press(card, f"fc:f:{report.id}")
    assert "send a photo of the place" in ask_photo["text"] and "reply_markup" not in ask_photo  # required: no skip
    [fixed] = await crew.photo(jpeg_bytes(GREEN), file_id="AFTER-1")
    assert f"Report #{report.id} is marked fixed" in fixed["text"]
    assert (await Report.get(id=report.id)).status == Status.FIXED
    await run_worker()
    assert not await RewardGrant.exists(report_id=report.id)  # fixed by the crew's word only: not yet

    # The reporter: before and after side by side, "is it fixed?"
    [question] = fake_api.sent(REPORTER, "sendPhoto")
    assert "the agency says the hazard is fixed" in question["caption"]
    assert colour_at(question["photo"], 0.25)[0] > 150 and colour_at(question["photo"], 0.75)[1] > 150  # red | green
    [thanks] = await FakeUser(fake_api, REPORTER).press(question, f"fv:y:{report.id}")
    assert thanks["text"] == f"Thank you! Report #{report.id} is confirmed fixed."
    verified = await Report.get(id=report.id)
    assert verified.status == Status.VERIFIED_FIXED and verified.verified_fixed_at is not None
    assert await StatusChange.exists(report_id=report.id, to_status=Status.VERIFIED_FIXED, actor=f"resident:{REPORTER}")

    await run_worker()
    grant = await RewardGrant.get(report_id=report.id)
    assert grant.state == GrantState.GRANTED and grant.amount_fen == 20000
    task = await CrewTask.get(report_id=report.id)
    assert task.after_photo_id is not None and task.fixed_at is not None
    assert await AuditEvent.filter(report_id=report.id, action__in=["report:taken", "report:crew_fixed"]).count() == 2
