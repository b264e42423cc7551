package io.strata.node.common;

import java.util.regex.Pattern;

/**
 * Names of keyspaces, topics, groups, tables and jobs: they become file and directory names, so
 * they are restricted. A name never starts with '_' or '.': that is what keeps it off the node's
 * internal files (see {@link io.strata.node.storage.DataLayout}).
 */
public final class Names {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    private Names() {}

    /** Whether {@code name} has the form of a name (any length). */
    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Checks that {@code name} is 1 to {@code maxLength} letters, digits, '_', '.' or '-', starting
     * with a letter or digit.
     *
     * @throws StrataException {@code invalid_<kind>} otherwise
     */
    public static void validate(String kind, String name, int maxLength) {
        if (!isValid(name) || name.length() > maxLength) {
            throw StrataException.invalid("invalid_" + kind, kind + " name '" + name + "' must be 1-" + maxLength
                    + " characters of letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }
}
