package io.strata.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code redis-benchmark} against a server on loopback (redis-server, or Strata's RESP
 * listener: the same binary and flags for both) and reads its CSV report into a {@link RunResult}.
 */
final class RedisBenchmark {

    private static final long STOP_TIMEOUT_SECONDS = 10;

    /**
     * What one run sends.
     *
     * @param test redis-benchmark's test ({@code -t}: {@code set}, {@code get}, {@code incr}, {@code hset}, ...), or the name
     *             of {@code command}
     * @param command a custom command run instead of the test ({@code __rand_int__} in it takes {@code -r}'s numbers);
     *                empty for the test
     * @param clients parallel connections ({@code -c})
     * @param pipeline requests in flight per connection ({@code -P}; 1 is unpipelined)
     * @param valueSize bytes of each value the test writes: SET, HSET, LPUSH ({@code -d})
     * @param randomKeys keys are {@code key:NNNNNNNNNNNN} over this many numbers ({@code -r})
     */
    record Load(String test, List<String> command, int clients, int pipeline, int valueSize, int randomKeys) {

        Load {
            command = List.copyOf(command);
        }

        /** redis-benchmark's own test {@code test}. */
        Load(String test, int clients, int pipeline, int valueSize, int randomKeys) {
            this(test, List.of(), clients, pipeline, valueSize, randomKeys);
        }

        /** {@code c50}, {@code c50.p16}: the part of a figure's name that tells the load. */
        String label() {
            return "c" + clients + (pipeline > 1 ? ".p" + pipeline : "");
        }

        /** The first cell of its row in redis-benchmark's CSV: the test in capitals, a custom command as given. */
        String csvName() {
            return command.isEmpty() ? test.toUpperCase(Locale.ROOT) : String.join(" ", command);
        }
    }

    private final String binary;

    RedisBenchmark(String binary) {
        this.binary = binary;
    }

    /** {@code key:} and twelve digits: the key redis-benchmark's {@code -r} makes of number {@code n}. */
    static String key(long n) {
        return String.format(Locale.ROOT, "key:%012d", n);
    }

    /** Runs {@code requests} requests of {@code load} against 127.0.0.1:{@code port}. */
    RunResult run(int port, Load load, int requests, long timeoutSeconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary, "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-n", Integer.toString(requests), "-c", Integer.toString(load.clients()),
                "-d", Integer.toString(load.valueSize()), "-P", Integer.toString(load.pipeline()),
                "-r", Integer.toString(load.randomKeys()), "--csv"));
        if (load.command().isEmpty()) {
            command.addAll(List.of("-t", load.test()));
        } else {
            command.addAll(load.command());
        }
        Process benchmark = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(benchmark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!benchmark.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            benchmark.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw new IllegalStateException("redis-benchmark did not finish " + requests + " requests in " + timeoutSeconds
                    + " s: " + String.join(" ", command));
        }
        String csv = output.join();
        if (benchmark.exitValue() != 0) {
            throw new IllegalStateException("redis-benchmark failed (exit " + benchmark.exitValue() + "): " + String.join(" ", command)
                    + "\n" + csv);
        }
        return parseCsv(csv, load.csvName(), requests);
    }

    /**
     * Parses {@code "test","rps","avg_latency_ms",...,"p50_latency_ms",...,"p99_latency_ms",...}
     * and the row of {@code test} (redis-benchmark 7; older ones print no header and no
     * percentiles, which then read 0). A run whose replies were errors has no such row.
     */
    static RunResult parseCsv(String csv, String test, int requests) {
        List<String> header = null;
        for (String line : csv.split("\\R")) {
            List<String> cells = Arrays.stream(line.split(",")).map(c -> c.trim().replace("\"", "")).toList();
            if (cells.get(0).equals("test")) {
                header = cells;
            } else if (cells.get(0).equals(test) && cells.size() > 1) {
                double rps = Double.parseDouble(cells.get(1));
                long p50 = header == null ? 0 : micros(header, cells, "p50_latency_ms");
                long p99 = header == null ? 0 : micros(header, cells, "p99_latency_ms");
                return new RunResult(requests, requests / rps, Math.round(rps), p50, p99);
            }
        }
        throw new IllegalStateException("no " + test + " line in redis-benchmark's output:\n" + csv);
    }

    private static long micros(List<String> header, List<String> cells, String column) {
        int i = header.indexOf(column);
        return i < 0 || i >= cells.size() ? 0 : Math.round(Double.parseDouble(cells.get(i)) * 1000);
    }
}
