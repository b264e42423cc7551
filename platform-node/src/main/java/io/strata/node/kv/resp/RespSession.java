package io.strata.node.kv.resp;

import io.strata.node.common.StrataException;
import io.strata.node.common.KeyBytes;
import io.strata.node.kv.KeyspaceCatalog;
import io.strata.node.kv.KvBatch;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.KvStore;
import io.strata.node.kv.KvTransaction;
import io.strata.node.kv.StringChange;
import io.strata.node.kv.internal.PartitionState;
import io.strata.node.kv.ValueType;
import org.apache.pekko.pattern.AskTimeoutException;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One RESP connection's commands: runs each against the {@link KvStore}, as the HTTP routes do,
 * and encodes the reply in the protocol version the connection chose ({@code HELLO 3}: RESP3;
 * RESP2 until then, as Redis). Connection state is the selected database (database N is the
 * keyspace named {@code N}, so {@code SET k v} in database 0 is {@code PUT /kv/0/k}), the protocol,
 * the names {@code CLIENT} sets, and, when a password is set ({@link RespSettings#authToken()}),
 * whether it authenticated: until AUTH (or HELLO's AUTH option) gives it, every command but those
 * Redis lets through ({@link RespCommands#NO_AUTH}: AUTH, HELLO, RESET, QUIT) is answered
 * {@code -NOAUTH}, as Redis with {@code requirepass} does. {@code RESET} returns all of it to how
 * a new connection starts.
 *
 * <p>Not thread-safe: the connection's stream calls {@link #execute} for one command, or the
 * commands of one read, at a time, in order, so a pipeline's commands apply in the order they
 * were sent. The returned stage never fails: every refusal becomes a RESP error reply.
 */
final class RespSession {

    private static final Logger LOG = LoggerFactory.getLogger(RespSession.class);
    static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    private static final ByteString QUEUED = Resp.simple("QUEUED");
    static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    private static final String NOAUTH = "NOAUTH Authentication required.";
    private static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    /** SCAN's page size when no COUNT is given, as Redis's. */
    private static final long DEFAULT_SCAN_COUNT = 10;
    /** Keys RANDOMKEY picks one of. */
    private static final int RANDOM_KEY_PAGE = 64;
    static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    private static final String BAD_CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";
    /** The only user: Redis's, whose password {@code requirepass} sets. */
    private static final byte[] DEFAULT_USER = "default".getBytes(StandardCharsets.US_ASCII);

    /** A reply and whether the connection closes after it. */
    record Response(ByteString bytes, boolean close) {}

    /**
     * The store commands call: the node's, or, while EXEC runs the queued commands (a barrier: no
     * other command of the connection runs meanwhile), the transaction's view of it.
     */
    private KvStore store;
    private final RespServer.Info info;
    private final long id;
    private final String remoteAddress;
    private final String localAddress;
    private final long openedAtNanos = System.nanoTime();
    private final CommandScheduler scheduler = new CommandScheduler();
    // Volatile: a command that waited for earlier ones runs on whichever thread finished them.
    private volatile String db = "0";
    private volatile Resp resp = Resp.RESP2;
    private volatile byte[] clientName;
    private volatile byte[] libraryName;
    private volatile byte[] libraryVersion;
    private volatile boolean noEvict;
    private volatile boolean noTouch;
    /** The last command's name and when it came, for CLIENT LIST / INFO. */
    private volatile String lastCommand = "NULL";
    private volatile long lastCommandAtNanos = openedAtNanos;
    /** Whether commands may run: from the start when there is no password, else after AUTH. */
    private volatile boolean authenticated;
    /** Set by QUIT or a protocol error, on the connection's stream, where every command is submitted. */
    private boolean closing;
    private volatile boolean disconnected;
    /** MULTI's queued commands; null when no MULTI is open. Touched only by {@link #execute}, in command order. */
    private List<Queued> queued;
    /** Whether a command queued since MULTI was refused, so EXEC must discard the transaction. */
    private boolean queueFailed;
    /** The keys WATCH has read, with their versions, until EXEC, DISCARD, UNWATCH or RESET. */
    private final List<CompletableFuture<List<Watched>>> watched = new ArrayList<>();

    /** A command held to run later: queued by MULTI, or in a pipeline's batch. */
    private record Queued(RespCommands.Spec spec, List<byte[]> args) {}

    /**
     * The commands a pipeline's batch may carry ({@link #execute(List)}): each makes all its calls
     * to the store as soon as it runs, before any reply, so that recorded in a {@link KvBatch} they
     * keep the commands' order per key. Commands that read before they write, wait, or reach
     * another database are not among them, nor are those that change the connection.
     */
    static final java.util.Set<String> BATCHED = java.util.Set.of("get", "set", "setnx", "setex", "psetex", "getset", "getdel",
            "incr", "decr", "incrby", "decrby", "mget", "mset", "del", "exists", "hset", "hget", "hmget", "hincrby", "lpush", "rpush",
            "lpop", "rpop", "sadd", "srem");

    /** A watched key of database {@code db}: its version when watched (0: absent). */
    private record Watched(String db, String key, long version) {}

    /** The commands that open, run, drop or guard a transaction: never queued. */
    private static final java.util.Set<String> TRANSACTION_CONTROL = java.util.Set.of("multi", "exec", "discard", "watch", "unwatch",
            "reset");

    RespSession(KvStore store, RespServer.Info info, long id, String remoteAddress, String localAddress) {
        this.store = store;
        this.info = info;
        this.id = id;
        this.remoteAddress = remoteAddress;
        this.localAddress = localAddress;
        this.authenticated = info.settings().authToken().isEmpty();
    }

    KvStore store() {
        return store;
    }

    /** The selected database: the keyspace commands go to. */
    String db() {
        return db;
    }

    /** The reply encoding of the protocol version the connection speaks. */
    Resp resp() {
        return resp;
    }

    long id() {
        return id;
    }

    /**
     * Runs the commands read together from the connection (those one network read completed) and
     * answers them as one reply, in order. A run of two or more commands of {@link #BATCHED} is
     * one {@link KvBatch}: one message per partition instead of one per command; every other
     * command runs as {@link #execute(RespDecoder.Frame)} runs it, so MULTI, SELECT, AUTH or QUIT
     * in a pipeline mean what they mean one by one. Called in the order the reads came.
     */
    CompletionStage<Response> execute(List<RespDecoder.Frame> frames) {
        if (frames.size() == 1) {
            return execute(frames.get(0));
        }
        List<CompletionStage<Response>> responses = new ArrayList<>(frames.size());
        List<Queued> run = new ArrayList<>();
        for (RespDecoder.Frame frame : frames) {
            Queued batched = batched(frame);
            if (batched != null) {
                run.add(batched);
                continue;
            }
            runBatched(run, responses);
            responses.add(execute(frame));
        }
        runBatched(run, responses);
        return joined(responses);
    }

    /**
     * The command, counted as processed, when a batch may carry it now; null when it must run as
     * {@link #execute(RespDecoder.Frame)} runs it.
     */
    private Queued batched(RespDecoder.Frame frame) {
        if (closing || queued != null || !(frame instanceof RespDecoder.Command command)) {
            return null;
        }
        List<byte[]> args = command.args();
        String name = ascii(args.get(0)).toLowerCase(Locale.ROOT);
        RespCommands.Spec spec = BATCHED.contains(name) ? RespCommands.spec(name) : null;
        if (spec == null || (spec.arity() > 0 ? args.size() != spec.arity() : args.size() < -spec.arity())) {
            return null;
        }
        info.commandProcessed();
        lastCommand = name;
        lastCommandAtNanos = System.nanoTime();
        return new Queued(spec, args);
    }

    /**
     * Starts the commands of {@code run} and empties it: one command as any other, more as one
     * batch. A batch is a barrier ({@link CommandScheduler}): its commands run against the batch's
     * view of the store, which no other command of the connection may see meanwhile.
     */
    private void runBatched(List<Queued> run, List<CompletionStage<Response>> responses) {
        if (run.isEmpty()) {
            return;
        }
        if (run.size() == 1) {
            responses.add(submit(run.get(0).spec(), run.get(0).args()));
        } else {
            List<Queued> commands = List.copyOf(run);
            boolean writes = commands.stream().anyMatch(c -> c.spec().writes());
            CompletionStage<List<ByteString>> replies = scheduler.submit(CommandScheduler.Access.BARRIER, () -> authenticated
                    ? inBatch(commands, writes)
                    : CompletableFuture.completedFuture(java.util.Collections.nCopies(commands.size(), Resp.error(NOAUTH))));
            responses.add(replies.handle((list, failure) -> new Response(failure == null ? concat(list)
                    : concat(java.util.Collections.nCopies(commands.size(), Resp.error(errorText(failure)))), false)));
        }
        run.clear();
    }

    /** Runs {@code commands} against a batch's view of the store, then sends the batch; each reply in order, an error among them. */
    private CompletionStage<List<ByteString>> inBatch(List<Queued> commands, boolean writes) {
        String batchDb = db;
        return call(() -> store.batch(batchDb, writes)).handle((batch, failure) -> batch).thenCompose(batch -> {
            if (batch == null) {
                // The database does not exist (and reads do not create it) or cannot be created: each command says so, in turn.
                return inTurn(commands);
            }
            List<CompletableFuture<ByteString>> replies = new ArrayList<>(commands.size());
            KvStore node = store;
            store = batch.view();
            try {
                for (Queued command : commands) {
                    replies.add(replyOrError(runQueued(command)).toCompletableFuture());
                }
            } finally {
                store = node;
            }
            batch.send();
            return allOf(replies);
        }).thenApply(replies -> {
            wakeBlocked(batchDb, commands);
            return replies;
        });
    }

    /** Runs {@code commands} one after the other, each once the one before has its reply. */
    private CompletionStage<List<ByteString>> inTurn(List<Queued> commands) {
        CompletionStage<List<ByteString>> replies = CompletableFuture.completedFuture(new ArrayList<>(commands.size()));
        for (Queued command : commands) {
            replies = replies.thenCompose(list -> replyOrError(runQueued(command)).thenApply(reply -> {
                list.add(reply);
                return list;
            }));
        }
        return replies;
    }

    private static CompletionStage<ByteString> replyOrError(CompletionStage<ByteString> reply) {
        return reply.handle((bytes, failure) -> failure == null ? bytes : Resp.error(errorText(failure)));
    }

    private static ByteString concat(List<ByteString> replies) {
        ByteString all = ByteString.emptyByteString();
        for (ByteString reply : replies) {
            all = all.concat(reply);
        }
        return all;
    }

    /** The responses as one, in order, up to the first that closes the connection (what follows it is never sent). */
    private static CompletionStage<Response> joined(List<CompletionStage<Response>> responses) {
        CompletableFuture<?>[] all = responses.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all).thenApply(done -> {
            ByteString bytes = ByteString.emptyByteString();
            for (CompletableFuture<?> future : all) {
                Response response = (Response) future.join();
                bytes = bytes.concat(response.bytes());
                if (response.close()) {
                    return new Response(bytes, true);
                }
            }
            return new Response(bytes, false);
        });
    }

    /**
     * Runs one command, or starts it while earlier ones of the pipeline still run (see
     * {@link CommandScheduler}); called in the order the commands came. After QUIT or a protocol
     * error the connection closes: commands pipelined behind it are not run.
     */
    CompletionStage<Response> execute(RespDecoder.Frame frame) {
        if (closing) {
            return CompletableFuture.completedFuture(new Response(ByteString.emptyByteString(), true));
        }
        if (frame instanceof RespDecoder.ProtocolError error) {
            closing = true;
            return CompletableFuture.completedFuture(new Response(Resp.error("ERR " + error.message()), true));
        }
        List<byte[]> args = ((RespDecoder.Command) frame).args();
        info.commandProcessed();
        String name = ascii(args.get(0)).toLowerCase(Locale.ROOT);
        if (name.equals("quit")) {
            closing = true;
            return CompletableFuture.completedFuture(new Response(Resp.OK, true));
        }
        RespCommands.Spec spec = RespCommands.spec(name);
        lastCommand = spec != null && name.equals("client") && args.size() > 1
                ? "client|" + ascii(args.get(1)).toLowerCase(Locale.ROOT) : name;
        lastCommandAtNanos = System.nanoTime();
        if (queued != null && !TRANSACTION_CONTROL.contains(name)) {
            return queue(spec, name, args);
        }
        if (spec == null) {
            return reply(Resp.error(unknownCommand(args)));
        }
        if (spec.arity() > 0 ? args.size() != spec.arity() : args.size() < -spec.arity()) {
            return reply(Resp.error("ERR wrong number of arguments for '" + name + "' command"));
        }
        if (TRANSACTION_CONTROL.contains(name) && (authenticated || name.equals("reset"))) {
            Optional<CompletionStage<Response>> control = transactionControl(name, args);
            if (control.isPresent()) {
                return control.get();
            }
        }
        return submit(spec, args);
    }

    /** Starts the command when {@link CommandScheduler} lets it. */
    private CompletionStage<Response> submit(RespCommands.Spec spec, List<byte[]> args) {
        // Checked when the command runs, not when it is read: AUTH is a barrier, so a command pipelined
        // after it runs after it, and one sent before it runs before it.
        CompletionStage<ByteString> result = scheduler.submit(spec.access(args), () -> {
            if (!authenticated && !spec.flags().contains(RespCommands.NO_AUTH)) {
                return fail(NOAUTH);
            }
            String ranIn = db;
            CompletionStage<ByteString> ran = spec.handler().run(this, args);
            if (spec.writes()) {
                ran.thenRun(() -> wakeBlocked(ranIn, List.of(new Queued(spec, args))));
            }
            return ran;
        });
        return result.handle((bytes, failure) -> new Response(failure == null ? bytes : Resp.error(errorText(failure)), false));
    }

    // ---- Transactions (MULTI / EXEC / DISCARD / WATCH / UNWATCH) ---------------------------------

    /**
     * Inside MULTI: the command is queued ({@code +QUEUED}), or refused now, which makes EXEC
     * discard the transaction, as in Redis. Commands without keys that would read or change more
     * than one partition (KEYS, SCAN, DBSIZE, FLUSHDB, SELECT...) cannot be part of a transaction:
     * a transaction runs in one partition.
     */
    private CompletionStage<Response> queue(RespCommands.Spec spec, String name, List<byte[]> args) {
        String refusal = null;
        if (spec == null) {
            refusal = unknownCommand(args);
        } else if (spec.arity() > 0 ? args.size() != spec.arity() : args.size() < -spec.arity()) {
            refusal = "ERR wrong number of arguments for '" + name + "' command";
        } else if (!authenticated && !spec.flags().contains(RespCommands.NO_AUTH)) {
            refusal = NOAUTH;
        } else if (!spec.transactional()) {
            refusal = "ERR '" + name + "' cannot be part of a transaction in Strata (a transaction runs in one partition)";
        }
        if (refusal != null) {
            queueFailed = true;
            return reply(Resp.error(refusal));
        }
        queued.add(new Queued(spec, args));
        return reply(QUEUED);
    }

    /** MULTI, EXEC, DISCARD, WATCH, UNWATCH, and RESET's part in them; empty: the command runs as any other. */
    private Optional<CompletionStage<Response>> transactionControl(String name, List<byte[]> args) {
        switch (name) {
            case "multi" -> {
                if (queued != null) {
                    return Optional.of(reply(Resp.error("ERR MULTI calls can not be nested")));
                }
                queued = new ArrayList<>();
                queueFailed = false;
                return Optional.of(reply(Resp.OK));
            }
            case "discard" -> {
                if (queued == null) {
                    return Optional.of(reply(Resp.error("ERR DISCARD without MULTI")));
                }
                queued = null;
                watched.clear();
                return Optional.of(reply(Resp.OK));
            }
            case "exec" -> {
                if (queued == null) {
                    return Optional.of(reply(Resp.error("ERR EXEC without MULTI")));
                }
                List<Queued> commands = queued;
                List<CompletableFuture<List<Watched>>> watches = List.copyOf(watched);
                queued = null;
                watched.clear();
                if (queueFailed) {
                    return Optional.of(reply(Resp.error("EXECABORT Transaction discarded because of previous errors.")));
                }
                CompletionStage<ByteString> result = scheduler.submit(CommandScheduler.Access.BARRIER, () -> exec(commands, watches));
                return Optional.of(result.handle((bytes, failure) -> new Response(failure == null ? bytes : Resp.error(errorText(failure)),
                        false)));
            }
            case "watch" -> {
                if (queued != null) {
                    return Optional.of(reply(Resp.error("ERR WATCH inside MULTI is not allowed")));
                }
                List<String> keys = keys(args, 1);
                CompletableFuture<List<Watched>> versions = new CompletableFuture<>();
                CompletionStage<ByteString> result = scheduler.submit(RespCommands.spec("watch").access(args), () -> {
                    // The database when it runs, as find's: a SELECT pipelined before it may not have run when it is read.
                    String watchDb = db;
                    List<CompletableFuture<Watched>> reads = keys.stream().map(key -> find(key)
                            .thenApply(found -> new Watched(watchDb, key, found == null ? 0 : found.version())).toCompletableFuture())
                            .toList();
                    return allOf(reads).thenApply(read -> {
                        versions.complete(read);
                        return Resp.OK;
                    });
                });
                result.whenComplete((ok, failure) -> {
                    if (failure != null) {
                        versions.completeExceptionally(failure);
                    }
                });
                watched.add(versions);
                return Optional.of(result.handle((bytes, failure) -> new Response(failure == null ? bytes : Resp.error(errorText(failure)),
                        false)));
            }
            case "unwatch" -> {
                watched.clear();
                return Optional.of(reply(Resp.OK));
            }
            default -> {
                // RESET: runs as any command, and drops the transaction and the watches first.
                queued = null;
                watched.clear();
                return Optional.empty();
            }
        }
    }

    /**
     * EXEC: the queued commands run against the transaction's view of the store, which records the
     * partition steps they make; then the transaction runs in its partition, and each command's
     * reply is made from its step's. A null array when a watched key changed.
     */
    private CompletionStage<ByteString> exec(List<Queued> commands, List<CompletableFuture<List<Watched>>> watches) {
        String execDb = db;
        return allOf(watches).thenCompose(lists -> {
            List<KvPartition.Watch> keys = new ArrayList<>();
            for (List<Watched> list : lists) {
                for (Watched w : list) {
                    if (!w.db().equals(execDb)) {
                        throw new RespError("CROSSSLOT Keys in request don't hash to the same slot (a watched key is in database "
                                + w.db() + ", the transaction in " + execDb + ")");
                    }
                    keys.add(new KvPartition.Watch(w.key(), w.version()));
                }
            }
            return call(() -> store.transaction(execDb)).thenCompose(tx -> {
                List<CompletionStage<ByteString>> results = new ArrayList<>(commands.size());
                KvStore node = store;
                store = tx.view();
                try {
                    for (Queued command : commands) {
                        results.add(runQueued(command));
                    }
                } finally {
                    store = node;
                }
                return tx.commit(keys).thenCompose(outcome -> {
                    if (outcome == KvTransaction.Outcome.ABORTED) {
                        return done(resp.nullArray());
                    }
                    wakeBlocked(execDb, commands);
                    return allOf(results.stream().map(r -> r.handle((bytes, failure) -> failure == null ? bytes
                            : Resp.error(errorText(failure))).toCompletableFuture()).toList()).thenApply(Resp::array);
                });
            });
        });
    }

    /** Lets clients blocked on the keys {@code commands} wrote (in database {@code written}) try their pops. */
    private void wakeBlocked(String written, List<Queued> commands) {
        if (info.blocked().count() > 0) {
            commands.forEach(c -> info.blocked().written(written, c.spec().writtenKeys(c.args())));
        }
    }

    private CompletionStage<ByteString> runQueued(Queued command) {
        try {
            return command.spec().handler().run(this, command.args());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CompletionStage<Response> reply(ByteString bytes) {
        return CompletableFuture.completedFuture(new Response(bytes, false));
    }

    // ---- Commands (called through RespCommands' table; args include the command name) --------

    CompletionStage<ByteString> ping(List<byte[]> args) {
        if (args.size() > 2) {
            return wrongArity("ping");
        }
        return done(args.size() == 2 ? Resp.bulk(args.get(1)) : Resp.simple("PONG"));
    }

    CompletionStage<ByteString> echo(List<byte[]> args) {
        return done(Resp.bulk(args.get(1)));
    }

    CompletionStage<ByteString> get(List<byte[]> args) {
        return findString(key(args.get(1))).thenApply(found -> found == null ? resp.nullBulk() : Resp.bulk(found.value()));
    }

    /**
     * SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-seconds | PXAT
     * unix-milliseconds | KEEPTTL]. With GET or KEEPTTL it is one read-modify-write of the key's
     * partition ({@link StringChange.Set}); else a put. A time already past expires the key at once.
     */
    CompletionStage<ByteString> set(List<byte[]> args) {
        String key = key(args.get(1));
        StringChange.Expiration expiration = StringChange.Expiration.NONE;
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        boolean expiry = false;
        for (int i = 3; i < args.size(); i++) {
            String option = ascii(args.get(i)).toUpperCase(Locale.ROOT);
            switch (option) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GET" -> get = true;
                case "KEEPTTL" -> keepTtl = true;
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (expiry || i + 1 >= args.size()) {
                        return syntaxError();
                    }
                    expiry = true;
                    expiration = expirationOf(option, args.get(++i), "set");
                }
                default -> {
                    return syntaxError();
                }
            }
        }
        if ((nx && xx) || (keepTtl && expiry)) {
            return syntaxError();
        }
        if (keepTtl) {
            expiration = StringChange.Expiration.KEEP;
        }
        if (get || keepTtl || expiration.kind() == StringChange.Expiration.Kind.AT) {
            StringChange.Condition condition = nx ? StringChange.Condition.ABSENT : xx ? StringChange.Condition.PRESENT
                    : StringChange.Condition.ANY;
            boolean replyPrevious = get;
            return update(key, new StringChange.Set(args.get(2), expiration, condition, get)).thenApply(updated -> {
                if (replyPrevious) {
                    return updated.previous() == null ? resp.nullBulk() : Resp.bulk(updated.previous());
                }
                return updated.changed() ? Resp.OK : resp.nullBulk();
            });
        }
        long ttl = expiration.millis();
        long expected = nx ? KvPartition.MUST_NOT_EXIST : xx ? KvPartition.MUST_EXIST : KvPartition.ANY_VERSION;
        boolean conditional = nx || xx;
        return orAbsent(call(() -> store.put(db, key, args.get(2), ttl, expected)), xx).thenApply(reply -> {
            if (reply == null || reply instanceof KvPartition.Rejected r && r.code().equals("version_mismatch") && conditional) {
                return resp.nullBulk();
            }
            expect(reply, KvPartition.Written.class);
            return Resp.OK;
        });
    }

    /** The expiry an option (EX, PX, EXAT, PXAT) with value {@code raw} gives: relative for EX and PX, absolute for the others. */
    private static StringChange.Expiration expirationOf(String option, byte[] raw, String command) {
        Long n = parseLong(raw);
        if (n == null) {
            throw new RespError(NOT_INTEGER);
        }
        return switch (option) {
            case "EX" -> StringChange.Expiration.after(secondsToMillis(n, command));
            case "PX" -> StringChange.Expiration.after(positive(n, command));
            case "EXAT" -> StringChange.Expiration.at(secondsToMillis(n, command));
            case "PXAT" -> StringChange.Expiration.at(positive(n, command));
            default -> throw new IllegalArgumentException(option);
        };
    }

    /** SETNX key value: 1 when the key was absent and is now set, else 0. */
    CompletionStage<ByteString> setnx(List<byte[]> args) {
        String key = key(args.get(1));
        return call(() -> store.put(db, key, args.get(2), 0, KvPartition.MUST_NOT_EXIST)).thenApply(reply -> {
            if (reply instanceof KvPartition.Rejected r && r.code().equals("version_mismatch")) {
                return Resp.integer(0);
            }
            expect(reply, KvPartition.Written.class);
            return Resp.integer(1);
        });
    }

    /** PSETEX key milliseconds value. */
    CompletionStage<ByteString> psetex(List<byte[]> args) {
        return setWithTtl(args, "PX", "psetex");
    }

    /** GETSET key value: SET key value GET. */
    CompletionStage<ByteString> getset(List<byte[]> args) {
        return previousOf(key(args.get(1)),
                new StringChange.Set(args.get(2), StringChange.Expiration.NONE, StringChange.Condition.ANY, true));
    }

    /** GETDEL key: the value, and the key deleted. */
    CompletionStage<ByteString> getdel(List<byte[]> args) {
        return previousOf(key(args.get(1)), new StringChange.GetDel());
    }

    /** GETEX key [EX seconds | PX milliseconds | EXAT unix-seconds | PXAT unix-milliseconds | PERSIST]: the value, its expiry changed. */
    CompletionStage<ByteString> getex(List<byte[]> args) {
        StringChange.Expiration expiration = StringChange.Expiration.KEEP;
        for (int i = 2; i < args.size(); i++) {
            String option = ascii(args.get(i)).toUpperCase(Locale.ROOT);
            boolean first = expiration == StringChange.Expiration.KEEP;
            if (first && option.equals("PERSIST")) {
                expiration = StringChange.Expiration.NONE;
            } else if (first && List.of("EX", "PX", "EXAT", "PXAT").contains(option) && i + 1 < args.size()) {
                expiration = expirationOf(option, args.get(++i), "getex");
            } else {
                return syntaxError();
            }
        }
        if (expiration == StringChange.Expiration.KEEP) {
            return get(args.subList(0, 2));
        }
        return previousOf(key(args.get(1)), new StringChange.GetEx(expiration));
    }

    /** APPEND key value: the value's length after. */
    CompletionStage<ByteString> append(List<byte[]> args) {
        return update(key(args.get(1)), new StringChange.Append(args.get(2))).thenApply(updated -> Resp.integer(updated.value().length));
    }

    /** STRLEN key: the value's length in bytes, 0 when absent. */
    CompletionStage<ByteString> strlen(List<byte[]> args) {
        return findString(key(args.get(1))).thenApply(found -> Resp.integer(found == null ? 0 : found.value().length));
    }

    /** GETRANGE key start end: the bytes from start to end, both included, negative ones counted from the end, as Redis. */
    CompletionStage<ByteString> getrange(List<byte[]> args) {
        Long start = parseLong(args.get(2));
        Long end = parseLong(args.get(3));
        if (start == null || end == null) {
            return fail(NOT_INTEGER);
        }
        return findString(key(args.get(1))).thenApply(found -> {
            byte[] value = found == null ? new byte[0] : found.value();
            return Resp.bulk(range(value, start, end));
        });
    }

    /** Redis's GETRANGE arithmetic. */
    static byte[] range(byte[] value, long start, long end) {
        long length = value.length;
        if ((start < 0 && end < 0 && start > end) || length == 0) {
            return new byte[0];
        }
        long from = start < 0 ? Math.max(0, length + start) : start;
        long to = end < 0 ? Math.max(0, length + end) : Math.min(end, length - 1);
        return from > to || from >= length ? new byte[0] : Arrays.copyOfRange(value, (int) from, (int) to + 1);
    }

    /** SETRANGE key offset value: the value's length after. */
    CompletionStage<ByteString> setrange(List<byte[]> args) {
        Long offset = parseLong(args.get(2));
        if (offset == null) {
            return fail(NOT_INTEGER);
        }
        if (offset < 0) {
            return fail("ERR offset is out of range");
        }
        if (offset > store.settings().maxValueBytes() - args.get(3).length) {
            return fail(STRING_TOO_LONG);
        }
        return update(key(args.get(1)), new StringChange.SetRange(offset, args.get(3)))
                .thenApply(updated -> Resp.integer(updated.value() == null ? 0 : updated.value().length));
    }

    /** INCRBYFLOAT key increment: the new value, as Redis prints it. */
    CompletionStage<ByteString> incrbyfloat(List<byte[]> args) {
        String increment = ascii(args.get(2));
        if (!StringChange.IncrByFloat.isFloat(increment)) {
            return fail("ERR value is not a valid float");
        }
        return update(key(args.get(1)), new StringChange.IncrByFloat(increment)).thenApply(updated -> Resp.bulk(updated.value()));
    }

    /** The key's value before {@code change}, which its partition applies at once; nil when it was absent. */
    private CompletionStage<ByteString> previousOf(String key, StringChange change) {
        return update(key, change).thenApply(updated -> updated.previous() == null ? resp.nullBulk() : Resp.bulk(updated.previous()));
    }

    CompletionStage<KvPartition.Updated> update(String key, StringChange change) {
        return call(() -> store.update(db, key, change)).thenApply(reply -> expect(reply, KvPartition.Updated.class));
    }

    /** SETEX key seconds value. */
    CompletionStage<ByteString> setex(List<byte[]> args) {
        return setWithTtl(args, "EX", "setex");
    }

    /** SETEX / PSETEX: SET key value with the TTL the EX or PX {@code option} reads from the second argument. */
    private CompletionStage<ByteString> setWithTtl(List<byte[]> args, String option, String command) {
        long ttl = expirationOf(option, args.get(2), command).millis();
        String key = key(args.get(1));
        return call(() -> store.put(db, key, args.get(3), ttl, KvPartition.ANY_VERSION)).thenApply(reply -> {
            expect(reply, KvPartition.Written.class);
            return Resp.OK;
        });
    }

    CompletionStage<ByteString> del(List<byte[]> args) {
        List<CompletableFuture<Long>> deletes = new ArrayList<>();
        for (String key : keys(args, 1)) {
            deletes.add(orAbsent(call(() -> store.delete(db, key, KvPartition.ANY_VERSION)), true)
                    .thenApply(reply -> reply == null || reply instanceof KvPartition.NotFound ? 0L
                            : deletedCount(reply))
                    .toCompletableFuture());
        }
        return allOf(deletes).thenApply(counts -> Resp.integer(counts.stream().mapToLong(Long::longValue).sum()));
    }

    private static long deletedCount(KvPartition.Reply reply) {
        expect(reply, KvPartition.Deleted.class);
        return 1;
    }

    /** EXISTS key [key ...]: a key named twice counts twice, as in Redis. */
    CompletionStage<ByteString> exists(List<byte[]> args) {
        List<String> keys = keys(args, 1);
        return multiGet(keys).thenApply(found -> Resp.integer(keys.stream().filter(k -> found.get(k) != null).count()));
    }

    CompletionStage<ByteString> incr(List<byte[]> args) {
        return incrBy(args.get(1), 1);
    }

    CompletionStage<ByteString> decr(List<byte[]> args) {
        return incrBy(args.get(1), -1);
    }

    CompletionStage<ByteString> incrby(List<byte[]> args) {
        Long by = parseLong(args.get(2));
        return by == null ? fail(NOT_INTEGER) : incrBy(args.get(1), by);
    }

    CompletionStage<ByteString> decrby(List<byte[]> args) {
        Long by = parseLong(args.get(2));
        if (by == null) {
            return fail(NOT_INTEGER);
        }
        if (by == Long.MIN_VALUE) {
            return fail("ERR decrement would overflow");
        }
        return incrBy(args.get(1), -by);
    }

    private CompletionStage<ByteString> incrBy(byte[] rawKey, long by) {
        String key = key(rawKey);
        return call(() -> store.incr(db, key, by))
                .thenApply(reply -> Resp.integer(expect(reply, KvPartition.Counter.class).value()));
    }

    CompletionStage<ByteString> mget(List<byte[]> args) {
        List<String> keys = keys(args, 1);
        return multiGet(keys).thenApply(found -> {
            List<ByteString> items = new ArrayList<>(keys.size());
            // As Redis: a key of another type reads as absent.
            keys.forEach(k -> {
                KvPartition.Found f = found.get(k);
                items.add(f == null || f.type() != ValueType.STRING ? resp.nullBulk() : Resp.bulk(f.value()));
            });
            return Resp.array(items);
        });
    }

    /**
     * MSET key value [key value ...]: one put per distinct key (the last value of a key named
     * twice), sent together. Not atomic: the keys live in different partitions, so a failure
     * can leave some keys written; the reply is then the error.
     */
    CompletionStage<ByteString> mset(List<byte[]> args) {
        if (args.size() % 2 != 1) {
            return wrongArity("mset");
        }
        Map<String, byte[]> pairs = new LinkedHashMap<>();
        for (int i = 1; i < args.size(); i += 2) {
            pairs.put(key(args.get(i)), args.get(i + 1));
        }
        List<CompletableFuture<Long>> puts = new ArrayList<>();
        pairs.forEach((key, value) -> puts.add(call(() -> store.put(db, key, value, 0, KvPartition.ANY_VERSION))
                .thenApply(reply -> expect(reply, KvPartition.Written.class).version()).toCompletableFuture()));
        return allOf(puts).thenApply(versions -> Resp.OK);
    }

    /**
     * MSETNX key value [key value ...]: 1 when none of the keys existed and all are now set, at
     * once, else 0 and nothing set. The keys must live in one partition, as on a Redis Cluster:
     * keys of one hash tag ({@code {user1}:a}, {@code {user1}:b}) do; others answer {@code -CROSSSLOT}.
     */
    CompletionStage<ByteString> msetnx(List<byte[]> args) {
        if (args.size() % 2 != 1) {
            return wrongArity("msetnx");
        }
        Map<String, byte[]> pairs = new LinkedHashMap<>();
        for (int i = 1; i < args.size(); i += 2) {
            pairs.put(key(args.get(i)), args.get(i + 1));
        }
        return call(() -> store.putAllIfAbsent(db, pairs)).thenApply(reply -> {
            if (reply instanceof KvPartition.Rejected r && r.code().equals("version_mismatch")) {
                return Resp.integer(0);
            }
            expect(reply, KvPartition.AllWritten.class);
            return Resp.integer(1);
        });
    }

    /**
     * EXPIRE key seconds [NX | XX | GT | LT]: 1 when the key exists and its expiry changed, 0 when
     * it does not exist or the option left it as it was; a time already past deletes the key, as
     * in Redis, and a time out of range is Redis's {@code invalid expire time}. NX: only a key
     * without expiry; XX: only one with; GT / LT: only a later / earlier time (no expiry counts as
     * infinitely late). The key's partition applies it at once ({@link StringChange.Expire}); the
     * store has no expiry-only write, so the key gets a new version (a new ETag over HTTP), and the
     * write carries the whole value.
     */
    CompletionStage<ByteString> expire(List<byte[]> args) {
        return expireAt(args, 1000, false, "expire");
    }

    /** PEXPIRE key milliseconds [NX | XX | GT | LT]: {@link #expire} in milliseconds. */
    CompletionStage<ByteString> pexpire(List<byte[]> args) {
        return expireAt(args, 1, false, "pexpire");
    }

    /** EXPIREAT key unix-seconds [NX | XX | GT | LT]: {@link #expire} at an absolute time. */
    CompletionStage<ByteString> expireat(List<byte[]> args) {
        return expireAt(args, 1000, true, "expireat");
    }

    /** PEXPIREAT key unix-milliseconds [NX | XX | GT | LT]: {@link #expire} at an absolute time in milliseconds. */
    CompletionStage<ByteString> pexpireat(List<byte[]> args) {
        return expireAt(args, 1, true, "pexpireat");
    }

    /** The EXPIRE family, checked in Redis's order: the options, the number, its range; then the key. */
    private CompletionStage<ByteString> expireAt(List<byte[]> args, long unitMillis, boolean absolute, String command) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < args.size(); i++) {
            switch (ascii(args.get(i)).toUpperCase(Locale.ROOT)) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GT" -> gt = true;
                case "LT" -> lt = true;
                default -> {
                    return fail("ERR Unsupported option " + ascii(args.get(i)));
                }
            }
        }
        if (nx && (xx || gt || lt)) {
            return fail("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt) {
            return fail("ERR GT and LT options at the same time are not compatible");
        }
        Long when = parseLong(args.get(2));
        if (when == null) {
            return fail(NOT_INTEGER);
        }
        if (when > Long.MAX_VALUE / unitMillis || when < Long.MIN_VALUE / unitMillis) {
            return fail(invalidExpireTime(command));
        }
        long base = absolute ? 0 : System.currentTimeMillis();
        if (when * unitMillis > Long.MAX_VALUE - base) {
            return fail(invalidExpireTime(command));
        }
        StringChange.Expiration expiration = absolute ? StringChange.Expiration.at(when * unitMillis)
                : StringChange.Expiration.after(when * unitMillis);
        StringChange.ExpiryCondition condition = nx ? StringChange.ExpiryCondition.NONE_YET : xx ? StringChange.ExpiryCondition.HAS_ONE
                : gt ? StringChange.ExpiryCondition.LATER : lt ? StringChange.ExpiryCondition.EARLIER : StringChange.ExpiryCondition.ANY;
        return update(key(args.get(1)), new StringChange.Expire(expiration, condition))
                .thenApply(updated -> Resp.integer(updated.changed() ? 1 : 0));
    }

    private static String invalidExpireTime(String command) {
        return "ERR invalid expire time in '" + command + "' command";
    }

    /** PERSIST key: 1 when a TTL was removed. */
    CompletionStage<ByteString> persist(List<byte[]> args) {
        return update(key(args.get(1)), new StringChange.Expire(StringChange.Expiration.NONE, StringChange.ExpiryCondition.HAS_ONE))
                .thenApply(updated -> Resp.integer(updated.changed() ? 1 : 0));
    }

    /** EXPIRETIME key: the absolute Unix time in seconds at which the key expires; -1 without expiry, -2 when absent. */
    CompletionStage<ByteString> expiretime(List<byte[]> args) {
        return remaining(args, 1000, true);
    }

    /** PEXPIRETIME key: {@link #expiretime} in milliseconds. */
    CompletionStage<ByteString> pexpiretime(List<byte[]> args) {
        return remaining(args, 1, true);
    }

    /** TTL key: seconds left (rounded), -1 without expiry, -2 when absent, read from the key's expiry time. */
    CompletionStage<ByteString> ttl(List<byte[]> args) {
        return remaining(args, 1000, false);
    }

    CompletionStage<ByteString> pttl(List<byte[]> args) {
        return remaining(args, 1, false);
    }

    /** The time left, or ({@code absolute}) the Unix time of the expiry, in units rounded to the nearest. */
    private CompletionStage<ByteString> remaining(List<byte[]> args, long unitMillis, boolean absolute) {
        return find(key(args.get(1))).thenApply(found -> {
            if (found == null) {
                return Resp.integer(-2);
            }
            if (found.expiresAtMillis() == 0) {
                return Resp.integer(-1);
            }
            long millis = absolute ? found.expiresAtMillis() : Math.max(0, found.expiresAtMillis() - System.currentTimeMillis());
            return Resp.integer((millis + unitMillis / 2) / unitMillis);
        });
    }

    /** TYPE key: the type of a live key ({@code string}, {@code hash}), {@code none} for an absent one. */
    CompletionStage<ByteString> type(List<byte[]> args) {
        return find(key(args.get(1))).thenApply(found -> Resp.simple(found == null ? "none" : found.type().redisName()));
    }

    /**
     * MEMORY USAGE key [SAMPLES count]: about how many bytes of heap the key takes in its partition
     * (its entry, key and value, as the memory ceiling counts them), or nil when it is absent.
     */
    CompletionStage<ByteString> memory(List<byte[]> args) {
        String sub = ascii(args.get(1)).toUpperCase(Locale.ROOT);
        if (!sub.equals("USAGE")) {
            return fail("ERR unknown subcommand '" + ascii(args.get(1)) + "'. Try MEMORY HELP.");
        }
        if (args.size() != 3 && !(args.size() == 5 && ascii(args.get(3)).equalsIgnoreCase("SAMPLES") && parseLong(args.get(4)) != null)) {
            return args.size() < 3 ? wrongArity("memory|usage") : syntaxError();
        }
        String key = key(args.get(2));
        return find(key).thenApply(found -> found == null ? resp.nullBulk()
                : Resp.integer(PartitionState.footprint(key, found.value())));
    }

    /** KEYS pattern: every live key of the database that matches, listed page by page from the pattern's literal prefix. */
    CompletionStage<ByteString> keys(List<byte[]> args) {
        Glob pattern = Glob.of(pattern(args.get(1)), false);
        List<ByteString> matched = new ArrayList<>();
        return keysFrom(pattern, "", matched).thenApply(done -> Resp.array(matched));
    }

    private CompletionStage<Void> keysFrom(Glob pattern, String after, List<ByteString> matched) {
        int page = Math.max(2, store.settings().maxListKeys());
        return orAbsent(call(() -> store.listKeys(db, pattern.literalPrefix(), after, page)), true).thenCompose(keys -> {
            if (keys == null) {
                return CompletableFuture.completedFuture(null);
            }
            keys.keys().stream().filter(pattern::matches).forEach(k -> matched.add(Resp.key(k)));
            return keys.more() ? keysFrom(pattern, keys.keys().get(keys.keys().size() - 1), matched)
                    : CompletableFuture.completedFuture(null);
        });
    }

    /**
     * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: a page of about {@code count} (10)
     * keys in key order and the cursor to go on with (0: done); MATCH filters the page, so a page
     * may hold fewer keys, even none, before the end, as in Redis. Every key that exists for the
     * whole scan is returned once. See {@link ScanCursors}.
     */
    CompletionStage<ByteString> scan(List<byte[]> args) {
        Long cursor = parseLong(args.get(1));
        if (cursor == null || cursor < 0) {
            return fail("ERR invalid cursor");
        }
        Glob pattern = null;
        long count = DEFAULT_SCAN_COUNT;
        String type = null;
        for (int i = 2; i < args.size(); i++) {
            String option = ascii(args.get(i)).toUpperCase(Locale.ROOT);
            if (i + 1 >= args.size()) {
                return syntaxError();
            }
            switch (option) {
                case "MATCH" -> pattern = Glob.of(pattern(args.get(++i)), false);
                case "COUNT" -> {
                    Long n = parseLong(args.get(++i));
                    if (n == null) {
                        return fail(NOT_INTEGER);
                    }
                    if (n < 1) {
                        return syntaxError();
                    }
                    count = n;
                }
                case "TYPE" -> type = ascii(args.get(++i)).toLowerCase(Locale.ROOT);
                default -> {
                    return syntaxError();
                }
            }
        }
        String after = "";
        if (cursor != 0) {
            Optional<ScanCursors.Position> position = info.scans().find(cursor).filter(p -> p.db().equals(db));
            if (position.isEmpty()) {
                return fail("ERR invalid cursor");
            }
            after = position.get().after();
        }
        Glob match = pattern;
        String wantedType = type;
        // At least two: a page ending with the empty key (the first of all) would start the next one again.
        int limit = (int) Math.max(2, Math.min(count, store.settings().maxListKeys()));
        String scanDb = db;
        String from = after;
        return orAbsent(call(() -> store.listKeys(scanDb, match == null ? "" : match.literalPrefix(), from, limit)), true)
                .thenCompose(page -> {
                    if (page == null) {
                        return done(scanReply(0, List.of()));
                    }
                    List<String> keys = page.keys().stream().filter(k -> match == null || match.matches(k)).toList();
                    long next = page.more() ? info.scans().open(scanDb, page.keys().get(page.keys().size() - 1)) : 0;
                    if (wantedType == null) {
                        return done(scanReply(next, keys.stream().map(Resp::key).toList()));
                    }
                    // TYPE: the page's keys are read for their type (a key gone meanwhile is left out).
                    return multiGet(keys).thenApply(found -> scanReply(next, keys.stream()
                            .filter(k -> found.get(k) != null && found.get(k).type().redisName().equals(wantedType))
                            .map(Resp::key).toList()));
                });
    }

    private static ByteString scanReply(long cursor, List<ByteString> keys) {
        return Resp.array(List.of(Resp.bulk(Long.toString(cursor)), Resp.array(keys)));
    }

    /** RANDOMKEY: a live key of the database picked at random (not uniformly: from a random point of the key order), or nil. */
    CompletionStage<ByteString> randomkey(List<byte[]> args) {
        byte[] point = new byte[2];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(point);
        String from = new String(point, StandardCharsets.ISO_8859_1);
        return orAbsent(call(() -> store.listKeys(db, "", from, RANDOM_KEY_PAGE)), true).thenCompose(page -> {
            if (page != null && page.keys().isEmpty()) {
                // Past the last key: wrap around to the first ones.
                return orAbsent(call(() -> store.listKeys(db, "", "", RANDOM_KEY_PAGE)), true);
            }
            return CompletableFuture.completedFuture(page);
        }).thenApply(page -> {
            if (page == null || page.keys().isEmpty()) {
                return resp.nullBulk();
            }
            return Resp.key(page.keys().get(java.util.concurrent.ThreadLocalRandom.current().nextInt(page.keys().size())));
        });
    }

    /**
     * FLUSHDB [ASYNC | SYNC]: deletes every key of the selected database (its keyspace), when the
     * node allows it: with a password, to an authenticated connection; without one, only when
     * {@code strata.resp.allow-flush} is on.
     */
    CompletionStage<ByteString> flushdb(List<byte[]> args) {
        return flush(args, "flushdb", List.of(db));
    }

    /** FLUSHALL [ASYNC | SYNC]: {@link #flushdb} for every database. */
    CompletionStage<ByteString> flushall(List<byte[]> args) {
        List<String> dbs = new ArrayList<>();
        for (int i = 0; i < info.settings().databases(); i++) {
            dbs.add(Integer.toString(i));
        }
        return flush(args, "flushall", dbs);
    }

    private CompletionStage<ByteString> flush(List<byte[]> args, String command, List<String> dbs) {
        if (args.size() > 2 || (args.size() == 2 && !isFlushMode(args.get(1)))) {
            return syntaxError();
        }
        if (info.settings().authToken().isEmpty() && !info.settings().allowFlush()) {
            return fail("ERR " + command.toUpperCase(Locale.ROOT) + " is disabled on this node: set strata.http.auth-token"
                    + " (an authenticated connection may flush) or strata.resp.allow-flush = on");
        }
        List<CompletableFuture<Void>> deletes = store.keyspaces().stream().map(KeyspaceCatalog.Keyspace::name).filter(dbs::contains)
                .map(name -> orAbsent(call(() -> store.deleteKeyspace(name)), true).toCompletableFuture()).toList();
        return allOf(deletes).thenApply(done -> Resp.OK);
    }

    /**
     * FUNCTION FLUSH [ASYNC | SYNC] and FUNCTION LIST: Strata runs no server-side functions, so
     * there are none to flush or list (what tools and Redis's own test suite ask before they
     * start); the rest of FUNCTION (LOAD, CALL ...) is refused.
     */
    CompletionStage<ByteString> function(List<byte[]> args) {
        String sub = ascii(args.get(1)).toLowerCase(Locale.ROOT);
        return switch (sub) {
            case "flush" -> args.size() == 2 || (args.size() == 3 && isFlushMode(args.get(2))) ? done(Resp.OK) : syntaxError();
            case "list" -> done(Resp.EMPTY_ARRAY);
            default -> fail("ERR FUNCTION " + ascii(args.get(1)).toUpperCase(Locale.ROOT)
                    + " is not supported: Strata runs no server-side functions");
        };
    }

    CompletionStage<ByteString> dbsize(List<byte[]> args) {
        return orAbsent(call(() -> store.stats(db)), true)
                .thenApply(stats -> Resp.integer(stats == null ? 0 : stats.keys()));
    }

    CompletionStage<ByteString> select(List<byte[]> args) {
        Long index = parseLong(args.get(1));
        if (index == null) {
            return fail(NOT_INTEGER);
        }
        if (index < 0 || index >= info.settings().databases()) {
            return fail("ERR DB index is out of range");
        }
        db = Long.toString(index);
        return done(Resp.OK);
    }

    /** INFO [section]: server, clients, memory, stats and keyspace (keys per database), a subset of Redis's fields. */
    CompletionStage<ByteString> info(List<byte[]> args) {
        String section = args.size() > 1 ? ascii(args.get(1)).toLowerCase(Locale.ROOT) : "default";
        boolean all = section.equals("default") || section.equals("all") || section.equals("everything");
        StringBuilder text = new StringBuilder();
        if (all || section.equals("server")) {
            text.append("# Server\r\nredis_version:" + RespServer.REDIS_VERSION + "\r\nstrata_resp:1\r\nredis_mode:standalone\r\n")
                    .append("tcp_port:").append(info.port()).append("\r\n")
                    .append("uptime_in_seconds:").append(info.uptimeSeconds()).append("\r\n\r\n");
        }
        if (all || section.equals("clients")) {
            text.append("# Clients\r\nconnected_clients:").append(info.connectedClients())
                    .append("\r\nmaxclients:").append(info.settings().maxClients())
                    .append("\r\nblocked_clients:").append(info.blocked().count()).append("\r\n\r\n");
        }
        if (all || section.equals("memory")) {
            text.append(memorySection());
        }
        if (all || section.equals("stats")) {
            text.append("# Stats\r\ntotal_connections_received:").append(info.connectionsReceived())
                    .append("\r\ntotal_commands_processed:").append(info.commandsProcessed())
                    .append("\r\nrejected_connections:").append(info.rejectedConnections())
                    .append("\r\nevicted_clients:").append(info.input().evictions()).append("\r\n\r\n");
        }
        if (!(all || section.equals("keyspace"))) {
            return done(resp.verbatim(text.toString()));
        }
        List<String> dbs = store.keyspaces().stream().map(k -> k.name())
                .filter(name -> name.matches("0|[1-9][0-9]{0,3}") && Integer.parseInt(name) < info.settings().databases())
                .sorted(java.util.Comparator.comparingInt(Integer::parseInt)).toList();
        List<CompletableFuture<String>> lines = new ArrayList<>();
        for (String name : dbs) {
            lines.add(store.stats(name).thenApply(s -> s.keys() == 0 ? "" : "db" + name + ":keys=" + s.keys() + "\r\n")
                    .toCompletableFuture());
        }
        return allOf(lines).thenApply(found -> resp.verbatim(text.append("# Keyspace\r\n").append(String.join("", found)).toString()));
    }

    /**
     * INFO's memory section as Redis names it: {@code used_memory} is what the node's memory
     * ceiling counts (heap live after the last GC plus what the stores took since),
     * {@code maxmemory} the ceiling ({@code strata.max-memory}); past it writes answer {@code -OOM}.
     */
    private String memorySection() {
        long used = info.memory().used();
        long max = info.memory().max();
        return "# Memory\r\nused_memory:" + used + "\r\nused_memory_human:" + human(used)
                + "\r\nused_memory_dataset:" + info.memory().held()
                + "\r\nmaxmemory:" + max + "\r\nmaxmemory_human:" + human(max)
                + "\r\nmaxmemory_policy:noeviction\r\nstrata_input_bytes:" + info.input().commandBytes()
                + "\r\nstrata_unfinished_input_bytes:" + info.input().unfinishedBytes() + "\r\n\r\n";
    }

    /** Redis's {@code bytesToHuman}: {@code 1.50M}. */
    static String human(long bytes) {
        String[] units = {"K", "M", "G", "T", "P"};
        if (bytes < 1024) {
            return bytes + "B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f%s", value, units[unit]);
    }

    /**
     * COMMAND, COMMAND COUNT, COMMAND INFO name..., COMMAND DOCS [name...], COMMAND LIST: what
     * redis-cli and client libraries ask, from the command table.
     */
    CompletionStage<ByteString> command(List<byte[]> args) {
        Resp out = resp;
        if (args.size() == 1) {
            return done(Resp.array(RespCommands.all().stream().map(spec -> spec.describe(out)).toList()));
        }
        String sub = ascii(args.get(1)).toLowerCase(Locale.ROOT);
        List<String> names = args.subList(2, args.size()).stream().map(n -> ascii(n).toLowerCase(Locale.ROOT)).toList();
        return switch (sub) {
            case "count" -> args.size() == 2 ? done(Resp.integer(RespCommands.all().size())) : wrongArity("command|count");
            case "list" -> args.size() == 2 ? done(Resp.array(RespCommands.all().stream().map(spec -> Resp.bulk(spec.name())).toList()))
                    : fail("ERR COMMAND LIST filters are not supported");
            case "info" -> done(Resp.array(names.stream().map(n -> {
                RespCommands.Spec spec = RespCommands.spec(n);
                return spec == null ? out.nullArray() : spec.describe(out);
            }).toList()));
            case "docs" -> {
                List<ByteString> docs = new ArrayList<>();
                for (RespCommands.Spec spec : names.isEmpty() ? RespCommands.all()
                        : names.stream().map(RespCommands::spec).filter(java.util.Objects::nonNull).toList()) {
                    docs.add(Resp.bulk(spec.name()));
                    docs.add(spec.docs(out));
                }
                yield done(out.map(docs));
            }
            default -> fail("ERR unknown subcommand '" + ascii(args.get(1)) + "'. Try COMMAND HELP.");
        };
    }

    /**
     * AUTH [username] password, as Redis with {@code requirepass}: the user is {@code default}, the
     * password {@code strata.http.auth-token}; a wrong pair is WRONGPASS and leaves the connection
     * as it was. With no password set, {@code AUTH password} is an error, as in Redis, and
     * {@code AUTH default anything} succeeds (the default user needs none).
     */
    CompletionStage<ByteString> auth(List<byte[]> args) {
        if (args.size() > 3) {
            return syntaxError();
        }
        if (args.size() == 2 && info.settings().authToken().isEmpty()) {
            return fail("ERR AUTH <password> called without any password configured for the default user."
                    + " Are you sure your configuration is correct?");
        }
        byte[] user = args.size() == 3 ? args.get(1) : DEFAULT_USER;
        return authenticate(user, args.get(args.size() - 1)) ? done(Resp.OK) : fail(WRONGPASS);
    }

    /** Whether the pair is right (compared in constant time); if so, the connection is authenticated from now on. */
    private boolean authenticate(byte[] user, byte[] password) {
        Optional<String> token = info.settings().authToken();
        boolean right = Arrays.equals(user, DEFAULT_USER)
                && (token.isEmpty() || MessageDigest.isEqual(token.get().getBytes(StandardCharsets.UTF_8), password));
        if (right) {
            authenticated = true;
        }
        return right;
    }

    /**
     * HELLO [protover [AUTH username password] [SETNAME name]]: the handshake newer clients open
     * with. Protocol 2 or 3 switches the connection to it (its reply already in it: a map in
     * RESP3); any other version answers NOPROTO, Redis's refusal of a protocol it does not speak.
     * AUTH authenticates as the AUTH command does; without it, a connection that must authenticate
     * is refused, as Redis refuses it. Nothing changes unless the whole command succeeds.
     */
    CompletionStage<ByteString> hello(List<byte[]> args) {
        Resp protocol = resp;
        if (args.size() > 1) {
            Long version = parseLong(args.get(1));
            if (version == null) {
                return fail("ERR Protocol version is not an integer or out of range");
            }
            if (version != 2 && version != 3) {
                return fail("NOPROTO unsupported protocol version");
            }
            protocol = Resp.of(version.intValue());
        }
        byte[] name = null;
        byte[][] credentials = null;
        for (int i = 2; i < args.size(); i++) {
            String option = ascii(args.get(i)).toUpperCase(Locale.ROOT);
            if (option.equals("AUTH") && i + 2 < args.size()) {
                credentials = new byte[][] {args.get(i + 1), args.get(i + 2)};
                i += 2;
            } else if (option.equals("SETNAME") && i + 1 < args.size()) {
                name = args.get(++i);
                if (!isPrintableWord(name)) {
                    return fail(BAD_CLIENT_NAME);
                }
            } else {
                return fail("ERR Syntax error in HELLO option '" + ascii(args.get(i)) + "'");
            }
        }
        if (credentials != null && !authenticate(credentials[0], credentials[1])) {
            return fail(WRONGPASS);
        }
        if (!authenticated) {
            return fail("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto>"
                    + " AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol"
                    + " version at the same time");
        }
        if (name != null) {
            clientName = name.length == 0 ? null : name;
        }
        resp = protocol;
        return done(protocol.map(List.of(
                Resp.bulk("server"), Resp.bulk("redis"),
                Resp.bulk("version"), Resp.bulk(RespServer.REDIS_VERSION),
                Resp.bulk("proto"), Resp.integer(protocol.version()),
                Resp.bulk("id"), Resp.integer(id),
                Resp.bulk("mode"), Resp.bulk("standalone"),
                Resp.bulk("role"), Resp.bulk("master"),
                Resp.bulk("modules"), Resp.EMPTY_ARRAY)));
    }

    /**
     * RESET: the connection as a new one starts — database 0, RESP2, no name, no library, and,
     * when a password is set, not authenticated.
     */
    CompletionStage<ByteString> reset(List<byte[]> args) {
        db = "0";
        resp = Resp.RESP2;
        clientName = null;
        libraryName = null;
        libraryVersion = null;
        noEvict = false;
        noTouch = false;
        authenticated = info.settings().authToken().isEmpty();
        return done(Resp.simple("RESET"));
    }

    /** TIME: the node's clock as Redis gives it, seconds and microseconds, two bulk strings. */
    CompletionStage<ByteString> time(List<byte[]> args) {
        java.time.Instant now = java.time.Instant.now();
        return done(Resp.array(List.of(Resp.bulk(Long.toString(now.getEpochSecond())), Resp.bulk(Long.toString(now.getNano() / 1000)))));
    }

    /**
     * CLIENT SETNAME / GETNAME / ID / INFO / LIST [TYPE t] [ID id...] / SETINFO LIB-NAME|LIB-VER /
     * NO-EVICT / NO-TOUCH / GETREDIR / HELP: what client libraries send on connect and tools ask.
     * Names are checked as Redis checks them (printable, no spaces). Strata never evicts a client's
     * keys or tracks access times, so NO-EVICT and NO-TOUCH are recorded (CLIENT INFO shows them)
     * and change nothing else.
     */
    CompletionStage<ByteString> client(List<byte[]> args) {
        String sub = ascii(args.get(1)).toLowerCase(Locale.ROOT);
        return switch (sub) {
            case "setname" -> {
                if (args.size() != 3) {
                    yield wrongArity("client|setname");
                }
                if (!isPrintableWord(args.get(2))) {
                    yield fail(BAD_CLIENT_NAME);
                }
                clientName = args.get(2).length == 0 ? null : args.get(2);
                yield done(Resp.OK);
            }
            case "getname" -> args.size() == 2 ? done(clientName == null ? resp.nullBulk() : Resp.bulk(clientName))
                    : wrongArity("client|getname");
            case "setinfo" -> args.size() == 4 ? setInfo(args.get(2), args.get(3)) : wrongArity("client|setinfo");
            case "id" -> args.size() == 2 ? done(Resp.integer(id)) : wrongArity("client|id");
            case "info" -> args.size() == 2 ? done(resp.verbatim(describe() + "\n")) : wrongArity("client|info");
            case "list" -> clientList(args);
            case "no-evict" -> onOff(args, "client|no-evict", on -> noEvict = on);
            case "no-touch" -> onOff(args, "client|no-touch", on -> noTouch = on);
            case "getredir" -> args.size() == 2 ? done(Resp.integer(-1)) : wrongArity("client|getredir");
            case "help" -> done(Resp.array(CLIENT_HELP.stream().map(Resp::simple).toList()));
            default -> fail("ERR unknown subcommand or wrong number of arguments for '" + ascii(args.get(1))
                    + "'. Try CLIENT HELP.");
        };
    }

    private static final List<String> CLIENT_HELP = List.of(
            "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GETNAME", "    Return the name of the current connection.",
            "GETREDIR", "    Return the client ID we are redirecting to when tracking is enabled (always -1).",
            "ID", "    Return the ID of the current connection.",
            "INFO", "    Return information about the current client connection.",
            "LIST [options ...]", "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
            "    * ID <client-id> [<client-id> ...]", "      Return clients of specified IDs only.",
            "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
            "NO-TOUCH (ON|OFF)", "    Will not touch LRU/LFU stats when this mode is on.",
            "SETINFO <option> <value>", "    Set client meta attr. Options are:",
            "    * LIB-NAME: the client lib name.", "    * LIB-VER: the client lib version.",
            "SETNAME <name>", "    Assign the name <name> to the current connection.",
            "HELP", "    Print this help.");

    private CompletionStage<ByteString> setInfo(byte[] attribute, byte[] value) {
        String name = ascii(attribute).toLowerCase(Locale.ROOT);
        if (!name.equals("lib-name") && !name.equals("lib-ver")) {
            return fail("ERR Unrecognized option '" + ascii(attribute) + "'");
        }
        if (!isPrintableWord(value)) {
            return fail("ERR " + name + " cannot contain spaces, newlines or special characters.");
        }
        if (name.equals("lib-name")) {
            libraryName = value;
        } else {
            libraryVersion = value;
        }
        return done(Resp.OK);
    }

    /** CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID id ...]: one line per connection of the listener. */
    private CompletionStage<ByteString> clientList(List<byte[]> args) {
        String type = null;
        java.util.Set<Long> ids = null;
        for (int i = 2; i < args.size(); i++) {
            String option = ascii(args.get(i)).toUpperCase(Locale.ROOT);
            if (option.equals("TYPE") && i + 1 < args.size()) {
                type = ascii(args.get(++i)).toLowerCase(Locale.ROOT);
                if (!List.of("normal", "master", "replica", "slave", "pubsub").contains(type)) {
                    return fail("ERR Unknown client type '" + ascii(args.get(i)) + "'");
                }
            } else if (option.equals("ID") && i + 1 < args.size()) {
                ids = new java.util.HashSet<>();
                while (i + 1 < args.size()) {
                    Long clientId = parseLong(args.get(++i));
                    if (clientId == null || clientId <= 0) {
                        return fail("ERR Invalid client ID");
                    }
                    ids.add(clientId);
                }
            } else {
                return syntaxError();
            }
        }
        // Every connection here is a normal one: Strata has no replicas or subscribers over RESP.
        boolean normal = type == null || type.equals("normal");
        java.util.Set<Long> only = ids;
        StringBuilder lines = new StringBuilder();
        info.sessions().stream().filter(s -> normal && (only == null || only.contains(s.id)))
                .sorted(java.util.Comparator.comparingLong(RespSession::id))
                .forEach(s -> lines.append(s.describe()).append('\n'));
        return done(resp.verbatim(lines.toString()));
    }

    private CompletionStage<ByteString> onOff(List<byte[]> args, String command, java.util.function.Consumer<Boolean> set) {
        if (args.size() != 3) {
            return wrongArity(command);
        }
        String value = ascii(args.get(2)).toLowerCase(Locale.ROOT);
        if (!value.equals("on") && !value.equals("off")) {
            return syntaxError();
        }
        set.accept(value.equals("on"));
        return done(Resp.OK);
    }

    /** This connection as a line of CLIENT LIST, with Redis's field names. */
    String describe() {
        long now = System.nanoTime();
        String flags = (noEvict ? "e" : "") + (noTouch ? "T" : "");
        return "id=" + id + " addr=" + remoteAddress + " laddr=" + localAddress + " fd=-1"
                + " name=" + text(clientName) + " age=" + (now - openedAtNanos) / 1_000_000_000L
                + " idle=" + (now - lastCommandAtNanos) / 1_000_000_000L
                + " flags=" + (flags.isEmpty() ? "N" : flags) + " db=" + db
                + " sub=0 psub=0 ssub=0 multi=-1 cmd=" + lastCommand + " user=default redir=-1 resp=" + resp.version()
                + " lib-name=" + text(libraryName) + " lib-ver=" + text(libraryVersion);
    }

    private static String text(byte[] value) {
        return value == null ? "" : new String(value, StandardCharsets.UTF_8);
    }

    /** Redis's rule for client and library names: printable ASCII without spaces ('!' to '~'); empty clears. */
    private static boolean isPrintableWord(byte[] value) {
        for (byte b : value) {
            if (b < '!' || b > '~') {
                return false;
            }
        }
        return true;
    }

    /**
     * CONFIG GET pattern...: the few parameters tools such as redis-benchmark read on connect,
     * matched as Redis does (glob, case-insensitive), as name/value pairs; nothing else is
     * configurable over RESP, so CONFIG SET and the rest are refused.
     */
    CompletionStage<ByteString> config(List<byte[]> args) {
        String sub = ascii(args.get(1)).toLowerCase(Locale.ROOT);
        if (sub.equals("set")) {
            return configSet(args);
        }
        if (!sub.equals("get")) {
            return fail("ERR CONFIG " + ascii(args.get(1)).toUpperCase(Locale.ROOT)
                    + " is not supported: Strata is configured by its config file (strata.resp.*, strata.kv.*)");
        }
        if (args.size() < 3) {
            return wrongArity("config|get");
        }
        Map<String, String> parameters = new LinkedHashMap<>(fixedParameters());
        parameters.putAll(info.encodings().all());
        List<ByteString> pairs = new ArrayList<>();
        parameters.forEach((name, value) -> {
            if (args.subList(2, args.size()).stream().anyMatch(pattern -> Glob.of(ascii(pattern), true).matches(name))) {
                pairs.add(Resp.bulk(name));
                pairs.add(Resp.bulk(value));
            }
        });
        return done(resp.map(pairs));
    }

    /** What CONFIG GET reports of the node's own configuration (which CONFIG SET cannot change). */
    private Map<String, String> fixedParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("save", "");
        parameters.put("appendonly", "no");
        parameters.put("databases", Integer.toString(info.settings().databases()));
        parameters.put("proto-max-bulk-len", Long.toString(info.settings().maxRequestBytes()));
        parameters.put("maxclients", Integer.toString(info.settings().maxClients()));
        parameters.put("timeout", Long.toString(info.settings().timeout().toSeconds()));
        parameters.put("maxmemory", Long.toString(info.memory().max()));
        parameters.put("maxmemory-policy", "noeviction");
        return parameters;
    }

    /**
     * CONFIG SET parameter value [parameter value ...]: Redis's encoding thresholds, which change
     * nothing in Strata ({@link EncodingParameters}), and the node's own parameters only to the value
     * they have (as Redis's test harness sets {@code save ""}); all or none, as in Redis.
     */
    private CompletionStage<ByteString> configSet(List<byte[]> args) {
        if (args.size() < 4 || args.size() % 2 != 0) {
            return wrongArity("config|set");
        }
        Map<String, String> fixed = fixedParameters();
        for (int i = 2; i < args.size(); i += 2) {
            String name = ascii(args.get(i)).toLowerCase(Locale.ROOT);
            if (ascii(args.get(i + 1)).equals(fixed.get(name))) {
                continue;
            }
            if (!info.encodings().knows(name)) {
                return fail("ERR CONFIG SET of '" + name + "' is not supported: Strata is configured by its config file"
                        + " (strata.resp.*, strata.kv.*)");
            }
        }
        EncodingParameters trial = new EncodingParameters();
        for (int i = 2; i < args.size(); i += 2) {
            String name = ascii(args.get(i)).toLowerCase(Locale.ROOT);
            if (trial.knows(name) && !trial.set(name, ascii(args.get(i + 1)))) {
                return fail("ERR CONFIG SET failed (possibly related to argument '" + name + "') - argument couldn't be parsed"
                        + " into an integer");
            }
        }
        for (int i = 2; i < args.size(); i += 2) {
            String name = ascii(args.get(i)).toLowerCase(Locale.ROOT);
            if (info.encodings().knows(name)) {
                info.encodings().set(name, ascii(args.get(i + 1)));
            }
        }
        return done(Resp.OK);
    }

    // ---- Building blocks ----------------------------------------------------------------------

    /** The live key when it holds a string, or null when it is absent; WRONGTYPE when it holds another type. */
    private CompletionStage<KvPartition.Found> findString(String key) {
        return find(key, ValueType.STRING);
    }

    /** The live key when it holds a {@code type}, or null when it is absent; WRONGTYPE when it holds another type. */
    CompletionStage<KvPartition.Found> find(String key, ValueType type) {
        return find(key).thenApply(found -> {
            if (found != null && found.type() != type) {
                throw new RespError(WRONGTYPE);
            }
            return found;
        });
    }

    /** The live key, or null when it is absent, expired, or its database was never written. */
    CompletionStage<KvPartition.Found> find(String key) {
        return orAbsent(call(() -> store.get(db, key)), true).thenApply(reply -> {
            if (reply == null || reply instanceof KvPartition.NotFound) {
                return null;
            }
            return expect(reply, KvPartition.Found.class);
        });
    }

    CompletionStage<Map<String, KvPartition.Found>> multiGet(List<String> keys) {
        return orAbsent(call(() -> store.multiGet(db, keys)), true).thenApply(found -> found == null ? Map.of() : found);
    }

    /** The stage, with "this database (keyspace) does not exist yet" read as null (absent) when {@code absentOk}. */
    static <T> CompletionStage<T> orAbsent(CompletionStage<T> stage, boolean absentOk) {
        return stage.handle((value, failure) -> {
            if (failure == null) {
                return value;
            }
            if (absentOk && unwrap(failure) instanceof StrataException e && e.code().equals("keyspace_not_found")) {
                return null;
            }
            throw failure instanceof CompletionException c ? c : new CompletionException(failure);
        });
    }

    /** Runs a store call, turning its synchronous refusals (bad key, too large) into a failed stage. */
    static <T> CompletionStage<T> call(Supplier<CompletionStage<T>> storeCall) {
        try {
            return storeCall.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static <T> CompletionStage<List<T>> allOf(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
    }

    /** The reply as {@code type}, or the refusal it carries as an exception. */
    static <T extends KvPartition.Reply> T expect(KvPartition.Reply reply, Class<T> type) {
        if (type.isInstance(reply)) {
            return type.cast(reply);
        }
        if (reply instanceof KvPartition.Rejected r) {
            throw r.toException();
        }
        throw new IllegalStateException("unexpected reply " + reply);
    }

    /** The RESP error text of a failure, the Redis way where Redis has a fixed wording. */
    static String errorText(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof RespError e) {
            return e.getMessage();
        }
        if (t instanceof StrataException e) {
            return switch (e.code()) {
                case "not_an_integer" -> NOT_INTEGER;
                case "wrong_type" -> WRONGTYPE;
                case "hash_value_not_integer" -> "ERR hash value is not an integer";
                case "hash_value_not_float" -> "ERR hash value is not a float";
                case "no_such_key" -> "ERR no such key";
                case "index_out_of_range" -> "ERR index out of range";
                case "not_a_float" -> "ERR value is not a valid float";
                case "score_nan" -> "ERR resulting score is not a number (NaN)";
                case "float_overflow" -> "ERR increment would produce NaN or Infinity";
                case "string_too_long" -> STRING_TOO_LONG;
                case "cross_partition" -> "CROSSSLOT Keys in request don't hash to the same slot (" + e.getMessage() + ")";
                case "integer_overflow" -> "ERR increment or decrement would overflow";
                // Redis's own wordings, which client libraries map to their out-of-memory and
                // persistence errors.
                case "memory_full" -> "OOM command not allowed when used memory > 'maxmemory' (" + e.getMessage() + ")";
                case "storage_full" -> "MISCONF Errors writing to disk: " + e.getMessage();
                default -> switch (e.kind()) {
                    // Retriable: the partition is recovering, moving, or did not answer.
                    case UNAVAILABLE, TIMEOUT -> "TRYAGAIN " + e.code() + ": " + e.getMessage();
                    default -> "ERR " + e.code() + ": " + e.getMessage();
                };
            };
        }
        if (t instanceof AskTimeoutException || t instanceof TimeoutException) {
            return "TRYAGAIN timeout: the store did not answer in time; the command may or may not have been applied";
        }
        LOG.error("RESP command failed", t);
        return "ERR internal error: " + t;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String unknownCommand(List<byte[]> args) {
        StringBuilder text = new StringBuilder("ERR unknown command '").append(truncate(args.get(0)))
                .append("', with args beginning with: ");
        for (byte[] arg : args.subList(1, args.size())) {
            text.append('\'').append(truncate(arg)).append("' ");
        }
        return text.toString();
    }

    private static String truncate(byte[] arg) {
        String s = new String(arg, StandardCharsets.UTF_8);
        return s.length() > 128 ? s.substring(0, 128) : s;
    }

    static String key(byte[] raw) {
        return KeyBytes.fromBytes(raw);
    }

    static List<String> keys(List<byte[]> args, int from) {
        return args.subList(from, args.size()).stream().map(RespSession::key).toList();
    }

    /** ASYNC or SYNC, the modes of Redis's flushes (Strata's flushes are all the same). */
    private static boolean isFlushMode(byte[] raw) {
        return List.of("ASYNC", "SYNC").contains(ascii(raw).toUpperCase(Locale.ROOT));
    }

    /** A pattern over keys: its bytes read as keys' are ({@link KeyBytes}). */
    static String pattern(byte[] raw) {
        return KeyBytes.fromBytes(raw);
    }

    static String ascii(byte[] raw) {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    /** A strict decimal 64-bit integer, as Redis parses them; null otherwise. */
    static Long parseLong(byte[] raw) {
        return KvPartition.parseLong(raw);
    }

    static long secondsToMillis(long seconds, String command) {
        if (seconds <= 0 || seconds > Long.MAX_VALUE / 1000 / 2) {
            throw new RespError("ERR invalid expire time in '" + command + "' command");
        }
        return seconds * 1000;
    }

    static long positive(long millis, String command) {
        if (millis <= 0 || millis > Long.MAX_VALUE / 2) {
            throw new RespError("ERR invalid expire time in '" + command + "' command");
        }
        return millis;
    }

    static CompletionStage<ByteString> done(ByteString reply) {
        return CompletableFuture.completedFuture(reply);
    }

    static CompletionStage<ByteString> fail(String text) {
        return CompletableFuture.failedFuture(new RespError(text));
    }

    static CompletionStage<ByteString> syntaxError() {
        return fail("ERR syntax error");
    }

    static CompletionStage<ByteString> wrongArity(String name) {
        return fail("ERR wrong number of arguments for '" + name + "' command");
    }

    /** The connection is gone: what still waits for it (a blocking pop) stops. */
    void disconnected() {
        disconnected = true;
    }

    /** Whether the connection is still there. */
    boolean connected() {
        return !disconnected;
    }

    /** The listener's shared state: counters INFO reports. */
    RespServer.Info info() {
        return info;
    }

    /** The count of LPOP, RPOP, SPOP: a non-negative integer, else Redis's error. */
    static long popCount(byte[] raw) {
        Long n = parseLong(raw);
        if (n == null || n < 0) {
            throw new RespError("ERR value is out of range, must be positive");
        }
        return n;
    }

    /**
     * Redis's random picks (HRANDFIELD, SRANDMEMBER): with {@code count} ≥ 0 that many distinct
     * items in random order (at most all); with a negative count, -count items that may repeat.
     */
    static <T> List<T> randomPicks(List<T> items, long count) {
        if (count >= 0) {
            List<T> shuffled = new ArrayList<>(items);
            java.util.Collections.shuffle(shuffled, java.util.concurrent.ThreadLocalRandom.current());
            return shuffled.subList(0, (int) Math.min(count, shuffled.size()));
        }
        List<T> picked = new ArrayList<>();
        for (long i = 0; i < -count && !items.isEmpty(); i++) {
            picked.add(items.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(items.size())));
        }
        return picked;
    }

    /** A refusal worded for RESP already (kind word first). */
    static final class RespError extends RuntimeException {
        RespError(String text) {
            super(text, null, false, false);
        }
    }
}
