package io.strata.node.kv.resp;

import io.strata.node.kv.KvPartition;
import org.apache.pekko.util.ByteString;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

import static io.strata.node.kv.resp.RespSession.ascii;
import static io.strata.node.kv.resp.RespSession.call;
import static io.strata.node.kv.resp.RespSession.expect;
import static io.strata.node.kv.resp.RespSession.fail;
import static io.strata.node.kv.resp.RespSession.key;
import static io.strata.node.kv.resp.RespSession.syntaxError;

/**
 * RENAME, RENAMENX and COPY: one {@link KvPartition.CopyKey} of the keys' partition, so the two
 * keys change at once (one log append); keys of two partitions answer CROSSSLOT, as on a Redis
 * Cluster. Stateless.
 */
final class RespKeyCopies {

    private RespKeyCopies() {}

    /** RENAME key newkey: OK; {@code ERR no such key} when the key is absent. The value keeps its type and expiry. */
    static CompletionStage<ByteString> rename(RespSession session, List<byte[]> args) {
        return copy(session, args.get(1), args.get(2), true, true).thenApply(count -> Resp.OK);
    }

    /** RENAMENX key newkey: 1 when renamed, 0 when newkey exists. */
    static CompletionStage<ByteString> renamenx(RespSession session, List<byte[]> args) {
        return copy(session, args.get(1), args.get(2), true, false).thenApply(Resp::integer);
    }

    /** COPY source destination [DB db] [REPLACE]: 1 when copied, 0 when the source is absent or the destination exists. */
    static CompletionStage<ByteString> copy(RespSession session, List<byte[]> args) {
        boolean replace = false;
        for (int i = 3; i < args.size(); i++) {
            switch (ascii(args.get(i)).toUpperCase(Locale.ROOT)) {
                case "REPLACE" -> replace = true;
                case "DB" -> {
                    if (i + 1 >= args.size()) {
                        return syntaxError();
                    }
                    if (!ascii(args.get(++i)).equals(session.db())) {
                        return fail("ERR COPY to another database is not supported in Strata (each database is a keyspace of its own"
                                + " partitions)");
                    }
                }
                default -> {
                    return syntaxError();
                }
            }
        }
        if (java.util.Arrays.equals(args.get(1), args.get(2))) {
            return fail("ERR source and destination objects are the same");
        }
        return copy(session, args.get(1), args.get(2), false, replace).thenApply(Resp::integer);
    }

    private static CompletionStage<Long> copy(RespSession session, byte[] rawSource, byte[] rawDestination, boolean deleteSource,
                                              boolean replace) {
        String source = key(rawSource);
        String destination = key(rawDestination);
        return call(() -> session.store().copyKey(session.db(), source, destination, deleteSource, replace))
                .thenApply(reply -> expect(reply, KvPartition.ValueUpdated.class).count());
    }
}
