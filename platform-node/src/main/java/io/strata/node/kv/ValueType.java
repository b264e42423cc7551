package io.strata.node.kv;

/**
 * The kind of value a key holds. A string's value is its bytes; a hash's is {@link HashValue}'s
 * packed form, a list's (and a set's, its members) {@link ListValue}'s. The code is what log
 * entries, snapshots and messages between nodes carry (0, the
 * Protobuf default, is a string, so entries written before types existed read as strings).
 */
public enum ValueType {
    STRING(0, "string"),
    HASH(1, "hash"),
    LIST(2, "list"),
    SET(3, "set"),
    ZSET(4, "zset");

    private final int code;
    private final String redisName;

    ValueType(int code, String redisName) {
        this.code = code;
        this.redisName = redisName;
    }

    public int code() {
        return code;
    }

    /** What Redis's TYPE answers for it. */
    public String redisName() {
        return redisName;
    }

    public static ValueType ofCode(int code) {
        for (ValueType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown value type " + code);
    }
}
