"""Refusals under /admin as pages in the reader's language (bot/admin/errors.py)."""

from __future__ import annotations

from bot.admin.accounts import Role
from tests.admin_client import AdminClient, make_staff

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def test_the_no_permission_page_is_in_the_staff_members_language(client: AdminClient) -> None:
    await make_staff("zh-mod", Role.MODERATOR, language="zh_CN")
    assert await client.login("zh-mod") == 200
    status, page = await client.get("/admin/staff", headers=BROWSER)  # admins only
    assert status == 403
    assert "无权访问" in page and "您的角色无权进行此操作。" in page and 'lang="zh-CN"' in page
    assert "Your role does not allow this." not in page


async def test_a_script_asking_for_json_keeps_the_plain_refusal(client: AdminClient) -> None:
    await make_staff("en-mod", Role.MODERATOR, language="en")
    assert await client.login("en-mod") == 200
    status, text = await client.get("/admin/staff", headers={"Accept": "application/json"})
    assert status == 403 and text == "Your role does not allow this."


async def test_a_missing_page_is_shown_in_the_admins_layout(client: AdminClient) -> None:
    await make_staff("zh-mod2", Role.MODERATOR, language="zh_CN")
    assert await client.login("zh-mod2") == 200
    status, page = await client.get("/admin/reports/999999", headers=BROWSER)
    assert status == 404 and "退出登录" in page  # the header, with its log-out button
