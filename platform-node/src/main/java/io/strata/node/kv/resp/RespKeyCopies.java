package io.strata.node.kv.resp;

import io.strata.node.kv.KvPartition;
import org.apache.pekko.util.ByteString;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
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
 * Cluster. COPY ... DB and MOVE to another database read the key and write it there
 * ({@link KvPartition.PutValue}). Stateless.
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

    /**
     * COPY source destination [DB db] [REPLACE]: 1 when copied, 0 when the source is absent or the
     * destination exists. Within the database, one step of the keys' partition; to another
     * database (another keyspace), the source is read, then written there as read.
     */
    static CompletionStage<ByteString> copy(RespSession session, List<byte[]> args) {
        boolean replace = false;
        String targetDb = session.db();
        for (int i = 3; i < args.size(); i++) {
            switch (ascii(args.get(i)).toUpperCase(Locale.ROOT)) {
                case "REPLACE" -> replace = true;
                case "DB" -> {
                    if (i + 1 >= args.size()) {
                        return syntaxError();
                    }
                    targetDb = database(session, args.get(++i));
                }
                default -> {
                    return syntaxError();
                }
            }
        }
        if (targetDb.equals(session.db())) {
            if (java.util.Arrays.equals(args.get(1), args.get(2))) {
                return fail("ERR source and destination objects are the same");
            }
            return copy(session, args.get(1), args.get(2), false, replace).thenApply(Resp::integer);
        }
        String destination = key(args.get(2));
        String db = targetDb;
        boolean overwrite = replace;
        return session.find(key(args.get(1))).thenCompose(found -> found == null ? CompletableFuture.completedFuture(Resp.integer(0))
                : call(() -> session.store().putValue(db, destination, found, overwrite))
                        .thenApply(reply -> Resp.integer(expect(reply, KvPartition.ValueUpdated.class).count())));
    }

    /**
     * MOVE key db: 1 when the key moved to database db, 0 when it is absent or db holds the key.
     * Databases are keyspaces of their own partitions, so this is not one step: the key is read,
     * written to db if absent there, then deleted here if it is still at the version read (if it
     * changed meanwhile, it is left: both databases then hold a value).
     */
    static CompletionStage<ByteString> move(RespSession session, List<byte[]> args) {
        String targetDb = database(session, args.get(2));
        if (targetDb.equals(session.db())) {
            return fail("ERR source and destination objects are the same");
        }
        String key = key(args.get(1));
        String db = session.db();
        return session.find(key).thenCompose(found -> found == null ? CompletableFuture.completedFuture(Resp.integer(0))
                : call(() -> session.store().putValue(targetDb, key, found, false)).thenCompose(reply -> {
                    if (expect(reply, KvPartition.ValueUpdated.class).count() == 0) {
                        return CompletableFuture.completedFuture(Resp.integer(0));
                    }
                    return call(() -> session.store().delete(db, key, found.version())).thenApply(deleted -> Resp.integer(1));
                }));
    }

    /** A database number as SELECT takes it. */
    private static String database(RespSession session, byte[] raw) {
        Long n = RespSession.parseLong(raw);
        if (n == null) {
            throw new RespSession.RespError(RespSession.NOT_INTEGER);
        }
        if (n < 0 || n >= session.info().settings().databases()) {
            throw new RespSession.RespError("ERR DB index is out of range");
        }
        return Long.toString(n);
    }

    private static CompletionStage<Long> copy(RespSession session, byte[] rawSource, byte[] rawDestination, boolean deleteSource,
                                              boolean replace) {
        String source = key(rawSource);
        String destination = key(rawDestination);
        return call(() -> session.store().copyKey(session.db(), source, destination, deleteSource, replace))
                .thenApply(reply -> expect(reply, KvPartition.ValueUpdated.class).count());
    }
}
