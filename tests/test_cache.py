"""The shared cache: Redis when REDIS_URL is set (scaling out), per process otherwise."""

import os
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_redis_cache_is_shared_through_redis():
    import redis

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    key = f"test-{uuid.uuid4()}"
    cache.set(key, {"poles": 23}, timeout=30)
    assert cache.get(key) == {"poles": 23}
    # Another client (another node) sees the value in Redis itself.
    raw = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert any(name.decode().endswith(key) for name in raw.scan_iter(f"*{key}"))
    cache.delete(key)
    assert cache.get(key) is None


def test_cache_works_without_redis_too():
    key = f"test-{uuid.uuid4()}"
    cache.set(key, "ok", timeout=30)
    assert cache.get(key) == "ok"
