"""redis-py (Debian's python3-redis) against Strata's RESP door, with the library's defaults.

Usage: redis_py_client.py PORT. Prints one JSON object of what each step answered, for
RespRedisPyTest to check. Every key is in database 0 of the node the test started.
"""
import json
import sys
import threading
import time

import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port)  # the defaults: RESP2, a connection pool, bytes replies
out = {"version": redis.__version__}


def text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, (list, tuple)):
        return [text(v) for v in value]
    if isinstance(value, dict):
        return {text(k): text(v) for k, v in value.items()}
    return value


out["ping"] = r.ping()

# A binary key and value, as Feast writes them.
entity = b"\x02\x00\x00\x00driver_id\x04\x00\x00\x00\x08\x00\x00\x00\xe9\x03\x00\x00\x00\x00\x00\x00fraud"
r.set(entity, b"\x00\xff\x10")
out["binary"] = r.get(entity).hex()

# pipeline() is a transaction by default: MULTI ... EXEC, all or nothing.
with r.pipeline() as pipe:
    pipe.incr("{user:1}:visits")
    pipe.hset("{user:1}:profile", mapping={"name": "ada", "lang": "en"})
    pipe.expire("{user:1}:profile", 60)
    pipe.hgetall("{user:1}:profile")
    out["transaction"] = text(pipe.execute())
out["ttl"] = r.ttl("{user:1}:profile")

# A pipeline without a transaction, over many keys.
with r.pipeline(transaction=False) as pipe:
    for i in range(200):
        pipe.set(f"py:key:{i}", i)
    for i in range(200):
        pipe.get(f"py:key:{i}")
    replies = pipe.execute()
out["pipelined_sets"] = sum(1 for v in replies[:200] if v is True)
out["pipelined_gets"] = [int(v) for v in replies[200:]] == list(range(200))


# Optimistic locking: transaction() WATCHes, reads, then MULTI / EXEC, retrying on a conflict.
def deposit(pipe):
    balance = int(pipe.get("{acct:9}:balance") or 0)
    pipe.multi()
    pipe.set("{acct:9}:balance", balance + 10)
    pipe.rpush("{acct:9}:history", "+10")


workers = [threading.Thread(target=lambda: [redis.Redis(host="127.0.0.1", port=port).transaction(
    deposit, "{acct:9}:balance") for _ in range(10)]) for _ in range(4)]
for w in workers:
    w.start()
for w in workers:
    w.join()
out["balance"] = int(r.get("{acct:9}:balance"))
out["history"] = r.llen("{acct:9}:history")

# Sorted sets: a leaderboard.
r.zadd("py:board", {"ann": 10, "bob": 25.5, "cy": 7})
r.zincrby("py:board", 25, "cy")
out["top"] = text(r.zrevrange("py:board", 0, 1, withscores=True))
out["rank"] = r.zrank("py:board", "ann")
out["by_score"] = text(r.zrangebyscore("py:board", "(10", "+inf"))

# A job queue: a consumer blocked in BRPOP gets what a producer pushes later.
popped = {}
consumer = threading.Thread(target=lambda: popped.update(job=text(r.brpop("py:jobs", timeout=5))))
consumer.start()
time.sleep(0.2)
r.lpush("py:jobs", "job-1")
consumer.join()
out["brpop"] = popped.get("job")
out["brpop_timeout"] = r.brpop("py:jobs", timeout=0.2)

# Sets, SCAN and the keyspace.
r.sadd("py:tags", "a", "b", "c")
out["tags"] = sorted(text(r.smembers("py:tags")))
out["scan"] = len(list(r.scan_iter(match="py:key:1*", count=50)))
out["type"] = text(r.type("py:board"))

# Errors are redis-py's exceptions, with Redis's words.
try:
    r.lpush("py:board", "x")
except redis.exceptions.ResponseError as e:
    out["wrongtype"] = str(e)
try:
    r.execute_command("NOSUCHCOMMAND")
except redis.exceptions.ResponseError as e:
    out["unknown"] = str(e)

r.client_setname("py-client")
out["client_name"] = text(r.client_getname())
print(json.dumps(text(out)))
