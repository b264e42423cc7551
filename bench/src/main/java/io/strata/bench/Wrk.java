package io.strata.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs of <a href="https://github.com/wg/wrk">wrk</a> (the Debian package {@value #PACKAGE}), an
 * HTTP/1.1 load generator in C: {@code threads} event-loop threads over {@code connections}
 * keep-alive connections, closed loop, driven by a Lua script (see {@link #script}). It runs as a
 * process of its own, so unlike {@link HttpLoad} it costs the server's JVM nothing but the cores it
 * shares with it. Targets 127.0.0.1 only.
 *
 * <p>A run is wrk's warm-up run (uncounted) followed by its measured run; wrk counts time in whole
 * seconds, so each lasts the window's time rounded up to a second, at least one. Each wrk process
 * is killed by its PID when it overruns its time, and when the JVM exits first. A run fails on any
 * non-2xx response or socket error. Not thread-safe: one run at a time.
 */
final class Wrk {

    /** The program, and the Debian package that has it. */
    static final String PROGRAM = "wrk";
    static final String PACKAGE = "wrk";

    private static final String REQUEST_TIMEOUT = "10s";
    /** Beyond its duration, what a wrk process gets to connect, stop its threads and print before it is killed. */
    private static final long GRACE_SECONDS = 20;
    private static final long KILL_WAIT_SECONDS = 10;

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m|h),");
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("(?m)^\\s*(50|99)(?:\\.0+)?%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    /**
     * What one wrk run printed, parsed.
     *
     * @param seconds the run's length as wrk measured it (a little over its {@code -d})
     * @param non2xx responses with another status than 2xx or 3xx
     * @param socketErrors connect, read, write errors and request timeouts, summed
     */
    record Report(long requests, double seconds, double requestsPerS, long p50Us, long p99Us, long non2xx, long socketErrors) {

        RunResult toRunResult() {
            return new RunResult(requests, seconds, Math.round(requestsPerS), p50Us, p99Us);
        }
    }

    private final String binary;
    private final int threads;
    private final int connections;
    private final Path script;
    private final String url;
    private final Path outputDir;

    /**
     * @param threads wrk's {@code -t}, at most {@code connections} (wrk refuses more); wrk gives each
     *                thread {@code connections / threads} connections, rounded down
     * @param script the Lua script that makes the requests
     * @param server a loopback address; only its port is used, wrk targets 127.0.0.1
     * @param outputDir where each run's output is written, and deleted once read
     */
    Wrk(int threads, int connections, Path script, InetSocketAddress server, Path outputDir) {
        if (!server.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("wrk targets loopback only, not " + server);
        }
        this.binary = DebianPackage.onPath(PROGRAM).orElseThrow(() -> new IllegalStateException("wrk is not on the PATH"));
        this.threads = Math.min(threads, connections);
        this.connections = connections;
        this.script = script;
        this.url = "http://127.0.0.1:" + server.getPort() + "/";
        this.outputDir = outputDir;
    }

    /** The window's warm-up as an uncounted wrk run (none when zero), then its duration as the measured one. */
    RunResult run(Window window) throws IOException, InterruptedException {
        if (!window.warmup().isZero()) {
            execute(window.warmup());
        }
        return execute(window.duration()).toRunResult();
    }

    /** A wrk duration: whole seconds, rounded up, at least one. */
    static long wholeSeconds(Duration duration) {
        return Math.max(1, (duration.toNanos() + 999_999_999L) / 1_000_000_000L);
    }

    private Report execute(Duration duration) throws IOException, InterruptedException {
        long seconds = wholeSeconds(duration);
        Path output = Files.createTempFile(outputDir, "wrk-", ".out");
        try {
            Process wrk = new ProcessBuilder(binary, "-t", Integer.toString(threads), "-c", Integer.toString(connections),
                    "-d", seconds + "s", "--timeout", REQUEST_TIMEOUT, "--latency", "-s", script.toString(), url)
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            Thread killOnExit = new Thread(wrk::destroyForcibly, "bench-wrk-kill-" + wrk.pid());
            Runtime.getRuntime().addShutdownHook(killOnExit);
            try {
                if (!wrk.waitFor(seconds + GRACE_SECONDS, TimeUnit.SECONDS)) {
                    wrk.destroyForcibly().waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
                    throw new IllegalStateException("wrk (PID " + wrk.pid() + ") did not finish a " + seconds
                            + " s run in " + (seconds + GRACE_SECONDS) + " s; killed");
                }
            } finally {
                if (wrk.isAlive()) {
                    wrk.destroyForcibly();
                }
                removeHook(killOnExit);
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            if (wrk.exitValue() != 0) {
                throw new IllegalStateException("wrk failed (exit " + wrk.exitValue() + "):\n" + printed);
            }
            Report report = parse(printed);
            if (report.non2xx() > 0 || report.socketErrors() > 0) {
                throw new IllegalStateException(String.format(Locale.ROOT, "wrk saw %d non-2xx responses and %d socket errors:%n%s",
                        report.non2xx(), report.socketErrors(), printed));
            }
            return report;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting: the hook runs and kills a wrk that is already gone, harmlessly.
        }
    }

    /** Parses what {@code wrk --latency} prints (wrk 4.1); fails when a figure is missing or no request completed. */
    static Report parse(String output) {
        Matcher requests = find(REQUESTS, output, "the request count");
        Matcher rate = find(RATE, output, "Requests/sec");
        long p50 = -1;
        long p99 = -1;
        Matcher percentile = PERCENTILE.matcher(output);
        while (percentile.find()) {
            long micros = Math.round(micros(percentile.group(2), percentile.group(3)));
            if (percentile.group(1).equals("50")) {
                p50 = micros;
            } else {
                p99 = micros;
            }
        }
        if (p50 < 0 || p99 < 0) {
            throw new IllegalStateException("no 50% and 99% lines (was --latency given?) in wrk's output:\n" + output);
        }
        long count = Long.parseLong(requests.group(1));
        if (count == 0) {
            throw new IllegalStateException("no request completed:\n" + output);
        }
        Matcher non2xx = NON_2XX.matcher(output);
        Matcher socket = SOCKET_ERRORS.matcher(output);
        long errors = 0;
        if (socket.find()) {
            for (int group = 1; group <= 4; group++) {
                errors += Long.parseLong(socket.group(group));
            }
        }
        return new Report(count, micros(requests.group(2), requests.group(3)) / 1e6, Double.parseDouble(rate.group(1)),
                p50, p99, non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, errors);
    }

    private static Matcher find(Pattern pattern, String output, String what) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + what + " in wrk's output:\n" + output);
        }
        return matcher;
    }

    /** A wrk time ({@code 935.00us}, {@code 1.66ms}, {@code 2.01s}, {@code 1.00m}) in microseconds. */
    static double micros(String number, String unit) {
        double value = Double.parseDouble(number);
        return switch (unit) {
            case "us" -> value;
            case "ms" -> value * 1e3;
            case "s" -> value * 1e6;
            case "m" -> value * 60e6;
            case "h" -> value * 3600e6;
            default -> throw new IllegalArgumentException("unknown wrk time unit " + unit);
        };
    }

    /**
     * The Lua script of {@code requests}: each request {@code METHOD pathPrefix<n>}, {@code n}
     * uniform in {@code [0, keys)} (no {@code n} when {@code keys} is 0), with the body and content
     * type. Each wrk thread seeds its generator with its own number (1, 2, ...), so runs repeat.
     */
    static String script(HttpLoad.Requests requests) {
        List<String> lines = new ArrayList<>();
        lines.add("-- Written by ./strata bench: " + requests.method() + " " + requests.pathPrefix()
                + (requests.keys() > 0 ? "<n>, n uniform in [0, " + requests.keys() + ")" : ""));
        lines.add("wrk.method = " + luaString(requests.method().getBytes(StandardCharsets.US_ASCII)));
        if (requests.contentType() != null) {
            lines.add("wrk.headers[\"Content-Type\"] = " + luaString(requests.contentType().getBytes(StandardCharsets.US_ASCII)));
        }
        if (requests.body().length > 0) {
            lines.add("wrk.body = " + luaString(requests.body()));
        }
        String path = luaString(requests.pathPrefix().getBytes(StandardCharsets.US_ASCII));
        lines.addAll(List.of(
                "local threads = 0",
                "function setup(thread)",
                "  threads = threads + 1",
                "  thread:set(\"seed\", threads)",
                "end",
                "function init(args)",
                "  math.randomseed(seed)",
                "end",
                "function request()",
                requests.keys() > 0
                        ? "  return wrk.format(nil, " + path + " .. math.random(0, " + (requests.keys() - 1) + "))"
                        : "  return wrk.format(nil, " + path + ")",
                "end"));
        return String.join("\n", lines) + "\n";
    }

    /** Writes {@link #script} to {@code dir/name.lua} and returns its path. */
    static Path writeScript(Path dir, String name, HttpLoad.Requests requests) throws IOException {
        return Files.writeString(dir.resolve(name + ".lua"), script(requests), StandardCharsets.US_ASCII);
    }

    /** A Lua string literal of any bytes: printable ASCII as itself, the rest (and {@code "} and {@code \}) as {@code \ddd}. */
    static String luaString(byte[] bytes) {
        StringBuilder lua = new StringBuilder(bytes.length + 2).append('"');
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                lua.append((char) c);
            } else {
                // Three digits always: a shorter escape would swallow a digit that follows it.
                lua.append(String.format(Locale.ROOT, "\\%03d", c));
            }
        }
        return lua.append('"').toString();
    }
}
