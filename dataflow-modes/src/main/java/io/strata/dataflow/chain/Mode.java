package io.strata.dataflow.chain;

import java.util.Locale;

/** How the services of a chain hand work to each other. */
public enum Mode {
    /** Through a shared database: each service writes its output into the store, the next picks it up from there. */
    DB,
    /** By synchronous RPC: each service calls the next over HTTP and waits for its answer. */
    RPC,
    /** Over the bus: each service consumes a topic and produces to the next one. */
    BUS;

    /** The mode's name as users write it: {@code db}, {@code rpc}, {@code bus}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code db}, {@code rpc} or {@code bus}; anything else is an {@link IllegalArgumentException} listing them. */
    public static Mode parse(String text) {
        for (Mode mode : values()) {
            if (mode.cliName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + text + "'; the modes are db, rpc and bus");
    }
}
