"""Open data tests: an Open311 client on the running product; `@pytest.mark.settings(...)` changes settings."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.runtime import WebRuntime
from tests.opendata.helpers import Open311Client


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "settings(**values): settings the product starts with in this test")


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    marker = request.node.get_closest_marker("settings")
    return settings.model_copy(update=marker.kwargs) if marker else settings


@pytest.fixture
async def api(product: WebRuntime) -> AsyncIterator[Open311Client]:
    client = Open311Client(product.settings.local_base_url())
    yield client
    await client.close()
