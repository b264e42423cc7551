package io.strata.node.kv.resp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Redis's encoding thresholds (when a small hash, list, set or sorted set is held compactly), which
 * clients and Redis's own tests read and set with CONFIG GET / SET. Strata holds every hash
 * compactly whatever they say, so they change no behaviour; they are kept so that a client that sets
 * one reads back what it set, as from Redis, and OBJECT ENCODING names the encoding Redis would use. Each old {@code ziplist} name is an alias of its
 * {@code listpack} name, as in Redis 7. Thread-safe: one per listener.
 */
final class EncodingParameters {

    private static final Map<String, String> ALIASES = Map.of(
            "hash-max-ziplist-entries", "hash-max-listpack-entries",
            "hash-max-ziplist-value", "hash-max-listpack-value",
            "zset-max-ziplist-entries", "zset-max-listpack-entries",
            "zset-max-ziplist-value", "zset-max-listpack-value",
            "list-max-ziplist-size", "list-max-listpack-size");

    private final Map<String, Long> values = new ConcurrentHashMap<>();

    EncodingParameters() {
        values.put("hash-max-listpack-entries", 128L);
        values.put("hash-max-listpack-value", 64L);
        values.put("zset-max-listpack-entries", 128L);
        values.put("zset-max-listpack-value", 64L);
        values.put("set-max-intset-entries", 512L);
        values.put("set-max-listpack-entries", 128L);
        values.put("set-max-listpack-value", 64L);
        values.put("list-max-listpack-size", -2L);
        values.put("list-compress-depth", 0L);
    }

    /** Whether {@code name} is one of them (or an alias of one). */
    boolean knows(String name) {
        return values.containsKey(canonical(name));
    }

    /**
     * Sets one; false when {@code value} is not an integer Redis would take for it (Redis refuses
     * negative sizes except list-max-listpack-size's -1..-5).
     */
    boolean set(String name, String value) {
        String key = canonical(name);
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            return false;
        }
        if (n < 0 && !(key.equals("list-max-listpack-size") && n >= -5)) {
            return false;
        }
        values.put(key, n);
        return true;
    }

    /** The value of {@code name} (or of the name it is an alias of). */
    long get(String name) {
        return values.get(canonical(name));
    }

    /** Every name, aliases included, with its value. */
    Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>();
        values.forEach((name, value) -> all.put(name, Long.toString(value)));
        ALIASES.forEach((alias, name) -> all.put(alias, Long.toString(values.get(name))));
        return all;
    }

    private static String canonical(String name) {
        return ALIASES.getOrDefault(name, name);
    }
}
