package io.strata.node;

import com.typesafe.config.ConfigException;

/**
 * Why a node cannot start as it is configured, in one line that names the problem and how to fix
 * it: a setting out of range or of the wrong type, a port another process holds, a data directory
 * that cannot be written or that another node holds. {@link StrataNode#start} throws it before it
 * binds a port or writes to the data directory wherever it can tell in advance; {@code ./strata up}
 * prints the message and exits with code 2.
 */
public final class StartupException extends RuntimeException {

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A malformed layer or a value of the wrong type; the message of {@code e} already says where it was set. */
    public static StartupException badConfiguration(ConfigException e) {
        return new StartupException("bad configuration: " + e.getMessage()
                + "; fix it there (every key is described in platform-node/src/main/resources/reference.conf)", e);
    }
}
