package io.strata.node.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code ./strata demo}: a guided tour on a fresh node. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "A guided tour on a fresh node in a temporary directory.")
public final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}
