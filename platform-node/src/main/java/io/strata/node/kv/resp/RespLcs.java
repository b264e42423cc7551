package io.strata.node.kv.resp;

import io.strata.node.kv.KvPartition;
import io.strata.node.kv.ValueType;
import org.apache.pekko.util.ByteString;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

import static io.strata.node.kv.resp.RespSession.ascii;
import static io.strata.node.kv.resp.RespSession.fail;
import static io.strata.node.kv.resp.RespSession.key;
import static io.strata.node.kv.resp.RespSession.parseLong;

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence of two
 * strings, as Redis 7 computes it (the same table and the same walk back, so the same matches in
 * the same order). The table has a cell per pair of positions: it is refused past
 * {@link #MAX_CELLS} (two strings of 2,000 bytes), where Redis's limit is its 4 GiB of transient
 * memory, so that one command cannot hold a thread for long. Stateless.
 */
final class RespLcs {

    /** The most cells of the table, (length1 + 1) × (length2 + 1): 16 MiB of ints. */
    static final long MAX_CELLS = 4L * 1024 * 1024;

    private RespLcs() {}

    static CompletionStage<ByteString> lcs(RespSession session, List<byte[]> args) {
        boolean len = false;
        boolean idx = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        for (int i = 3; i < args.size(); i++) {
            switch (ascii(args.get(i)).toUpperCase(Locale.ROOT)) {
                case "LEN" -> len = true;
                case "IDX" -> idx = true;
                case "WITHMATCHLEN" -> withMatchLen = true;
                case "MINMATCHLEN" -> {
                    Long n = i + 1 < args.size() ? parseLong(args.get(++i)) : null;
                    if (n == null) {
                        return i >= args.size() ? RespSession.syntaxError() : fail(RespSession.NOT_INTEGER);
                    }
                    minMatchLen = Math.max(0, n);
                }
                default -> {
                    return RespSession.syntaxError();
                }
            }
        }
        if (len && idx) {
            return fail("ERR If you want both the length and indexes, please just use IDX.");
        }
        String a = key(args.get(1));
        String b = key(args.get(2));
        boolean lengthOnly = len;
        boolean indexes = idx;
        boolean matchLen = withMatchLen;
        long minimum = minMatchLen;
        Resp resp = session.resp();
        return session.multiGet(List.of(a, b)).thenApply(found -> {
            byte[] first = value(found.get(a));
            byte[] second = value(found.get(b));
            if ((long) (first.length + 1) * (second.length + 1) > MAX_CELLS) {
                throw new RespSession.RespError("ERR LCS of strings this long (" + first.length + " × " + second.length
                        + " bytes) is over Strata's limit of " + MAX_CELLS + " table cells");
            }
            return reply(resp, first, second, lengthOnly, indexes, matchLen, minimum);
        });
    }

    private static byte[] value(KvPartition.Found found) {
        if (found == null) {
            return new byte[0];
        }
        if (found.type() != ValueType.STRING) {
            throw new RespSession.RespError("ERR The specified keys must contain string values");
        }
        return found.value();
    }

    /** Redis's lcsCommand: the table, then the walk back from its end emitting each run of matches. */
    private static ByteString reply(Resp resp, byte[] a, byte[] b, boolean lengthOnly, boolean indexes, boolean withMatchLen,
                                    long minMatchLen) {
        int alen = a.length;
        int blen = b.length;
        int[] table = new int[(alen + 1) * (blen + 1)];
        for (int i = 1; i <= alen; i++) {
            for (int j = 1; j <= blen; j++) {
                table[i * (blen + 1) + j] = a[i - 1] == b[j - 1] ? table[(i - 1) * (blen + 1) + j - 1] + 1
                        : Math.max(table[(i - 1) * (blen + 1) + j], table[i * (blen + 1) + j - 1]);
            }
        }
        int total = table[alen * (blen + 1) + blen];
        if (lengthOnly) {
            return Resp.integer(total);
        }
        byte[] result = new byte[total];
        List<ByteString> matches = new ArrayList<>();
        int idx = total;
        int aStart = alen;
        int aEnd = 0;
        int bStart = 0;
        int bEnd = 0;
        int i = alen;
        int j = blen;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (a[i - 1] == b[j - 1]) {
                result[idx - 1] = a[i - 1];
                if (aStart == alen) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) {
                    emit = true;
                }
                idx--;
                i--;
                j--;
            } else {
                if (table[(i - 1) * (blen + 1) + j] > table[i * (blen + 1) + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (aStart != alen) {
                    emit = true;
                }
            }
            if (emit) {
                long length = aEnd - aStart + 1;
                if (minMatchLen == 0 || length >= minMatchLen) {
                    List<ByteString> match = new ArrayList<>(List.of(
                            Resp.array(List.of(Resp.integer(aStart), Resp.integer(aEnd))),
                            Resp.array(List.of(Resp.integer(bStart), Resp.integer(bEnd)))));
                    if (withMatchLen) {
                        match.add(Resp.integer(length));
                    }
                    matches.add(Resp.array(match));
                }
                aStart = alen;
            }
        }
        if (indexes) {
            return resp.map(List.of(Resp.bulk("matches"), Resp.array(matches), Resp.bulk("len"), Resp.integer(total)));
        }
        return Resp.bulk(result);
    }
}
