package io.strata.node.common;

import java.util.regex.Pattern;

/** Names of keyspaces, topics, groups and tables: they become directory names, so they are restricted. */
public final class Names {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    private Names() {}

    /**
     * Checks that {@code name} is 1 to {@code maxLength} letters, digits, '_', '.' or '-', starting
     * with a letter or digit.
     *
     * @throws StrataException {@code invalid_<kind>} otherwise
     */
    public static void validate(String kind, String name, int maxLength) {
        if (name == null || name.length() > maxLength || !NAME.matcher(name).matches()) {
            throw StrataException.invalid("invalid_" + kind, kind + " name '" + name + "' must be 1-" + maxLength
                    + " characters of letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }
}
