"""The reference photos through the pipeline once per module, for the photo tests to look at."""

from __future__ import annotations

import pytest

from bot.reports.photos import CleanPhoto, PhotoRejectedError, process_photo
from tests.bot.reports.photo_helpers import LIMITS, NOW, ROWS


@pytest.fixture(scope="module")
def processed() -> dict[str, CleanPhoto | PhotoRejectedError]:
    """Each reference photo through the pipeline once; tests below look at the results."""
    results: dict[str, CleanPhoto | PhotoRejectedError] = {}
    for row in ROWS:
        try:
            results[row.file] = process_photo(row.read_bytes(), limits=LIMITS, now=NOW)
        except PhotoRejectedError as rejected:
            results[row.file] = rejected
    return results
