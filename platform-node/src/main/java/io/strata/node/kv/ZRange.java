package io.strata.node.kv;

import java.util.Arrays;
import java.util.List;

/**
 * A range of a sorted set, as ZRANGE, ZCOUNT, ZLEXCOUNT and ZREMRANGEBY* name it: by rank, by
 * score or by member name (for members of equal scores).
 */
public sealed interface ZRange {

    /** The members of {@code members} (in {@link ZSetValue#ORDER}, or reversed for a rank range read from the top) in range. */
    List<ZSetValue.Member> select(List<ZSetValue.Member> members);

    /** Ranks {@code start} to {@code stop}, both included; negative ones count from the end (-1: the last). */
    record ByRank(long start, long stop) implements ZRange {
        @Override
        public List<ZSetValue.Member> select(List<ZSetValue.Member> members) {
            long n = members.size();
            long from = start < 0 ? Math.max(0, start + n) : start;
            long to = stop < 0 ? stop + n : Math.min(stop, n - 1);
            return from > to || from >= n ? List.of() : members.subList((int) from, (int) to + 1);
        }
    }

    /** Scores from {@code min} to {@code max}, each bound included unless exclusive ({@code (1.5}). */
    record ByScore(double min, boolean minExclusive, double max, boolean maxExclusive) implements ZRange {
        @Override
        public List<ZSetValue.Member> select(List<ZSetValue.Member> members) {
            int from = 0;
            while (from < members.size() && !aboveMin(members.get(from).score())) {
                from++;
            }
            int to = from;
            while (to < members.size() && belowMax(members.get(to).score())) {
                to++;
            }
            return members.subList(from, to);
        }

        boolean aboveMin(double score) {
            return minExclusive ? score > min : score >= min;
        }

        boolean belowMax(double score) {
            return maxExclusive ? score < max : score <= max;
        }
    }

    /** Names from {@code min} to {@code max}, compared byte by byte; meaningful when all scores are equal, as in Redis. */
    record ByLex(LexBound min, LexBound max) implements ZRange {
        @Override
        public List<ZSetValue.Member> select(List<ZSetValue.Member> members) {
            int from = 0;
            while (from < members.size() && !min.belowOrAt(members.get(from).name(), true)) {
                from++;
            }
            int to = from;
            while (to < members.size() && max.belowOrAt(members.get(to).name(), false)) {
                to++;
            }
            return members.subList(from, to);
        }
    }

    /**
     * One end of a lexicographic range: {@code -} (below every name, {@code infinity} -1), {@code +}
     * (above every name, +1), or a name included ({@code [name}) or not ({@code (name}).
     */
    record LexBound(int infinity, byte[] name, boolean exclusive) {

        /** {@code -} or {@code +}, {@code [name} or {@code (name}; null for anything else. */
        public static LexBound parse(byte[] raw) {
            if (raw.length == 1 && raw[0] == '-') {
                return new LexBound(-1, null, false);
            }
            if (raw.length == 1 && raw[0] == '+') {
                return new LexBound(1, null, false);
            }
            if (raw.length == 0 || (raw[0] != '[' && raw[0] != '(')) {
                return null;
            }
            return new LexBound(0, Arrays.copyOfRange(raw, 1, raw.length), raw[0] == '(');
        }

        /** As a lower bound ({@code lower}) whether {@code candidate} is at or above it, else whether it is at or below it. */
        boolean belowOrAt(byte[] candidate, boolean lower) {
            if (infinity != 0) {
                return lower ? infinity < 0 : infinity > 0;
            }
            int c = Arrays.compareUnsigned(candidate, name);
            if (c == 0) {
                return !exclusive;
            }
            return lower ? c > 0 : c < 0;
        }
    }
}
