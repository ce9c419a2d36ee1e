"""Staff login, sessions, CSRF and the role guard on every admin route."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.admin.accounts import ROLE_RANK, Role
from bot.admin.security import required_role
from bot.runtime import WebRuntime
from tests.admin_client import AdminClient, make_staff


@pytest.fixture
async def client(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    yield client
    await client.close()


class TestLogin:
    async def test_wrong_password_is_refused(self, client: AdminClient) -> None:
        """A wrong password gets 401 and no session."""
        await make_staff("mod1")
        assert await client.login("mod1", "not the password") == 401
        status, _ = await client.get("/admin", allow_redirects=False)
        assert status == 303

    async def test_right_password_opens_the_admin(self, client: AdminClient) -> None:
        """The right password leads to the home page, named after the staff member."""
        await make_staff("mod2")
        assert await client.login("mod2") == 200
        status, page = await client.get("/admin")
        assert status == 200 and "mod2" in page

    async def test_repeated_failures_are_throttled(self, client: AdminClient) -> None:
        """After five failures even the right password waits (429)."""
        await make_staff("mod3")
        for _ in range(5):
            assert await client.login("mod3", "wrong password!") == 401
        assert await client.login("mod3") == 429

    async def test_post_without_csrf_token_is_forbidden(self, client: AdminClient) -> None:
        """A POST with no CSRF token gets 403, even the login form."""
        await make_staff("mod4")
        await client.get("/admin/login")
        status, _ = await client.post("/admin/login", {"username": "mod4", "password": "x" * 12}, csrf=False)
        assert status == 403

    async def test_logout_ends_the_session(self, client: AdminClient) -> None:
        await make_staff("mod5")
        await client.login("mod5")
        await client.get("/admin")
        status, _ = await client.post("/admin/logout")
        assert status == 200
        status, _ = await client.get("/admin", allow_redirects=False)
        assert status == 303


def admin_routes(runtime: WebRuntime) -> list[tuple[str, str, Role]]:
    """(method, path, role) of every guarded admin route, with path parameters filled in."""
    found = []
    for route in runtime.app.router.routes():
        role = required_role(route.handler)
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter", "")
        if role is not None and route.method != "HEAD":
            found.append((route.method, re.sub(r"\{[^}]+\}", "1", path), role))
    return found


class TestEveryRouteIsGuarded:
    def test_no_admin_route_is_left_unguarded(self, product: WebRuntime) -> None:
        """Every /admin route but the login, logout and static files goes through `require`."""
        open_paths = {"/admin/login", "/admin/logout"}
        unguarded = []
        for route in product.app.router.routes():
            info = route.resource.get_info() if route.resource else {}
            path = info.get("path") or info.get("formatter") or info.get("prefix", "")
            is_open = path in open_paths or path.startswith("/admin/static") or route.method == "HEAD"
            if path.startswith("/admin") and not is_open and required_role(route.handler) is None:
                unguarded.append((route.method, path))
        assert unguarded == []

    async def test_anonymous_is_refused_everywhere(self, product: WebRuntime, client: AdminClient) -> None:
        """No guarded route answers an anonymous visitor with content."""
        routes = admin_routes(product)
        assert routes, "no guarded routes found"
        await client.get("/admin/login")  # a CSRF token, so POSTs are refused by the guard itself
        for method, path, _ in routes:
            if method == "GET":
                status, _ = await client.get(path, allow_redirects=False)
                assert status == 303, (method, path, status)
            else:
                status, _ = await client.post(path, {}, allow_redirects=False)
                assert status in (401, 403), (method, path, status)

    async def test_lower_roles_are_refused(self, product: WebRuntime) -> None:
        """Each route refuses every role below the one it needs."""
        for lower in (Role.MODERATOR, Role.OFFICIAL):
            client = AdminClient(product.settings.local_base_url())
            await make_staff(f"user-{lower}", lower)
            await client.login(f"user-{lower}")
            await client.get("/admin")
            for method, path, needed in admin_routes(product):
                if ROLE_RANK[needed] <= ROLE_RANK[lower]:
                    continue
                call = client.get(path, allow_redirects=False) if method == "GET" else client.post(path, {})
                status, _ = await call
                assert status == 403, (lower, method, path, status)
            await client.close()
