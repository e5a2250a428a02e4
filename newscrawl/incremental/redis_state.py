"""`RedisCrawlState`: the incremental crawl state in Redis, shared by every worker of a crawl.

Selected (through `newscrawl.incremental.stores`) when `NEWSCRAWL_STATE` is a `redis://`,
`rediss://` or `unix://` URL. One hash per
canonical URL (`<prefix>:url:<key>`), a sorted set of keys by `last_seen` (`<prefix>:seen`, for
expiry) and a small `<prefix>:meta` hash of counters; every update is one atomic Lua script, so
workers may record the same article at once. Nothing loads the whole set. The key prefix comes
from the URL's `prefix` query parameter (default `newscrawl:state`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newscrawl.incremental.state import CrawlState, StateRecord, iso, later, utcnow

SCHEMES = ("redis", "rediss", "unix")
DEFAULT_PREFIX = "newscrawl:state"
_FIELDS = ("url", "fingerprint", "published", "modified", "lastmod", "first_seen", "last_seen",
           "last_fetched", "emitted", "version")

# Shared by both upserts: create the record, move lastmod forward, stamp last_seen.
# KEYS: hash, seen zset, meta. ARGV: url-or-empty, lastmod, stamp, score, fetched-stamp.
_UPSERT = """
local h, new = KEYS[1], redis.call('EXISTS', KEYS[1]) == 0
if new then redis.call('HSET', h, 'first_seen', ARGV[3])
  local first = redis.call('HGET', KEYS[3], 'first_seen')
  if not first or ARGV[3] < first then redis.call('HSET', KEYS[3], 'first_seen', ARGV[3]) end
end
if new or ARGV[1] ~= '' then
  if ARGV[1] == '' then redis.call('HDEL', h, 'url') else redis.call('HSET', h, 'url', ARGV[1]) end
end
local lm = redis.call('HGET', h, 'lastmod')
if ARGV[2] ~= '' and (not lm or ARGV[2] > lm) then redis.call('HSET', h, 'lastmod', ARGV[2]) end
redis.call('HSET', h, 'last_seen', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], h)
if ARGV[5] ~= '' then
  redis.call('HSET', h, 'last_fetched', ARGV[5])
  local lf = redis.call('HGET', KEYS[3], 'last_fetched')
  if not lf or ARGV[5] > lf then redis.call('HSET', KEYS[3], 'last_fetched', ARGV[5]) end
end
"""

# `touch`: ARGV 6..7: the page's published, modified (kept when empty).
_TOUCH = _UPSERT + """
if ARGV[6] and ARGV[6] ~= '' then redis.call('HSET', h, 'published', ARGV[6]) end
if ARGV[7] and ARGV[7] ~= '' then redis.call('HSET', h, 'modified', ARGV[7]) end
"""

# ARGV 6..9: fingerprint, version, published, modified.
_EMIT = _UPSERT + """
local emitted = tonumber(redis.call('HGET', h, 'emitted') or '0')
local old = tonumber(redis.call('HGET', h, 'version') or '0')
local version = tonumber(ARGV[7])
if ARGV[1] == '' then redis.call('HDEL', h, 'url') end
redis.call('HSET', h, 'fingerprint', ARGV[6], 'version', version, 'emitted', emitted + 1)
if ARGV[8] ~= '' then redis.call('HSET', h, 'published', ARGV[8]) end
if ARGV[9] ~= '' then redis.call('HSET', h, 'modified', ARGV[9]) end
if emitted == 0 then redis.call('HINCRBY', KEYS[3], 'emitted', 1) end
if version > 1 and old <= 1 then redis.call('HINCRBY', KEYS[3], 'updated', 1) end
if version <= 1 and old > 1 then redis.call('HINCRBY', KEYS[3], 'updated', -1) end
"""

# Delete the records named in ARGV (hash keys), keeping the counters right. KEYS: seen, meta.
_DELETE = """
local n = 0
for _, h in ipairs(ARGV) do
  local v = redis.call('HMGET', h, 'emitted', 'version')
  if redis.call('DEL', h) == 1 then
    n = n + 1
    if tonumber(v[1] or '0') > 0 then redis.call('HINCRBY', KEYS[2], 'emitted', -1) end
    if tonumber(v[2] or '0') > 1 then redis.call('HINCRBY', KEYS[2], 'updated', -1) end
  end
  redis.call('ZREM', KEYS[1], h)
end
return n
"""


def is_redis_url(value: object) -> bool:
    """True when `value` names a Redis server rather than a file."""
    return isinstance(value, str) and urlsplit(value).scheme in SCHEMES


def with_prefix(url: str, prefix: str) -> str:
    """`url` with `prefix=` set, unless it already names one."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "prefix" for name, _ in query):
        return url
    return urlunsplit(parts._replace(query=urlencode([*query, ("prefix", prefix)])))


def _split(url: str) -> tuple[str, str]:
    """The connection URL without `prefix=`, and the prefix."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((v for k, v in query if k == "prefix"), "") or DEFAULT_PREFIX
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


class RedisCrawlState(CrawlState):
    """`CrawlState` in Redis; writes are pipelined until `commit()` (or a read of the same key)."""

    def __init__(self, url: str, *, client: Any = None, **_: object) -> None:
        import redis

        connect_url, self.prefix = _split(str(url))
        self.url = url
        self._redis = client or redis.Redis.from_url(connect_url, decode_responses=True)
        self._seen = f"{self.prefix}:seen"
        self._meta = f"{self.prefix}:meta"
        self._touch = self._redis.register_script(_TOUCH)
        self._emit = self._redis.register_script(_EMIT)
        self._delete = self._redis.register_script(_DELETE)
        self._pipe = self._redis.pipeline(transaction=False)
        self._pending: set[str] = set()
        self._redis.ping()

    @classmethod
    def location_for(cls, template: str, spider_name: str) -> str:
        """The URL with `%(name)s` filled in and the key prefix defaulting to
        `newscrawl:state:<spider>`."""
        url = template.replace("%(name)s", spider_name)
        return with_prefix(url, f"{DEFAULT_PREFIX}:{spider_name}")

    def _hash(self, key: str) -> str:
        return f"{self.prefix}:url:{key}"

    def _record(self, key: str, fields: dict[str, str]) -> StateRecord | None:
        if not fields:
            return None
        return StateRecord(
            key=key, url=fields.get("url") or key, fingerprint=fields.get("fingerprint"),
            published=fields.get("published"), modified=fields.get("modified"),
            lastmod=fields.get("lastmod"), first_seen=fields.get("first_seen", ""),
            last_seen=fields.get("last_seen", ""), last_fetched=fields.get("last_fetched"),
            emitted=int(fields.get("emitted") or 0), version=int(fields.get("version") or 0))

    def _flush_for(self, keys: Iterable[str]) -> None:
        if self._pending and not self._pending.isdisjoint(keys):
            self.commit()

    def get(self, key: str) -> StateRecord | None:
        """One HGETALL."""
        self._flush_for((key,))
        return self._record(key, self._redis.hgetall(self._hash(key)))

    def get_many(self, keys: Iterable[str]) -> dict[str, StateRecord]:
        """One pipelined round trip per 500 keys."""
        keys = list(keys)
        self._flush_for(keys)
        found: dict[str, StateRecord] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            pipe = self._redis.pipeline(transaction=False)
            for key in chunk:
                pipe.hgetall(self._hash(key))
            for key, fields in zip(chunk, pipe.execute(), strict=True):
                record = self._record(key, fields)
                if record is not None:
                    found[key] = record
        return found

    def _args(self, key: str, url: str, lastmod: str | None, now: datetime | None,
              fetched: bool) -> list[Any]:
        moment = now or utcnow()
        stamp = iso(moment)
        return ["" if url == key else url, later(lastmod, None) or "", stamp,
                int(moment.timestamp()), stamp if fetched else ""]

    def record_emitted(self, key: str, url: str, fingerprint: str, version: int, *,
                       published: str | None = None, modified: str | None = None,
                       lastmod: str | None = None, now: datetime | None = None) -> None:
        """Upsert the emitted article; `lastmod` only ever moves forward."""
        args = self._args(key, url, lastmod, now, True)
        args += [fingerprint, int(version), published or "", modified or ""]
        self._emit(keys=[self._hash(key), self._seen, self._meta], args=args, client=self._pipe)
        self._pending.add(key)

    def touch(self, key: str, url: str, *, lastmod: str | None = None, fetched: bool = False,
              published: str | None = None, modified: str | None = None,
              now: datetime | None = None) -> None:
        """Upsert `last_seen` (and `last_fetched`, `lastmod`, the page's dates) without changing
        the emitted fingerprint or version."""
        args = self._args(key, url, lastmod, now, fetched) + [published or "", modified or ""]
        self._touch(keys=[self._hash(key), self._seen, self._meta], args=args, client=self._pipe)
        self._pending.add(key)

    def commit(self) -> None:
        """Send the pipelined writes (durable as far as the server's persistence is)."""
        if self._pending:
            self._pipe.execute()
            self._pending.clear()

    def _delete_scored(self, high: str) -> int:
        removed = 0
        while True:
            batch = self._redis.zrangebyscore(self._seen, "-inf", high, start=0, num=500)
            if not batch:
                return removed
            removed += int(self._delete(keys=[self._seen, self._meta], args=batch))

    def expire(self, older_than: datetime) -> int:
        """Delete records whose `last_seen` is before `older_than`, 500 at a time."""
        self.commit()
        return self._delete_scored(f"({int(older_than.timestamp())}")

    def reset(self) -> None:
        """Delete every record, 500 at a time, then the counters."""
        self.commit()
        self._delete_scored("+inf")
        self._redis.delete(self._meta)

    def stats(self) -> dict[str, object]:
        """Counts from the counters and the `last_seen` index (no scan of the records)."""
        self.commit()
        meta = self._redis.hgetall(self._meta)
        newest = self._redis.zrange(self._seen, -1, -1, withscores=True)
        last_seen = newest and self._redis.hget(newest[0][0], "last_seen")
        connect_url, _ = _split(str(self.url))
        parts = urlsplit(connect_url)
        shown = urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))
        return {"path": f"{shown} ({self.prefix})", "urls": len(self),
                "emitted": int(meta.get("emitted") or 0),
                "updated": int(meta.get("updated") or 0),
                "first_seen": meta.get("first_seen") if len(self) else None,
                "last_seen": last_seen or None, "last_fetched": meta.get("last_fetched")}

    def __len__(self) -> int:
        return int(self._redis.zcard(self._seen))

    def close(self) -> None:
        """Send pending writes and drop the connection."""
        try:
            self.commit()
        finally:
            self._redis.close()

