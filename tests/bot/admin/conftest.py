"""Admin shell fixtures: a browser-like HTTP client on the running product (log in with `client.login`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.runtime import WebRuntime
from tests.admin_client import AdminClient


@pytest.fixture
async def client(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    yield client
    await client.close()
