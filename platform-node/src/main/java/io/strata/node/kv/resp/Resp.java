package io.strata.node.kv.resp;

import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** RESP2 reply encoding: simple strings, errors, integers, bulk strings and arrays. Stateless. */
final class Resp {

    static final ByteString OK = simple("OK");
    static final ByteString NULL_BULK = ByteString.fromString("$-1\r\n");
    static final ByteString NULL_ARRAY = ByteString.fromString("*-1\r\n");
    static final ByteString EMPTY_ARRAY = ByteString.fromString("*0\r\n");

    private static final byte[] CRLF = {'\r', '\n'};

    private Resp() {}

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

    /** An array of already encoded replies. */
    static ByteString array(List<ByteString> items) {
        ByteString out = ByteString.fromString("*" + items.size() + "\r\n");
        for (ByteString item : items) {
            out = out.concat(item);
        }
        return out;
    }

    /** Simple strings and errors cannot hold line breaks: RESP would read them as the end of the reply. */
    private static String oneLine(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }
}
