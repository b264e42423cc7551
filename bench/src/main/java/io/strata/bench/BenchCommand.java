package io.strata.bench;

import io.strata.node.cli.StrataSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./strata bench}: the benchmarks of a Strata node, one subcommand per area ({@code kv},
 * {@code resp}, {@code bus}, {@code kafka} (the Kafka door against Apache Kafka), {@code columnar}, {@code stream}, the JMH microbenchmarks {@code jmh}; {@code all} runs them all and writes a summary). Every benchmark prints one
 * {@code BENCH} line per figure, a table for people, and the same figures as JSON under
 * {@code target/bench/}; each figure is a ratio to an anchor measured in the same run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks of a fresh node; each figure with a same-run anchor ratio.",
                "",
                "Every benchmark prints a BENCH line per figure and a table, and writes",
                "the same as JSON under target/bench/. A ratio compares a figure with an",
                "anchor measured in the same run on the same machine: absolute figures",
                "depend on the machine and on what else runs on it.",
                ""},
        commandListHeading = "%nBenchmarks:%n",
        subcommands = {KvBenchCommand.class, RespBenchCommand.class, BusBenchCommand.class, ColumnarBenchCommand.class,
                KafkaBenchCommand.class, StreamBenchCommand.class, JmhBenchCommand.class,
                BenchAllCommand.class})
public final class BenchCommand implements StrataSubcommand {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
