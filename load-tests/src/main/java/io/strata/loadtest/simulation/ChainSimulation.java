package io.strata.loadtest.simulation;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.fault.ScheduledFault;
import io.strata.loadtest.LoadTestParams;
import io.strata.loadtest.Recorder;

import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

/**
 * The base of the simulations that drive a dataflow chain's entry: an open workload of
 * {@code loadtest.rate} new users a second for {@code loadtest.duration}, each sending one request
 * with the next id (0, 1, 2, ...: the ids the faults' seeded decisions hash), recorded in
 * {@link Recorder} as well as in Gatling's own statistics. A request sent while the outage of the
 * faults (if any) will surely still hold when its hop times out is named {@link #DURING_OUTAGE}, the
 * others {@link #PROCESS}, so assertions can address either. A subclass's constructor calls
 * {@link #run} with its assertions: they are the pass/fail gate.
 */
public abstract class ChainSimulation extends Simulation {

    /** The name of the requests sent outside the outage. */
    public static final String PROCESS = "process";
    /** The name of the requests sent during the outage. */
    public static final String DURING_OUTAGE = "process during outage";

    /** How long past the load's end the simulation may last: requests still in flight, at most. */
    private static final Duration GRACE = Duration.ofSeconds(40);

    protected final LoadTestParams params = LoadTestParams.fromSystemProperties();
    private final long outageFromNanos;
    private final long outageToNanos;
    private volatile long loadStartNanos;

    protected ChainSimulation() {
        ScheduledFault outage = params.outage();
        if (outage == null) {
            outageFromNanos = Long.MAX_VALUE;
            outageToNanos = Long.MAX_VALUE;
        } else {
            // In rpc mode a request sent in the outage's last hop timeout may wait out the outage and succeed;
            // a second timeout of margin keeps a slow machine's late arrivals at D out of the outage's requests.
            Duration end = outage.end() == null ? params.duration() : outage.end();
            Duration lastSure = params.mode() == Mode.RPC ? end.minus(params.timeout().multipliedBy(2)) : end;
            outageFromNanos = outage.start().toNanos();
            outageToNanos = Math.max(outageFromNanos, lastSure.toNanos());
        }
    }

    @Override
    public void before() {
        loadStartNanos = Recorder.INSTANCE.loadStarts();
    }

    /** Sets the simulation up: the open workload against {@code loadtest.target}, gated by {@code assertions}. */
    protected final void run(Assertion... assertions) {
        HttpProtocolBuilder protocol = http.contentTypeHeader("application/json").acceptHeader("application/json")
                // One pool of connections for every user, as a real caller's client has (else each user opens its own).
                .shareConnections()
                .disableWarmUp();
        ScenarioBuilder users = scenario(params.scenario() + " " + params.mode().cliName())
                .feed(ids())
                .exec(process());
        setUp(users.injectOpen(constantUsersPerSec(params.rate()).during(params.duration())))
                .protocols(protocol)
                .maxDuration(params.duration().plus(GRACE))
                .assertions(assertions);
    }

    /** One request to the chain's entry, timed and recorded whatever its outcome. */
    private ChainBuilder process() {
        return exec(session -> session.set(Timing.DURING_OUTAGE, isDuringOutage(System.nanoTime())))
                .exec(Timing.timed(http(session -> session.getBoolean(Timing.DURING_OUTAGE) ? DURING_OUTAGE : PROCESS).post(params.target())
                        .body(StringBody(session -> body(session.getLong("id")))), null));
    }

    private boolean isDuringOutage(long nanos) {
        long sinceStart = nanos - loadStartNanos;
        return sinceStart >= outageFromNanos && sinceStart < outageToNanos;
    }

    private static String body(long id) {
        return String.format(Locale.ROOT, "{\"id\":%d,\"user\":\"u-%d\",\"amount\":%.2f}", id, id % 1000, (id % 10_000) / 100.0);
    }

    /** Ids 0, 1, 2, ...: the same ids in every run, so a seed fails the same requests. */
    private static Iterator<Map<String, Object>> ids() {
        AtomicLong next = new AtomicLong();
        return Stream.generate(() -> Map.<String, Object>of("id", next.getAndIncrement())).iterator();
    }
}
