"""Partner API keys in the admin: officials make them (shown once, kept as a hash), revoke them; all audited."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator

import pytest

from bot.admin.accounts import Role
from bot.admin.audit import EventTag
from bot.admin.models import AuditEvent
from bot.runtime import WebRuntime
from opendata.models import ApiKey
from tests.admin_client import AdminClient, make_staff
from tests.opendata.helpers import BASE, Open311Client
from tests.opendata.test_open311_post import form


@pytest.fixture
async def client(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    yield client
    await client.close()


async def official(client: AdminClient) -> None:
    await make_staff("official", Role.OFFICIAL, language="en")
    await client.login("official")


async def test_a_new_key_is_shown_once_and_kept_only_as_a_hash(client: AdminClient, api: Open311Client) -> None:
    await official(client)
    await client.get("/admin/opendata/keys")
    status, page = await client.post("/admin/opendata/keys", {"name": "12345 hotline", "rate_per_min": "30"})
    assert status == 200
    token = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)  # type: ignore[union-attr]
    key = await ApiKey.get(name="12345 hotline")
    assert key.token_sha256 == hashlib.sha256(token.encode()).hexdigest() and key.rate_per_min == 30
    assert token not in str(await ApiKey.all().values())
    _, listing = await client.get("/admin/opendata/keys")
    assert token not in listing and key.token_prefix in listing
    assert (await api.post(f"{BASE}/requests.json", form(token))).status == 201
    _, listing = await client.get("/admin/opendata/keys")
    assert "12345 hotline" in listing
    audit = await AuditEvent.get(action=EventTag.API_KEY_CREATE)
    assert audit.data == {"key": "12345 hotline", "rate_per_min": 30} and token not in str(audit.data)


async def test_revoking_stops_the_key_and_is_audited(client: AdminClient, api: Open311Client) -> None:
    await official(client)
    await client.get("/admin/opendata/keys")
    _, page = await client.post("/admin/opendata/keys", {"name": "mini-program", "rate_per_min": "60"})
    token = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)  # type: ignore[union-attr]
    key = await ApiKey.get(name="mini-program")
    status, page = await client.post(f"/admin/opendata/keys/{key.id}/revoke")
    assert status == 200 and "revoked" in page
    assert (await ApiKey.get(id=key.id)).revoked_at is not None
    assert (await api.post(f"{BASE}/requests.json", form(token))).status == 403
    assert await AuditEvent.exists(action=EventTag.API_KEY_REVOKE)


@pytest.mark.parametrize(
    ("name", "rate", "message"),
    [("", "60", "A key needs a name"), ("ok", "0", "The rate limit must be between"), ("ok", "lots", "The rate limit")],
)
async def test_a_bad_key_form_is_refused_with_a_reason(client: AdminClient, name: str, rate: str, message: str) -> None:
    await official(client)
    await client.get("/admin/opendata/keys")
    status, page = await client.post("/admin/opendata/keys", {"name": name, "rate_per_min": rate})
    assert status == 400 and message in page and not await ApiKey.exists()


async def test_the_same_name_twice_is_refused(client: AdminClient) -> None:
    await official(client)
    await client.get("/admin/opendata/keys")
    await client.post("/admin/opendata/keys", {"name": "hotline", "rate_per_min": "60"})
    status, page = await client.post("/admin/opendata/keys", {"name": "hotline", "rate_per_min": "60"})
    assert status == 400 and "exists already" in page and await ApiKey.all().count() == 1


async def test_moderators_cannot_see_or_make_keys(client: AdminClient) -> None:
    await make_staff("mod", Role.MODERATOR, language="en")
    await client.login("mod")
    assert (await client.get("/admin/opendata/keys"))[0] == 403
    await client.get("/admin")
    assert (await client.post("/admin/opendata/keys", {"name": "x", "rate_per_min": "60"}))[0] == 403
    assert not await ApiKey.exists()
