package io.strata.node.kv.resp;

import io.strata.node.kv.HashValue;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.ListValue;
import io.strata.node.kv.ZSetValue;
import org.apache.pekko.util.ByteString;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

import static io.strata.node.kv.resp.RespSession.ascii;
import static io.strata.node.kv.resp.RespSession.fail;
import static io.strata.node.kv.resp.RespSession.key;

/**
 * OBJECT ENCODING / REFCOUNT / IDLETIME / FREQ / HELP. Strata packs every value compactly; ENCODING
 * names the encoding Redis 7.0 would give the value under the thresholds CONFIG SET gave
 * ({@link EncodingParameters}), which is what clients and Redis's tests look at. Access times and
 * frequencies are not tracked (Strata evicts nothing), so IDLETIME and FREQ refuse as Redis does
 * when its eviction policy does not track them. Stateless.
 */
final class RespObject {

    private static final List<String> HELP = List.of(
            "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>", "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>", "    Return the number of references of the value associated with the specified",
            "    <key>.",
            "HELP", "    Print this help.");
    /** Redis's longest string held inside its object header. */
    private static final int EMBSTR_MAX = 44;

    private RespObject() {}

    static CompletionStage<ByteString> object(RespSession session, List<byte[]> args) {
        String sub = ascii(args.get(1)).toUpperCase(Locale.ROOT);
        if (sub.equals("HELP") && args.size() == 2) {
            return java.util.concurrent.CompletableFuture.completedFuture(Resp.array(HELP.stream().map(Resp::simple).toList()));
        }
        if (!List.of("ENCODING", "REFCOUNT", "IDLETIME", "FREQ").contains(sub)) {
            return fail("ERR unknown subcommand '" + ascii(args.get(1)) + "'. Try OBJECT HELP.");
        }
        if (args.size() != 3) {
            return RespSession.wrongArity("object|" + sub.toLowerCase(Locale.ROOT));
        }
        return session.find(key(args.get(2))).thenApply(found -> {
            if (found == null) {
                return session.resp().nullBulk();
            }
            return switch (sub) {
                case "ENCODING" -> Resp.bulk(encoding(found, session.info().encodings()));
                case "REFCOUNT" -> Resp.integer(1);
                case "IDLETIME" -> throw new RespSession.RespError("ERR An LRU maxmemory policy is not selected, access time not tracked."
                        + " Strata does not evict keys.");
                default -> throw new RespSession.RespError("ERR An LFU maxmemory policy is not selected, access frequency not tracked."
                        + " Strata does not evict keys.");
            };
        });
    }

    /** The encoding Redis 7.0 would hold {@code found} in. */
    static String encoding(KvPartition.Found found, EncodingParameters limits) {
        byte[] value = found.value();
        return switch (found.type()) {
            case STRING -> value.length <= 20 && KvPartition.parseLong(value) != null ? "int" : value.length <= EMBSTR_MAX ? "embstr" : "raw";
            case HASH -> {
                List<HashValue.Field> fields = HashValue.fields(value);
                long max = limits.get("hash-max-listpack-value");
                yield fields.size() <= limits.get("hash-max-listpack-entries")
                        && fields.stream().allMatch(f -> f.name().length <= max && f.value().length <= max) ? "listpack" : "hashtable";
            }
            case LIST -> "quicklist";
            case SET -> {
                List<byte[]> members = ListValue.elements(value);
                yield members.size() <= limits.get("set-max-intset-entries")
                        && members.stream().allMatch(m -> m.length <= 20 && KvPartition.parseLong(m) != null) ? "intset" : "hashtable";
            }
            case ZSET -> {
                List<ZSetValue.Member> members = ZSetValue.members(value);
                long max = limits.get("zset-max-listpack-value");
                yield members.size() <= limits.get("zset-max-listpack-entries")
                        && members.stream().allMatch(m -> m.name().length <= max) ? "listpack" : "skiplist";
            }
        };
    }
}
