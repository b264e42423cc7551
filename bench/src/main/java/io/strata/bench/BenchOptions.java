package io.strata.bench;

import picocli.CommandLine.Option;

import java.util.Map;

/**
 * The options the load benchmarks share (a picocli mixin): {@link RunOptions}' rounds and times,
 * and how much load and how big the data.
 */
public final class BenchOptions extends RunOptions {

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "16",
            description = "Requests in flight: outstanding asks in process, keep-alive connections over HTTP (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "100",
            description = "Size of each value written (default: ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(names = "--keyspace-size", paramLabel = "N", defaultValue = "10000",
            description = "Distinct keys, all written before the runs and then picked uniformly at random (default: ${DEFAULT-VALUE}).")
    int keyspaceSize;

    @Override
    void validate() {
        super.validate();
        require(concurrency >= 1 && concurrency <= 1024, "--concurrency must be 1..1024");
        require(valueSize >= 1, "--value-size must be positive");
        require(keyspaceSize >= 1, "--keyspace-size must be positive");
    }

    @Override
    Map<String, Object> describe() {
        Map<String, Object> settings = super.describe();
        settings.put("concurrency", concurrency);
        settings.put("value_size_bytes", valueSize);
        settings.put("keyspace_size", keyspaceSize);
        return settings;
    }
}
