"""Out-of-range and oversized input on every admin route: 400 or 404 for logged-in staff, never a 500.

Every route the router knows is tried (so a new page is covered the day it is added): path ids that do
not fit the database (>= 2**31, >= 2**63, negative, not a number), and every query parameter and form
field any admin page uses set to a huge number, a negative one and 4,000 characters.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.admin.accounts import Role
from bot.admin.security import required_role
from bot.config import Settings
from bot.runtime import WebRuntime
from tests.admin_client import AdminClient, make_staff
from tests.factories import FILED_AT, add_photo, make_broadcast, make_pool, make_report, make_resident

REPO_ROOT = Path(__file__).resolve().parents[3]
BAD_IDS = ["0", "-1", "abc", "2147483648", "9223372036854775808", "1" * 40, "1e3", "%E4%B8%80"]
BAD_VALUES = ["9223372036854775808", "-9223372036854775809", "x" * 4000, "1" * 4000]
#: Query parameters the admin views read (besides each template's form fields, which GET forms send too).
QUERY_NAMES = ["page", "report", "actor", "state", "status", "category", "area", "campaign_id", "title", "next"]


def form_field_names() -> list[str]:
    """Every input name in every admin template: the fields a browser (or an attacker) may send."""
    names: set[str] = set()
    for template in REPO_ROOT.glob("*/**/templates/**/*.html"):
        names.update(re.findall(r'name="([a-z_]+)"', template.read_text(encoding="utf-8")))
    return sorted(names - {"csrf_token", "viewport"})


def guarded_routes(runtime: WebRuntime) -> list[tuple[str, str]]:
    """(method, path pattern) of every route behind `require` (the admin's pages and actions)."""
    found = []
    for route in runtime.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter", "")
        if required_role(route.handler) is not None and route.method != "HEAD":
            found.append((route.method, path))
    return found


def with_ids(pattern: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, pattern)


@pytest.fixture
async def admin(product: WebRuntime, settings: Settings) -> AsyncIterator[AdminClient]:
    """An admin (every page is theirs), and one of each thing pages are about, so "1" finds something."""
    report = await make_report(await make_resident(9301))
    await add_photo(report, settings)
    await make_pool()
    await make_broadcast(FILED_AT, scheduled=False)
    await make_staff("root", Role.ADMIN, language="en")
    client = AdminClient(product.settings.local_base_url())
    assert await client.login("root") == 200
    yield client
    await client.close()


async def call(client: AdminClient, method: str, path: str, fields: dict[str, str] | None = None) -> int:
    """One request as the logged-in admin; only the status matters (bodies may be photos or CSV)."""
    if method == "GET":
        async with client.session.get(path, params=fields or {}, allow_redirects=False) as response:
            return response.status
    await client.get("/admin", allow_redirects=False)  # a fresh CSRF token (a refused POST may not render one)
    form = {**(fields or {}), "csrf_token": client.csrf}
    async with client.session.post(path, data=form, allow_redirects=False) as response:
        return response.status


async def test_bad_ids_in_the_path_are_not_found(product: WebRuntime, admin: AdminClient) -> None:
    problems = []
    for method, pattern in guarded_routes(product):
        if "{" not in pattern:
            continue
        for bad in BAD_IDS:
            status = await call(admin, method, with_ids(pattern, bad))
            if status not in ((400, 404) if method == "GET" else (303, 400, 404)):
                problems.append((method, pattern, bad, status))
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("value", BAD_VALUES, ids=["2**63", "-2**63-1", "long-text", "long-number"])
async def test_bad_query_and_form_values_never_fail(product: WebRuntime, admin: AdminClient, value: str) -> None:
    fields = dict.fromkeys([*QUERY_NAMES, *form_field_names()], value)
    problems = []
    for method, pattern in guarded_routes(product):
        status = await call(admin, method, with_ids(pattern, "1"), fields)
        if status >= 500:
            problems.append((method, pattern, status))
    assert problems == [], "\n".join(map(str, problems))
