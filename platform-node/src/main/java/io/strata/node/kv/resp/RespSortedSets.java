package io.strata.node.kv.resp;

import io.strata.node.kv.LargeValue;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.ListValue;
import io.strata.node.kv.ValueType;
import io.strata.node.kv.ZRange;
import io.strata.node.kv.ZSetChange;
import io.strata.node.kv.ZSetValue;
import org.apache.pekko.util.ByteString;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
 * The sorted set commands of the RESP door, as Redis 7 has them. Reads fetch the sorted set and
 * answer from it; changes are {@link ZSetChange}s the key's partition applies at once. The STORE
 * forms (ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE) read their sources, then replace the
 * destination, as the set STORE forms do. Scores are written as Redis 7.0 writes them
 * ({@link ZSetValue#format}), as doubles in RESP3. Stateless.
 */
final class RespSortedSets {

    private static final String NOT_FLOAT = "ERR value is not a valid float";
    private static final String BOUND_NOT_FLOAT = "ERR min or max is not a float";
    private static final String BOUND_NOT_LEX = "ERR min or max not valid string range item";
    /** The most members a negative ZRANDMEMBER count may ask for (repeats allowed): each is a reply element. */
    private static final long MAX_RANDOM_MEMBERS = 10_000_000;

    private RespSortedSets() {}

    // ---- Changes ------------------------------------------------------------------------------

    /** ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]. */
    static CompletionStage<ByteString> zadd(RespSession session, List<byte[]> args) {
        Set<ZSetChange.AddFlag> flags = EnumSet.noneOf(ZSetChange.AddFlag.class);
        int i = 2;
        while (i < args.size()) {
            ZSetChange.AddFlag flag = addFlag(args.get(i));
            if (flag == null) {
                break;
            }
            flags.add(flag);
            i++;
        }
        int pairs = args.size() - i;
        if (pairs == 0 || pairs % 2 != 0) {
            return syntaxError();
        }
        if (flags.contains(ZSetChange.AddFlag.NX) && flags.contains(ZSetChange.AddFlag.XX)) {
            return fail("ERR XX and NX options at the same time are not compatible");
        }
        if ((flags.contains(ZSetChange.AddFlag.GT) ? 1 : 0) + (flags.contains(ZSetChange.AddFlag.LT) ? 1 : 0)
                + (flags.contains(ZSetChange.AddFlag.NX) ? 1 : 0) > 1) {
            return fail("ERR GT, LT, and/or NX options at the same time are not compatible");
        }
        if (flags.contains(ZSetChange.AddFlag.INCR) && pairs > 2) {
            return fail("ERR INCR option supports a single increment-element pair");
        }
        List<ZSetValue.Member> members = new ArrayList<>(pairs / 2);
        for (; i < args.size(); i += 2) {
            Double score = ZSetValue.parse(args.get(i));
            if (score == null) {
                return fail(NOT_FLOAT);
            }
            members.add(new ZSetValue.Member(args.get(i + 1), score));
        }
        boolean incr = flags.contains(ZSetChange.AddFlag.INCR);
        Resp resp = session.resp();
        return change(session, args.get(1), new ZSetChange.Add(members, flags))
                .thenApply(updated -> incr ? scoreOrNil(resp, updated.value()) : Resp.integer(updated.count()));
    }

    /** ZINCRBY key increment member: the member's new score. */
    static CompletionStage<ByteString> zincrby(RespSession session, List<byte[]> args) {
        Double by = ZSetValue.parse(args.get(2));
        if (by == null) {
            return fail(NOT_FLOAT);
        }
        Resp resp = session.resp();
        return change(session, args.get(1), new ZSetChange.Add(List.of(new ZSetValue.Member(args.get(3), by)),
                EnumSet.of(ZSetChange.AddFlag.INCR))).thenApply(updated -> scoreOrNil(resp, updated.value()));
    }

    static CompletionStage<ByteString> zrem(RespSession session, List<byte[]> args) {
        return change(session, args.get(1), new ZSetChange.Remove(List.copyOf(args.subList(2, args.size()))))
                .thenApply(updated -> Resp.integer(updated.count()));
    }

    static CompletionStage<ByteString> zpopmin(RespSession session, List<byte[]> args) {
        return pop(session, args, false);
    }

    static CompletionStage<ByteString> zpopmax(RespSession session, List<byte[]> args) {
        return pop(session, args, true);
    }

    /**
     * ZPOPMIN / ZPOPMAX key [count]: the members popped with their scores, flat ({@code m, s,
     * m, s}), in RESP3 as pairs when a count is given; an empty array when none.
     */
    private static CompletionStage<ByteString> pop(RespSession session, List<byte[]> args, boolean max) {
        if (args.size() > 3) {
            return syntaxError();
        }
        boolean counted = args.size() == 3;
        long count = counted ? RespSession.popCount(args.get(2)) : 1;
        Resp resp = session.resp();
        return change(session, args.get(1), new ZSetChange.Pop(max, count)).thenApply(updated -> {
            List<ZSetValue.Member> popped = poppedMembers(updated.items());
            return counted ? withScores(resp, popped) : flatWithScores(resp, popped);
        });
    }

    /** ZMPOP numkeys key... MIN | MAX [COUNT count]: [key, [[member, score]...]] of the first key with members, or nil. */
    static CompletionStage<ByteString> zmpop(RespSession session, List<byte[]> args) {
        return multiPop(session, args.subList(1, args.size()), -1);
    }

    /** BZMPOP timeout numkeys key... MIN | MAX [COUNT count]: ZMPOP, waiting as BLPOP does. */
    static CompletionStage<ByteString> bzmpop(RespSession session, List<byte[]> args) {
        return multiPop(session, args.subList(2, args.size()), RespLists.deadlineOf(args.get(1)));
    }

    private static CompletionStage<ByteString> multiPop(RespSession session, List<byte[]> args, long deadline) {
        RespLists.MultiPop request = RespLists.MultiPop.parse(args, "MIN", "MAX");
        Resp resp = session.resp();
        ZSetChange.Pop pop = new ZSetChange.Pop(!request.first(), request.count());
        return (deadline < 0 ? RespLists.popFirst(session, request.keys(), 0, pop)
                : session.info().blocked().await(session, request.keys(), deadline, true, () -> RespLists.popFirst(session, request.keys(), 0, pop)))
                .thenApply(p -> p == null ? resp.nullArray()
                        : Resp.array(List.of(Resp.key(p.getKey()), pairs(resp, poppedMembers(p.getValue())))));
    }

    static CompletionStage<ByteString> bzpopmin(RespSession session, List<byte[]> args) {
        return blockingPop(session, args, false);
    }

    static CompletionStage<ByteString> bzpopmax(RespSession session, List<byte[]> args) {
        return blockingPop(session, args, true);
    }

    /** BZPOPMIN / BZPOPMAX key... timeout: [key, member, score] from the first key with members, waiting as BLPOP does; nil at the timeout. */
    private static CompletionStage<ByteString> blockingPop(RespSession session, List<byte[]> args, boolean max) {
        long deadline = RespLists.deadlineOf(args.get(args.size() - 1));
        List<String> keys = args.subList(1, args.size() - 1).stream().map(RespSession::key).toList();
        Resp resp = session.resp();
        ZSetChange.Pop pop = new ZSetChange.Pop(max, 1);
        return session.info().blocked().await(session, keys, deadline, true, () -> RespLists.popFirst(session, keys, 0, pop)).thenApply(p -> {
            if (p == null) {
                return resp.nullArray();
            }
            ZSetValue.Member m = poppedMembers(p.getValue()).get(0);
            return Resp.array(List.of(Resp.key(p.getKey()), Resp.bulk(m.name()), resp.score(m.score())));
        });
    }

    static CompletionStage<ByteString> zremrangebyrank(RespSession session, List<byte[]> args) {
        Long start = parseLong(args.get(2));
        Long stop = parseLong(args.get(3));
        if (start == null || stop == null) {
            return fail(RespSession.NOT_INTEGER);
        }
        return removeRange(session, args, new ZRange.ByRank(start, stop));
    }

    static CompletionStage<ByteString> zremrangebyscore(RespSession session, List<byte[]> args) {
        return removeRange(session, args, scoreRange(args.get(2), args.get(3)));
    }

    static CompletionStage<ByteString> zremrangebylex(RespSession session, List<byte[]> args) {
        return removeRange(session, args, lexRange(args.get(2), args.get(3)));
    }

    private static CompletionStage<ByteString> removeRange(RespSession session, List<byte[]> args, ZRange range) {
        return change(session, args.get(1), new ZSetChange.RemoveRange(range)).thenApply(updated -> Resp.integer(updated.count()));
    }

    /** ZRANGESTORE destination source min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]: how many were stored. */
    static CompletionStage<ByteString> zrangestore(RespSession session, List<byte[]> args) {
        RangeQuery query = RangeQuery.parse(args, 3, RangeQuery.Form.ZRANGE, false);
        if (query.withScores()) {
            return syntaxError();
        }
        return find(session, args.get(2)).thenCompose(members -> change(session, args.get(1), new ZSetChange.Replace(query.apply(members))))
                .thenApply(updated -> Resp.integer(updated.count()));
    }

    static CompletionStage<ByteString> zunionstore(RespSession session, List<byte[]> args) {
        return store(session, args, Combine.UNION);
    }

    static CompletionStage<ByteString> zinterstore(RespSession session, List<byte[]> args) {
        return store(session, args, Combine.INTER);
    }

    static CompletionStage<ByteString> zdiffstore(RespSession session, List<byte[]> args) {
        return store(session, args, Combine.DIFF);
    }

    /** Z*STORE destination numkeys key... [WEIGHTS weight...] [AGGREGATE SUM | MIN | MAX]: the destination replaced; its size. */
    private static CompletionStage<ByteString> store(RespSession session, List<byte[]> args, Combine combine) {
        Combination combination = Combination.parse(args, 2, combine, false);
        return combination.read(session).thenCompose(result -> change(session, args.get(1), new ZSetChange.Replace(result)))
                .thenApply(updated -> Resp.integer(updated.count()));
    }

    private static CompletionStage<KvPartition.ValueUpdated> change(RespSession session, byte[] rawKey, ZSetChange change) {
        String key = key(rawKey);
        return call(() -> session.store().updateValue(session.db(), key, change))
                .thenApply(reply -> expect(reply, KvPartition.ValueUpdated.class));
    }

    // ---- Reads --------------------------------------------------------------------------------

    static CompletionStage<ByteString> zcard(RespSession session, List<byte[]> args) {
        return read(session, args, members -> Resp.integer(members.size()));
    }

    static CompletionStage<ByteString> zscore(RespSession session, List<byte[]> args) {
        Resp resp = session.resp();
        return read(session, args, members -> {
            ZSetValue.Member m = LargeValue.lookup(members, ZSetValue.Member::name).apply(args.get(2));
            return m == null ? resp.nullBulk() : resp.score(m.score());
        });
    }

    /** ZMSCORE key member...: the score of each, nil for those not there. */
    static CompletionStage<ByteString> zmscore(RespSession session, List<byte[]> args) {
        Resp resp = session.resp();
        return read(session, args, members -> {
            java.util.function.Function<byte[], ZSetValue.Member> index = LargeValue.lookup(members, ZSetValue.Member::name);
            return Resp.array(args.subList(2, args.size()).stream().map(name -> {
                ZSetValue.Member m = index.apply(name);
                return m == null ? resp.nullBulk() : resp.score(m.score());
            }).toList());
        });
    }

    static CompletionStage<ByteString> zcount(RespSession session, List<byte[]> args) {
        ZRange range = scoreRange(args.get(2), args.get(3));
        return read(session, args, members -> Resp.integer(range.select(members).size()));
    }

    static CompletionStage<ByteString> zlexcount(RespSession session, List<byte[]> args) {
        ZRange range = lexRange(args.get(2), args.get(3));
        return read(session, args, members -> Resp.integer(range.select(members).size()));
    }

    static CompletionStage<ByteString> zrank(RespSession session, List<byte[]> args) {
        return rank(session, args, false);
    }

    static CompletionStage<ByteString> zrevrank(RespSession session, List<byte[]> args) {
        return rank(session, args, true);
    }

    /** ZRANK / ZREVRANK key member [WITHSCORE]: the member's rank from the lowest (highest) score, [rank, score] with WITHSCORE; nil when not there. */
    private static CompletionStage<ByteString> rank(RespSession session, List<byte[]> args, boolean reverse) {
        if (args.size() > 4 || (args.size() == 4 && !ascii(args.get(3)).equalsIgnoreCase("WITHSCORE"))) {
            return syntaxError();
        }
        boolean withScore = args.size() == 4;
        Resp resp = session.resp();
        return read(session, args, members -> {
            for (int i = 0; i < members.size(); i++) {
                ZSetValue.Member m = members.get(i);
                if (java.util.Arrays.equals(m.name(), args.get(2))) {
                    long rank = reverse ? members.size() - 1 - i : i;
                    return withScore ? Resp.array(List.of(Resp.integer(rank), resp.score(m.score()))) : Resp.integer(rank);
                }
            }
            return withScore ? resp.nullArray() : resp.nullBulk();
        });
    }

    /** ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]. */
    static CompletionStage<ByteString> zrange(RespSession session, List<byte[]> args) {
        return range(session, args, RangeQuery.parse(args, 2, RangeQuery.Form.ZRANGE, false));
    }

    static CompletionStage<ByteString> zrevrange(RespSession session, List<byte[]> args) {
        return range(session, args, RangeQuery.parse(args, 2, RangeQuery.Form.BY_RANK, true));
    }

    static CompletionStage<ByteString> zrangebyscore(RespSession session, List<byte[]> args) {
        return range(session, args, RangeQuery.parse(args, 2, RangeQuery.Form.BY_SCORE, false));
    }

    static CompletionStage<ByteString> zrevrangebyscore(RespSession session, List<byte[]> args) {
        return range(session, args, RangeQuery.parse(args, 2, RangeQuery.Form.BY_SCORE, true));
    }

    static CompletionStage<ByteString> zrangebylex(RespSession session, List<byte[]> args) {
        return range(session, args, RangeQuery.parse(args, 2, RangeQuery.Form.BY_LEX, false));
    }

    static CompletionStage<ByteString> zrevrangebylex(RespSession session, List<byte[]> args) {
        return range(session, args, RangeQuery.parse(args, 2, RangeQuery.Form.BY_LEX, true));
    }

    private static CompletionStage<ByteString> range(RespSession session, List<byte[]> args, RangeQuery query) {
        Resp resp = session.resp();
        return read(session, args, members -> {
            List<ZSetValue.Member> selected = query.apply(members);
            return query.withScores() ? withScores(resp, selected) : names(selected);
        });
    }

    /**
     * ZRANDMEMBER key [count [WITHSCORES]]: a random member (nil when none); with a count that many
     * distinct members (at most all), or with a negative count that many with repeats.
     */
    static CompletionStage<ByteString> zrandmember(RespSession session, List<byte[]> args) {
        Resp resp = session.resp();
        if (args.size() == 2) {
            return read(session, args, members -> members.isEmpty() ? resp.nullBulk()
                    : Resp.bulk(members.get(ThreadLocalRandom.current().nextInt(members.size())).name()));
        }
        if (args.size() > 4 || (args.size() == 4 && !ascii(args.get(3)).equalsIgnoreCase("WITHSCORES"))) {
            return syntaxError();
        }
        Long count = parseLong(args.get(2));
        if (count == null) {
            return fail(RespSession.NOT_INTEGER);
        }
        boolean withScores = args.size() == 4;
        if (count < -MAX_RANDOM_MEMBERS || (withScores && count < -MAX_RANDOM_MEMBERS / 2)) {
            return fail("ERR value is out of range");
        }
        return read(session, args, members -> {
            List<ZSetValue.Member> picked = RespSession.randomPicks(members, count);
            return withScores ? withScores(resp, picked) : names(picked);
        });
    }

    /** ZSCAN key cursor [MATCH pattern] [COUNT count]: the whole sorted set in one page (cursor 0), as member, score... */
    static CompletionStage<ByteString> zscan(RespSession session, List<byte[]> args) {
        ElementScan scan = ElementScan.parse(args, false);
        return read(session, args, members -> {
            List<ByteString> page = new ArrayList<>();
            for (ZSetValue.Member m : members) {
                if (scan.includes(m.name())) {
                    page.add(Resp.bulk(m.name()));
                    page.add(Resp.bulk(ZSetValue.format(m.score())));
                }
            }
            return Resp.array(List.of(Resp.bulk("0"), Resp.array(page)));
        });
    }

    static CompletionStage<ByteString> zunion(RespSession session, List<byte[]> args) {
        return combined(session, args, Combine.UNION);
    }

    static CompletionStage<ByteString> zinter(RespSession session, List<byte[]> args) {
        return combined(session, args, Combine.INTER);
    }

    static CompletionStage<ByteString> zdiff(RespSession session, List<byte[]> args) {
        return combined(session, args, Combine.DIFF);
    }

    /** ZUNION / ZINTER / ZDIFF numkeys key... [WEIGHTS weight...] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]. */
    private static CompletionStage<ByteString> combined(RespSession session, List<byte[]> args, Combine combine) {
        Combination combination = Combination.parse(args, 1, combine, true);
        Resp resp = session.resp();
        return combination.read(session).thenApply(result -> combination.withScores() ? withScores(resp, result) : names(result));
    }

    /** ZINTERCARD numkeys key... [LIMIT limit]: the size of the intersection, counted up to the limit (0: none). */
    static CompletionStage<ByteString> zintercard(RespSession session, List<byte[]> args) {
        RespSets.IntersectionCount count = RespSets.IntersectionCount.parse(args,
                "ERR at least 1 input key is needed for 'zintercard' command");
        Combination combination = new Combination(count.keys(), null, Aggregate.SUM, Combine.INTER, false);
        return combination.read(session).thenApply(result -> Resp.integer(count.limited(result.size())));
    }

    // ---- Parsing and replies ------------------------------------------------------------------

    /** How ZRANGE and its older forms name a range, and the options that shape the reply. */
    private record RangeQuery(ZRange range, boolean reverse, long offset, long count, boolean withScores) {

        /** The command forms: ZRANGE with its options, or an older command that fixes the kind of range. */
        enum Form { ZRANGE, BY_RANK, BY_SCORE, BY_LEX }

        /** The query of {@code args} whose min and max are at {@code at} and {@code at + 1}; Redis's error when they are wrong. */
        static RangeQuery parse(List<byte[]> args, int at, Form form, boolean reverse) {
            Form by = form == Form.ZRANGE ? Form.BY_RANK : form;
            boolean rev = reverse;
            boolean withScores = false;
            boolean limited = false;
            long offset = 0;
            long count = -1;
            for (int i = at + 2; i < args.size(); i++) {
                String option = ascii(args.get(i)).toUpperCase(Locale.ROOT);
                if (option.equals("WITHSCORES") && form != Form.BY_LEX) {
                    withScores = true;
                } else if (option.equals("LIMIT") && form != Form.BY_RANK && i + 2 < args.size()) {
                    Long o = parseLong(args.get(i + 1));
                    Long c = parseLong(args.get(i + 2));
                    if (o == null || c == null) {
                        throw new RespSession.RespError(RespSession.NOT_INTEGER);
                    }
                    limited = true;
                    offset = o;
                    count = c;
                    i += 2;
                } else if (form == Form.ZRANGE && option.equals("BYSCORE") && by == Form.BY_RANK) {
                    by = Form.BY_SCORE;
                } else if (form == Form.ZRANGE && option.equals("BYLEX") && by == Form.BY_RANK) {
                    by = Form.BY_LEX;
                } else if (form == Form.ZRANGE && option.equals("REV")) {
                    rev = true;
                } else {
                    throw new RespSession.RespError("ERR syntax error");
                }
            }
            if (limited && by == Form.BY_RANK) {
                throw new RespSession.RespError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
            }
            if (withScores && by == Form.BY_LEX) {
                throw new RespSession.RespError("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
            }
            // Reversed score and lex ranges name the highest bound first.
            byte[] low = rev && by != Form.BY_RANK ? args.get(at + 1) : args.get(at);
            byte[] high = rev && by != Form.BY_RANK ? args.get(at) : args.get(at + 1);
            ZRange range = switch (by) {
                case BY_SCORE -> scoreRange(low, high);
                case BY_LEX -> lexRange(low, high);
                default -> {
                    Long start = parseLong(low);
                    Long stop = parseLong(high);
                    if (start == null || stop == null) {
                        throw new RespSession.RespError(RespSession.NOT_INTEGER);
                    }
                    yield new ZRange.ByRank(start, stop);
                }
            };
            return new RangeQuery(range, rev, offset, count, withScores);
        }

        /** The members it selects of {@code members} (lowest first), in the order it replies them. */
        List<ZSetValue.Member> apply(List<ZSetValue.Member> members) {
            List<ZSetValue.Member> selected;
            if (range instanceof ZRange.ByRank) {
                selected = range.select(reverse ? reversed(members) : members);
            } else {
                selected = range.select(members);
                selected = reverse ? reversed(selected) : selected;
            }
            if (offset < 0) {
                return List.of();
            }
            int from = (int) Math.min(offset, selected.size());
            int to = count < 0 ? selected.size() : (int) Math.min(selected.size(), from + count);
            return selected.subList(from, to);
        }

        private static List<ZSetValue.Member> reversed(List<ZSetValue.Member> members) {
            List<ZSetValue.Member> copy = new ArrayList<>(members);
            java.util.Collections.reverse(copy);
            return copy;
        }
    }

    /** How ZUNION, ZINTER, ZDIFF combine the first input with the others. */
    private enum Combine { UNION, INTER, DIFF }

    /** How scores of a member in several inputs combine. */
    private enum Aggregate {
        SUM, MIN, MAX;

        double apply(double a, double b) {
            return switch (this) {
                // inf + -inf: Redis takes 0 rather than store a NaN.
                case SUM -> Double.isNaN(a + b) ? 0 : a + b;
                case MIN -> Math.min(a, b);
                case MAX -> Math.max(a, b);
            };
        }
    }

    /** The inputs and options of a union, intersection or difference; inputs may be sets (each member scoring 1). */
    private record Combination(List<byte[]> keys, double[] weights, Aggregate aggregate, Combine combine, boolean withScores) {

        /** {@code numkeys key... options} from {@code at} on; Redis's error when they are wrong. */
        static Combination parse(List<byte[]> args, int at, Combine combine, boolean withScoresAllowed) {
            String name = ascii(args.get(0)).toLowerCase(Locale.ROOT);
            Long numKeys = parseLong(args.get(at));
            if (numKeys == null) {
                throw new RespSession.RespError(RespSession.NOT_INTEGER);
            }
            if (numKeys < 1) {
                throw new RespSession.RespError("ERR at least 1 input key is needed for '" + name + "' command");
            }
            if (numKeys > args.size() - at - 1) {
                throw new RespSession.RespError("ERR syntax error");
            }
            int end = at + 1 + (int) (long) numKeys;
            double[] weights = null;
            Aggregate aggregate = Aggregate.SUM;
            boolean withScores = false;
            for (int i = end; i < args.size(); i++) {
                String option = ascii(args.get(i)).toUpperCase(Locale.ROOT);
                int left = args.size() - i - 1;
                if (combine != Combine.DIFF && option.equals("WEIGHTS") && left >= numKeys) {
                    weights = new double[(int) (long) numKeys];
                    for (int w = 0; w < weights.length; w++) {
                        Double weight = ZSetValue.parse(args.get(i + 1 + w));
                        if (weight == null) {
                            throw new RespSession.RespError("ERR weight value is not a float");
                        }
                        weights[w] = weight;
                    }
                    i += weights.length;
                } else if (combine != Combine.DIFF && option.equals("AGGREGATE") && left >= 1) {
                    try {
                        aggregate = Aggregate.valueOf(ascii(args.get(i + 1)).toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new RespSession.RespError("ERR syntax error");
                    }
                    i++;
                } else if (withScoresAllowed && option.equals("WITHSCORES")) {
                    withScores = true;
                } else {
                    throw new RespSession.RespError("ERR syntax error");
                }
            }
            return new Combination(args.subList(at + 1, end), weights, aggregate, combine, withScores);
        }

        /** The combined members, in {@link ZSetValue#ORDER}; WRONGTYPE when an input is neither a sorted set nor a set. */
        CompletionStage<List<ZSetValue.Member>> read(RespSession session) {
            List<String> names = keys.stream().map(RespSession::key).toList();
            return session.multiGet(names).thenApply(found -> {
                List<List<ZSetValue.Member>> inputs = new ArrayList<>(names.size());
                for (String name : names) {
                    inputs.add(membersOf(found.get(name)));
                }
                return combine(inputs);
            });
        }

        private List<ZSetValue.Member> combine(List<List<ZSetValue.Member>> inputs) {
            Map<ByteBuffer, ZSetValue.Member> result = new LinkedHashMap<>();
            for (ZSetValue.Member m : inputs.get(0)) {
                result.put(ByteBuffer.wrap(m.name()), new ZSetValue.Member(m.name(), weighted(m.score(), 0)));
            }
            for (int i = 1; i < inputs.size(); i++) {
                Map<ByteBuffer, ZSetValue.Member> other = index(inputs.get(i));
                switch (combine) {
                    case UNION -> {
                        for (ZSetValue.Member m : inputs.get(i)) {
                            double score = weighted(m.score(), i);
                            result.merge(ByteBuffer.wrap(m.name()), new ZSetValue.Member(m.name(), score),
                                    (was, now) -> new ZSetValue.Member(was.name(), aggregate.apply(was.score(), now.score())));
                        }
                    }
                    case INTER -> {
                        Map<ByteBuffer, ZSetValue.Member> kept = new LinkedHashMap<>();
                        int input = i;
                        result.forEach((name, was) -> {
                            ZSetValue.Member m = other.get(name);
                            if (m != null) {
                                kept.put(name, new ZSetValue.Member(was.name(), aggregate.apply(was.score(), weighted(m.score(), input))));
                            }
                        });
                        result = kept;
                    }
                    case DIFF -> result.keySet().removeAll(other.keySet());
                    default -> throw new IllegalStateException();
                }
            }
            List<ZSetValue.Member> sorted = new ArrayList<>(result.values());
            sorted.sort(ZSetValue.ORDER);
            return sorted;
        }

        private double weighted(double score, int input) {
            double weighted = weights == null ? score : score * weights[input];
            // inf × 0: Redis takes 0 rather than store a NaN.
            return Double.isNaN(weighted) ? 0 : weighted;
        }
    }

    /** The members of a sorted set, or of a set (each scoring 1, as Redis reads a set in ZUNION); none for an absent key. */
    private static List<ZSetValue.Member> membersOf(KvPartition.Found found) {
        if (found == null) {
            return List.of();
        }
        if (found.type() == ValueType.ZSET) {
            return ZSetValue.members(found.value());
        }
        if (found.type() == ValueType.SET) {
            List<ZSetValue.Member> members = new ArrayList<>();
            ListValue.elements(found.value()).forEach(name -> members.add(new ZSetValue.Member(name, 1)));
            members.sort(ZSetValue.ORDER);
            return members;
        }
        throw new RespSession.RespError(RespSession.WRONGTYPE);
    }

    private static ZRange scoreRange(byte[] min, byte[] max) {
        return new ZRange.ByScore(scoreBound(min), min.length > 0 && min[0] == '(', scoreBound(max), max.length > 0 && max[0] == '(');
    }

    private static double scoreBound(byte[] raw) {
        byte[] number = raw.length > 0 && raw[0] == '(' ? java.util.Arrays.copyOfRange(raw, 1, raw.length) : raw;
        Double value = ZSetValue.parse(number);
        if (value == null) {
            throw new RespSession.RespError(BOUND_NOT_FLOAT);
        }
        return value;
    }

    private static ZRange lexRange(byte[] min, byte[] max) {
        ZRange.LexBound low = ZRange.LexBound.parse(min);
        ZRange.LexBound high = ZRange.LexBound.parse(max);
        if (low == null || high == null) {
            throw new RespSession.RespError(BOUND_NOT_LEX);
        }
        return new ZRange.ByLex(low, high);
    }

    private static ZSetChange.AddFlag addFlag(byte[] raw) {
        if (raw.length > 4) {
            return null;
        }
        try {
            return ZSetChange.AddFlag.valueOf(ascii(raw).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The members a pop took, from its items (name, score text, ...). */
    private static List<ZSetValue.Member> poppedMembers(List<byte[]> items) {
        List<ZSetValue.Member> members = new ArrayList<>();
        if (items != null) {
            for (int i = 0; i + 1 < items.size(); i += 2) {
                members.add(new ZSetValue.Member(items.get(i), ZSetValue.parse(items.get(i + 1))));
            }
        }
        return members;
    }

    private static ByteString scoreOrNil(Resp resp, byte[] scoreText) {
        return scoreText == null ? resp.nullBulk() : resp.score(ZSetValue.parse(scoreText));
    }

    private static ByteString names(List<ZSetValue.Member> members) {
        return Resp.array(members.stream().map(m -> Resp.bulk(m.name())).toList());
    }

    /** Members with their scores: flat in RESP2 ({@code m, s, m, s}), as [member, score] pairs in RESP3. */
    private static ByteString withScores(Resp resp, List<ZSetValue.Member> members) {
        return resp.version() == 3 ? pairs(resp, members) : flatWithScores(resp, members);
    }

    private static ByteString flatWithScores(Resp resp, List<ZSetValue.Member> members) {
        List<ByteString> items = new ArrayList<>(2 * members.size());
        for (ZSetValue.Member m : members) {
            items.add(Resp.bulk(m.name()));
            items.add(resp.score(m.score()));
        }
        return Resp.array(items);
    }

    private static ByteString pairs(Resp resp, List<ZSetValue.Member> members) {
        return Resp.array(members.stream().map(m -> Resp.array(List.of(Resp.bulk(m.name()), resp.score(m.score())))).toList());
    }

    private static Map<ByteBuffer, ZSetValue.Member> index(List<ZSetValue.Member> members) {
        Map<ByteBuffer, ZSetValue.Member> index = new HashMap<>();
        members.forEach(m -> index.put(ByteBuffer.wrap(m.name()), m));
        return index;
    }

    private static CompletionStage<List<ZSetValue.Member>> find(RespSession session, byte[] rawKey) {
        return session.find(key(rawKey), ValueType.ZSET).thenApply(found -> found == null ? List.of() : found.elements(ZSetValue::members));
    }

    private static CompletionStage<ByteString> read(RespSession session, List<byte[]> args,
                                                    Function<List<ZSetValue.Member>, ByteString> reply) {
        return find(session, args.get(1)).thenApply(reply);
    }
}
