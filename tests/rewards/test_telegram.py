"""Residents in Telegram: /claim (own contact, name, payout account), /balance, /leaderboard, and the
grant DM after a report is accepted, all over the webhook against the fake Bot API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.config import Settings
from bot.runtime import WebRuntime
from rewards.crypto import Cipher
from rewards.grants import evaluate_report
from rewards.models import ClaimSession, RewardGrant, RewardProfile
from rewards.rules import RewardRules
from rewards.states import GrantState
from tests.factories import FILED_AT, make_claimed, make_pool, make_resident, make_rewardable_report
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser

Worker = Callable[[], Awaitable[int]]


class TestClaim:
    async def test_verification_and_account_are_stored_encrypted(
        self, product: WebRuntime, fake_api: FakeBotAPI, settings: Settings
    ) -> None:
        """Own contact, a real name, a bank card: each bad input is explained, nothing is stored in clear."""
        user = FakeUser(fake_api, 2001)
        [ask_phone] = await user.command("/claim")
        assert ask_phone["reply_markup"]["keyboard"][0][0]["request_contact"] is True
        [refused] = await user.contact("+8613900000000", user_id=999)
        assert "not your own contact" in refused["text"]
        [ask_name] = await user.contact("+8613800138000")
        assert "real name" in ask_name["text"]
        [bad_name] = await user.text("R2D2")
        assert "no digits" in bad_name["text"]
        [ask_method] = await user.text("张三丰")
        [ask_account] = await user.press(ask_method, "rw:m:bank_card")
        assert "Bank card" in ask_account["text"]
        [bad_card] = await user.text("1234")
        assert "does not look right" in bad_card["text"]
        [done] = await user.text("6222 0212 3456 7894")
        assert "**** 7894" in done["text"]
        profile = await RewardProfile.get(resident_id=2001)
        stored = [profile.phone_enc, profile.real_name_enc, profile.payout_account_enc]
        assert not any("张三丰" in v or "13800138000" in v or "7894" in v for v in stored if v)
        cipher = Cipher.from_settings(settings)
        assert [cipher.decrypt(v) for v in stored] == ["+8613800138000", "张三丰", "6222021234567894"]
        assert profile.verified_at is not None and profile.payout_method == "bank_card"
        assert not await ClaimSession.exists()

    async def test_claim_text_never_reaches_intake_and_other_commands_end_it(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """While a claim waits, text is the claim's; after another command, text goes to intake again."""
        user = FakeUser(fake_api, 2002)
        await user.command("/claim")
        [claim_reply] = await user.text("hello")
        assert "use the buttons" in claim_reply["text"]
        await user.command("/my_reports")
        assert not await ClaimSession.exists()
        [intake_reply] = await user.text("hello")
        assert "send a photo" in intake_reply["text"]

    async def test_cancel_stops_the_claim_first(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        """/cancel ends an active claim; a second /cancel is intake's again."""
        user = FakeUser(fake_api, 2003)
        await user.command("/claim")
        [stopped] = await user.command("/cancel")
        assert "Stopped" in stopped["text"] and stopped["reply_markup"] == {"remove_keyboard": True}
        [intake] = await user.command("/cancel")
        assert "Stopped" not in intake["text"]

    async def test_complete_profile_shows_summary_and_can_join_the_board(
        self, product: WebRuntime, fake_api: FakeBotAPI, settings: Settings, rules: RewardRules
    ) -> None:
        """/claim when all is given shows it (masked); the leaderboard lists opted-in names masked."""
        resident = await make_resident(2004)
        await make_claimed(resident, Cipher.from_settings(settings), name="张三丰")
        await make_pool()
        await evaluate_report((await make_rewardable_report(resident)).id, rules, FILED_AT)
        user = FakeUser(fake_api, 2004)
        [summary] = await user.command("/claim")
        assert "张三丰" in summary["text"] and "13800138000" not in summary["text"]
        [joined] = await user.press(summary, "rw:lb:1")
        assert "shown on the leaderboard" in joined["text"]
        [board] = await user.command("/leaderboard")
        assert "1. 张** ¥20.00" in board["text"] and "张三丰" not in board["text"]


class TestBalance:
    async def test_balance_shows_available_pending_paid_and_history(
        self, product: WebRuntime, fake_api: FakeBotAPI, rules: RewardRules
    ) -> None:
        await make_pool()
        resident = await make_resident(2005)
        granted = await make_rewardable_report(resident, category="ebike")
        await evaluate_report(granted.id, rules, FILED_AT)
        user = FakeUser(fake_api, 2005)
        [balance] = await user.command("/balance")
        assert "Available: ¥200.00" in balance["text"] and "Paid: ¥0.00" in balance["text"]
        assert f"#{granted.id} ¥200.00: available" in balance["text"]
        assert "/claim before 2027-02-21" in balance["text"]

    async def test_empty_balance(self, product: WebRuntime, fake_api: FakeBotAPI) -> None:
        [balance] = await FakeUser(fake_api, 2006).command("/balance")
        assert "No rewards yet" in balance["text"]


async def test_acceptance_triggers_a_grant_and_a_dm(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
) -> None:
    """Accepting a verified report queues the evaluation; the worker grants and tells the reporter."""
    await make_pool()
    report = await make_rewardable_report(await make_resident(2007))
    await run_worker()
    grant = await RewardGrant.get(report_id=report.id)
    assert grant.state == GrantState.GRANTED
    [dm] = [m for m in fake_api.sent(2007) if "earned" in m["text"]]
    assert f"report #{report.id}" in dm["text"] and "¥20.00" in dm["text"] and "/claim" in dm["text"]


async def test_chinese_resident_is_answered_in_chinese(product: WebRuntime, fake_api: FakeBotAPI) -> None:
    """Claim prompts and the share-phone button come in the resident's language."""
    [ask_phone] = await FakeUser(fake_api, 2008, language_code="zh-hans").command("/claim")
    assert "实名认证" in ask_phone["text"]
    assert ask_phone["reply_markup"]["keyboard"][0][0]["text"] == "分享我的手机号"
