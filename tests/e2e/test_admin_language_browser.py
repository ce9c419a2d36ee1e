"""The admin in the staff member's language (issue 16, acceptance 1): chosen at login, switched in the header, kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot.admin.accounts import Role
from bot.admin.models import StaffUser
from bot.admin.views import nav_key
from bot.runtime import WebRuntime
from tests.admin_client import PASSWORD, make_staff
from tests.e2e.test_admin_browser import page
from tests.factories import add_photo, make_report, make_resident

pytestmark = [pytest.mark.browser]
__all__ = ["page"]  # the shared browser fixture

ZH_CATALOGUE = Path(__file__).resolve().parents[2] / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.po"
#: Whole English sentences of the catalogue: one of them on a page in Chinese is a string left untranslated.
MIN_WORDS = 3


def english_sentences() -> list[str]:
    with ZH_CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    found: list[str] = []
    for message in catalogue:
        msgid = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
        if not msgid or "%(" in msgid or len(msgid.split()) < MIN_WORDS:
            continue
        found.append(msgid)
    return found


async def log_in(page: Any, base: str, username: str, language: str | None) -> None:
    await page.goto(f"{base}/admin/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    if language is not None:
        await page.check(f"input[name=language][value={language}]")
    await page.click("form[action='/admin/login'] button[type=submit]")
    await page.wait_for_url(re.compile(r".*/admin$"))


async def test_an_admin_logged_in_in_chinese_sees_every_page_in_chinese(product: WebRuntime, page: Any) -> None:
    report = await make_report(await make_resident(9301), description="楼道里有电动车在充电")
    await add_photo(report, product.settings)
    await make_staff("zh-admin", Role.ADMIN, language="en", display_name="王芳")
    base = product.settings.local_base_url()
    sentences = english_sentences()

    await log_in(page, base, "zh-admin", "zh_CN")
    paths = ["/admin", f"/admin/reports/{report.id}", *(item.path for item in product.app[nav_key])]
    for path in paths:
        await page.goto(base + path)
        assert await page.get_attribute("html", "lang") == "zh-CN", path
        text = await page.inner_text("body")
        left = [sentence for sentence in sentences if sentence in text]
        assert left == [], (path, left)
        assert "待办队列" in text, path  # the header's "Queue", in every page's menu
    assert (await StaffUser.get(username="zh-admin")).language == "zh_CN"


async def test_the_header_switch_to_english_sticks_across_pages_and_logins(product: WebRuntime, page: Any) -> None:
    await make_staff("switcher", Role.OFFICIAL, language="zh_CN")
    base = product.settings.local_base_url()
    await log_in(page, base, "switcher", "zh_CN")
    await page.goto(f"{base}/admin/queue")
    assert "待办队列" in await page.inner_text("header")

    await page.click("header button[name=language][value=en]")
    await page.wait_for_url(re.compile(r".*/admin/queue$"))  # back where the switch was pressed
    assert "Queue" in await page.inner_text("header") and "待办队列" not in await page.inner_text("header")
    await page.goto(f"{base}/admin/dashboard")
    assert await page.get_attribute("html", "lang") == "en"
    assert (await StaffUser.get(username="switcher")).language == "en"

    # Another browser, in Chinese: the login page speaks it, the staff member's own language wins after login.
    await page.context.clear_cookies()
    await page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    await log_in(page, base, "switcher", None)
    assert await page.get_attribute("html", "lang") == "en"
    assert "Queue" in await page.inner_text("header")
