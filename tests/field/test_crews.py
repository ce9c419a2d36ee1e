"""Acceptance 2 and every press checked: "not ours" hands the report back with the reason, "need more time" moves
the deadline and records it; a forged or stale press changes nothing and says why, in the presser's language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.admin.accounts import Role
from bot.i18n import Translator
from bot.reports.models import DueExtension, Report, StatusChange
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from field.models import CrewPrompt, CrewTask
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.factories import jpeg_bytes
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser
from tests.field.conftest import (
    AGENCY_GROUP,
    CREW2_TG,
    CREW_TG,
    GREEN,
    MODERATORS,
    OTHER_CREW_TG,
    REPORTER,
    Worker,
    alerted,
    buttons,
    card_of,
    crew_member,
    dispatched_report,
    make_agency,
    reply_in_group,
)


async def crew_with_card(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, *, group: int | None = None
) -> tuple[Report, dict[str, Any], FakeUser]:
    """Wang's agency, a report dispatched to it, and the card he got (in his chat, or in the agency's `group`)."""
    await make_agency(group=group)
    await crew_member("wang", CREW_TG)
    report = await dispatched_report(product.settings)
    await run_worker()
    return report, card_of(fake_api, group or CREW_TG, report.id), FakeUser(fake_api, CREW_TG, first_name="Wang")


class TestNotOurs:
    async def test_a_reason_button_returns_the_report_to_the_queue_with_the_reason(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, client: AdminClient
    ) -> None:
        report, card, crew = await crew_with_card(product, fake_api, run_worker)
        [question] = await crew.press(card, f"fc:n:{report.id}")
        assert "not for your agency" in question["text"] and f"fc:r:{report.id}:kind" in buttons(question)
        [done] = await crew.press(question, f"fc:r:{report.id}:kind")
        assert (
            done["text"]
            == f"Report #{report.id} goes back to the moderators: This kind of hazard is another agency's work."
        )
        stored = await Report.get(id=report.id)
        assert (stored.status, stored.agency) == (Status.ACCEPTED, None)
        change = await StatusChange.filter(report_id=report.id).order_by("-id").first()
        assert change is not None and change.reason == "This kind of hazard is another agency's work."
        assert (await CrewTask.get(report_id=report.id)).closed_at is not None
        await run_worker()
        [note] = fake_api.sent(MODERATORS)
        assert f"Report #{report.id} was handed back by Huangpu Fire (Wang)" in note["text"]
        # The reporter heard of the acceptance once (before the dispatch), not again for the hand-back.
        assert len([m for m in fake_api.sent(REPORTER) if "accepted" in m["text"]]) == 1
        await make_staff("chen", Role.OFFICIAL, language="en")
        await client.login("chen")
        _, queue = await client.get("/admin/queue?status=accepted")
        assert f"/admin/reports/{report.id}" in queue

    async def test_a_typed_reason_is_kept_in_the_crews_words(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        report, card, crew = await crew_with_card(product, fake_api, run_worker)
        await crew.press(card, f"fc:n:{report.id}")
        [done] = await crew.text("This building belongs to Jing'an district")
        assert "goes back to the moderators: This building belongs to Jing'an district" in done["text"]
        change = await StatusChange.filter(report_id=report.id).order_by("-id").first()
        assert change is not None and change.reason == "This building belongs to Jing'an district"
        assert not await CrewPrompt.exists()

    async def test_a_sticker_is_no_reason_and_the_question_stays_open(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        report, card, crew = await crew_with_card(product, fake_api, run_worker)
        await crew.press(card, f"fc:n:{report.id}")
        [again] = await crew.sticker()
        assert again["text"] == f"Please answer report #{report.id}'s question in words, or tap one of its buttons."
        assert (await Report.get(id=report.id)).status == Status.DISPATCHED and await CrewPrompt.exists()


class TestMoreTime:
    async def test_extra_days_and_a_reason_move_the_deadline_and_record_it(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, client: AdminClient
    ) -> None:
        report, card, crew = await crew_with_card(product, fake_api, run_worker)
        due = report.resolution_due_at
        assert due is not None
        [until] = await crew.press(card, f"fc:m:{report.id}")
        assert "Until when do you need?" in until["text"] and f"fc:d:{report.id}:3" in buttons(until)
        [why] = await crew.press(until, f"fc:d:{report.id}:3")
        assert "New deadline" in why["text"] and "2026-12-03 10:00" in why["text"]
        [done] = await crew.text("Waiting for the landlord to remove the charger")
        assert "now due 2026-12-03 10:00" in done["text"] and "counts against the deadline" in done["text"]
        stored = await Report.get(id=report.id)
        assert stored.resolution_due_at == due + timedelta(days=3)
        [extension] = await DueExtension.filter(report_id=report.id)
        assert (extension.from_due_at, extension.to_due_at) == (due, due + timedelta(days=3))
        assert extension.reason == "Waiting for the landlord to remove the charger" and extension.actor.startswith(
            "staff:"
        )
        await make_staff("chen", Role.OFFICIAL, language="en")
        await client.login("chen")
        _, page = await client.get(f"/admin/reports/{report.id}")
        assert "Deadline extensions (count against the SLA)" in page and "Waiting for the landlord" in page
        _, dashboard = await client.get("/admin/trends")  # fixed 0, on time 0, extensions 1, overdue 0
        assert "<tr><td>Huangpu Fire</td><td>0</td><td>0</td><td>1</td><td>0</td></tr>" in dashboard

    async def test_a_typed_date_then_a_reason_button(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        report, card, crew = await crew_with_card(product, fake_api, run_worker)
        await crew.press(card, f"fc:m:{report.id}")
        [why] = await crew.text("2026-12-05")
        [done] = await crew.press(why, f"fc:w:{report.id}:parts")
        assert "now due 2026-12-05 10:00" in done["text"]
        [extension] = await DueExtension.filter(report_id=report.id)
        assert extension.reason == "Waiting for materials or parts."

    async def test_a_date_that_is_not_later_is_refused_and_nothing_moves(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        report, card, crew = await crew_with_card(product, fake_api, run_worker)
        await crew.press(card, f"fc:m:{report.id}")
        [refused] = await crew.text("2026-11-25")
        assert "not a date I can use" in refused["text"] and "later than 2026-11-30 10:00" in refused["text"]
        [still] = await crew.text("next week maybe")
        assert "not a date I can use" in still["text"]
        assert (
            not await DueExtension.exists()
            and (await Report.get(id=report.id)).resolution_due_at == report.resolution_due_at
        )


class TestChecks:
    async def test_someone_not_linked_to_staff_is_refused(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        report, card, _crew = await crew_with_card(product, fake_api, run_worker)
        answer = await FakeUser(fake_api, 6006).press_forged(card, f"fc:t:{report.id}")
        assert alerted(answer) and "not linked to a staff account" in answer["text"]
        assert (await CrewTask.get(report_id=report.id)).taken_by_id is None

    async def test_another_agencys_crew_is_refused_in_their_language(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        report, card, _crew = await crew_with_card(product, fake_api, run_worker)
        await make_agency("city_roads", supervisor=None)
        await crew_member("li", OTHER_CREW_TG, agency="city_roads", language="zh_CN")
        answer = await FakeUser(fake_api, OTHER_CREW_TG).press_forged(card, f"fc:f:{report.id}")
        expected = Translator("zh_CN")("Report #%(id)s is not with your agency (any more).", id=report.id)
        assert alerted(answer) and answer["text"] == expected and not expected.isascii()
        assert (await Report.get(id=report.id)).status == Status.DISPATCHED

    async def test_a_task_taken_by_a_colleague_is_refused_naming_them(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        report, card, crew = await crew_with_card(product, fake_api, run_worker)
        await crew_member("zhao", CREW2_TG)
        await crew.press(card, f"fc:t:{report.id}")
        answer = await FakeUser(fake_api, CREW2_TG).press_forged(card, f"fc:s:{report.id}")
        assert alerted(answer) and answer["text"] == f"Wang already took report #{report.id}."
        assert (await Report.get(id=report.id)).status == Status.DISPATCHED

    async def test_a_stale_press_after_the_fix_says_the_status(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        product.settings.after_photo_categories = ()  # this category's fix may come without a photo
        report, card, crew = await crew_with_card(product, fake_api, run_worker)
        [ask] = await crew.press(card, f"fc:f:{report.id}")
        await crew.press(ask, f"fc:x:{report.id}")
        answer = await crew.press_forged(card, f"fc:m:{report.id}")
        assert (
            alerted(answer)
            and answer["text"]
            == f"Report #{report.id} is fixed, awaiting confirmation now: this button no longer applies."
        )
        assert not await DueExtension.exists()

    async def test_a_forged_button_does_nothing(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        report, card, crew = await crew_with_card(product, fake_api, run_worker)
        for data in (f"fc:zz:{report.id}", "fc:t:notanumber", f"fc:t:{report.id + 1000}", f"fc:r:{report.id}:kind"):
            answer = await crew.press_forged(card, data)
            assert alerted(answer), data
        assert (await Report.get(id=report.id)).status == Status.DISPATCHED and (
            await CrewTask.get(report_id=report.id)
        ).taken_by_id is None

    async def test_no_photo_is_refused_where_the_category_needs_one(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        report, card, crew = await crew_with_card(product, fake_api, run_worker)
        await crew.press(card, f"fc:f:{report.id}")
        answer = await crew.press_forged(card, f"fc:x:{report.id}")
        assert alerted(answer) and "needs a photo of the place afterwards" in answer["text"]
        [nudge] = await crew.text("done!")
        assert "waits for a photo of the fixed place" in nudge["text"]
        assert (await Report.get(id=report.id)).status == Status.DISPATCHED


class TestGroup:
    async def test_the_agency_group_gets_the_card_and_a_member_takes_it_there(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """With a group, the card goes there (not to each member); the press is answered in the group."""
        report, card, crew = await crew_with_card(product, fake_api, run_worker, group=AGENCY_GROUP)
        assert fake_api.sent(CREW_TG, "sendPhoto") == []
        answer = await crew.press_in_group(card, f"fc:t:{report.id}")
        assert not alerted(answer)
        [said] = await fake_api.wait_for("sendMessage", chat_id=AGENCY_GROUP)
        assert said["text"] == f"Wang took report #{report.id}."
        outsider = await FakeUser(fake_api, 6006).press_in_group(card, f"fc:s:{report.id}")
        assert alerted(outsider) and (await Report.get(id=report.id)).status == Status.DISPATCHED

    async def test_in_the_group_the_after_photo_is_a_reply_to_the_question(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """Bots see only replies in a group: a photo that does not reply to the question is not taken for it."""
        report, card, crew = await crew_with_card(product, fake_api, run_worker, group=AGENCY_GROUP)
        await crew.press_in_group(card, f"fc:f:{report.id}")
        [question] = await fake_api.wait_for("sendMessage", chat_id=AGENCY_GROUP)
        assert "send a photo of the place" in question["text"]
        assert await reply_in_group(crew, None, chat_id=AGENCY_GROUP, text="on my way") == 200
        assert (await Report.get(id=report.id)).status == Status.DISPATCHED
        assert await reply_in_group(crew, question, photo=jpeg_bytes(GREEN)) == 200
        _question, done = await fake_api.wait_for("sendMessage", 2, chat_id=AGENCY_GROUP)
        assert f"Report #{report.id} is marked fixed" in done["text"]
        assert (await Report.get(id=report.id)).status == Status.FIXED


async def test_an_unanswered_question_lapses_and_later_text_is_not_a_reason(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
) -> None:
    report, card, crew = await crew_with_card(product, fake_api, run_worker)
    await crew.press(card, f"fc:n:{report.id}")
    clock.advance(minutes=product.settings.draft_ttl_min + 1)
    [reply] = await crew.text("see you tomorrow")
    assert "goes back to the moderators" not in reply["text"]
    assert (await Report.get(id=report.id)).status == Status.DISPATCHED and not await CrewPrompt.exists()
