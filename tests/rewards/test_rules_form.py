"""The reward rules as a form (rewards/rules_form.py and the rules page): per-field checks, the file kept, history."""

from __future__ import annotations

import re

import pytest

from bot.admin.accounts import Role
from bot.runtime import WebRuntime
from rewards.rulebook import current_rules, current_rules_text
from rewards.rules import RulesError, load_rules_text
from rewards.rules_form import NEED_DEFAULT_AMOUNT, NEED_WHOLE_NUMBER, UNKNOWN_CATEGORY, apply_form, form_values
from tests.admin_client import AdminClient, make_staff

CATEGORIES = frozenset({"ebike", "fire_exit"})


def shipped() -> str:
    return load_rules_text(None)


def test_a_changed_number_is_written_into_the_file_keeping_its_comments() -> None:
    fields = {**form_values(shipped()), "fraud.max_reports_per_hour": "7", "amount.ebike.high": "30000"}
    text, errors = apply_form(shipped(), fields, CATEGORIES)
    assert errors == {} and text is not None
    assert "max_reports_per_hour = 7" in text and "# SafeCity reward rules." in text
    assert "exif_max_gap_days = 7  # between the photo's EXIF date and the report" in text
    assert re.search(r'ebike = \{"\*" = 20000, high = 30000\}', text)


def test_each_bad_field_gets_its_own_message() -> None:
    fields = {
        **form_values(shipped()),
        "claims.lapse_days": "0",
        "eligibility.max_fen_per_month": "15.5",
        "amount.*.*": "",
        "amount.bicycles.*": "100",
    }
    text, errors = apply_form(shipped(), fields, CATEGORIES)
    assert text is None
    assert errors == {
        "claims.lapse_days": NEED_WHOLE_NUMBER,
        "eligibility.max_fen_per_month": NEED_WHOLE_NUMBER,
        "amount.*.*": NEED_DEFAULT_AMOUNT,
        "amount.bicycles.*": UNKNOWN_CATEGORY,
    }


def test_a_reminder_after_the_lapse_is_refused_as_a_whole() -> None:
    fields = {**form_values(shipped()), "claims.reminder_days_before": "120"}
    with pytest.raises(RulesError, match="reminder_days_before"):
        apply_form(shipped(), fields, CATEGORIES)


async def test_an_admin_saves_the_form_and_sees_the_change_in_the_history(
    product: WebRuntime, client: AdminClient
) -> None:
    await make_staff("rules-admin", Role.ADMIN, language="en", display_name="Rule Keeper")
    assert await client.login("rules-admin") == 200
    _, page = await client.get("/admin/rewards/rules")
    assert 'name="fraud.max_reports_per_hour" value="5"' in page and "No change yet" in page
    fields = {**form_values(shipped()), "eligibility.max_fen_per_month": "lots"}
    status, page = await client.post("/admin/rewards/rules/form", fields)
    assert status == 400 and "Give a whole number of at least 0." in page and 'value="lots"' in page
    assert await current_rules_text(product.settings) == shipped()  # nothing saved
    fields["eligibility.max_fen_per_month"] = "90000"
    status, page = await client.post("/admin/rewards/rules/form", fields)
    assert status == 200 and "The new rules are in force." in page and "Rule Keeper" in page
    assert (await current_rules(product.settings)).max_fen_per_month == 90000
    assert "# SafeCity reward rules." in await current_rules_text(product.settings)


async def test_the_form_speaks_the_admins_language(product: WebRuntime, client: AdminClient) -> None:
    await make_staff("rules-zh", Role.ADMIN, language="zh_CN")
    assert await client.login("rules-zh") == 200
    fields = {**form_values(shipped()), "claims.lapse_days": "0"}
    status, page = await client.post("/admin/rewards/rules/form", fields)
    assert status == 400 and "请填写不小于 1 的整数。" in page and "规则未保存：请更正下方标出的字段。" in page
