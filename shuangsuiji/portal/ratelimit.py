"""A fixed-window limit per client address for anonymous portal lookups, kept in the cache.

django-axes guards logins by account; the public verification page (issue 14, part 2) needs a limit per client, so
that nobody can try codes in bulk. The client's address is hashed into the key: the cache holds no addresses.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    header = settings.CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        # X-Forwarded-For lists the client first; a proxy that sets X-Real-IP gives one address.
        value = value.split(",")[0].strip()
        if value:
            return value[:100]
    return request.META.get("REMOTE_ADDR", "")


def allow(request, scope: str, *, limit: int, window: int) -> bool:
    """Count this request against the client's allowance for `scope`; False once the allowance is used up."""
    if limit <= 0:
        return True
    bucket = int(time.time() // window)
    client = hashlib.sha256(client_address(request).encode("utf-8", "replace")).hexdigest()[:32]
    key = f"ratelimit:{scope}:{bucket}:{client}"
    if cache.add(key, 1, window):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr: this request opens a new window
        cache.set(key, 1, window)
        return True
