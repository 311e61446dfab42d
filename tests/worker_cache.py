"""The Redis cache of the tests: each test process (pytest-xdist worker) of each run under its
own key prefix, and ``clear()`` removing that prefix's keys only.

Django's ``RedisCache.clear()`` empties the whole Redis database (``FLUSHDB``): every test
starts and ends with ``cache.clear()`` (``tests/conftest.py``), which would wipe the keys of the
tests running at that moment in the other workers, or in another run on the same database.
"""

from __future__ import annotations

import re

from django.core.cache.backends.redis import RedisCache


class WorkerRedisCache(RedisCache):
    def clear(self) -> bool:
        client = self._cache.get_client(None, write=True)
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 500:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True
