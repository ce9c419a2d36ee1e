from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.runtime import WebRuntime
from tests.opendata.helpers import Open311Client


@pytest.fixture
async def api(product: WebRuntime) -> AsyncIterator[Open311Client]:
    client = Open311Client(product.settings.local_base_url())
    yield client
    await client.close()
