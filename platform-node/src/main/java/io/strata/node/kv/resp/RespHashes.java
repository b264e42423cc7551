package io.strata.node.kv.resp;

import io.strata.node.kv.LargeValue;
import io.strata.node.kv.HashChange;
import io.strata.node.kv.HashValue;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.StringChange;
import io.strata.node.kv.ValueType;
import org.apache.pekko.util.ByteString;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import static io.strata.node.kv.resp.RespSession.ascii;
import static io.strata.node.kv.resp.RespSession.call;
import static io.strata.node.kv.resp.RespSession.done;
import static io.strata.node.kv.resp.RespSession.expect;
import static io.strata.node.kv.resp.RespSession.fail;
import static io.strata.node.kv.resp.RespSession.key;
import static io.strata.node.kv.resp.RespSession.parseLong;
import static io.strata.node.kv.resp.RespSession.syntaxError;

/**
 * The hash commands of the RESP door, as Redis 7.4 has them (field expiry included). Reads fetch
 * the hash (its partition has already dropped expired fields) and answer from it; changes are
 * {@link HashChange}s the key's partition applies at once. Stateless: every handler takes the session.
 */
final class RespHashes {

    /** Redis's latest field expiry (HFE_MAX_ABS_TIME_MSEC): about the year 4199. */
    private static final long MAX_EXPIRY_MILLIS = ((1L << 48) - 1) >> 2;
    /** The most fields a negative HRANDFIELD count may ask for (repeats allowed): each is a reply element. */
    private static final long MAX_RANDOM_FIELDS = 10_000_000;

    private RespHashes() {}

    // ---- Changes ------------------------------------------------------------------------------

    /** HSET key field value [field value ...]: how many fields are new. */
    static CompletionStage<ByteString> hset(RespSession session, List<byte[]> args) {
        if (args.size() % 2 != 0) {
            return RespSession.wrongArity("hset");
        }
        return change(session, args, new HashChange.Set(List.copyOf(args.subList(2, args.size())), false))
                .thenApply(updated -> Resp.integer(updated.count()));
    }

    /** HMSET key field value [field value ...]: OK. */
    static CompletionStage<ByteString> hmset(RespSession session, List<byte[]> args) {
        if (args.size() % 2 != 0) {
            return RespSession.wrongArity("hmset");
        }
        return change(session, args, new HashChange.Set(List.copyOf(args.subList(2, args.size())), false)).thenApply(updated -> Resp.OK);
    }

    /** HSETNX key field value: 1 when the field was absent and is now set, else 0. */
    static CompletionStage<ByteString> hsetnx(RespSession session, List<byte[]> args) {
        return change(session, args, new HashChange.Set(List.of(args.get(2), args.get(3)), true))
                .thenApply(updated -> Resp.integer(updated.count()));
    }

    /** HDEL key field [field ...]: how many fields were removed; the key goes with its last field. */
    static CompletionStage<ByteString> hdel(RespSession session, List<byte[]> args) {
        return change(session, args, new HashChange.Delete(List.copyOf(args.subList(2, args.size()))))
                .thenApply(updated -> Resp.integer(updated.count()));
    }

    /** HINCRBY key field increment: the field's new integer. */
    static CompletionStage<ByteString> hincrby(RespSession session, List<byte[]> args) {
        Long by = parseLong(args.get(3));
        if (by == null) {
            return fail(RespSession.NOT_INTEGER);
        }
        return change(session, args, new HashChange.IncrBy(args.get(2), by)).thenApply(updated -> Resp.integer(updated.count()));
    }

    /** HINCRBYFLOAT key field increment: the field's new number, as INCRBYFLOAT prints it. */
    static CompletionStage<ByteString> hincrbyfloat(RespSession session, List<byte[]> args) {
        String increment = ascii(args.get(3));
        if (!StringChange.IncrByFloat.isFloat(increment)) {
            return fail("ERR value is not a valid float");
        }
        if (!StringChange.IncrByFloat.isFinite(increment)) {
            return fail("ERR value is NaN or Infinity");
        }
        return change(session, args, new HashChange.IncrByFloat(args.get(2), increment)).thenApply(updated -> Resp.bulk(updated.value()));
    }

    /** HEXPIRE key seconds [NX | XX | GT | LT] FIELDS numfields field ...: per field -2, 0, 1 or 2 ({@link HashChange.Expire}). */
    static CompletionStage<ByteString> hexpire(RespSession session, List<byte[]> args) {
        return expire(session, args, 1000, false);
    }

    static CompletionStage<ByteString> hpexpire(RespSession session, List<byte[]> args) {
        return expire(session, args, 1, false);
    }

    static CompletionStage<ByteString> hexpireat(RespSession session, List<byte[]> args) {
        return expire(session, args, 1000, true);
    }

    static CompletionStage<ByteString> hpexpireat(RespSession session, List<byte[]> args) {
        return expire(session, args, 1, true);
    }

    private static CompletionStage<ByteString> expire(RespSession session, List<byte[]> args, long unitMillis, boolean absolute) {
        String command = ascii(args.get(0)).toLowerCase(Locale.ROOT);
        Long time = parseLong(args.get(2));
        if (time == null) {
            return fail(RespSession.NOT_INTEGER);
        }
        if (time < 0) {
            return fail("ERR invalid expire time, must be >= 0");
        }
        long base = absolute ? 0 : System.currentTimeMillis();
        if (time > MAX_EXPIRY_MILLIS / unitMillis || time * unitMillis > MAX_EXPIRY_MILLIS - base) {
            return fail("ERR invalid expire time in '" + command + "' command");
        }
        int fieldsAt = 3;
        StringChange.ExpiryCondition condition = switch (ascii(args.get(3)).toUpperCase(Locale.ROOT)) {
            case "NX" -> StringChange.ExpiryCondition.NONE_YET;
            case "XX" -> StringChange.ExpiryCondition.HAS_ONE;
            case "GT" -> StringChange.ExpiryCondition.LATER;
            case "LT" -> StringChange.ExpiryCondition.EARLIER;
            default -> StringChange.ExpiryCondition.ANY;
        };
        if (condition != StringChange.ExpiryCondition.ANY) {
            fieldsAt++;
        }
        List<byte[]> names = fieldNames(args, fieldsAt);
        StringChange.Expiration expiration = absolute ? StringChange.Expiration.at(time * unitMillis)
                : StringChange.Expiration.after(time * unitMillis);
        return change(session, args, new HashChange.Expire(names, expiration, condition))
                .thenApply(updated -> integers(updated.numbers() == null ? Collections.nCopies(names.size(), -2L) : updated.numbers()));
    }

    /** HPERSIST key FIELDS numfields field ...: per field -2 (no such field), -1 (no expiry) or 1 (removed). */
    static CompletionStage<ByteString> hpersist(RespSession session, List<byte[]> args) {
        List<byte[]> names = fieldNames(args, 2);
        return change(session, args, new HashChange.Persist(names))
                .thenApply(updated -> integers(updated.numbers() == null ? Collections.nCopies(names.size(), -2L) : updated.numbers()));
    }

    private static CompletionStage<KvPartition.ValueUpdated> change(RespSession session, List<byte[]> args, HashChange change) {
        String key = key(args.get(1));
        return call(() -> session.store().updateValue(session.db(), key, change))
                .thenApply(reply -> expect(reply, KvPartition.ValueUpdated.class));
    }

    /**
     * The fields named by {@code FIELDS numfields field ...} starting at {@code at}, checked as Redis
     * checks them.
     */
    private static List<byte[]> fieldNames(List<byte[]> args, int at) {
        if (at >= args.size() || !ascii(args.get(at)).equalsIgnoreCase("FIELDS")) {
            throw new RespSession.RespError("ERR Mandatory argument FIELDS is missing or not at the right position");
        }
        Long count = at + 1 < args.size() ? parseLong(args.get(at + 1)) : null;
        if (count == null || count < 1) {
            throw new RespSession.RespError("ERR Number of fields must be a positive integer");
        }
        if (count != args.size() - at - 2) {
            throw new RespSession.RespError("ERR The `numfields` parameter must match the number of arguments");
        }
        return List.copyOf(args.subList(at + 2, args.size()));
    }

    // ---- Reads --------------------------------------------------------------------------------

    /** HGET key field: the field's value, or nil. */
    static CompletionStage<ByteString> hget(RespSession session, List<byte[]> args) {
        return read(session, args, fields -> {
            HashValue.Field field = named(fields, args.get(2));
            return field == null ? session.resp().nullBulk() : Resp.bulk(field.value());
        });
    }

    /** HMGET key field [field ...]: each field's value or nil, in order. */
    static CompletionStage<ByteString> hmget(RespSession session, List<byte[]> args) {
        return read(session, args, fields -> {
            List<ByteString> values = new ArrayList<>(args.size() - 2);
            for (byte[] name : args.subList(2, args.size())) {
                HashValue.Field field = named(fields, name);
                values.add(field == null ? session.resp().nullBulk() : Resp.bulk(field.value()));
            }
            return Resp.array(values);
        });
    }

    /** HGETALL key: fields and values (a map in RESP3). */
    static CompletionStage<ByteString> hgetall(RespSession session, List<byte[]> args) {
        return read(session, args, fields -> session.resp().map(pairs(fields)));
    }

    static CompletionStage<ByteString> hkeys(RespSession session, List<byte[]> args) {
        return read(session, args, fields -> Resp.array(fields.stream().map(f -> Resp.bulk(f.name())).toList()));
    }

    static CompletionStage<ByteString> hvals(RespSession session, List<byte[]> args) {
        return read(session, args, fields -> Resp.array(fields.stream().map(f -> Resp.bulk(f.value())).toList()));
    }

    static CompletionStage<ByteString> hlen(RespSession session, List<byte[]> args) {
        return read(session, args, fields -> Resp.integer(fields.size()));
    }

    static CompletionStage<ByteString> hexists(RespSession session, List<byte[]> args) {
        return read(session, args, fields -> Resp.integer(named(fields, args.get(2)) == null ? 0 : 1));
    }

    static CompletionStage<ByteString> hstrlen(RespSession session, List<byte[]> args) {
        return read(session, args, fields -> {
            HashValue.Field field = named(fields, args.get(2));
            return Resp.integer(field == null ? 0 : field.value().length);
        });
    }

    /**
     * HRANDFIELD key [count [WITHVALUES]]: one random field (nil when none); with a count that
     * many distinct fields (at most all), or with a negative count that many with repeats.
     */
    static CompletionStage<ByteString> hrandfield(RespSession session, List<byte[]> args) {
        if (args.size() > 4) {
            return syntaxError();
        }
        if (args.size() == 2) {
            return read(session, args, fields -> fields.isEmpty() ? session.resp().nullBulk()
                    : Resp.bulk(fields.get(ThreadLocalRandom.current().nextInt(fields.size())).name()));
        }
        Long count = parseLong(args.get(2));
        if (count == null) {
            return fail(RespSession.NOT_INTEGER);
        }
        boolean withValues = args.size() == 4;
        if (withValues && !ascii(args.get(3)).equalsIgnoreCase("WITHVALUES")) {
            return syntaxError();
        }
        if (count < -MAX_RANDOM_FIELDS) {
            return fail("ERR value is out of range");
        }
        return read(session, args, fields -> {
            List<HashValue.Field> picked = RespSession.randomPicks(fields, count);
            if (!withValues) {
                return Resp.array(picked.stream().map(f -> Resp.bulk(f.name())).toList());
            }
            // RESP3 pairs each field with its value; RESP2 alternates them.
            return session.resp().version() == 3
                    ? Resp.array(picked.stream().map(f -> Resp.array(List.of(Resp.bulk(f.name()), Resp.bulk(f.value())))).toList())
                    : Resp.array(pairs(picked));
        });
    }

    /**
     * HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]: the whole hash in one page (cursor
     * 0), as Redis answers for a hash held compactly; MATCH filters the fields.
     */
    static CompletionStage<ByteString> hscan(RespSession session, List<byte[]> args) {
        ElementScan scan = ElementScan.parse(args, true);
        return read(session, args, fields -> {
            List<ByteString> items = new ArrayList<>();
            for (HashValue.Field f : fields) {
                if (scan.includes(f.name())) {
                    items.add(Resp.bulk(f.name()));
                    if (!scan.noValues()) {
                        items.add(Resp.bulk(f.value()));
                    }
                }
            }
            return Resp.array(List.of(Resp.bulk("0"), Resp.array(items)));
        });
    }

    /** HTTL key FIELDS numfields field ...: per field its seconds to live, -1 (none) or -2 (no such field). */
    static CompletionStage<ByteString> httl(RespSession session, List<byte[]> args) {
        return remaining(session, args, 1000, false);
    }

    static CompletionStage<ByteString> hpttl(RespSession session, List<byte[]> args) {
        return remaining(session, args, 1, false);
    }

    static CompletionStage<ByteString> hexpiretime(RespSession session, List<byte[]> args) {
        return remaining(session, args, 1000, true);
    }

    static CompletionStage<ByteString> hpexpiretime(RespSession session, List<byte[]> args) {
        return remaining(session, args, 1, true);
    }

    private static CompletionStage<ByteString> remaining(RespSession session, List<byte[]> args, long unitMillis, boolean absolute) {
        List<byte[]> names = fieldNames(args, 2);
        return read(session, args, fields -> {
            long now = System.currentTimeMillis();
            List<Long> codes = new ArrayList<>(names.size());
            for (byte[] name : names) {
                HashValue.Field field = named(fields, name);
                if (field == null) {
                    codes.add(-2L);
                } else if (field.expiresAtMillis() == 0) {
                    codes.add(-1L);
                } else {
                    long millis = absolute ? field.expiresAtMillis() : Math.max(0, field.expiresAtMillis() - now);
                    // Rounded up, as Redis does.
                    codes.add((millis + unitMillis - 1) / unitMillis);
                }
            }
            return integers(codes);
        });
    }

    /** Answers from the hash's live fields (none when the key is absent); WRONGTYPE when the key holds another type. */
    private static CompletionStage<ByteString> read(RespSession session, List<byte[]> args,
                                                    Function<List<HashValue.Field>, ByteString> reply) {
        return session.find(key(args.get(1)), ValueType.HASH)
                .thenApply(found -> reply.apply(found == null ? List.of() : found.elements(HashValue::fields)));
    }

    private static HashValue.Field named(List<HashValue.Field> fields, byte[] name) {
        return LargeValue.lookup(fields, HashValue.Field::name).apply(name);
    }

    private static List<ByteString> pairs(List<HashValue.Field> fields) {
        List<ByteString> items = new ArrayList<>(fields.size() * 2);
        for (HashValue.Field f : fields) {
            items.add(Resp.bulk(f.name()));
            items.add(Resp.bulk(f.value()));
        }
        return items;
    }

    private static ByteString integers(List<Long> values) {
        return Resp.array(values.stream().map(Resp::integer).toList());
    }
}
