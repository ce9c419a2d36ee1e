"""Duplicates at intake over the fake Bot API (issue 4, acceptance 1): offers, "me too", photo flags."""

from __future__ import annotations

from typing import Any

import pytest

from bot.reports.dedup import FlagKind
from bot.reports.lifecycle import transition
from bot.reports.models import Draft, DuplicateFlag, Report, ReportFollower
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from tests.bot.helpers import noisy_jpeg
from tests.bot.reports.test_dedup import offset
from tests.factories import SLA
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser
from tests.photos import PHOTOS_DIR

CENTRE = (31.2304, 121.4737)


def photo_file(name: str) -> bytes:
    return (PHOTOS_DIR / name).read_bytes()


async def reach_category(user: FakeUser, photo: bytes, lat: float, lon: float) -> dict[str, Any]:
    """Photo, done, location (also when the photo proposed its own), nobody in danger."""
    [added] = await user.photo(photo, file_id=f"P{user.id}-{len(photo)}")
    await user.press(added, "ph:done")
    [danger] = await user.location(lat, lon)
    [categories] = await user.press(danger, "dg:no")
    return categories


async def finish(user: FakeUser, ask_description: dict[str, Any]) -> Report:
    """Skip the description and submit; returns the new report."""
    [confirm] = await user.press(ask_description, "desc:skip")
    await user.press(confirm, "cf:yes")
    report = await Report.filter(reporter_id=user.id).order_by("-id").first()
    assert report is not None
    return report


async def file_report(user: FakeUser, photo: bytes, category: str, lat: float, lon: float) -> Report:
    """A whole report, answering "mine is new" if the bot offers duplicates."""
    categories = await reach_category(user, photo, lat, lon)
    [after_category] = await user.press(categories, f"cat:{category}")
    if "dup:new" in str(after_category.get("reply_markup")):
        [after_category] = await user.press(after_category, "dup:new")
    return await finish(user, after_category)


def cards(fake_api: FakeBotAPI, user: FakeUser) -> list[dict[str, Any]]:
    return fake_api.sent(user.id, "sendPhoto")


class TestNearbyOffers:
    async def test_second_resident_30_m_away_follows_the_first_report(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """Offered with thumbnail, distance and age; "This is it" makes a follower and files nothing."""
        first = await file_report(FakeUser(fake_api, 4001), noisy_jpeg(1), "traffic", *CENTRE)
        second = FakeUser(fake_api, 4002)
        categories = await reach_category(second, noisy_jpeg(2), *offset(*CENTRE, north_m=30))
        [question] = await second.press(categories, "cat:traffic")
        assert "Mine is new" in str(question["reply_markup"])
        [card] = cards(fake_api, second)
        assert card["photo"][:2] == b"\xff\xd8"  # the stored thumbnail, a JPEG
        assert f"#{first.id}" in card["caption"] and "30 m" in card["caption"]
        assert "less than an hour ago" in card["caption"]
        [followed] = await second.press(card, f"dup:{first.id}")
        assert f"#{first.id}" in followed["text"] and "support" in followed["text"]
        assert await ReportFollower.filter(report_id=first.id, resident_id=second.id).exists()
        assert await Report.all().count() == 1
        assert not await Draft.filter(resident_id=second.id).exists()

    async def test_card_counts_earlier_me_toos(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """A third resident sees that one neighbour already said "me too"."""
        first = await file_report(FakeUser(fake_api, 4061), noisy_jpeg(1), "traffic", *CENTRE)
        second, third = FakeUser(fake_api, 4062), FakeUser(fake_api, 4063)
        await second.press(await reach_category(second, noisy_jpeg(2), *CENTRE), "cat:traffic")
        await second.press(cards(fake_api, second)[0], f"dup:{first.id}")
        await third.press(await reach_category(third, noisy_jpeg(3), *CENTRE), "cat:traffic")
        [card] = cards(fake_api, third)
        assert 'Residents who said "me too": 1' in card["caption"]

    async def test_mine_is_new_goes_on_to_the_description(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """ "Mine is new" files a second report and makes no follower."""
        await file_report(FakeUser(fake_api, 4011), noisy_jpeg(1), "traffic", *CENTRE)
        second = FakeUser(fake_api, 4012)
        categories = await reach_category(second, noisy_jpeg(2), *offset(*CENTRE, east_m=100))
        [question] = await second.press(categories, "cat:traffic")
        [ask_description] = await second.press(question, "dup:new")
        assert "short description" in ask_description["text"]
        await finish(second, ask_description)
        assert await Report.all().count() == 2
        assert not await ReportFollower.exists()

    async def test_ebike_report_300_m_away_is_not_offered(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """E-bike charging is building-level (50 m): a report 300 m away is another hazard."""
        await file_report(FakeUser(fake_api, 4021), noisy_jpeg(1), "ebike", *CENTRE)
        second = FakeUser(fake_api, 4022)
        categories = await reach_category(second, noisy_jpeg(2), *offset(*CENTRE, north_m=300))
        [ask_description] = await second.press(categories, "cat:ebike")
        assert "short description" in ask_description["text"]
        assert cards(fake_api, second) == []

    @pytest.mark.parametrize("closing", [[Status.REJECTED], [Status.ACCEPTED, Status.FIXED]])
    async def test_closed_report_is_not_offered(
        self, product: WebRuntime, fake_api: FakeBotAPI, closing: list[Status]
    ) -> None:
        """A rejected or fixed report next door is not offered."""
        first = await file_report(FakeUser(fake_api, 4031), noisy_jpeg(1), "traffic", *CENTRE)
        for status in closing:
            await transition(first, status, actor="staff:1", reason="test", sla=SLA)
        second = FakeUser(fake_api, 4032)
        categories = await reach_category(second, noisy_jpeg(2), *offset(*CENTRE, north_m=10))
        [ask_description] = await second.press(categories, "cat:traffic")
        assert "short description" in ask_description["text"]
        assert cards(fake_api, second) == []

    async def test_offer_closed_meanwhile_cannot_be_followed(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """A tap on a report rejected since the offer is refused; the draft waits for "mine is new"."""
        first = await file_report(FakeUser(fake_api, 4041), noisy_jpeg(1), "traffic", *CENTRE)
        second = FakeUser(fake_api, 4042)
        categories = await reach_category(second, noisy_jpeg(2), *CENTRE)
        await second.press(categories, "cat:traffic")
        await transition(first, Status.REJECTED, actor="staff:1", reason="test", sla=SLA)
        [refused] = await second.press(cards(fake_api, second)[0], f"dup:{first.id}")
        assert "can no longer be chosen" in refused["text"] and "Mine is new" in str(refused["reply_markup"])
        assert not await ReportFollower.exists()

    async def test_chinese_resident_gets_chinese_cards(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """Card, buttons and the follow confirmation are in the resident's language."""
        first = await file_report(FakeUser(fake_api, 4051), noisy_jpeg(1), "traffic", *CENTRE)
        second = FakeUser(fake_api, 4052, language_code="zh-hans")
        categories = await reach_category(second, noisy_jpeg(2), *CENTRE)
        [question] = await second.press(categories, "cat:traffic")
        [card] = cards(fake_api, second)
        assert "米" in card["caption"] and "就是这个" in str(card["reply_markup"])
        assert "我的是新的" in str(question["reply_markup"])
        [followed] = await second.press(card, f"dup:{first.id}")
        assert f"#{first.id}" in followed["text"] and "关注" in followed["text"]


class TestPhotoDuplicates:
    @pytest.mark.parametrize(
        ("first_photo", "second_photo"),
        [("pixel_gps_full.jpg", "pixel_gps_small.jpg"), ("iphone6_hdr_off_gps.jpg", "iphone6_hdr_on_gps.jpg")],
    )
    async def test_near_duplicate_photo_in_another_category_is_flagged(
        self, product: WebRuntime, fake_api: FakeBotAPI, first_photo: str, second_photo: str
    ) -> None:
        """The resident is told, the open report is offered, and the new report carries a flag."""
        first = await file_report(FakeUser(fake_api, 4101), photo_file(first_photo), "traffic", *CENTRE)
        second = FakeUser(fake_api, 4102)
        categories = await reach_category(second, photo_file(second_photo), *offset(*CENTRE, east_m=400))
        [question] = await second.press(categories, "cat:construction")
        assert "very similar photo was already reported" in question["text"] and f"#{first.id}" in question["text"]
        assert f"#{first.id}" in cards(fake_api, second)[0]["caption"]
        [ask_description] = await second.press(question, "dup:new")
        new = await finish(second, ask_description)
        flag = await DuplicateFlag.get(report_id=new.id)
        assert (flag.similar_to_id, flag.kind) == (first.id, FlagKind.PHOTO)  # type: ignore[attr-defined]
        assert flag.phash_distance <= 8

    async def test_similar_but_different_canon_pair_is_not_flagged(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """The Canon SX60 HDR pair (16 bits apart) are two photos: no notice, no offer, no flag."""
        await file_report(FakeUser(fake_api, 4111), photo_file("canon_sx60_hdr_off_orient6.jpg"), "traffic", *CENTRE)
        second = FakeUser(fake_api, 4112)
        categories = await reach_category(second, photo_file("canon_sx60_hdr_on_orient6.jpg"), *CENTRE)
        [ask_description] = await second.press(categories, "cat:construction")
        assert "similar photo" not in ask_description["text"] and "short description" in ask_description["text"]
        new = await finish(second, ask_description)
        assert not await DuplicateFlag.filter(report_id=new.id).exists()

    async def test_same_user_sending_the_same_photo_again_is_told(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """The second time a resident sends a photo, the bot names the report they sent it with."""
        user = FakeUser(fake_api, 4121)
        photo = noisy_jpeg(7)
        first = await file_report(user, photo, "traffic", *CENTRE)
        [added] = await user.photo(photo, file_id="AGAIN")
        assert f"You already sent this photo with your report #{first.id}" in added["text"]
        assert "Photo 1 of 3" in added["text"]
