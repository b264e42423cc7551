package io.strata.node.cli;

import java.util.concurrent.Callable;

/**
 * A subcommand that another module adds to {@code ./strata} (as {@code bench}, {@code cluster},
 * {@code experiment}): a picocli {@code @Command} class implementing this interface, listed in
 * {@code META-INF/services/io.strata.node.cli.StrataSubcommand} of that module's jar. {@link Main}
 * finds every one on the classpath with {@link java.util.ServiceLoader}.
 */
public interface StrataSubcommand extends Callable<Integer> {}
