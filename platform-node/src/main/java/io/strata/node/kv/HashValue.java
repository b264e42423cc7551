package io.strata.node.kv;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a hash is held, logged and snapshotted: one immutable byte array, as compact as Redis's
 * listpack, that a change replaces whole. Fields keep the order they were first set in.
 *
 * <p>Layout: {@code varint(earliest field expiry, 0: none)}, then per field
 * {@code varint(name length << 1 | has expiry)}, the name, {@code varint(value length)}, the value
 * and, when it has one, its expiry as a {@code varint} of epoch milliseconds. The header lets a
 * partition tell whether any field may have expired without reading the fields.
 */
public final class HashValue {

    private HashValue() {}

    /** A field: its name, value and expiry in epoch milliseconds (0: none). */
    public record Field(byte[] name, byte[] value, long expiresAtMillis) {

        public boolean isExpired(long nowMillis) {
            return expiresAtMillis != 0 && expiresAtMillis <= nowMillis;
        }
    }

    /** The fields of a packed hash, expired ones included, in order. */
    public static List<Field> fields(byte[] packed) {
        ByteBuffer in = ByteBuffer.wrap(packed);
        Varints.read(in);
        List<Field> fields = new ArrayList<>();
        while (in.hasRemaining()) {
            long head = Varints.read(in);
            byte[] name = new byte[(int) (head >>> 1)];
            in.get(name);
            byte[] value = new byte[(int) Varints.read(in)];
            in.get(value);
            long expiresAt = (head & 1) != 0 ? Varints.read(in) : 0;
            fields.add(new Field(name, value, expiresAt));
        }
        return fields;
    }

    /** The fields live at {@code nowMillis}, in order. */
    public static List<Field> liveFields(byte[] packed, long nowMillis) {
        List<Field> fields = fields(packed);
        if (mayHaveExpired(packed, nowMillis)) {
            fields.removeIf(f -> f.isExpired(nowMillis));
        }
        return fields;
    }

    /** The live fields by name (a {@link ByteBuffer} over the name), in order: for changes to edit. */
    public static Map<ByteBuffer, Field> liveByName(byte[] packed, long nowMillis) {
        Map<ByteBuffer, Field> byName = new LinkedHashMap<>();
        for (Field f : liveFields(packed, nowMillis)) {
            byName.put(ByteBuffer.wrap(f.name()), f);
        }
        return byName;
    }

    /** The packed form of {@code fields}; null when there are none (a hash without fields does not exist). */
    public static byte[] pack(java.util.Collection<Field> fields) {
        if (fields.isEmpty()) {
            return null;
        }
        long earliest = 0;
        int size = 10;
        for (Field f : fields) {
            if (f.expiresAtMillis() != 0 && (earliest == 0 || f.expiresAtMillis() < earliest)) {
                earliest = f.expiresAtMillis();
            }
            size += f.name().length + f.value().length + 20;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        Varints.write(out, earliest);
        for (Field f : fields) {
            boolean expires = f.expiresAtMillis() != 0;
            Varints.write(out, ((long) f.name().length << 1) | (expires ? 1 : 0));
            out.writeBytes(f.name());
            Varints.write(out, f.value().length);
            out.writeBytes(f.value());
            if (expires) {
                Varints.write(out, f.expiresAtMillis());
            }
        }
        return out.toByteArray();
    }

    /** The earliest expiry of a field, in epoch milliseconds; 0 when no field expires. */
    public static long earliestExpiry(byte[] packed) {
        return Varints.read(ByteBuffer.wrap(packed));
    }

    /** Whether a field may have expired by {@code nowMillis} (the header says so without reading the fields). */
    public static boolean mayHaveExpired(byte[] packed, long nowMillis) {
        long earliest = earliestExpiry(packed);
        return earliest != 0 && earliest <= nowMillis;
    }

    /** The hash without its fields expired at {@code nowMillis}; the same array when none has; null when none is left. */
    public static byte[] withoutExpired(byte[] packed, long nowMillis) {
        return mayHaveExpired(packed, nowMillis) ? pack(liveFields(packed, nowMillis)) : packed;
    }
}
