package io.strata.node.kv.resp;

import io.strata.node.common.KeyBytes;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reply encoding. The types both protocol versions share (simple strings, errors, integers, bulk
 * strings, arrays) are static; those RESP3 adds are methods of {@link #RESP2} or {@link #RESP3}, the
 * encoding of the version a connection chose with {@code HELLO}: a null, a map, a set, a verbatim
 * string. In RESP2 they fall back as Redis does (a map is a flat array of keys and values, a set an
 * array, a verbatim string a bulk string, a null {@code $-1} or {@code *-1}).
 * Stateless.
 */
final class Resp {

    static final Resp RESP2 = new Resp(2);
    static final Resp RESP3 = new Resp(3);

    static final ByteString OK = simple("OK");
    static final ByteString EMPTY_ARRAY = ByteString.fromString("*0\r\n");

    private static final ByteString NULL_BULK_2 = ByteString.fromString("$-1\r\n");
    private static final ByteString NULL_ARRAY_2 = ByteString.fromString("*-1\r\n");
    private static final ByteString NULL_3 = ByteString.fromString("_\r\n");
    private static final byte[] CRLF = {'\r', '\n'};

    private final int version;

    private Resp(int version) {
        this.version = version;
    }

    /** The encoding of protocol {@code version} (2 or 3). */
    static Resp of(int version) {
        return switch (version) {
            case 2 -> RESP2;
            case 3 -> RESP3;
            default -> throw new IllegalArgumentException("RESP version " + version);
        };
    }

    int version() {
        return version;
    }

    /** A missing value where a bulk string would be (GET of an absent key). */
    ByteString nullBulk() {
        return version == 3 ? NULL_3 : NULL_BULK_2;
    }

    /** A missing value where an array would be. */
    ByteString nullArray() {
        return version == 3 ? NULL_3 : NULL_ARRAY_2;
    }

    /** A map of already encoded keys and values, alternating: {@code k1, v1, k2, v2, ...}. */
    ByteString map(List<ByteString> keysAndValues) {
        if (keysAndValues.size() % 2 != 0) {
            throw new IllegalArgumentException("a map needs a value for every key");
        }
        return version == 3 ? aggregate('%', keysAndValues.size() / 2, keysAndValues) : array(keysAndValues);
    }

    /** A set of already encoded members. */
    ByteString set(List<ByteString> members) {
        return version == 3 ? aggregate('~', members.size(), members) : array(members);
    }

    /** A score, as Redis 7.0 writes one: {@code %.17g} text in a bulk string, a double ({@code ,1.5}) in RESP3. */
    ByteString score(double value) {
        String text = io.strata.node.kv.ZSetValue.format(value);
        return version == 3 ? ByteString.fromString("," + text + "\r\n") : bulk(text);
    }

    /** Text meant for people (INFO, CLIENT LIST): a verbatim string of format {@code txt} in RESP3. */
    ByteString verbatim(String text) {
        if (version == 2) {
            return bulk(text);
        }
        byte[] body = ("txt:" + text).getBytes(StandardCharsets.UTF_8);
        return new ByteStringBuilder().putBytes(("=" + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII))
                .putBytes(body).putBytes(CRLF).result();
    }

    static ByteString simple(String text) {
        return ByteString.fromString("+" + oneLine(text) + "\r\n");
    }

    /** An error reply; {@code text} starts with its kind, as in Redis ({@code ERR ...}, {@code TRYAGAIN ...}). */
    static ByteString error(String text) {
        return ByteString.fromString("-" + oneLine(text) + "\r\n", StandardCharsets.UTF_8);
    }

    static ByteString integer(long value) {
        return ByteString.fromString(":" + value + "\r\n");
    }

    static ByteString bulk(byte[] value) {
        return new ByteStringBuilder().putBytes(("$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII))
                .putBytes(value).putBytes(CRLF).result();
    }

    static ByteString bulk(String value) {
        return bulk(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A key as a bulk string of its bytes ({@link KeyBytes}). */
    static ByteString key(String key) {
        return bulk(KeyBytes.toBytes(key));
    }

    /** An array of already encoded replies. */
    static ByteString array(List<ByteString> items) {
        return aggregate('*', items.size(), items);
    }

    private static ByteString aggregate(char type, int count, List<ByteString> items) {
        ByteStringBuilder out = new ByteStringBuilder()
                .putBytes((type + Integer.toString(count) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (ByteString item : items) {
            out.append(item);
        }
        return out.result();
    }

    /** Simple strings and errors cannot hold line breaks: RESP would read them as the end of the reply. */
    private static String oneLine(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }
}
