"""A fixed-window rate limit per client address, kept in Django's cache (shared by every process)."""

from django.core.cache import cache


def hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; return True when this one is over `limit` in the current window."""
    cache_key = "throttle:%s:%s" % (scope, key)
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count > limit
