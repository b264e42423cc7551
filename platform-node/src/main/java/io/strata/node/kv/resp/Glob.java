package io.strata.node.kv.resp;

import java.util.ArrayList;
import java.util.List;

/**
 * A glob-style pattern as Redis matches keys (KEYS, SCAN MATCH) and parameters (CONFIG GET):
 * {@code *} any run, {@code ?} one character, {@code [abc]} / {@code [^abc]} / {@code [a-z]} a
 * character of (or not of) a set, {@code \x} the character x itself.
 *
 * <p>Matched without a regular expression and without recursion: a {@code *} is retried only
 * from the last one seen, so a match takes at most (pattern length x text length) steps, however
 * many stars a client sends ({@code a*a*a*...b} against a long run of {@code a}s would make a
 * backtracking matcher run for ever). Immutable.
 */
final class Glob {

    /** One element of a pattern: a star, or a test of one character. */
    private sealed interface Token permits Star, One {}

    private record Star() implements Token {}

    /** One character that is {@code literal}, any character ({@code any}), or one of (or not of) {@code ranges}. */
    private record One(char literal, boolean any, char[] ranges, boolean negated, boolean isClass) implements Token {

        boolean matches(char c, boolean ignoreCase) {
            if (any) {
                return true;
            }
            if (!isClass) {
                return ignoreCase ? Character.toLowerCase(c) == Character.toLowerCase(literal) : c == literal;
            }
            boolean in = false;
            for (int i = 0; i < ranges.length && !in; i += 2) {
                in = inRange(c, ranges[i], ranges[i + 1]) || (ignoreCase
                        && inRange(Character.toLowerCase(c), Character.toLowerCase(ranges[i]), Character.toLowerCase(ranges[i + 1])));
            }
            return in != negated;
        }

        private static boolean inRange(char c, char from, char to) {
            return from <= to ? c >= from && c <= to : c >= to && c <= from;
        }
    }

    private final Token[] tokens;
    private final boolean ignoreCase;
    private final String literalPrefix;

    private Glob(Token[] tokens, boolean ignoreCase, String literalPrefix) {
        this.tokens = tokens;
        this.ignoreCase = ignoreCase;
        this.literalPrefix = literalPrefix;
    }

    /** The pattern; {@code ignoreCase} as CONFIG GET matches. */
    static Glob of(String pattern, boolean ignoreCase) {
        List<Token> tokens = new ArrayList<>();
        StringBuilder prefix = new StringBuilder();
        boolean literal = true;
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '*') {
                // Consecutive stars match what one does.
                if (tokens.isEmpty() || !(tokens.get(tokens.size() - 1) instanceof Star)) {
                    tokens.add(new Star());
                }
                literal = false;
            } else if (c == '?') {
                tokens.add(new One('\0', true, null, false, false));
                literal = false;
            } else if (c == '[' && classEnd(pattern, i) >= 0) {
                int end = classEnd(pattern, i);
                tokens.add(characterClass(pattern.substring(i + 1, end)));
                literal = false;
                i = end;
            } else {
                // An unclosed [ is the character itself.
                char ch = c == '\\' && i + 1 < pattern.length() ? pattern.charAt(++i) : c;
                tokens.add(new One(ch, false, null, false, false));
                if (literal) {
                    prefix.append(ch);
                }
            }
            i++;
        }
        return new Glob(tokens.toArray(Token[]::new), ignoreCase, ignoreCase ? "" : prefix.toString());
    }

    boolean matches(String text) {
        int t = 0;
        int p = 0;
        int starAt = -1;
        int starText = 0;
        while (t < text.length()) {
            if (p < tokens.length && tokens[p] instanceof One one && one.matches(text.charAt(t), ignoreCase)) {
                p++;
                t++;
            } else if (p < tokens.length && tokens[p] instanceof Star) {
                starAt = p++;
                starText = t;
            } else if (starAt >= 0) {
                // Let the last star take one more character and try the rest again from there.
                p = starAt + 1;
                t = ++starText;
            } else {
                return false;
            }
        }
        while (p < tokens.length && tokens[p] instanceof Star) {
            p++;
        }
        return p == tokens.length;
    }

    /** What every match starts with (the pattern's characters before its first wildcard): keys can be listed from it. */
    String literalPrefix() {
        return literalPrefix;
    }

    /** The index of the {@code ]} closing the class opened at {@code open}, or -1. */
    private static int classEnd(String pattern, int open) {
        int i = open + 1;
        if (i < pattern.length() && pattern.charAt(i) == '^') {
            i++;
        }
        for (; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == ']') {
                return i;
            }
        }
        return -1;
    }

    /** {@code members} of a class (between its brackets): single characters and ranges, as pairs. */
    private static One characterClass(String members) {
        boolean negated = members.startsWith("^");
        List<Character> ranges = new ArrayList<>();
        int i = negated ? 1 : 0;
        while (i < members.length()) {
            char from = members.charAt(i) == '\\' && i + 1 < members.length() ? members.charAt(++i) : members.charAt(i);
            char to = from;
            if (i + 2 < members.length() && members.charAt(i + 1) == '-') {
                to = members.charAt(i + 2) == '\\' && i + 3 < members.length() ? members.charAt(i + 3) : members.charAt(i + 2);
                i += members.charAt(i + 2) == '\\' ? 3 : 2;
            }
            ranges.add(from);
            ranges.add(to);
            i++;
        }
        char[] pairs = new char[ranges.size()];
        for (int k = 0; k < pairs.length; k++) {
            pairs[k] = ranges.get(k);
        }
        return new One('\0', false, pairs, negated, true);
    }
}
