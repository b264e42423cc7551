package io.strata.dataflow.experiment;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An open workload: sends request {@code i} at {@code start + i / rate} whatever happened to the
 * earlier ones (a user does not wait for other users), and times each from its scheduled send
 * time, so a stalled service shows as latency instead of hiding as fewer requests (no coordinated
 * omission). Every request has a client timeout, so the run is bounded in time as in count.
 */
final class LoadDriver {

    private static final Pattern ERROR_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([a-z0-9_]+)\"");

    /** What happened to each request, by its index. */
    static final class Outcomes {
        final long[] scheduledNanos;
        final long[] answeredNanos;
        final int[] status;
        final String[] code;

        Outcomes(int n) {
            scheduledNanos = new long[n];
            answeredNanos = new long[n];
            status = new int[n];
            code = new String[n];
        }

        int size() {
            return status.length;
        }

        boolean succeeded(int i) {
            return status[i] / 100 == 2;
        }
    }

    private final URI entry;
    private final HttpClient http;
    private final Duration clientTimeout;
    private final long seed;

    LoadDriver(String entryUrl, HttpClient http, Duration clientTimeout, long seed) {
        this.entry = URI.create(entryUrl);
        this.http = http;
        this.clientTimeout = clientTimeout;
        this.seed = seed;
    }

    /**
     * Sends {@code n} requests, ids {@code firstId} on, at {@code rate} per second from
     * {@code startNanos}; returns once every one is answered or timed out.
     */
    Outcomes run(long firstId, int n, double rate, long startNanos) throws InterruptedException {
        Outcomes outcomes = new Outcomes(n);
        CountDownLatch answered = new CountDownLatch(n);
        double periodNanos = 1e9 / rate;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            long due = startNanos + (long) (i * periodNanos);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            outcomes.scheduledNanos[i] = due;
            int index = i;
            String body = String.format(Locale.ROOT, "{\"id\":%d,\"user\":\"u-%d\",\"amount\":%.2f}",
                    firstId + i, random.nextInt(5000), 1 + random.nextDouble() * 499);
            HttpRequest request = HttpRequest.newBuilder(entry).timeout(clientTimeout).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            CompletableFuture<HttpResponse<String>> sent = http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            sent.whenComplete((response, failure) -> {
                outcomes.answeredNanos[index] = System.nanoTime();
                if (failure != null) {
                    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                    outcomes.status[index] = 0;
                    outcomes.code[index] = cause instanceof HttpTimeoutException ? "client_timeout" : "connection_failed";
                } else {
                    outcomes.status[index] = response.statusCode();
                    if (response.statusCode() / 100 != 2) {
                        Matcher m = ERROR_CODE.matcher(response.body());
                        outcomes.code[index] = m.find() ? m.group(1) : "http_" + response.statusCode();
                    }
                }
                answered.countDown();
            });
        }
        if (!answered.await(clientTimeout.toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("requests were still unanswered " + clientTimeout.toSeconds() + " s after the last was sent");
        }
        return outcomes;
    }
}
