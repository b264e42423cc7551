package io.strata.dataflow.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.dataflow.fault.FaultInjector;
import io.strata.dataflow.fault.FaultSpec;
import io.strata.dataflow.store.StrataClient;
import io.strata.node.http.ErrorHandling;
import io.strata.node.http.Json;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * One service of a chain: a real HTTP endpoint (Pekko HTTP) that does its piece of {@link Work}
 * on each request and hands it on as its {@link Mode} says, with the faults of its
 * {@link FaultInjector} applied to everything it does.
 *
 * <p>Every service answers:
 * <ul>
 *   <li>{@code POST /process} — a request, a JSON object with a numeric {@code id}: the rpc
 *       services' hop, and the entry of every mode;</li>
 *   <li>{@code GET /admin/faults}, {@code PUT /admin/faults} (replace the faults set by hand),
 *       {@code DELETE /admin/faults} (restore) — see {@link FaultSpec#fromJson};</li>
 *   <li>{@code GET /admin/stats} — what it has handled, and its backlog in the db and bus modes;</li>
 *   <li>{@code GET /health}.</li>
 * </ul>
 *
 * <p>A service that is down does not answer: its requests hang until the caller gives up, as with
 * a host that stopped responding (a refused connection would fail fast and hide what timeouts do
 * to a chain). They are released with 503 {@code service_down} when it comes back, or after
 * {@link #MAX_HOLD}.
 */
public abstract class ChainService implements AutoCloseable {

    /** What a service started on its own prints once it serves: this, then its address. */
    public static final String READY_LINE_PREFIX = "Strata service up: ";

    /** The longest a down service holds a request before answering 503. */
    static final Duration MAX_HOLD = Duration.ofSeconds(30);

    protected final ChainSettings settings;
    protected final int index;
    protected final String name;
    protected final FaultInjector faults;
    protected final StrataClient store;
    protected final LongAdder handled = new LongAdder();
    protected final LongAdder failedHere = new LongAdder();
    private final Map<CompletableFuture<Void>, Long> held = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> releaser;
    private ServerBinding binding;
    protected volatile boolean running = true;
    protected volatile String lastWorkerError;

    protected ChainService(ChainSettings settings, int index, StrataClient store) {
        this.settings = settings;
        this.index = index;
        this.name = ChainSettings.serviceName(index);
        this.faults = new FaultInjector(name, settings.seed(), settings.faults());
        this.store = store;
        this.releaser = Delays.every(TimeUnit.MILLISECONDS.toNanos(50), this::releaseHeld);
    }

    public String name() {
        return name;
    }

    public FaultInjector faults() {
        return faults;
    }

    public boolean isLast() {
        return index == settings.hops() - 1;
    }

    /** The service's base address, such as {@code http://127.0.0.1:41234}. */
    public String url() {
        return "http://127.0.0.1:" + binding.localAddress().getPort();
    }

    /** Binds the service's HTTP endpoint on 127.0.0.1 ({@code port} 0: any free port) and starts its background work. */
    public CompletionStage<ChainService> start(ActorSystem<?> system, int port) {
        return Http.get(system).newServerAt("127.0.0.1", port).bind(routes()).thenApply(b -> {
            binding = b;
            startWork();
            return this;
        });
    }

    /** Starts what the service does besides answering requests: the db and bus modes' consumers. */
    protected void startWork() {}

    /** Handles one request that reached {@code POST /process}; completes with the answer's body or fails with a {@link HopFailure}. */
    protected abstract CompletableFuture<ObjectNode> process(ObjectNode request, long id, long attempt);

    /** Whether every service takes requests on {@code /process} (rpc), or only the entry (db and bus, whose others take work from the store or the bus). */
    protected boolean takesRequestsFromCallers() {
        return false;
    }

    /** The service's backlog: db and bus modes, work waiting for it in the store or on the bus; -1 where there is none. */
    public CompletableFuture<Long> backlog() {
        return CompletableFuture.completedFuture(-1L);
    }

    /** Extra figures for {@code GET /admin/stats}. */
    protected void addStats(ObjectNode stats) {}

    /**
     * Lets a request in under the faults in force: hangs it while the service is down, queues it
     * under a capacity limit, delays it by the added latency, then fails it with 500
     * {@code injected_fault} if the error rate says so.
     */
    protected CompletableFuture<Void> admit(long key, long attempt) {
        long now = System.nanoTime();
        FaultSpec in = faults.effective(now);
        if (in.down()) {
            CompletableFuture<Void> hang = new CompletableFuture<>();
            held.put(hang, now);
            return hang;
        }
        long delay = faults.queueingNanos(in, now) + faults.addedLatencyNanos(in, key, attempt);
        return Delays.after(delay).thenRun(() -> {
            if (faults.fails(in, key, attempt)) {
                failedHere.increment();
                throw new HopFailure(500, "injected_fault", name + ": injected fault");
            }
        });
    }

    /**
     * A worker's version of {@link #admit}: waits while the service is down (a down worker stops
     * working, it does not fail), queues and delays the record as the faults say, then completes
     * with true when the error rate fails this attempt.
     */
    protected CompletableFuture<Boolean> pass(long key, long attempt) {
        long now = System.nanoTime();
        FaultSpec in = faults.effective(now);
        if (in.down()) {
            return Delays.after(settings.pollInterval().toNanos()).thenCompose(ignored -> running ? pass(key, attempt)
                    : CompletableFuture.failedFuture(new HopFailure(503, "service_down", name + ": stopped")));
        }
        long delay = faults.queueingNanos(in, now) + faults.addedLatencyNanos(in, key, attempt);
        return Delays.after(delay).thenApply(ignored -> {
            boolean fails = faults.fails(in, key, attempt);
            if (fails) {
                failedHere.increment();
            }
            return fails;
        });
    }

    /**
     * Runs a worker's {@code step} over and over until the service is closed: a step that found
     * no work (false) or failed is followed by a pause of the poll interval; a down service pauses.
     */
    protected void loop(Supplier<CompletableFuture<Boolean>> step) {
        if (!running) {
            return;
        }
        CompletableFuture<Boolean> next = faults.now().down() ? CompletableFuture.completedFuture(false) : step.get();
        next.handle((worked, failure) -> {
            if (failure != null) {
                lastWorkerError = HopFailure.of(failure).getMessage();
            }
            long pause = failure == null && worked ? 0 : settings.pollInterval().toNanos();
            Delays.after(pause).thenRun(() -> loop(step));
            return null;
        });
    }

    /** Calls the store after the latency the faults add to this service's store operations. */
    protected <T> CompletableFuture<T> storeCall(long key, int op, Supplier<CompletableFuture<T>> call) {
        long delay = faults.storeLatencyNanos(faults.now(), key, op);
        return Delays.after(delay).thenCompose(ignored -> call.get());
    }

    private void releaseHeld() {
        if (held.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        boolean up = !faults.effective(now).down();
        held.forEach((hang, since) -> {
            if (up || now - since > MAX_HOLD.toNanos()) {
                held.remove(hang);
                hang.completeExceptionally(new HopFailure(503, "service_down", name + ": was down and did not answer"));
            }
        });
    }

    private Route routes() {
        AllDirectives d = new AllDirectives() {};
        return d.handleExceptions(ErrorHandling.exceptionHandler(), () -> d.handleRejections(ErrorHandling.rejectionHandler(), () -> d.concat(
                d.path("process", () -> d.post(() -> d.optionalHeaderValueByName("X-Strata-Attempt", attemptHeader ->
                        d.entity(Unmarshaller.entityToByteArray(), body -> d.completeWithFuture(handle(body, attemptHeader.orElse("1"))))))),
                d.pathPrefix("admin", () -> d.concat(
                        d.path("faults", () -> d.concat(
                                d.get(() -> d.complete(faultsView())),
                                d.put(() -> d.entity(Unmarshaller.entityToByteArray(), body -> d.complete(setFaults(body)))),
                                d.delete(() -> {
                                    faults.setAdmin(FaultSpec.NONE);
                                    return d.complete(faultsView());
                                }))),
                        d.path("stats", () -> d.get(() -> d.completeWithFuture(stats()))),
                        d.path("clock", () -> d.post(() -> d.entity(Unmarshaller.entityToByteArray(), body -> d.complete(startClock(body))))))),
                d.path("health", () -> d.get(() -> d.complete(Json.ok(Map.of("status", "up", "service", name))))))));
    }

    private CompletionStage<HttpResponse> handle(byte[] body, String attemptHeader) {
        JsonNode json;
        long attempt;
        try {
            json = Json.parse(body);
            attempt = Long.parseLong(attemptHeader);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(ErrorHandling.toResponse(e));
        }
        if (!json.isObject() || !json.path("id").canConvertToLong()) {
            return CompletableFuture.completedFuture(Json.error(StatusCodes.BAD_REQUEST, "invalid_request",
                    "a request is a JSON object with a whole-number \"id\", such as {\"id\":1,\"user\":\"u-1\",\"amount\":12.5}"));
        }
        if (index != 0 && !takesRequestsFromCallers()) {
            return CompletableFuture.completedFuture(Json.error(StatusCodes.NOT_FOUND, "not_the_entry",
                    name + " takes its work from the " + (settings.mode() == Mode.DB ? "store" : "bus") + "; send requests to service A"));
        }
        handled.increment();
        ObjectNode request = (ObjectNode) json;
        return process(request, request.get("id").asLong(), attempt).handle((answer, failure) -> {
            if (failure == null) {
                return Json.response(answer.path("accepted").asBoolean(false) ? StatusCodes.ACCEPTED : StatusCodes.OK, answer);
            }
            HopFailure f = HopFailure.of(failure);
            return Json.error(StatusCodes.get(f.status()), f.code(), f.getMessage());
        });
    }

    /** {@code POST /admin/clock {"start_in_ms": N}}: the run's fault schedule begins N ms from now. */
    private HttpResponse startClock(byte[] body) {
        JsonNode json = Json.parse(body);
        if (!json.path("start_in_ms").canConvertToLong()) {
            return Json.error(StatusCodes.BAD_REQUEST, "invalid_clock", "the clock takes {\"start_in_ms\": N}, N a whole number of milliseconds");
        }
        faults.startClock(System.nanoTime() + json.get("start_in_ms").asLong() * 1_000_000);
        return Json.ok(Map.of("service", name, "started", true));
    }

    private HttpResponse setFaults(byte[] body) {
        try {
            faults.setAdmin(FaultSpec.fromJson(Json.parse(body)));
        } catch (IllegalArgumentException e) {
            return Json.error(StatusCodes.BAD_REQUEST, "invalid_faults", e.getMessage());
        }
        return faultsView();
    }

    private HttpResponse faultsView() {
        ObjectNode view = JsonNodeFactory.instance.objectNode().put("service", name);
        view.set("admin", faults.admin().toJson());
        view.putArray("scheduled").addAll(faults.schedule().stream()
                .map(f -> (JsonNode) JsonNodeFactory.instance.textNode(f.toString())).toList());
        view.set("effective", faults.now().toJson());
        return Json.ok(view);
    }

    private CompletionStage<HttpResponse> stats() {
        return backlog().handle((backlog, failure) -> {
            ObjectNode stats = JsonNodeFactory.instance.objectNode()
                    .put("service", name).put("mode", settings.mode().cliName()).put("handled", handled.sum())
                    .put("injected_failures", failedHere.sum());
            if (failure == null && backlog >= 0) {
                stats.put("backlog", backlog);
            }
            if (lastWorkerError != null) {
                stats.put("last_worker_error", lastWorkerError);
            }
            addStats(stats);
            return Json.ok(stats);
        });
    }

    /** Unbinds the endpoint, stops background work and answers every held request. */
    @Override
    public void close() {
        releaser.cancel(false);
        running = false;
        held.keySet().forEach(hang -> hang.completeExceptionally(new HopFailure(503, "service_down", name + ": stopped")));
        held.clear();
        if (binding != null) {
            binding.unbind().toCompletableFuture().join();
        }
    }

    /** The set of the service's held requests; for tests. */
    Set<CompletableFuture<Void>> heldRequests() {
        return held.keySet();
    }
}
