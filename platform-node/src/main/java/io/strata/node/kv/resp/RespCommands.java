package io.strata.node.kv.resp;

import org.apache.pekko.util.ByteString;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The commands the RESP listener knows, with the arity and key positions Redis gives them (the
 * same table answers {@code COMMAND}). Arity as in Redis: positive is exact, negative a minimum,
 * both counting the command name.
 */
final class RespCommands {

    /** Runs one command of a session; {@code args} include the name. */
    @FunctionalInterface
    interface Handler {
        CompletionStage<ByteString> run(RespSession session, List<byte[]> args);
    }

    /** A command: its lower-case name, arity, flags and first/last/step key positions, and its handler. */
    record Spec(String name, int arity, List<String> flags, int firstKey, int lastKey, int step, Handler handler) {

        /** The command's entry in a {@code COMMAND} reply (the RESP2 fields redis-cli reads). */
        /**
         * What the command touches, for {@link CommandScheduler}: its keys by its key positions;
         * a command without keys touches nothing shared when it is one of {@link #KEYLESS_FREE},
         * else it is a barrier (SELECT, DBSIZE, INFO, CLIENT, HELLO, AUTH).
         */
        CommandScheduler.Access access(List<byte[]> args) {
            if (firstKey == 0) {
                return KEYLESS_FREE.contains(name) ? CommandScheduler.Access.NONE : CommandScheduler.Access.BARRIER;
            }
            int last = lastKey < 0 ? args.size() + lastKey : lastKey;
            Set<String> keys = new HashSet<>();
            for (int i = firstKey; i <= last && i < args.size(); i += step) {
                keys.add(new String(args.get(i), StandardCharsets.ISO_8859_1));
            }
            return new CommandScheduler.Access(false, flags.contains("write"), keys);
        }

        ByteString describe() {
            return Resp.array(List.of(Resp.bulk(name), Resp.integer(arity),
                    Resp.array(flags.stream().map(Resp::simple).toList()),
                    Resp.integer(firstKey), Resp.integer(lastKey), Resp.integer(step)));
        }
    }

    /** The flag of the commands a connection may send before AUTH when a password is set (Redis's {@code no_auth}). */
    static final String NO_AUTH = "no_auth";

    private static final Map<String, Spec> COMMANDS = new LinkedHashMap<>();

    /** Commands without keys that neither read nor change anything a later command depends on. */
    private static final Set<String> KEYLESS_FREE = Set.of("ping", "echo", "command", "config");

    static {
        add("ping", -1, List.of("fast"), 0, 0, 0, RespSession::ping);
        add("echo", 2, List.of("fast"), 0, 0, 0, RespSession::echo);
        add("get", 2, List.of("readonly", "fast"), 1, 1, 1, RespSession::get);
        add("set", -3, List.of("write", "denyoom"), 1, 1, 1, RespSession::set);
        add("setex", 4, List.of("write", "denyoom"), 1, 1, 1, RespSession::setex);
        add("del", -2, List.of("write"), 1, -1, 1, RespSession::del);
        add("exists", -2, List.of("readonly", "fast"), 1, -1, 1, RespSession::exists);
        add("incr", 2, List.of("write", "denyoom", "fast"), 1, 1, 1, RespSession::incr);
        add("incrby", 3, List.of("write", "denyoom", "fast"), 1, 1, 1, RespSession::incrby);
        add("decr", 2, List.of("write", "denyoom", "fast"), 1, 1, 1, RespSession::decr);
        add("decrby", 3, List.of("write", "denyoom", "fast"), 1, 1, 1, RespSession::decrby);
        add("mget", -2, List.of("readonly", "fast"), 1, -1, 1, RespSession::mget);
        add("mset", -3, List.of("write", "denyoom"), 1, -1, 2, RespSession::mset);
        add("expire", -3, List.of("write", "fast"), 1, 1, 1, RespSession::expire);
        add("ttl", 2, List.of("readonly", "fast"), 1, 1, 1, RespSession::ttl);
        add("pttl", 2, List.of("readonly", "fast"), 1, 1, 1, RespSession::pttl);
        add("persist", 2, List.of("write", "fast"), 1, 1, 1, RespSession::persist);
        add("dbsize", 1, List.of("readonly", "fast"), 0, 0, 0, RespSession::dbsize);
        add("select", 2, List.of("loading", "fast"), 0, 0, 0, RespSession::select);
        add("info", -1, List.of("loading"), 0, 0, 0, RespSession::info);
        add("command", -1, List.of("loading"), 0, 0, 0, RespSession::command);
        add("client", -2, List.of("loading"), 0, 0, 0, RespSession::client);
        add("hello", -1, List.of("noscript", "loading", "fast", NO_AUTH), 0, 0, 0, RespSession::hello);
        add("auth", -2, List.of("noscript", "loading", "fast", NO_AUTH), 0, 0, 0, RespSession::auth);
        add("config", -2, List.of("admin", "loading"), 0, 0, 0, RespSession::config);
        // QUIT is answered by the session itself: it closes the connection.
        add("quit", -1, List.of("fast", NO_AUTH), 0, 0, 0, (session, args) -> {
            throw new IllegalStateException("QUIT is handled by the session");
        });
    }

    private RespCommands() {}

    private static void add(String name, int arity, List<String> flags, int first, int last, int step, Handler handler) {
        COMMANDS.put(name, new Spec(name, arity, flags, first, last, step, handler));
    }

    /** The command called {@code lowerCaseName}, or null. */
    static Spec spec(String lowerCaseName) {
        return COMMANDS.get(lowerCaseName);
    }

    static List<Spec> all() {
        return List.copyOf(COMMANDS.values());
    }
}
