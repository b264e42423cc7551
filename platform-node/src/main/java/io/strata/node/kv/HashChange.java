package io.strata.node.kv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A change to one hash that its partition applies atomically ({@link KvPartition.UpdateValue}):
 * Redis's HSET, HSETNX, HDEL, HINCRBY, HINCRBYFLOAT and the field expiry commands of Redis 7.4
 * (HEXPIRE and family, HPERSIST). The hash is read, changed and written whole, as
 * {@link HashValue} packs it; the key keeps its own expiry.
 */
public sealed interface HashChange extends ValueChange {

    @Override
    default ValueType type() {
        return ValueType.HASH;
    }

    /**
     * HSET (HMSET) and, with {@code onlyIfAbsent}, HSETNX: each field set to its value (fields and
     * values alternate in {@code fieldsAndValues}), a field set anew losing its expiry. Counts the
     * fields that were not there.
     */
    record Set(List<byte[]> fieldsAndValues, boolean onlyIfAbsent) implements HashChange, Incremental {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            Map<ByteBuffer, HashValue.Field> fields = fieldsOf(current, now);
            long added = 0;
            for (int i = 0; i + 1 < fieldsAndValues.size(); i += 2) {
                byte[] name = fieldsAndValues.get(i);
                ByteBuffer at = ByteBuffer.wrap(name);
                if (fields.containsKey(at) && onlyIfAbsent) {
                    continue;
                }
                if (fields.put(at, new HashValue.Field(name, fieldsAndValues.get(i + 1), 0)) == null) {
                    added++;
                }
            }
            if (onlyIfAbsent && added == 0) {
                return Outcome.unchanged(current, 0, null);
            }
            return written(fields.values(), added, null, maxValueBytes);
        }

        @Override
        public LargeValue.Outcome applyLarge(LargeValue current) {
            LargeValue.LargeHash hash = (LargeValue.LargeHash) current;
            long added = 0;
            for (int i = 0; i + 1 < fieldsAndValues.size(); i += 2) {
                byte[] name = fieldsAndValues.get(i);
                HashValue.Field was = hash.get(name);
                if (was != null && onlyIfAbsent) {
                    continue;
                }
                hash = hash.with(new HashValue.Field(name, fieldsAndValues.get(i + 1), 0), was);
                added += was != null ? 0 : 1;
            }
            return onlyIfAbsent && added == 0 ? LargeValue.Outcome.unchanged(current, 0, null)
                    : LargeValue.Outcome.written(hash, added, null, null, this);
        }
    }

    /** HDEL: the fields removed; counts those that were there. No field left deletes the key. */
    record Delete(List<byte[]> names) implements HashChange, Incremental {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            Map<ByteBuffer, HashValue.Field> fields = fieldsOf(current, now);
            long removed = 0;
            for (byte[] name : names) {
                if (fields.remove(ByteBuffer.wrap(name)) != null) {
                    removed++;
                }
            }
            return removed == 0 ? Outcome.unchanged(current, 0, null) : written(fields.values(), removed, null, maxValueBytes);
        }

        @Override
        public LargeValue.Outcome applyLarge(LargeValue current) {
            LargeValue.LargeHash hash = (LargeValue.LargeHash) current;
            long removed = 0;
            for (byte[] name : names) {
                LargeValue.LargeHash next = hash.without(name);
                removed += next == hash ? 0 : 1;
                hash = next;
            }
            return removed == 0 ? LargeValue.Outcome.unchanged(current, 0, null)
                    : LargeValue.Outcome.written(hash, removed, null, null, this);
        }
    }

    /** HINCRBY: the field's 64-bit integer plus {@code by} (an absent field counts as 0); keeps its expiry. */
    record IncrBy(byte[] name, long by) implements HashChange, Incremental {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            Map<ByteBuffer, HashValue.Field> fields = fieldsOf(current, now);
            HashValue.Field field = fields.get(ByteBuffer.wrap(name));
            long next = sum(field);
            byte[] text = Long.toString(next).getBytes(StandardCharsets.US_ASCII);
            fields.put(ByteBuffer.wrap(name), new HashValue.Field(name, text, field == null ? 0 : field.expiresAtMillis()));
            return written(fields.values(), next, null, maxValueBytes);
        }

        @Override
        public LargeValue.Outcome applyLarge(LargeValue current) {
            LargeValue.LargeHash hash = (LargeValue.LargeHash) current;
            long next = sum(hash.get(name));
            byte[] text = Long.toString(next).getBytes(StandardCharsets.US_ASCII);
            return LargeValue.Outcome.written(hash.with(new HashValue.Field(name, text, 0)), next, null, null, this);
        }

        /** The field's integer plus {@code by}. */
        private long sum(HashValue.Field field) {
            long base = 0;
            if (field != null) {
                Long parsed = KvPartition.parseLong(field.value());
                if (parsed == null) {
                    throw new StringChange.Refused("hash_value_not_integer", "hash value is not an integer");
                }
                base = parsed;
            }
            long next;
            try {
                next = Math.addExact(base, by);
            } catch (ArithmeticException overflow) {
                throw new StringChange.Refused("integer_overflow", "increment or decrement would overflow");
            }
            return next;
        }
    }

    /** HINCRBYFLOAT: the field's number plus {@code increment}, as INCRBYFLOAT adds them; keeps its expiry. */
    record IncrByFloat(byte[] name, String increment) implements HashChange {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            Map<ByteBuffer, HashValue.Field> fields = fieldsOf(current, now);
            HashValue.Field field = fields.get(ByteBuffer.wrap(name));
            byte[] sum;
            try {
                sum = new StringChange.IncrByFloat(increment).apply(field == null ? null : field.value(), 0, now, maxValueBytes).value();
            } catch (StringChange.Refused refused) {
                throw refused.code().equals("not_a_float")
                        ? new StringChange.Refused("hash_value_not_float", "hash value is not a float") : refused;
            }
            fields.put(ByteBuffer.wrap(name), new HashValue.Field(name, sum, field == null ? 0 : field.expiresAtMillis()));
            Outcome outcome = written(fields.values(), 0, null, maxValueBytes);
            return new Outcome(true, outcome.packed(), 0, sum, null, null);
        }
    }

    /**
     * HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT: each field's expiry set as {@code expiration} says
     * when {@code condition} holds. Per field: -2 no such field, 0 the condition does not hold, 1
     * set, 2 deleted (the time is already past).
     */
    record Expire(List<byte[]> names, StringChange.Expiration expiration, StringChange.ExpiryCondition condition)
            implements HashChange {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            Map<ByteBuffer, HashValue.Field> fields = fieldsOf(current, now);
            List<Long> codes = new ArrayList<>(names.size());
            boolean changed = false;
            for (byte[] name : names) {
                ByteBuffer at = ByteBuffer.wrap(name);
                HashValue.Field field = fields.get(at);
                if (field == null) {
                    codes.add(-2L);
                    continue;
                }
                long when = expiration.resolve(field.expiresAtMillis(), now);
                if (!condition.allows(field.expiresAtMillis(), when)) {
                    codes.add(0L);
                } else if (when == StringChange.Expiration.PAST) {
                    fields.remove(at);
                    codes.add(2L);
                    changed = true;
                } else {
                    fields.put(at, new HashValue.Field(name, field.value(), when));
                    codes.add(1L);
                    changed |= when != field.expiresAtMillis();
                }
            }
            return changed ? written(fields.values(), 0, codes, maxValueBytes) : Outcome.unchanged(current, 0, codes);
        }
    }

    /** HPERSIST: each field's expiry removed. Per field: -2 no such field, -1 it has none, 1 removed. */
    record Persist(List<byte[]> names) implements HashChange {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            Map<ByteBuffer, HashValue.Field> fields = fieldsOf(current, now);
            List<Long> codes = new ArrayList<>(names.size());
            boolean changed = false;
            for (byte[] name : names) {
                HashValue.Field field = fields.get(ByteBuffer.wrap(name));
                if (field == null) {
                    codes.add(-2L);
                } else if (field.expiresAtMillis() == 0) {
                    codes.add(-1L);
                } else {
                    fields.put(ByteBuffer.wrap(name), new HashValue.Field(name, field.value(), 0));
                    codes.add(1L);
                    changed = true;
                }
            }
            return changed ? written(fields.values(), 0, codes, maxValueBytes) : Outcome.unchanged(current, 0, codes);
        }
    }

    private static Map<ByteBuffer, HashValue.Field> fieldsOf(byte[] current, long now) {
        return current == null ? new java.util.LinkedHashMap<>() : HashValue.liveByName(current, now);
    }

    private static Outcome written(Collection<HashValue.Field> fields, long count, List<Long> perField, long maxValueBytes) {
        return Outcome.written(HashValue.pack(fields), count, perField, null, maxValueBytes, "hash");
    }
}
