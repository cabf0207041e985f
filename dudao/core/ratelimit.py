"""Fixed-window rate limits in Django's cache (settings.CACHES), for pages anyone may open
(the public school page). Each limit counts per key (a client address) and per window; a
refused request answers 429 with the seconds until the window ends.

The default cache is shared by the processes of one machine; with several web machines it
must be shared too (Redis, Memcached or a shared folder), or each machine counts on its own.
"""

import hashlib
import math

from django.core.cache import cache
from django.utils import timezone

PREFIX = "dudao:rate:"


def _digest(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _window(seconds: int) -> tuple[int, int]:
    """The current window's start and the whole seconds left in it."""
    now = timezone.now().timestamp()
    start = int(now // seconds) * seconds
    return start, max(1, math.ceil(start + seconds - now))


def _incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def count(name: str, key: str, limit: int, *, window: int = 60) -> int:
    """Count one request; the seconds to wait if it is over `limit` in this window, else 0."""
    start, left = _window(window)
    n = _incr(f"{PREFIX}{name}:{_digest(key)}:{start}", window + 5)
    return left if n > limit else 0


def count_distinct(name: str, key: str, item: str, limit: int, *, window: int = 60) -> int:
    """Count `item` once per window for `key` (a school code per address): the seconds to wait
    if it is a new item beyond `limit` different ones in this window, else 0. Items already
    allowed in the window stay allowed."""
    start, left = _window(window)
    base = f"{PREFIX}{name}:{_digest(key)}:{start}"
    seen = f"{base}:{_digest(item)}"
    if cache.get(seen):
        return 0
    if _incr(base, window + 5) > limit:
        return left
    cache.set(seen, 1, timeout=window + 5)
    return 0
