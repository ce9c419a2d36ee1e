"""Placing an `address_string` with the configured geocoder (a Nominatim-style search: `?q=...&format=json`)."""

from __future__ import annotations

import httpx


class GeocoderError(Exception):
    """The geocoder could not be asked, or found nothing."""


async def geocode(address: str, *, url: str, timeout_s: float) -> tuple[float, float]:
    """(lat, lon) of the best match."""
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            response = await client.get(url, params={"q": address, "format": "json", "limit": "1"})
            response.raise_for_status()
            found = response.json()
        return float(found[0]["lat"]), float(found[0]["lon"])
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as error:
        raise GeocoderError(str(error)) from error
