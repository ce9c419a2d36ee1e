"""A logged-in (or anonymous) browser-like HTTP client for the admin, over real HTTP."""

from __future__ import annotations

import re
from typing import Any

import aiohttp

from bot.admin.accounts import Role, create_staff

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery"


class AdminClient:
    def __init__(self, base_url: str, *, source_address: str | None = None) -> None:
        """`source_address`: connect from this local address (e.g. 127.0.0.2: another client on loopback)."""
        self.base_url = base_url
        connector = aiohttp.TCPConnector(local_addr=(source_address, 0)) if source_address else None
        self.session = aiohttp.ClientSession(base_url, cookie_jar=aiohttp.CookieJar(unsafe=True), connector=connector)
        self.csrf = ""

    async def close(self) -> None:
        await self.session.close()

    async def get(self, path: str, **kw: Any) -> tuple[int, str]:
        async with self.session.get(path, allow_redirects=kw.pop("allow_redirects", True), **kw) as response:
            text = await response.text()
            if match := CSRF_RE.search(text):
                self.csrf = match.group(1)
            return response.status, text

    async def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        csrf: bool = True,
        allow_redirects: bool = True,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        async with self.session.post(path, data=form, allow_redirects=allow_redirects, headers=headers) as response:
            text = await response.text()
            if match := CSRF_RE.search(text):
                self.csrf = match.group(1)
            return response.status, text

    async def login(self, username: str, password: str = PASSWORD, *, headers: dict[str, str] | None = None) -> int:
        await self.get("/admin/login")
        status, _ = await self.post("/admin/login", {"username": username, "password": password}, headers=headers)
        return status


async def make_staff(username: str, role: Role = Role.MODERATOR, **kw: Any) -> Any:
    return await create_staff(username, PASSWORD, role, **kw)
