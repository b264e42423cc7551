package io.strata.node.kv.resp;

import io.strata.node.kv.LargeValue;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.ListValue;
import io.strata.node.kv.SetChange;
import io.strata.node.kv.ValueChange;
import io.strata.node.kv.ValueType;
import org.apache.pekko.util.ByteString;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import static io.strata.node.kv.resp.RespSession.ascii;
import static io.strata.node.kv.resp.RespSession.call;
import static io.strata.node.kv.resp.RespSession.expect;
import static io.strata.node.kv.resp.RespSession.fail;
import static io.strata.node.kv.resp.RespSession.key;
import static io.strata.node.kv.resp.RespSession.parseLong;
import static io.strata.node.kv.resp.RespSession.syntaxError;

/**
 * The set commands of the RESP door, as Redis 7 has them. Reads fetch the sets and answer from
 * them; changes are {@link SetChange}s the key's partition applies at once. The STORE forms read
 * their sources, then replace the destination: the destination is written at once, but a write to
 * a source between the read and the write is not seen. Stateless.
 */
final class RespSets {

    /** The most members a negative SRANDMEMBER count may ask for (repeats allowed): each is a reply element. */
    private static final long MAX_RANDOM_MEMBERS = 10_000_000;

    private RespSets() {}

    /** SADD key member...: how many were added. */
    static CompletionStage<ByteString> sadd(RespSession session, List<byte[]> args) {
        return change(session, args.get(1), new SetChange.Add(List.copyOf(args.subList(2, args.size()))))
                .thenApply(updated -> Resp.integer(updated.count()));
    }

    /** SREM key member...: how many were removed. */
    static CompletionStage<ByteString> srem(RespSession session, List<byte[]> args) {
        return change(session, args.get(1), new SetChange.Remove(List.copyOf(args.subList(2, args.size()))))
                .thenApply(updated -> Resp.integer(updated.count()));
    }

    /** SPOP key [count]: a member removed at random (nil when none), or with a count an array of up to count. */
    static CompletionStage<ByteString> spop(RespSession session, List<byte[]> args) {
        if (args.size() > 3) {
            return syntaxError();
        }
        boolean counted = args.size() == 3;
        long count = counted ? RespSession.popCount(args.get(2)) : 1;
        Resp resp = session.resp();
        return change(session, args.get(1), new SetChange.Pop(count)).thenApply(updated -> {
            List<byte[]> items = updated.items();
            if (!counted) {
                return items == null || items.isEmpty() ? resp.nullBulk() : Resp.bulk(items.get(0));
            }
            return resp.set(items == null ? List.of() : items.stream().map(Resp::bulk).toList());
        });
    }

    /** SMOVE source destination member: 1 when moved, 0 when the source does not hold it; both sets change at once. */
    static CompletionStage<ByteString> smove(RespSession session, List<byte[]> args) {
        String source = key(args.get(1));
        String destination = key(args.get(2));
        return call(() -> session.store().moveMember(session.db(), source, destination, args.get(3)))
                .thenApply(reply -> Resp.integer(expect(reply, KvPartition.ValueUpdated.class).count()));
    }

    /** SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key...: the destination replaced by the result; its size. */
    static CompletionStage<ByteString> sinterstore(RespSession session, List<byte[]> args) {
        return store(session, args, Combine.INTER);
    }

    static CompletionStage<ByteString> sunionstore(RespSession session, List<byte[]> args) {
        return store(session, args, Combine.UNION);
    }

    static CompletionStage<ByteString> sdiffstore(RespSession session, List<byte[]> args) {
        return store(session, args, Combine.DIFF);
    }

    private static CompletionStage<ByteString> store(RespSession session, List<byte[]> args, Combine combine) {
        return sets(session, args.subList(2, args.size())).thenCompose(sets -> change(session, args.get(1),
                        new SetChange.Replace(combine.apply(sets))))
                .thenApply(updated -> Resp.integer(updated.count()));
    }

    private static CompletionStage<KvPartition.ValueUpdated> change(RespSession session, byte[] rawKey, ValueChange change) {
        String key = key(rawKey);
        return call(() -> session.store().updateValue(session.db(), key, change))
                .thenApply(reply -> expect(reply, KvPartition.ValueUpdated.class));
    }

    // ---- Reads --------------------------------------------------------------------------------

    static CompletionStage<ByteString> smembers(RespSession session, List<byte[]> args) {
        return read(session, args, members -> session.resp().set(members.stream().map(Resp::bulk).toList()));
    }

    static CompletionStage<ByteString> scard(RespSession session, List<byte[]> args) {
        return read(session, args, members -> Resp.integer(members.size()));
    }

    static CompletionStage<ByteString> sismember(RespSession session, List<byte[]> args) {
        return read(session, args, members -> Resp.integer(LargeValue.lookup(members, m -> m).apply(args.get(2)) != null ? 1 : 0));
    }

    /** SMISMEMBER key member...: 1 or 0 per member. */
    static CompletionStage<ByteString> smismember(RespSession session, List<byte[]> args) {
        return read(session, args, members -> {
            java.util.function.Function<byte[], byte[]> set = LargeValue.lookup(members, m -> m);
            return Resp.array(args.subList(2, args.size()).stream().map(m -> Resp.integer(set.apply(m) != null ? 1 : 0)).toList());
        });
    }

    /**
     * SRANDMEMBER key [count]: a random member (nil when none); with a count that many distinct
     * members (at most all), or with a negative count that many with repeats.
     */
    static CompletionStage<ByteString> srandmember(RespSession session, List<byte[]> args) {
        if (args.size() > 3) {
            return syntaxError();
        }
        if (args.size() == 2) {
            return read(session, args, members -> members.isEmpty() ? session.resp().nullBulk()
                    : Resp.bulk(members.get(ThreadLocalRandom.current().nextInt(members.size()))));
        }
        Long count = parseLong(args.get(2));
        if (count == null) {
            return fail(RespSession.NOT_INTEGER);
        }
        if (count < -MAX_RANDOM_MEMBERS) {
            return fail("ERR value is out of range");
        }
        return read(session, args, members -> {
            return Resp.array(RespSession.randomPicks(members, count).stream().map(Resp::bulk).toList());
        });
    }

    /** SSCAN key cursor [MATCH pattern] [COUNT count]: the whole set in one page (cursor 0), MATCH filtering it. */
    static CompletionStage<ByteString> sscan(RespSession session, List<byte[]> args) {
        ElementScan scan = ElementScan.parse(args, false);
        return read(session, args, members -> Resp.array(List.of(Resp.bulk("0"),
                Resp.array(members.stream().filter(scan::includes).map(Resp::bulk).toList()))));
    }

    static CompletionStage<ByteString> sinter(RespSession session, List<byte[]> args) {
        return combined(session, args.subList(1, args.size()), Combine.INTER);
    }

    static CompletionStage<ByteString> sunion(RespSession session, List<byte[]> args) {
        return combined(session, args.subList(1, args.size()), Combine.UNION);
    }

    static CompletionStage<ByteString> sdiff(RespSession session, List<byte[]> args) {
        return combined(session, args.subList(1, args.size()), Combine.DIFF);
    }

    /** SINTERCARD numkeys key... [LIMIT limit]: the size of the intersection, counted up to the limit (0: none). */
    static CompletionStage<ByteString> sintercard(RespSession session, List<byte[]> args) {
        IntersectionCount count = IntersectionCount.parse(args, "ERR numkeys should be greater than 0");
        return sets(session, count.keys()).thenApply(sets -> Resp.integer(count.limited(Combine.INTER.apply(sets).size())));
    }

    /** SINTERCARD's and ZINTERCARD's arguments: {@code numkeys key... [LIMIT limit]} (limit 0: none). */
    record IntersectionCount(List<byte[]> keys, long limit) {

        /** The keys and limit of {@code args}, or Redis's error ({@code noKeys} when numkeys is below 1). */
        static IntersectionCount parse(List<byte[]> args, String noKeys) {
            Long numKeys = parseLong(args.get(1));
            if (numKeys == null || numKeys < 1) {
                throw new RespSession.RespError(numKeys == null ? "ERR numkeys should be greater than 0" : noKeys);
            }
            if (numKeys > args.size() - 2) {
                throw new RespSession.RespError("ERR Number of keys can't be greater than number of args");
            }
            int end = (int) (long) numKeys + 2;
            long limit = 0;
            if (args.size() == end + 2 && ascii(args.get(end)).equalsIgnoreCase("LIMIT")) {
                Long n = parseLong(args.get(end + 1));
                if (n == null || n < 0) {
                    throw new RespSession.RespError("ERR LIMIT can't be negative");
                }
                limit = n;
            } else if (args.size() != end) {
                throw new RespSession.RespError("ERR syntax error");
            }
            return new IntersectionCount(args.subList(2, end), limit);
        }

        /** {@code size}, counted up to the limit. */
        long limited(long size) {
            return limit == 0 ? size : Math.min(limit, size);
        }
    }

    private static CompletionStage<ByteString> combined(RespSession session, List<byte[]> keys, Combine combine) {
        return sets(session, keys).thenApply(sets -> session.resp().set(combine.apply(sets).stream().map(Resp::bulk).toList()));
    }

    /** The members of each set named (none for an absent key), in order; WRONGTYPE when a key holds another type. */
    private static CompletionStage<List<List<byte[]>>> sets(RespSession session, List<byte[]> rawKeys) {
        List<String> keys = rawKeys.stream().map(RespSession::key).toList();
        return session.multiGet(keys).thenApply(found -> {
            List<List<byte[]>> sets = new ArrayList<>(keys.size());
            for (String key : keys) {
                KvPartition.Found f = found.get(key);
                if (f != null && f.type() != ValueType.SET) {
                    throw new RespSession.RespError(RespSession.WRONGTYPE);
                }
                sets.add(f == null ? List.of() : ListValue.elements(f.value()));
            }
            return sets;
        });
    }

    /** How STORE commands and their reads combine sets: the first with the others. */
    private enum Combine {
        INTER, UNION, DIFF;

        List<byte[]> apply(List<List<byte[]>> sets) {
            Map<ByteBuffer, byte[]> result = index(sets.get(0));
            for (List<byte[]> other : sets.subList(1, sets.size())) {
                Map<ByteBuffer, byte[]> members = index(other);
                switch (this) {
                    case INTER -> result.keySet().retainAll(members.keySet());
                    case UNION -> members.forEach(result::putIfAbsent);
                    case DIFF -> result.keySet().removeAll(members.keySet());
                    default -> throw new IllegalStateException();
                }
            }
            return new ArrayList<>(result.values());
        }
    }

    private static Map<ByteBuffer, byte[]> index(List<byte[]> members) {
        Map<ByteBuffer, byte[]> set = new LinkedHashMap<>();
        members.forEach(m -> set.put(ByteBuffer.wrap(m), m));
        return set;
    }

    private static CompletionStage<ByteString> read(RespSession session, List<byte[]> args, Function<List<byte[]>, ByteString> reply) {
        return session.find(key(args.get(1)), ValueType.SET)
                .thenApply(found -> reply.apply(found == null ? List.of() : found.elements(ListValue::elements)));
    }
}
