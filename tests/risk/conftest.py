"""Fixtures for risk: settings with a supervisors' chat and an officials' chat, and a logged-in admin client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.runtime import WebRuntime
from tests.admin_client import AdminClient

SUPERVISORS = -100500
OFFICIALS = -100600
AGENCY_CHAT = -100700


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"supervisors_chat_id": SUPERVISORS, "officials_chat_id": OFFICIALS})


@pytest.fixture
async def client(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    yield client
    await client.close()
