package io.strata.node.kv.resp;

import io.strata.node.kv.KvPartition;
import io.strata.node.kv.ListChange;
import io.strata.node.kv.ListValue;
import io.strata.node.kv.ValueChange;
import io.strata.node.kv.ValueType;
import org.apache.pekko.util.ByteString;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import static io.strata.node.kv.resp.RespSession.ascii;
import static io.strata.node.kv.resp.RespSession.call;
import static io.strata.node.kv.resp.RespSession.expect;
import static io.strata.node.kv.resp.RespSession.fail;
import static io.strata.node.kv.resp.RespSession.key;
import static io.strata.node.kv.resp.RespSession.parseLong;
import static io.strata.node.kv.resp.RespSession.syntaxError;

/**
 * The list commands of the RESP door, as Redis 7 has them (without the blocking ones). Reads fetch
 * the list and answer from it; changes are {@link ListChange}s the key's partition applies at
 * once; LMOVE between two lists is one {@link KvPartition.MoveElement} of their partition. Stateless.
 */
final class RespLists {

    private RespLists() {}

    static CompletionStage<ByteString> lpush(RespSession session, List<byte[]> args) {
        return push(session, args, true, false);
    }

    static CompletionStage<ByteString> rpush(RespSession session, List<byte[]> args) {
        return push(session, args, false, false);
    }

    static CompletionStage<ByteString> lpushx(RespSession session, List<byte[]> args) {
        return push(session, args, true, true);
    }

    static CompletionStage<ByteString> rpushx(RespSession session, List<byte[]> args) {
        return push(session, args, false, true);
    }

    /** LPUSH / RPUSH / LPUSHX / RPUSHX key element...: the list's length after (0: X and no list). */
    private static CompletionStage<ByteString> push(RespSession session, List<byte[]> args, boolean left, boolean onlyIfExists) {
        return change(session, args, new ListChange.Push(left, List.copyOf(args.subList(2, args.size())), onlyIfExists))
                .thenApply(updated -> Resp.integer(updated.count()));
    }

    static CompletionStage<ByteString> lpop(RespSession session, List<byte[]> args) {
        return pop(session, args, true);
    }

    static CompletionStage<ByteString> rpop(RespSession session, List<byte[]> args) {
        return pop(session, args, false);
    }

    /** LPOP / RPOP key [count]: one element (nil when none), or with a count an array of up to count (nil without the key). */
    private static CompletionStage<ByteString> pop(RespSession session, List<byte[]> args, boolean left) {
        if (args.size() > 3) {
            return RespSession.wrongArity(left ? "lpop" : "rpop");
        }
        boolean counted = args.size() == 3;
        long count = counted ? RespSession.popCount(args.get(2)) : 1;
        Resp resp = session.resp();
        return change(session, args, new ListChange.Pop(left, count)).thenApply(updated -> {
            List<byte[]> items = updated.items();
            if (!counted) {
                return items == null || items.isEmpty() ? resp.nullBulk() : Resp.bulk(items.get(0));
            }
            return items == null ? resp.nullArray() : bulks(items);
        });
    }

    /** LSET key index element: OK; {@code ERR no such key}, {@code ERR index out of range}. */
    static CompletionStage<ByteString> lset(RespSession session, List<byte[]> args) {
        Long index = parseLong(args.get(2));
        if (index == null) {
            return fail(RespSession.NOT_INTEGER);
        }
        return change(session, args, new ListChange.SetIndex(index, args.get(3))).thenApply(updated -> Resp.OK);
    }

    /** LREM key count element: how many were removed. */
    static CompletionStage<ByteString> lrem(RespSession session, List<byte[]> args) {
        Long count = parseLong(args.get(2));
        if (count == null) {
            return fail(RespSession.NOT_INTEGER);
        }
        return change(session, args, new ListChange.Remove(count, args.get(3))).thenApply(updated -> Resp.integer(updated.count()));
    }

    /** LTRIM key start stop: OK. */
    static CompletionStage<ByteString> ltrim(RespSession session, List<byte[]> args) {
        Long start = parseLong(args.get(2));
        Long stop = parseLong(args.get(3));
        if (start == null || stop == null) {
            return fail(RespSession.NOT_INTEGER);
        }
        return change(session, args, new ListChange.Trim(start, stop)).thenApply(updated -> Resp.OK);
    }

    /** LINSERT key BEFORE | AFTER pivot element: the length after, -1 without the pivot, 0 without the key. */
    static CompletionStage<ByteString> linsert(RespSession session, List<byte[]> args) {
        String where = ascii(args.get(2)).toUpperCase(Locale.ROOT);
        if (!where.equals("BEFORE") && !where.equals("AFTER")) {
            return syntaxError();
        }
        return change(session, args, new ListChange.Insert(where.equals("BEFORE"), args.get(3), args.get(4)))
                .thenApply(updated -> Resp.integer(updated.count()));
    }

    /** LMOVE source destination LEFT | RIGHT LEFT | RIGHT: the element moved, nil when the source is empty. */
    static CompletionStage<ByteString> lmove(RespSession session, List<byte[]> args) {
        Boolean from = side(args.get(3));
        Boolean to = side(args.get(4));
        if (from == null || to == null) {
            return syntaxError();
        }
        return move(session, args, from, to);
    }

    /** RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT. */
    static CompletionStage<ByteString> rpoplpush(RespSession session, List<byte[]> args) {
        return move(session, args, false, true);
    }

    private static CompletionStage<ByteString> move(RespSession session, List<byte[]> args, boolean fromLeft, boolean toLeft) {
        String source = key(args.get(1));
        String destination = key(args.get(2));
        Resp resp = session.resp();
        return call(() -> session.store().moveElement(session.db(), source, destination, fromLeft, toLeft))
                .thenApply(reply -> {
                    List<byte[]> moved = expect(reply, KvPartition.ValueUpdated.class).items();
                    return moved == null || moved.isEmpty() ? resp.nullBulk() : Resp.bulk(moved.get(0));
                });
    }

    // ---- Blocking pops -------------------------------------------------------------------------

    static CompletionStage<ByteString> blpop(RespSession session, List<byte[]> args) {
        return blockingPop(session, args, true);
    }

    static CompletionStage<ByteString> brpop(RespSession session, List<byte[]> args) {
        return blockingPop(session, args, false);
    }

    /**
     * BLPOP / BRPOP key [key ...] timeout: [key, element] from the first key that has one, trying
     * the keys in order, and trying again until one has or the timeout (seconds, 0: none) passes:
     * nil then. Each try pops atomically; the connection runs nothing else meanwhile, as in Redis.
     */
    private static CompletionStage<ByteString> blockingPop(RespSession session, List<byte[]> args, boolean left) {
        long deadline = deadlineOf(args.get(args.size() - 1));
        List<String> keys = args.subList(1, args.size() - 1).stream().map(RespSession::key).toList();
        Resp resp = session.resp();
        return session.info().blocked().await(session, keys, deadline, true, () -> popFirst(session, keys, 0, new ListChange.Pop(left, 1)))
                .thenApply(popped -> popped == null ? resp.nullArray()
                        : Resp.array(List.of(Resp.key(popped.getKey()), Resp.bulk(popped.getValue().get(0)))));
    }

    /** LMPOP numkeys key [key ...] LEFT | RIGHT [COUNT count]: [key, [elements]] from the first key with elements, or nil. */
    static CompletionStage<ByteString> lmpop(RespSession session, List<byte[]> args) {
        return multiPop(session, args.subList(1, args.size()), -1);
    }

    /** BLMPOP timeout numkeys key [key ...] LEFT | RIGHT [COUNT count]: LMPOP, waiting as BLPOP does. */
    static CompletionStage<ByteString> blmpop(RespSession session, List<byte[]> args) {
        return multiPop(session, args.subList(2, args.size()), deadlineOf(args.get(1)));
    }

    private static CompletionStage<ByteString> multiPop(RespSession session, List<byte[]> args, long deadline) {
        MultiPop request = MultiPop.parse(args, "LEFT", "RIGHT");
        Resp resp = session.resp();
        java.util.function.Supplier<CompletionStage<Map.Entry<String, List<byte[]>>>> pop =
                () -> popFirst(session, request.keys(), 0, new ListChange.Pop(request.first(), request.count()));
        return (deadline < 0 ? pop.get() : session.info().blocked().await(session, request.keys(), deadline, true, pop))
                .thenApply(p -> p == null ? resp.nullArray() : Resp.array(List.of(Resp.key(p.getKey()), bulks(p.getValue()))));
    }

    /**
     * What LMPOP and ZMPOP (and their blocking forms) name, after the timeout: {@code numkeys
     * key... end [COUNT count]}; {@code first} when the end is the first word ({@code LEFT},
     * {@code MIN}), else the second ({@code RIGHT}, {@code MAX}).
     */
    record MultiPop(List<String> keys, boolean first, long count) {

        /** The request, or Redis's error for it. */
        static MultiPop parse(List<byte[]> args, String firstEnd, String secondEnd) {
            Long numKeys = parseLong(args.get(0));
            if (numKeys == null || numKeys < 1) {
                throw new RespSession.RespError("ERR numkeys should be greater than 0");
            }
            if (numKeys > args.size() - 2) {
                throw new RespSession.RespError("ERR syntax error");
            }
            int whereAt = (int) (long) numKeys + 1;
            String end = ascii(args.get(whereAt)).toUpperCase(Locale.ROOT);
            if (!end.equals(firstEnd) && !end.equals(secondEnd)) {
                throw new RespSession.RespError("ERR syntax error");
            }
            long count = 1;
            if (args.size() == whereAt + 3 && ascii(args.get(whereAt + 1)).equalsIgnoreCase("COUNT")) {
                Long n = parseLong(args.get(whereAt + 2));
                if (n == null || n < 1) {
                    throw new RespSession.RespError("ERR count should be greater than 0");
                }
                count = n;
            } else if (args.size() != whereAt + 1) {
                throw new RespSession.RespError("ERR syntax error");
            }
            return new MultiPop(args.subList(1, whereAt).stream().map(RespSession::key).toList(), end.equals(firstEnd), count);
        }
    }

    /** BLMOVE source destination LEFT | RIGHT LEFT | RIGHT timeout: LMOVE, waiting as BLPOP does while the source is empty. */
    static CompletionStage<ByteString> blmove(RespSession session, List<byte[]> args) {
        Boolean from = side(args.get(3));
        Boolean to = side(args.get(4));
        if (from == null || to == null) {
            return syntaxError();
        }
        return blockingMove(session, args.get(1), args.get(2), from, to, args.get(5));
    }

    /** BRPOPLPUSH source destination timeout: BLMOVE source destination RIGHT LEFT timeout. */
    static CompletionStage<ByteString> brpoplpush(RespSession session, List<byte[]> args) {
        return blockingMove(session, args.get(1), args.get(2), false, true, args.get(3));
    }

    private static CompletionStage<ByteString> blockingMove(RespSession session, byte[] rawSource, byte[] rawDestination,
                                                            boolean fromLeft, boolean toLeft, byte[] timeout) {
        long deadline = deadlineOf(timeout);
        String source = key(rawSource);
        String destination = key(rawDestination);
        Resp resp = session.resp();
        return session.info().blocked().await(session, List.of(source), deadline, false, () -> call(() -> session.store()
                        .moveElement(session.db(), source, destination, fromLeft, toLeft))
                .thenApply(reply -> {
                    List<byte[]> moved = expect(reply, KvPartition.ValueUpdated.class).items();
                    if (moved == null || moved.isEmpty()) {
                        return null;
                    }
                    // A push like any other: clients blocked on the destination may take it (a circular BRPOPLPUSH).
                    session.info().blocked().written(session.db(), List.of(destination));
                    return moved.get(0);
                })).thenApply(moved -> moved == null ? resp.nullBulk() : Resp.bulk(moved));
    }

    /**
     * The first key of {@code keys} from {@code index} on that has elements, with the items {@code pop}
     * (a list's or a sorted set's pop) took from it; null when none has.
     */
    static CompletionStage<Map.Entry<String, List<byte[]>>> popFirst(RespSession session, List<String> keys, int index,
                                                                    ValueChange pop) {
        if (index == keys.size()) {
            return CompletableFuture.completedFuture(null);
        }
        String key = keys.get(index);
        return call(() -> session.store().updateValue(session.db(), key, pop)).thenCompose(reply -> {
            List<byte[]> items = expect(reply, KvPartition.ValueUpdated.class).items();
            return items == null || items.isEmpty() ? popFirst(session, keys, index + 1, pop)
                    : CompletableFuture.completedFuture(Map.entry(key, items));
        });
    }

    /** The System.nanoTime a blocking command's timeout (seconds, a float) ends at; 0: it waits for ever. */
    static long deadlineOf(byte[] raw) {
        double seconds;
        try {
            seconds = Double.parseDouble(ascii(raw));
        } catch (NumberFormatException e) {
            throw new RespSession.RespError("ERR timeout is not a float or out of range");
        }
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            throw new RespSession.RespError("ERR timeout is not a float or out of range");
        }
        if (seconds < 0) {
            throw new RespSession.RespError("ERR timeout is negative");
        }
        if (seconds == 0) {
            return 0;
        }
        long deadline = System.nanoTime() + (long) Math.min(seconds * 1e9, Long.MAX_VALUE / 4.0);
        return deadline == 0 ? 1 : deadline;
    }

    private static Boolean side(byte[] raw) {
        return switch (ascii(raw).toUpperCase(Locale.ROOT)) {
            case "LEFT" -> true;
            case "RIGHT" -> false;
            default -> null;
        };
    }

    private static CompletionStage<KvPartition.ValueUpdated> change(RespSession session, List<byte[]> args, ValueChange change) {
        String key = key(args.get(1));
        return call(() -> session.store().updateValue(session.db(), key, change))
                .thenApply(reply -> expect(reply, KvPartition.ValueUpdated.class));
    }

    // ---- Reads --------------------------------------------------------------------------------

    static CompletionStage<ByteString> llen(RespSession session, List<byte[]> args) {
        return session.find(key(args.get(1)), ValueType.LIST)
                .thenApply(found -> Resp.integer(found == null ? 0 : found.large() != null ? found.large().size()
                        : ListValue.length(found.value())));
    }

    /** LINDEX key index: the element (negative: from the tail), nil out of range. */
    static CompletionStage<ByteString> lindex(RespSession session, List<byte[]> args) {
        Long index = parseLong(args.get(2));
        if (index == null) {
            return fail(RespSession.NOT_INTEGER);
        }
        return read(session, args, list -> {
            long at = index < 0 ? list.size() + index : index;
            return at < 0 || at >= list.size() ? session.resp().nullBulk() : Resp.bulk(list.get((int) at));
        });
    }

    /** LRANGE key start stop: the elements from start to stop, both included, negative ones from the tail. */
    static CompletionStage<ByteString> lrange(RespSession session, List<byte[]> args) {
        Long start = parseLong(args.get(2));
        Long stop = parseLong(args.get(3));
        if (start == null || stop == null) {
            return fail(RespSession.NOT_INTEGER);
        }
        return read(session, args, list -> {
            int[] range = ListChange.range(start, stop, list.size());
            return range == null ? Resp.EMPTY_ARRAY : bulks(list.subList(range[0], range[1] + 1));
        });
    }

    /**
     * LPOS key element [RANK rank] [COUNT num] [MAXLEN len]: the index of the rank-th match
     * (negative: from the tail), nil when none; with COUNT an array of up to num (0: all) indexes.
     */
    static CompletionStage<ByteString> lpos(RespSession session, List<byte[]> args) {
        long rank = 1;
        Long count = null;
        long maxLen = 0;
        for (int i = 3; i < args.size(); i += 2) {
            if (i + 1 >= args.size()) {
                return syntaxError();
            }
            String option = ascii(args.get(i)).toUpperCase(Locale.ROOT);
            Long n = parseLong(args.get(i + 1));
            if (n == null) {
                return fail(RespSession.NOT_INTEGER);
            }
            switch (option) {
                case "RANK" -> {
                    if (n == 0 || n == Long.MIN_VALUE) {
                        return fail("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
                                + "or use negative to start from the end of the list");
                    }
                    rank = n;
                }
                case "COUNT" -> {
                    if (n < 0) {
                        return fail("ERR COUNT can't be negative");
                    }
                    count = n;
                }
                case "MAXLEN" -> {
                    if (n < 0) {
                        return fail("ERR MAXLEN can't be negative");
                    }
                    maxLen = n;
                }
                default -> {
                    return syntaxError();
                }
            }
        }
        long wantedRank = rank;
        Long wanted = count;
        long limit = maxLen == 0 ? Long.MAX_VALUE : maxLen;
        byte[] element = args.get(2);
        return read(session, args, list -> {
            List<ByteString> found = new ArrayList<>();
            long toSkip = Math.abs(wantedRank) - 1;
            long max = wanted == null ? 1 : wanted == 0 ? Long.MAX_VALUE : wanted;
            int size = list.size();
            for (long scanned = 0; scanned < Math.min(limit, size) && found.size() < max; scanned++) {
                int index = (int) (wantedRank > 0 ? scanned : size - 1 - scanned);
                if (Arrays.equals(list.get(index), element)) {
                    if (toSkip > 0) {
                        toSkip--;
                    } else {
                        found.add(Resp.integer(index));
                    }
                }
            }
            if (wanted != null) {
                return Resp.array(found);
            }
            return found.isEmpty() ? session.resp().nullBulk() : found.get(0);
        });
    }

    /** Answers from the list's elements (none when the key is absent); WRONGTYPE when the key holds another type. */
    private static CompletionStage<ByteString> read(RespSession session, List<byte[]> args, Function<List<byte[]>, ByteString> reply) {
        return session.find(key(args.get(1)), ValueType.LIST)
                .thenApply(found -> reply.apply(found == null ? List.of() : found.elements(ListValue::elements)));
    }

    private static ByteString bulks(List<byte[]> items) {
        return Resp.array(items.stream().map(Resp::bulk).toList());
    }
}
