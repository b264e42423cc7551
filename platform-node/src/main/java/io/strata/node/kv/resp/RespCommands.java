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

    /** What {@code COMMAND DOCS} tells of a command: its group, the Redis version that added it, a one-line summary. */
    record Doc(String group, String since, String summary) {}

    /**
     * A command: its lower-case name, arity, flags and first/last/step key positions, its
     * documentation and its handler.
     */
    record Spec(String name, int arity, List<String> flags, int firstKey, int lastKey, int step, Doc doc, Handler handler) {

        /**
         * What the command touches, for {@link CommandScheduler}: its keys by its key positions;
         * a command without keys touches nothing shared when it is one of {@link #KEYLESS_FREE},
         * else it is a barrier (SELECT, DBSIZE, INFO, CLIENT, HELLO, AUTH).
         */
        CommandScheduler.Access access(List<byte[]> args) {
            if (firstKey == 0) {
                return KEYLESS_FREE.contains(name) ? CommandScheduler.Access.NONE : CommandScheduler.Access.BARRIER;
            }
            Set<String> keys = new HashSet<>();
            keyArgs(args).forEach(key -> keys.add(new String(key, StandardCharsets.ISO_8859_1)));
            return new CommandScheduler.Access(false, writes(), keys);
        }

        /** Whether it may change what its keys hold. */
        boolean writes() {
            return flags.contains("write");
        }

        /** The keys a write names, as the store names them; none for a command that does not write or names no key. */
        List<String> writtenKeys(List<byte[]> args) {
            return firstKey == 0 || !writes() ? List.of() : keyArgs(args).stream().map(RespSession::key).toList();
        }

        /** The arguments at its key positions. */
        private List<byte[]> keyArgs(List<byte[]> args) {
            int last = lastKey < 0 ? args.size() + lastKey : lastKey;
            List<byte[]> keys = new java.util.ArrayList<>();
            for (int i = firstKey; i <= last && i < args.size(); i += step) {
                keys.add(args.get(i));
            }
            return keys;
        }

        /**
         * Whether MULTI may queue it: a command with keys (its steps go to their partition), or one
         * that touches nothing shared.
         */
        boolean transactional() {
            // LMOVE between two lists is a two-key step of its own, which a transaction does not take.
            return (firstKey > 0 && !NOT_IN_TRANSACTIONS.contains(name)) || Set.of("ping", "echo", "time").contains(name);
        }

        /** The command's entry in a {@code COMMAND} reply (the first six fields, which redis-cli reads; flags a set in RESP3). */
        ByteString describe(Resp resp) {
            return Resp.array(List.of(Resp.bulk(name), Resp.integer(arity),
                    resp.set(flags.stream().map(Resp::simple).toList()),
                    Resp.integer(firstKey), Resp.integer(lastKey), Resp.integer(step)));
        }

        /** The command's entry in a {@code COMMAND DOCS} reply: a map of summary, since and group. */
        ByteString docs(Resp resp) {
            return resp.map(List.of(Resp.bulk("summary"), Resp.bulk(doc.summary()), Resp.bulk("since"), Resp.bulk(doc.since()),
                    Resp.bulk("group"), Resp.bulk(doc.group())));
        }
    }

    /** The flag of the commands a connection may send before AUTH when a password is set (Redis's {@code no_auth}). */
    static final String NO_AUTH = "no_auth";

    private static final Map<String, Spec> COMMANDS = new LinkedHashMap<>();

    /**
     * Commands with keys that a transaction cannot take: LMOVE between two lists is a step of its
     * own, blocking pops wait, and the STORE forms of sets read before they write.
     */
    private static final Set<String> NOT_IN_TRANSACTIONS = Set.of("lmove", "rpoplpush", "blpop", "brpop", "blmove", "brpoplpush", "lmpop",
            "blmpop", "sinterstore", "sunionstore", "sdiffstore", "smove", "move", "bzpopmin", "bzpopmax", "zunionstore", "zinterstore",
            "zdiffstore", "zrangestore");

    /** Commands without keys that neither read nor change anything a later command depends on. */
    private static final Set<String> KEYLESS_FREE = Set.of("ping", "echo", "command", "config", "time");

    static {
        add("ping", -1, List.of("fast"), 0, 0, 0, connection("1.0.0", "Returns the server's liveliness response."), RespSession::ping);
        add("echo", 2, List.of("fast"), 0, 0, 0, connection("1.0.0", "Returns the given string."), RespSession::echo);
        add("get", 2, List.of("readonly", "fast"), 1, 1, 1, string("1.0.0", "Returns the string value of a key."), RespSession::get);
        add("set", -3, List.of("write", "denyoom"), 1, 1, 1,
                string("1.0.0", "Sets the string value of a key. The key is created if it doesn't exist."), RespSession::set);
        add("setex", 4, List.of("write", "denyoom"), 1, 1, 1,
                string("2.0.0", "Sets the string value and expiration time of a key."), RespSession::setex);
        add("setnx", 3, List.of("write", "denyoom", "fast"), 1, 1, 1,
                string("1.0.0", "Set the string value of a key only when the key doesn't exist."), RespSession::setnx);
        add("psetex", 4, List.of("write", "denyoom"), 1, 1, 1,
                string("2.6.0", "Sets both string value and expiration time in milliseconds of a key."), RespSession::psetex);
        add("getset", 3, List.of("write", "denyoom", "fast"), 1, 1, 1,
                string("1.0.0", "Returns the previous string value of a key after setting it to a new value."), RespSession::getset);
        add("getdel", 2, List.of("write", "fast"), 1, 1, 1, string("6.2.0", "Returns the string value of a key after deleting the key."),
                RespSession::getdel);
        add("getex", -2, List.of("write", "fast"), 1, 1, 1,
                string("6.2.0", "Returns the string value of a key after setting its expiration time."), RespSession::getex);
        add("append", 3, List.of("write", "denyoom", "fast"), 1, 1, 1,
                string("2.0.0", "Appends a string to the value of a key. Creates the key if it doesn't exist."), RespSession::append);
        add("strlen", 2, List.of("readonly", "fast"), 1, 1, 1, string("2.2.0", "Returns the length of a string value."),
                RespSession::strlen);
        add("getrange", 4, List.of("readonly"), 1, 1, 1, string("2.4.0", "Returns a substring of the string stored at a key."),
                RespSession::getrange);
        add("setrange", 4, List.of("write", "denyoom"), 1, 1, 1,
                string("2.2.0", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist."),
                RespSession::setrange);
        add("incrbyfloat", 3, List.of("write", "denyoom", "fast"), 1, 1, 1,
                string("2.6.0", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't"
                        + " exist."),
                RespSession::incrbyfloat);
        add("setbit", 4, List.of("write", "denyoom"), 1, 1, 1, bitmap("2.2.0", "Sets or clears the bit at offset of the string value."
                + " Creates the key if it doesn't exist."), RespBits::setbit);
        add("getbit", 3, List.of("readonly", "fast"), 1, 1, 1, bitmap("2.2.0", "Returns a bit value by offset."), RespBits::getbit);
        add("bitcount", -2, List.of("readonly"), 1, 1, 1, bitmap("2.6.0", "Counts the number of set bits (population counting) in a"
                + " string."), RespBits::bitcount);
        add("lcs", -3, List.of("readonly"), 1, 2, 1, string("7.0.0", "Finds the longest common substring."), RespLcs::lcs);
        add("del", -2, List.of("write"), 1, -1, 1, generic("1.0.0", "Deletes one or more keys."), RespSession::del);
        add("unlink", -2, List.of("write", "fast"), 1, -1, 1, generic("4.0.0", "Asynchronously deletes one or more keys."),
                RespSession::del);
        add("touch", -2, List.of("readonly", "fast"), 1, -1, 1,
                generic("3.2.1", "Returns the number of existing keys out of those specified after updating the time they were last"
                        + " accessed."),
                RespSession::exists);
        add("type", 2, List.of("readonly", "fast"), 1, 1, 1, generic("1.0.0", "Determines the type of value stored at a key."),
                RespSession::type);
        add("keys", 2, List.of("readonly"), 0, 0, 0, generic("1.0.0", "Returns all key names that match a pattern."), RespSession::keys);
        add("scan", -2, List.of("readonly"), 0, 0, 0, generic("2.8.0", "Iterates over the key names in the database."), RespSession::scan);
        add("randomkey", 1, List.of("readonly"), 0, 0, 0, generic("1.0.0", "Returns a random key name from the database."),
                RespSession::randomkey);
        add("flushdb", -1, List.of("write"), 0, 0, 0, server("1.0.0", "Remove all keys from the current database."),
                RespSession::flushdb);
        add("flushall", -1, List.of("write"), 0, 0, 0, server("1.0.0", "Removes all keys from all databases."), RespSession::flushall);
        add("exists", -2, List.of("readonly", "fast"), 1, -1, 1, generic("1.0.0", "Determines whether one or more keys exist."),
                RespSession::exists);
        add("incr", 2, List.of("write", "denyoom", "fast"), 1, 1, 1,
                string("1.0.0", "Increments the integer value of a key by one."), RespSession::incr);
        add("incrby", 3, List.of("write", "denyoom", "fast"), 1, 1, 1,
                string("1.0.0", "Increments the integer value of a key by a number."), RespSession::incrby);
        add("decr", 2, List.of("write", "denyoom", "fast"), 1, 1, 1,
                string("1.0.0", "Decrements the integer value of a key by one."), RespSession::decr);
        add("decrby", 3, List.of("write", "denyoom", "fast"), 1, 1, 1,
                string("1.0.0", "Decrements a number from the integer value of a key."), RespSession::decrby);
        add("mget", -2, List.of("readonly", "fast"), 1, -1, 1, string("1.0.0", "Atomically returns the string values of one or more keys."),
                RespSession::mget);
        add("mset", -3, List.of("write", "denyoom"), 1, -1, 2, string("1.0.1", "Sets the string values of one or more keys."),
                RespSession::mset);
        add("msetnx", -3, List.of("write", "denyoom"), 1, -1, 2,
                string("1.0.1", "Atomically modifies the string values of one or more keys only when all keys don't exist."),
                RespSession::msetnx);
        add("expire", -3, List.of("write", "fast"), 1, 1, 1, generic("1.0.0", "Sets the expiration time of a key in seconds."),
                RespSession::expire);
        add("pexpire", -3, List.of("write", "fast"), 1, 1, 1, generic("2.6.0", "Sets the expiration time of a key in milliseconds."),
                RespSession::pexpire);
        add("expireat", -3, List.of("write", "fast"), 1, 1, 1,
                generic("1.2.0", "Sets the expiration time of a key to a Unix timestamp."), RespSession::expireat);
        add("pexpireat", -3, List.of("write", "fast"), 1, 1, 1,
                generic("2.6.0", "Sets the expiration time of a key to a Unix milliseconds timestamp."), RespSession::pexpireat);
        add("expiretime", 2, List.of("readonly", "fast"), 1, 1, 1,
                generic("7.0.0", "Returns the expiration time of a key as a Unix timestamp."), RespSession::expiretime);
        add("pexpiretime", 2, List.of("readonly", "fast"), 1, 1, 1,
                generic("7.0.0", "Returns the expiration time of a key as a Unix milliseconds timestamp."), RespSession::pexpiretime);
        add("ttl", 2, List.of("readonly", "fast"), 1, 1, 1, generic("1.0.0", "Returns the expiration time in seconds of a key."),
                RespSession::ttl);
        add("pttl", 2, List.of("readonly", "fast"), 1, 1, 1, generic("2.6.0", "Returns the expiration time in milliseconds of a key."),
                RespSession::pttl);
        add("persist", 2, List.of("write", "fast"), 1, 1, 1, generic("2.2.0", "Removes the expiration time of a key."),
                RespSession::persist);
        add("dbsize", 1, List.of("readonly", "fast"), 0, 0, 0, server("1.0.0", "Returns the number of keys in the database."),
                RespSession::dbsize);
        add("select", 2, List.of("loading", "fast"), 0, 0, 0, connection("1.0.0", "Changes the selected database."), RespSession::select);
        add("info", -1, List.of("loading"), 0, 0, 0, server("1.0.0", "Returns information and statistics about the server."),
                RespSession::info);
        add("command", -1, List.of("loading"), 0, 0, 0, server("2.8.13", "Returns detailed information about all commands."),
                RespSession::command);
        add("client", -2, List.of("loading"), 0, 0, 0, connection("2.4.0", "A container for client connection commands."),
                RespSession::client);
        add("hello", -1, List.of("noscript", "loading", "fast", NO_AUTH), 0, 0, 0, connection("6.0.0", "Handshakes with the Redis server."),
                RespSession::hello);
        add("auth", -2, List.of("noscript", "loading", "fast", NO_AUTH), 0, 0, 0, connection("1.0.0", "Authenticates the connection."),
                RespSession::auth);
        add("reset", 1, List.of("noscript", "loading", "fast", NO_AUTH), 0, 0, 0, connection("6.2.0", "Resets the connection."),
                RespSession::reset);
        add("time", 1, List.of("loading", "fast"), 0, 0, 0, server("2.6.0", "Returns the server time."), RespSession::time);
        add("function", -2, List.of("noscript"), 0, 0, 0, scripting("7.0.0", "A container for function commands."), RespSession::function);
        add("config", -2, List.of("admin", "loading"), 0, 0, 0, server("2.0.0", "A container for server configuration commands."),
                RespSession::config);
        add("memory", -2, List.of("readonly"), 2, 2, 1, server("4.0.0", "A container for memory diagnostics commands."),
                RespSession::memory);
        add("object", -2, List.of("readonly"), 2, 2, 1, generic("2.2.3", "A container for object introspection commands."),
                RespObject::object);
        addHashCommands();
        addListCommands();
        addBlockingListCommands();
        addSetCommands();
        addSortedSetCommands();
        add("rename", 3, List.of("write"), 1, 2, 1, generic("1.0.0", "Renames a key and overwrites the destination."),
                RespKeyCopies::rename);
        add("renamenx", 3, List.of("write", "fast"), 1, 2, 1,
                generic("1.0.0", "Renames a key only when the target key name doesn't exist."),
                RespKeyCopies::renamenx);
        add("move", 3, List.of("write", "fast"), 1, 1, 1, generic("1.0.0", "Moves a key to another database."), RespKeyCopies::move);
        add("copy", -3, List.of("write", "denyoom"), 1, 2, 1, generic("6.2.0", "Copies the value of a key to a new key."),
                RespKeyCopies::copy);
        // The session itself answers these: they open, run, drop and guard its transaction.
        add("multi", 1, List.of("noscript", "loading", "fast"), 0, 0, 0, transactions("1.2.0", "Starts a transaction."),
                RespCommands::answeredBySession);
        add("exec", 1, List.of("noscript", "loading"), 0, 0, 0, transactions("1.2.0", "Executes all commands in a transaction."),
                RespCommands::answeredBySession);
        add("discard", 1, List.of("noscript", "loading", "fast"), 0, 0, 0, transactions("2.0.0", "Discards a transaction."),
                RespCommands::answeredBySession);
        add("watch", -2, List.of("noscript", "loading", "fast"), 1, -1, 1,
                transactions("2.2.0", "Monitors changes to keys to determine the execution of a transaction."),
                RespCommands::answeredBySession);
        add("unwatch", 1, List.of("noscript", "loading", "fast"), 0, 0, 0,
                transactions("2.2.0", "Forgets about watched keys of a transaction."), RespCommands::answeredBySession);
        // QUIT is answered by the session itself: it closes the connection.
        add("quit", -1, List.of("fast", NO_AUTH), 0, 0, 0, connection("1.0.0", "Closes the connection."), (session, args) -> {
            throw new IllegalStateException("QUIT is handled by the session");
        });
    }

    private RespCommands() {}

    private static void addListCommands() {
        List<String> write = List.of("write", "denyoom", "fast");
        List<String> change = List.of("write", "fast");
        List<String> read = List.of("readonly", "fast");
        add("lpush", -3, write, 1, 1, 1, list("1.0.0", "Prepends one or more elements to a list. Creates the key if it doesn't exist."),
                RespLists::lpush);
        add("rpush", -3, write, 1, 1, 1, list("1.0.0", "Appends one or more elements to a list. Creates the key if it doesn't exist."),
                RespLists::rpush);
        add("lpushx", -3, write, 1, 1, 1, list("2.2.0", "Prepends one or more elements to a list only when the list exists."),
                RespLists::lpushx);
        add("rpushx", -3, write, 1, 1, 1, list("2.2.0", "Appends an element to a list only when the list exists."), RespLists::rpushx);
        add("lpop", -2, change, 1, 1, 1, list("1.0.0", "Returns the first elements in a list after removing it."), RespLists::lpop);
        add("rpop", -2, change, 1, 1, 1, list("1.0.0", "Returns and removes the last elements of a list."), RespLists::rpop);
        add("llen", 2, read, 1, 1, 1, list("1.0.0", "Returns the length of a list."), RespLists::llen);
        add("lindex", 3, List.of("readonly"), 1, 1, 1, list("1.0.0", "Returns an element from a list by its index."), RespLists::lindex);
        add("lrange", 4, List.of("readonly"), 1, 1, 1, list("1.0.0", "Returns a range of elements from a list."), RespLists::lrange);
        add("lpos", -3, List.of("readonly"), 1, 1, 1, list("6.0.6", "Returns the index of matching elements in a list."), RespLists::lpos);
        add("lset", 4, List.of("write", "denyoom"), 1, 1, 1, list("1.0.0", "Sets the value of an element in a list by its index."),
                RespLists::lset);
        add("lrem", 4, List.of("write"), 1, 1, 1, list("1.0.0", "Removes elements from a list."), RespLists::lrem);
        add("ltrim", 4, List.of("write"), 1, 1, 1, list("1.0.0", "Removes elements from both ends a list."), RespLists::ltrim);
        add("linsert", 5, List.of("write", "denyoom"), 1, 1, 1,
                list("2.2.0", "Inserts an element before or after another element in a list."),
                RespLists::linsert);
        add("lmove", 5, List.of("write", "denyoom"), 1, 2, 1,
                list("6.2.0", "Returns an element after popping it from one list and pushing it to another."), RespLists::lmove);
        add("rpoplpush", 3, List.of("write", "denyoom"), 1, 2, 1,
                list("1.2.0", "Returns the last element of a list after removing and pushing it to another list."), RespLists::rpoplpush);
    }

    private static void addBlockingListCommands() {
        List<String> blocking = List.of("write", "noscript", "blocking");
        add("blpop", -3, blocking, 1, -2, 1, list("2.0.0", "Removes and returns the first element in a list. Blocks until an element is"
                + " available otherwise. Deletes the list if the last element was popped."), RespLists::blpop);
        add("brpop", -3, blocking, 1, -2, 1, list("2.0.0", "Removes and returns the last element in a list. Blocks until an element is"
                + " available otherwise. Deletes the list if the last element was popped."), RespLists::brpop);
        add("blmove", 6, List.of("write", "denyoom", "noscript", "blocking"), 1, 2, 1, list("6.2.0", "Pops an element from a list,"
                + " pushes it to another list and returns it. Blocks until an element is available otherwise."), RespLists::blmove);
        add("lmpop", -4, List.of("write"), 0, 0, 0, list("7.0.0", "Returns multiple elements from a list after removing them. Deletes"
                + " the list if the last element was popped."), RespLists::lmpop);
        add("blmpop", -5, blocking, 0, 0, 0, list("7.0.0", "Pops the first element from one of multiple lists. Blocks until an element is"
                + " available otherwise. Deletes the list if the last element was popped."), RespLists::blmpop);
        add("brpoplpush", 4, List.of("write", "denyoom", "noscript", "blocking"), 1, 2, 1, list("2.2.0", "Pops an element from a"
                + " list, pushes it to another list and returns it. Block until an element is available otherwise."),
                RespLists::brpoplpush);
    }

    private static void addSetCommands() {
        List<String> write = List.of("write", "denyoom", "fast");
        List<String> read = List.of("readonly", "fast");
        add("sadd", -3, write, 1, 1, 1, set("1.0.0", "Adds one or more members to a set. Creates the key if it doesn't exist."),
                RespSets::sadd);
        add("srem", -3, List.of("write", "fast"), 1, 1, 1, set("1.0.0", "Removes one or more members from a set."), RespSets::srem);
        add("spop", -2, List.of("write", "fast"), 1, 1, 1,
                set("1.0.0", "Returns one or more random members from a set after removing them."),
                RespSets::spop);
        add("smove", 4, List.of("write", "fast"), 1, 2, 1, set("1.0.0", "Moves a member from one set to another."), RespSets::smove);
        add("smembers", 2, List.of("readonly"), 1, 1, 1, set("1.0.0", "Returns all members of a set."), RespSets::smembers);
        add("scard", 2, read, 1, 1, 1, set("1.0.0", "Returns the number of members in a set."), RespSets::scard);
        add("sismember", 3, read, 1, 1, 1, set("1.0.0", "Determines whether a member belongs to a set."), RespSets::sismember);
        add("smismember", -3, read, 1, 1, 1, set("6.2.0", "Determines whether multiple members belong to a set."), RespSets::smismember);
        add("srandmember", -2, List.of("readonly"), 1, 1, 1, set("1.0.0", "Get one or multiple random members from a set"),
                RespSets::srandmember);
        add("sscan", -3, List.of("readonly"), 1, 1, 1, set("2.8.0", "Iterates over members of a set."), RespSets::sscan);
        add("sinter", -2, List.of("readonly"), 1, -1, 1, set("1.0.0", "Returns the intersect of multiple sets."), RespSets::sinter);
        add("sunion", -2, List.of("readonly"), 1, -1, 1, set("1.0.0", "Returns the union of multiple sets."), RespSets::sunion);
        add("sdiff", -2, List.of("readonly"), 1, -1, 1, set("1.0.0", "Returns the difference of multiple sets."), RespSets::sdiff);
        add("sintercard", -3, List.of("readonly"), 0, 0, 0,
                set("7.0.0", "Returns the number of members of the intersect of multiple sets."),
                RespSets::sintercard);
        add("sinterstore", -3, List.of("write", "denyoom"), 1, -1, 1,
                set("1.0.0", "Stores the intersect of multiple sets in a key."), RespSets::sinterstore);
        add("sunionstore", -3, List.of("write", "denyoom"), 1, -1, 1,
                set("1.0.0", "Stores the union of multiple sets in a key."), RespSets::sunionstore);
        add("sdiffstore", -3, List.of("write", "denyoom"), 1, -1, 1,
                set("1.0.0", "Stores the difference of multiple sets in a key."), RespSets::sdiffstore);
    }

    private static void addSortedSetCommands() {
        List<String> write = List.of("write", "denyoom", "fast");
        List<String> change = List.of("write", "fast");
        List<String> read = List.of("readonly", "fast");
        List<String> slowRead = List.of("readonly");
        add("zadd", -4, write, 1, 1, 1, zset("1.2.0", "Adds one or more members to a sorted set, or updates their scores. Creates the key if"
                + " it doesn't exist."), RespSortedSets::zadd);
        add("zincrby", 4, write, 1, 1, 1, zset("1.2.0", "Increments the score of a member in a sorted set."), RespSortedSets::zincrby);
        add("zrem", -3, change, 1, 1, 1, zset("1.2.0", "Removes one or more members from a sorted set. Deletes the sorted set if all"
                + " members were removed."), RespSortedSets::zrem);
        add("zpopmin", -2, change, 1, 1, 1, zset("5.0.0", "Returns the lowest-scoring members from a sorted set after removing them."
                + " Deletes the sorted set if the last member was popped."), RespSortedSets::zpopmin);
        add("zpopmax", -2, change, 1, 1, 1, zset("5.0.0", "Returns the highest-scoring members from a sorted set after removing them."
                + " Deletes the sorted set if the last member was popped."), RespSortedSets::zpopmax);
        add("zmpop", -4, List.of("write"), 0, 0, 0, zset("7.0.0", "Returns the highest- or lowest-scoring members from one or more"
                + " sorted sets after removing them. Deletes the sorted set if the last member was popped."), RespSortedSets::zmpop);
        List<String> blocking = List.of("write", "noscript", "blocking", "fast");
        add("bzpopmin", -3, blocking, 1, -2, 1, zset("5.0.0", "Removes and returns the member with the lowest score from one or more"
                + " sorted sets. Blocks until a member is available otherwise."), RespSortedSets::bzpopmin);
        add("bzpopmax", -3, blocking, 1, -2, 1, zset("5.0.0", "Removes and returns the member with the highest score from one or more"
                + " sorted sets. Blocks until a member available otherwise."), RespSortedSets::bzpopmax);
        add("bzmpop", -5, List.of("write", "blocking"), 0, 0, 0, zset("7.0.0", "Removes and returns a member by score from one or more"
                + " sorted sets. Blocks until a member is available otherwise."), RespSortedSets::bzmpop);
        add("zremrangebyrank", 4, List.of("write"), 1, 1, 1, zset("2.0.0", "Removes members in a sorted set within a range of indexes."),
                RespSortedSets::zremrangebyrank);
        add("zremrangebyscore", 4, List.of("write"), 1, 1, 1, zset("1.2.0", "Removes members in a sorted set within a range of scores."),
                RespSortedSets::zremrangebyscore);
        add("zremrangebylex", 4, List.of("write"), 1, 1, 1, zset("2.8.9", "Removes members in a sorted set within a lexicographical"
                + " range."), RespSortedSets::zremrangebylex);
        add("zrangestore", -5, List.of("write", "denyoom"), 1, 2, 1, zset("6.2.0", "Stores a range of members from sorted set in a key."),
                RespSortedSets::zrangestore);
        add("zunionstore", -4, List.of("write", "denyoom"), 1, -1, 1, zset("2.0.0", "Stores the union of multiple sorted sets in a key."),
                RespSortedSets::zunionstore);
        add("zinterstore", -4, List.of("write", "denyoom"), 1, -1, 1, zset("2.0.0", "Stores the intersect of multiple sorted sets in a"
                + " key."), RespSortedSets::zinterstore);
        add("zdiffstore", -4, List.of("write", "denyoom"), 1, -1, 1, zset("6.2.0", "Stores the difference of multiple sorted sets in a"
                + " key."), RespSortedSets::zdiffstore);
        add("zcard", 2, read, 1, 1, 1, zset("1.2.0", "Returns the number of members in a sorted set."), RespSortedSets::zcard);
        add("zscore", 3, read, 1, 1, 1, zset("1.2.0", "Returns the score of a member in a sorted set."), RespSortedSets::zscore);
        add("zmscore", -3, read, 1, 1, 1, zset("6.2.0", "Returns the score of one or more members in a sorted set."),
                RespSortedSets::zmscore);
        add("zcount", 4, read, 1, 1, 1, zset("2.0.0", "Returns the count of members in a sorted set that have scores within a range."),
                RespSortedSets::zcount);
        add("zlexcount", 4, read, 1, 1, 1, zset("2.8.9", "Returns the number of members in a sorted set within a lexicographical range."),
                RespSortedSets::zlexcount);
        add("zrank", -3, read, 1, 1, 1, zset("2.0.0", "Returns the index of a member in a sorted set ordered by ascending scores."),
                RespSortedSets::zrank);
        add("zrevrank", -3, read, 1, 1, 1, zset("2.0.0", "Returns the index of a member in a sorted set ordered by descending scores."),
                RespSortedSets::zrevrank);
        add("zrange", -4, slowRead, 1, 1, 1, zset("1.2.0", "Returns members in a sorted set within a range of indexes."),
                RespSortedSets::zrange);
        add("zrevrange", -4, slowRead, 1, 1, 1, zset("1.2.0", "Returns members in a sorted set within a range of indexes in reverse"
                + " order."), RespSortedSets::zrevrange);
        add("zrangebyscore", -4, slowRead, 1, 1, 1, zset("1.0.5", "Returns members in a sorted set within a range of scores."),
                RespSortedSets::zrangebyscore);
        add("zrevrangebyscore", -4, slowRead, 1, 1, 1, zset("2.2.0", "Returns members in a sorted set within a range of scores in"
                + " reverse order."), RespSortedSets::zrevrangebyscore);
        add("zrangebylex", -4, slowRead, 1, 1, 1, zset("2.8.9", "Returns members in a sorted set within a lexicographical range."),
                RespSortedSets::zrangebylex);
        add("zrevrangebylex", -4, slowRead, 1, 1, 1, zset("2.8.9", "Returns members in a sorted set within a lexicographical range in"
                + " reverse order."), RespSortedSets::zrevrangebylex);
        add("zrandmember", -2, slowRead, 1, 1, 1, zset("6.2.0", "Returns one or more random members from a sorted set."),
                RespSortedSets::zrandmember);
        add("zscan", -3, slowRead, 1, 1, 1, zset("2.8.0", "Iterates over members and scores of a sorted set."), RespSortedSets::zscan);
        add("zunion", -3, slowRead, 0, 0, 0, zset("6.2.0", "Returns the union of multiple sorted sets."), RespSortedSets::zunion);
        add("zinter", -3, slowRead, 0, 0, 0, zset("6.2.0", "Returns the intersect of multiple sorted sets."), RespSortedSets::zinter);
        add("zdiff", -3, slowRead, 0, 0, 0, zset("6.2.0", "Returns the difference between multiple sorted sets."), RespSortedSets::zdiff);
        add("zintercard", -3, slowRead, 0, 0, 0, zset("7.0.0", "Returns the number of members of the intersect of multiple sorted"
                + " sets."), RespSortedSets::zintercard);
    }

    private static Doc bitmap(String since, String summary) {
        return new Doc("bitmap", since, summary);
    }

    private static Doc zset(String since, String summary) {
        return new Doc("sorted-set", since, summary);
    }

    private static Doc set(String since, String summary) {
        return new Doc("set", since, summary);
    }

    private static Doc list(String since, String summary) {
        return new Doc("list", since, summary);
    }

    private static void addHashCommands() {
        List<String> write = List.of("write", "denyoom", "fast");
        List<String> change = List.of("write", "fast");
        List<String> read = List.of("readonly", "fast");
        add("hset", -4, write, 1, 1, 1, hash("2.0.0", "Creates or modifies the value of a field in a hash."), RespHashes::hset);
        add("hmset", -4, write, 1, 1, 1, hash("2.0.0", "Sets the values of multiple fields."), RespHashes::hmset);
        add("hsetnx", 4, write, 1, 1, 1, hash("2.0.0", "Sets the value of a field in a hash only when the field doesn't exist."),
                RespHashes::hsetnx);
        add("hget", 3, read, 1, 1, 1, hash("2.0.0", "Returns the value of a field in a hash."), RespHashes::hget);
        add("hmget", -3, read, 1, 1, 1, hash("2.0.0", "Returns the values of all fields in a hash."), RespHashes::hmget);
        add("hgetall", 2, List.of("readonly"), 1, 1, 1, hash("2.0.0", "Returns all fields and values in a hash."), RespHashes::hgetall);
        add("hkeys", 2, List.of("readonly"), 1, 1, 1, hash("2.0.0", "Returns all fields in a hash."), RespHashes::hkeys);
        add("hvals", 2, List.of("readonly"), 1, 1, 1, hash("2.0.0", "Returns all values in a hash."), RespHashes::hvals);
        add("hlen", 2, read, 1, 1, 1, hash("2.0.0", "Returns the number of fields in a hash."), RespHashes::hlen);
        add("hexists", 3, read, 1, 1, 1, hash("2.0.0", "Determines whether a field exists in a hash."), RespHashes::hexists);
        add("hstrlen", 3, read, 1, 1, 1, hash("3.2.0", "Returns the length of the value of a field."), RespHashes::hstrlen);
        add("hdel", -3, change, 1, 1, 1, hash("2.0.0", "Deletes one or more fields and their values from a hash."), RespHashes::hdel);
        add("hincrby", 4, write, 1, 1, 1, hash("2.0.0", "Increments the integer value of a field in a hash by a number."),
                RespHashes::hincrby);
        add("hincrbyfloat", 4, write, 1, 1, 1, hash("2.6.0", "Increments the floating point value of a field by a number."),
                RespHashes::hincrbyfloat);
        add("hrandfield", -2, List.of("readonly"), 1, 1, 1, hash("6.2.0", "Returns one or more random fields from a hash."),
                RespHashes::hrandfield);
        add("hscan", -3, List.of("readonly"), 1, 1, 1, hash("2.8.0", "Iterates over fields and values of a hash."), RespHashes::hscan);
        add("hexpire", -6, change, 1, 1, 1, hash("7.4.0", "Set expiry for hash field using relative time to expire (seconds)"),
                RespHashes::hexpire);
        add("hpexpire", -6, change, 1, 1, 1, hash("7.4.0", "Set expiry for hash field using relative time to expire (milliseconds)"),
                RespHashes::hpexpire);
        add("hexpireat", -6, change, 1, 1, 1, hash("7.4.0", "Set expiry for hash field using an absolute Unix timestamp (seconds)"),
                RespHashes::hexpireat);
        add("hpexpireat", -6, change, 1, 1, 1, hash("7.4.0", "Set expiry for hash field using an absolute Unix timestamp (milliseconds)"),
                RespHashes::hpexpireat);
        add("httl", -5, read, 1, 1, 1, hash("7.4.0", "Returns the TTL in seconds of a hash field."), RespHashes::httl);
        add("hpttl", -5, read, 1, 1, 1, hash("7.4.0", "Returns the TTL in milliseconds of a hash field."), RespHashes::hpttl);
        add("hexpiretime", -5, read, 1, 1, 1, hash("7.4.0", "Returns the expiration time of a hash field as a Unix timestamp, in seconds."),
                RespHashes::hexpiretime);
        add("hpexpiretime", -5, read, 1, 1, 1,
                hash("7.4.0", "Returns the expiration time of a hash field as a Unix timestamp, in msec."), RespHashes::hpexpiretime);
        add("hpersist", -5, change, 1, 1, 1, hash("7.4.0", "Removes the expiration time for each specified field"), RespHashes::hpersist);
    }

    private static void add(String name, int arity, List<String> flags, int first, int last, int step, Doc doc, Handler handler) {
        COMMANDS.put(name, new Spec(name, arity, flags, first, last, step, doc, handler));
    }

    private static Doc string(String since, String summary) {
        return new Doc("string", since, summary);
    }

    private static CompletionStage<ByteString> answeredBySession(RespSession session, List<byte[]> args) {
        throw new IllegalStateException(new String(args.get(0), StandardCharsets.US_ASCII) + " is handled by the session");
    }

    private static Doc transactions(String since, String summary) {
        return new Doc("transactions", since, summary);
    }

    private static Doc hash(String since, String summary) {
        return new Doc("hash", since, summary);
    }

    private static Doc generic(String since, String summary) {
        return new Doc("generic", since, summary);
    }

    private static Doc connection(String since, String summary) {
        return new Doc("connection", since, summary);
    }

    private static Doc scripting(String since, String summary) {
        return new Doc("scripting", since, summary);
    }

    private static Doc server(String since, String summary) {
        return new Doc("server", since, summary);
    }

    /** The command called {@code lowerCaseName}, or null. */
    static Spec spec(String lowerCaseName) {
        return COMMANDS.get(lowerCaseName);
    }

    static List<Spec> all() {
        return List.copyOf(COMMANDS.values());
    }
}
