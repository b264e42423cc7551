package io.strata.loadtest;

import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.fault.ScheduledFault;
import io.strata.loadtest.simulation.CompoundingSimulation;
import io.strata.loadtest.simulation.OutageSimulation;
import io.strata.loadtest.simulation.PlatformSimulation;
import io.strata.loadtest.simulation.SlowHopSimulation;
import io.strata.loadtest.simulation.SteadySimulation;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * The load-test scenarios: each a Gatling simulation, the runs it makes by default (its variants
 * of the parameters: modes, policies), and its default parameters, every one overridable by a
 * {@code -Dloadtest.*} property.
 */
public enum Scenario {

    /** Each mode with no faults: the baseline. Gate: no failed request, every request sent. */
    STEADY(SteadySimulation.class, List.of(p -> p.withMode(Mode.RPC), p -> p.withMode(Mode.DB), p -> p.withMode(Mode.BUS)),
            new LoadTestParams("steady", null, Mode.RPC, 4, 50, Duration.ofSeconds(30), 0, List.of(), Duration.ofSeconds(5), 0, false, 1),
            Map.of("rate", "20", "duration", "3s")),
    /**
     * rpc, 1% errors at each of 4 hops. Gate: the measured failure rate lies in the 99.9% interval
     * of 1 - 0.99^4 for the number of requests sent.
     */
    COMPOUNDING(CompoundingSimulation.class, List.of(p -> p.withMode(Mode.RPC)),
            new LoadTestParams("compounding", null, Mode.RPC, 4, 200, Duration.ofSeconds(60), 0.01, List.of(), Duration.ofSeconds(5), 0, false, 1),
            Map.of("rate", "50", "duration", "4s")),
    /**
     * The last service down for 10 s in the middle of the run, in plain rpc, rpc with a breaker and
     * a retry budget, and bus. Gates: plain rpc fails nearly every request sent during the outage,
     * each after the hop timeout; with the breaker they fail fast; the bus fails none and completes all.
     */
    OUTAGE(OutageSimulation.class, List.of(p -> p.withMode(Mode.RPC), p -> p.withMode(Mode.RPC).withBreakerAndRetries(2),
            p -> p.withMode(Mode.BUS)),
            new LoadTestParams("outage", null, Mode.RPC, 4, 100, Duration.ofSeconds(30), 0, List.of(ScheduledFault.parse("D:down=10s@10s")),
                    Duration.ofSeconds(1), 0, false, 1),
            // D down for 3 s of 8 at a 500 ms hop timeout.
            Map.of("rate", "20", "duration", "8s", "faults", "D:down=3s@2s", "timeout", "500ms")),
    /**
     * C slowed by a heavy-tailed latency (median 20 ms, p99 400 ms) in rpc, db and bus, with a 5 s hop
     * timeout so the tail is measured, not cut. Gates: none fails; rpc's and db's entry p99 is at
     * least the injected tail (the entry waits for the chain), db's p95 too (a slow record holds back
     * the records polled after it); the bus's entry p99 is below half of it.
     */
    SLOW_HOP(SlowHopSimulation.class, List.of(p -> p.withMode(Mode.RPC), p -> p.withMode(Mode.DB), p -> p.withMode(Mode.BUS)),
            new LoadTestParams("slow-hop", null, Mode.RPC, 4, 50, Duration.ofSeconds(30), 0,
                    List.of(ScheduledFault.parse("C:latency=lognormal:20ms:400ms")), Duration.ofSeconds(5), 0, false, 1),
            Map.of("rate", "20", "duration", "3s")),
    /**
     * The node's own HTTP API, no chain: a mix of KV puts and gets, bus produces and reads, table
     * inserts and queries, for capacity planning. Gate: every request sent, none failed, every kind answered.
     */
    PLATFORM(PlatformSimulation.class, List.of(p -> p),
            new LoadTestParams("platform", null, Mode.RPC, 1, 100, Duration.ofSeconds(30), 0, List.of(), Duration.ofSeconds(5), 0, false, 1),
            Map.of("rate", "20", "duration", "3s"));

    private final Class<?> simulation;
    private final List<UnaryOperator<LoadTestParams>> variants;
    private final LoadTestParams defaults;
    private final Map<String, String> smoke;

    Scenario(Class<?> simulation, List<UnaryOperator<LoadTestParams>> variants, LoadTestParams defaults, Map<String, String> smoke) {
        this.simulation = simulation;
        this.variants = variants;
        this.defaults = defaults;
        this.smoke = smoke;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether it drives a dataflow chain; else it hits the node's own API and has no mode. */
    public boolean drivesChain() {
        return this != PLATFORM;
    }

    /** The Gatling simulation class that runs it. */
    public Class<?> simulation() {
        return simulation;
    }

    /** The runs it makes when no {@code loadtest.mode} is given: each a variant of the parameters. */
    public List<LoadTestParams> variants(LoadTestParams params) {
        return variants.stream().map(v -> v.apply(params)).toList();
    }

    public LoadTestParams defaults() {
        return defaults;
    }

    /** The smoke version's {@code loadtest.*} properties: a few seconds at a small rate, for CI. */
    public Properties smokeProperties() {
        Properties props = new Properties();
        smoke.forEach((k, v) -> props.setProperty(LoadTestParams.PREFIX + k, v));
        return props;
    }

    /** The scenario named {@code text}; an {@link IllegalArgumentException} listing the names otherwise. */
    public static Scenario parse(String text) {
        return Arrays.stream(values()).filter(s -> s.cliName().equals(text.trim().toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown scenario '" + text + "'; one of "
                        + Arrays.stream(values()).map(Scenario::cliName).toList()));
    }
}
