package io.strata.node.kv.resp;

import java.util.regex.Pattern;

/**
 * A glob-style pattern as Redis matches keys (KEYS, SCAN MATCH) and parameters (CONFIG GET):
 * {@code *} any run, {@code ?} one character, {@code [abc]} / {@code [^abc]} / {@code [a-z]} a
 * character of (or not of) a set, {@code \x} the character x itself. Immutable.
 */
final class Glob {

    private final Pattern regex;
    private final String literalPrefix;

    private Glob(Pattern regex, String literalPrefix) {
        this.regex = regex;
        this.literalPrefix = literalPrefix;
    }

    /** The pattern; {@code ignoreCase} as CONFIG GET matches. */
    static Glob of(String pattern, boolean ignoreCase) {
        StringBuilder out = new StringBuilder();
        StringBuilder prefix = new StringBuilder();
        boolean literal = true;
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> {
                    out.append(".*");
                    literal = false;
                }
                case '?' -> {
                    out.append('.');
                    literal = false;
                }
                case '[' -> {
                    int end = classEnd(pattern, i);
                    if (end < 0) {
                        // An unclosed class: Redis reads the rest as its members; here it is the character itself.
                        out.append(Pattern.quote("["));
                        if (literal) {
                            prefix.append('[');
                        }
                        break;
                    }
                    out.append(characterClass(pattern.substring(i + 1, end)));
                    literal = false;
                    i = end;
                }
                case '\\' -> {
                    char escaped = i + 1 < pattern.length() ? pattern.charAt(++i) : '\\';
                    out.append(Pattern.quote(String.valueOf(escaped)));
                    if (literal) {
                        prefix.append(escaped);
                    }
                }
                default -> {
                    out.append(Pattern.quote(String.valueOf(c)));
                    if (literal) {
                        prefix.append(c);
                    }
                }
            }
            i++;
        }
        int flags = Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        return new Glob(Pattern.compile(out.toString(), flags), ignoreCase ? "" : prefix.toString());
    }

    boolean matches(String text) {
        return regex.matcher(text).matches();
    }

    /** What every match starts with (the pattern's characters before its first wildcard): keys can be listed from it. */
    String literalPrefix() {
        return literalPrefix;
    }

    /** Whether the pattern matches everything ({@code *}). */
    boolean matchesAll() {
        return regex.pattern().equals(".*");
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

    private static String characterClass(String members) {
        StringBuilder out = new StringBuilder("[");
        int i = 0;
        if (members.startsWith("^")) {
            out.append('^');
            i = 1;
        }
        if (i == members.length()) {
            // [] matches nothing, [^] anything.
            return out.length() == 1 ? "(?!)" : "(?s:.)";
        }
        for (; i < members.length(); i++) {
            char c = members.charAt(i);
            if (c == '\\' && i + 1 < members.length()) {
                out.append(quoteInClass(members.charAt(++i)));
            } else if (c == '-' && i > 0 && i + 1 < members.length() && out.length() > 1) {
                out.append('-');
            } else {
                out.append(quoteInClass(c));
            }
        }
        return out.append(']').toString();
    }

    private static String quoteInClass(char c) {
        return Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c;
    }
}
