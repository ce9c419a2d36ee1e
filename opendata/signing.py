"""Signed, expiring photo URLs for public surfaces: `/open311/v2/media/<photo id>?exp=<unix s>&sig=<hmac>`.

The HMAC key is derived from the admin's secret (shared by every process), for this purpose only. An expiry is
rounded up to a whole `ttl / 4` step so that readers within one step get the same URL (caches can keep it).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime

PURPOSE = b"opendata-media-v1"


def media_key(secret: bytes) -> bytes:
    return hmac.new(secret, PURPOSE, hashlib.sha256).digest()


def signature(key: bytes, photo_id: int, expires_s: int) -> str:
    return hmac.new(key, f"{photo_id}:{expires_s}".encode(), hashlib.sha256).hexdigest()


def expiry(now: datetime, ttl_s: int) -> int:
    step = max(1, ttl_s // 4)
    return math.ceil((now.timestamp() + ttl_s) / step) * step


def signed_path(key: bytes, photo_id: int, *, now: datetime, ttl_s: int) -> str:
    expires_s = expiry(now, ttl_s)
    return f"/open311/v2/media/{photo_id}?exp={expires_s}&sig={signature(key, photo_id, expires_s)}"


def valid(key: bytes, photo_id: int, expires_text: str, given: str, *, now: datetime) -> bool:
    """True for our signature over this photo and expiry, before the expiry."""
    if not expires_text.isdigit() or int(expires_text) < now.timestamp():
        return False
    return hmac.compare_digest(signature(key, photo_id, int(expires_text)), given)
