package io.strata.node.kv.resp;

import io.strata.node.common.KeyBytes;

import java.util.List;
import java.util.Locale;

import static io.strata.node.kv.resp.RespSession.ascii;
import static io.strata.node.kv.resp.RespSession.parseLong;

/**
 * The arguments of HSCAN, SSCAN and ZSCAN: {@code key cursor [MATCH pattern] [COUNT count]}, and
 * for HSCAN {@code [NOVALUES]}. Strata answers such a scan in one page (cursor 0), as Redis does
 * for a value held compactly: COUNT is checked, not used; a cursor other than 0 was never given
 * out, so nothing comes after it.
 *
 * @param firstPage whether the cursor is 0 (any other: an empty last page)
 * @param match the pattern names must match; null: all
 */
record ElementScan(boolean firstPage, Glob match, boolean noValues) {

    /** The scan {@code args} ask for, or Redis's error for them; NOVALUES only when {@code noValuesAllowed}. */
    static ElementScan parse(List<byte[]> args, boolean noValuesAllowed) {
        Long cursor = parseLong(args.get(2));
        if (cursor == null || cursor < 0) {
            throw new RespSession.RespError("ERR invalid cursor");
        }
        Glob pattern = null;
        boolean noValues = false;
        for (int i = 3; i < args.size(); i++) {
            String option = ascii(args.get(i)).toUpperCase(Locale.ROOT);
            if (noValuesAllowed && option.equals("NOVALUES")) {
                noValues = true;
                continue;
            }
            if (i + 1 >= args.size()) {
                throw new RespSession.RespError("ERR syntax error");
            }
            switch (option) {
                case "MATCH" -> pattern = Glob.of(RespSession.pattern(args.get(++i)), false);
                case "COUNT" -> {
                    Long n = parseLong(args.get(++i));
                    if (n == null) {
                        throw new RespSession.RespError(RespSession.NOT_INTEGER);
                    }
                    if (n < 1) {
                        throw new RespSession.RespError("ERR syntax error");
                    }
                }
                default -> throw new RespSession.RespError("ERR syntax error");
            }
        }
        return new ElementScan(cursor == 0, pattern, noValues);
    }

    /** Whether a name is in the page: the first page's names that match. */
    boolean includes(byte[] name) {
        return firstPage && (match == null || match.matches(KeyBytes.fromBytes(name)));
    }
}
