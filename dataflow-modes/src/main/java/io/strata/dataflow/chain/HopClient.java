package io.strata.dataflow.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.dataflow.fault.Durations;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.pattern.CircuitBreakerOpenException;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * An rpc service's calls to the next one, under its {@link RpcPolicies}: each call waits at most
 * the timeout; a failed call is retried with exponential backoff while the retry budget allows; a
 * circuit breaker (Pekko's) fails calls at once while the next service keeps failing; a bulkhead
 * caps the calls in flight. Every failure comes back as a {@link HopFailure} with the root cause's
 * code: {@code timeout}, {@code circuit_open}, {@code bulkhead_full}, {@code connection_refused}, or
 * the next service's own.
 */
final class HopClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Retries the budget allows before any first attempt has earned some, as Finagle's reserve. */
    private static final double BUDGET_RESERVE = 10;
    private static final double BUDGET_CAP = 100;
    /** Above the most attempts a call can make (1 + at most 10 retries). */
    private static final long ATTEMPT_RADIX = 16;

    private final String from;
    private final String to;
    private final URI target;
    private final RpcPolicies policies;
    private final HttpClient http;
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object budgetLock = new Object();
    private double budget = BUDGET_RESERVE;
    private final LongAdder retried = new LongAdder();
    private final LongAdder retriesRefused = new LongAdder();
    private final AtomicLong openSince = new AtomicLong();
    private final AtomicLong openNanos = new AtomicLong();
    private final LongAdder opened = new LongAdder();

    HopClient(String from, String to, String nextUrl, RpcPolicies policies, HttpClient http,
              org.apache.pekko.actor.Scheduler scheduler) {
        this.from = from;
        this.to = to;
        this.target = URI.create(nextUrl + "/process");
        this.policies = policies;
        this.http = http;
        if (policies.breaker()) {
            // The breaker's own call timeout is a backstop: the HTTP call times out first.
            breaker = CircuitBreaker.create(scheduler, policies.breakerFailures(), policies.timeout().multipliedBy(2), policies.breakerReset());
            breaker.addOnOpenListener(() -> {
                opened.increment();
                openSince.set(System.nanoTime());
            });
            Runnable closed = () -> {
                long since = openSince.getAndSet(0);
                if (since != 0) {
                    openNanos.addAndGet(System.nanoTime() - since);
                }
            };
            breaker.addOnHalfOpenListener(closed);
        } else {
            breaker = null;
        }
    }

    /**
     * Sends {@code request}, which reached this service as attempt {@code incomingAttempt}, to the
     * next service and completes with its answer. Each call carries an attempt number unique to its
     * path (the incoming one times 16, plus this call's), so a retry anywhere up the chain meets
     * fresh, still reproducible, fault draws all the way down.
     */
    CompletableFuture<JsonNode> call(ObjectNode request, long id, long incomingAttempt) {
        if (policies.bulkhead() > 0 && inFlight.incrementAndGet() > policies.bulkhead()) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(new HopFailure(503, "bulkhead_full",
                    from + ": " + policies.bulkhead() + " calls to " + to + " already in flight"));
        }
        if (policies.bulkhead() == 0) {
            inFlight.incrementAndGet();
        }
        earnBudget();
        byte[] body = request.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return attempt(body, incomingAttempt * ATTEMPT_RADIX, 1).whenComplete((answer, failure) -> inFlight.decrementAndGet());
    }

    private CompletableFuture<JsonNode> attempt(byte[] body, long pathAttempt, int attempt) {
        return guarded(body, pathAttempt + attempt).handle((answer, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(answer);
            }
            HopFailure f = HopFailure.of(failure);
            if (attempt > policies.retries() || f.code().equals("circuit_open") || f.code().equals("bulkhead_full")) {
                return CompletableFuture.<JsonNode>failedFuture(f);
            }
            if (!spendBudget()) {
                retriesRefused.increment();
                return CompletableFuture.<JsonNode>failedFuture(f);
            }
            retried.increment();
            long backoff = policies.backoff().toNanos() << Math.min(attempt - 1, 10);
            // Jitter spreads retries that failed together; it may be any value, it injects no fault.
            long jittered = backoff / 2 + (long) (Math.random() * backoff / 2);
            return Delays.after(jittered).thenCompose(ignored -> attempt(body, pathAttempt, attempt + 1));
        }).thenCompose(next -> next);
    }

    private CompletableFuture<JsonNode> guarded(byte[] body, long attempt) {
        if (breaker == null) {
            return send(body, attempt);
        }
        return breaker.callWithCircuitBreakerCS(() -> send(body, attempt)).toCompletableFuture().exceptionally(t -> {
            Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
            if (cause instanceof CircuitBreakerOpenException) {
                throw new HopFailure(503, "circuit_open", from + ": the circuit to " + to + " is open");
            }
            if (cause instanceof java.util.concurrent.TimeoutException) {
                throw new HopFailure(504, "timeout", from + ": " + to + " did not answer in time");
            }
            throw cause instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(cause);
        });
    }

    private CompletableFuture<JsonNode> send(byte[] body, long attempt) {
        HttpRequest request = HttpRequest.newBuilder(target).timeout(policies.timeout())
                .header("Content-Type", "application/json").header("X-Strata-Attempt", String.valueOf(attempt))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                if (cause instanceof HttpTimeoutException) {
                    throw new HopFailure(504, "timeout", from + ": " + to + " did not answer within " + Durations.format(policies.timeout()));
                }
                if (cause instanceof ConnectException) {
                    throw new HopFailure(503, "connection_refused", from + ": cannot connect to " + to);
                }
                throw new HopFailure(502, "call_failed", from + ": the call to " + to + " failed: " + cause);
            }
            JsonNode answer;
            try {
                answer = JSON.readTree(response.body());
            } catch (java.io.IOException e) {
                throw new HopFailure(502, "bad_answer", from + ": " + to + " answered something other than JSON");
            }
            if (response.statusCode() / 100 != 2) {
                JsonNode error = answer.path("error");
                throw new HopFailure(response.statusCode(), error.path("code").asText("http_" + response.statusCode()),
                        from + " -> " + error.path("message").asText(to + " answered " + response.statusCode()));
            }
            return answer;
        });
    }

    private void earnBudget() {
        synchronized (budgetLock) {
            budget = Math.min(BUDGET_CAP, budget + policies.retryBudget());
        }
    }

    private boolean spendBudget() {
        synchronized (budgetLock) {
            if (budget < 1) {
                return false;
            }
            budget -= 1;
            return true;
        }
    }

    /** Figures for the service's stats: retries made and refused by the budget, breaker openings and time open. */
    void addStats(ObjectNode stats) {
        stats.put("in_flight", inFlight.get()).put("retries", retried.sum()).put("retries_refused_by_budget", retriesRefused.sum());
        if (breaker != null) {
            long since = openSince.get();
            long open = openNanos.get() + (since == 0 ? 0 : System.nanoTime() - since);
            stats.put("breaker_state", breaker.isOpen() ? "open" : breaker.isHalfOpen() ? "half_open" : "closed")
                    .put("breaker_opened", opened.sum()).put("breaker_open_ms", open / 1_000_000);
        }
    }

    /** Milliseconds the breaker has been open so far (0 without a breaker). */
    long breakerOpenMillis() {
        long since = openSince.get();
        return (openNanos.get() + (since == 0 ? 0 : System.nanoTime() - since)) / 1_000_000;
    }
}
