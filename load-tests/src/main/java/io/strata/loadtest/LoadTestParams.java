package io.strata.loadtest;

import io.strata.dataflow.chain.ChainSettings;
import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.chain.RpcPolicies;
import io.strata.dataflow.fault.Durations;
import io.strata.dataflow.fault.FaultInjector;
import io.strata.dataflow.fault.ScheduledFault;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * What a load test runs: the scenario, the chain (mode, hops, faults, rpc hop timeout) and the
 * open workload (a constant rate of new users, one request each, for a bounded duration). Read
 * from {@code -Dloadtest.*} properties, so a simulation run by Gatling sees the same values as the
 * runner that set them; every value is checked against the bounds below.
 *
 * @param scenario  the scenario's name ({@link Scenario#cliName()})
 * @param target    where requests go: the chain's entry, {@code http://127.0.0.1:PORT/process}; loopback only
 * @param mode      how the chain's services hand work on
 * @param hops      the chain's length, 1 to 8
 * @param rate      new users (requests) per second, above 0 and at most {@link #MAX_RATE}
 * @param duration  how long users keep arriving, at most {@link #MAX_DURATION}
 * @param errorRate the fraction of requests every service fails ({@code *:error-rate}), in [0, 1]
 * @param faults    further faults, {@code SERVICE:KIND=VALUE[@START]}, timed from the load's start
 * @param timeout   the rpc mode's timeout per hop
 * @param retries   the rpc mode's retries per hop (exponential backoff from 20 ms, a 10% retry budget)
 * @param breaker   whether each rpc hop calls through a circuit breaker (opens after 5 failures, 1 s reset)
 * @param seed      the fault injection's seed: the same seed and ids fail the same requests
 */
public record LoadTestParams(String scenario, String target, Mode mode, int hops, double rate, Duration duration,
                             double errorRate, List<ScheduledFault> faults, Duration timeout, int retries, boolean breaker,
                             long seed) {

    public static final double MAX_RATE = 1_000;
    public static final Duration MAX_DURATION = Duration.ofMinutes(10);
    /** Properties are named {@code loadtest.<name>}. */
    public static final String PREFIX = "loadtest.";

    public LoadTestParams {
        if (hops < 1 || hops > ChainSettings.MAX_HOPS) {
            throw new IllegalArgumentException("hops must be between 1 and " + ChainSettings.MAX_HOPS + ", got " + hops);
        }
        if (!(rate > 0 && rate <= MAX_RATE)) {
            throw new IllegalArgumentException("the rate must be above 0 and at most " + (int) MAX_RATE + " users/s, got " + rate);
        }
        if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("the duration must be above 0 and at most " + MAX_DURATION.toMinutes() + " min, got " + duration);
        }
        if (!(errorRate >= 0 && errorRate <= 1)) {
            throw new IllegalArgumentException("an error rate is a fraction in [0, 1], got " + errorRate);
        }
        if (target != null && !target.startsWith("http://127.0.0.1:") && !target.startsWith("http://localhost:")) {
            throw new IllegalArgumentException("load tests target loopback only (http://127.0.0.1:PORT/...), got " + target);
        }
        ChainSettings.requireServicesExist(faults, hops);
        faults = List.copyOf(faults);
        rpcPolicies(timeout, retries, breaker);
    }

    /** The scenario's defaults, each overridden by a {@code loadtest.*} property of {@code props} when present. */
    public static LoadTestParams from(Scenario scenario, Properties props) {
        Function<String, String> get = name -> props.getProperty(PREFIX + name);
        LoadTestParams d = scenario.defaults();
        String faults = get.apply("faults");
        return new LoadTestParams(scenario.cliName(), or(get.apply("target"), d.target()),
                get.apply("mode") != null ? Mode.parse(get.apply("mode")) : d.mode(),
                get.apply("hops") != null ? Integer.parseInt(get.apply("hops")) : d.hops(),
                get.apply("rate") != null ? Double.parseDouble(get.apply("rate")) : d.rate(),
                get.apply("duration") != null ? Durations.parse("duration", get.apply("duration")) : d.duration(),
                get.apply("errorRate") != null ? ScheduledFault.parseRate(get.apply("errorRate")) : d.errorRate(),
                faults != null ? parseFaults(faults) : d.faults(),
                get.apply("timeout") != null ? Durations.parse("timeout", get.apply("timeout")) : d.timeout(),
                get.apply("retries") != null ? Integer.parseInt(get.apply("retries")) : d.retries(),
                get.apply("breaker") != null ? Boolean.parseBoolean(get.apply("breaker")) : d.breaker(),
                get.apply("seed") != null ? Long.parseLong(get.apply("seed")) : d.seed());
    }

    /** The parameters the runner left in this JVM's system properties, for a simulation Gatling instantiates. */
    public static LoadTestParams fromSystemProperties() {
        String name = System.getProperty(PREFIX + "scenario");
        if (name == null) {
            throw new IllegalStateException("no " + PREFIX + "scenario property: run simulations through ./strata loadtest or LoadTest.run");
        }
        return from(Scenario.parse(name), System.getProperties());
    }

    /** These parameters as {@code loadtest.*} properties, which {@link #from} reads back unchanged. */
    public Map<String, String> toProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("scenario", scenario);
        if (target != null) {
            p.put("target", target);
        }
        p.put("mode", mode.cliName());
        p.put("hops", Integer.toString(hops));
        p.put("rate", Double.toString(rate));
        p.put("duration", Durations.format(duration));
        p.put("errorRate", Double.toString(errorRate));
        p.put("faults", String.join(",", faults.stream().map(ScheduledFault::toString).toList()));
        p.put("timeout", Durations.format(timeout));
        p.put("retries", Integer.toString(retries));
        p.put("breaker", Boolean.toString(breaker));
        p.put("seed", Long.toString(seed));
        Map<String, String> prefixed = new LinkedHashMap<>();
        p.forEach((k, v) -> prefixed.put(PREFIX + k, v));
        return prefixed;
    }

    public LoadTestParams withTarget(String url) {
        return new LoadTestParams(scenario, url, mode, hops, rate, duration, errorRate, faults, timeout, retries, breaker, seed);
    }

    public LoadTestParams withMode(Mode m) {
        return new LoadTestParams(scenario, target, m, hops, rate, duration, errorRate, faults, timeout, retries, breaker, seed);
    }

    /** rpc with a circuit breaker at every hop and {@code n} retries under a retry budget. */
    public LoadTestParams withBreakerAndRetries(int n) {
        return new LoadTestParams(scenario, target, mode, hops, rate, duration, errorRate, faults, timeout, n, true, seed);
    }

    /** The rpc mode's policies: the hop timeout, and the retries and breaker when asked for. */
    public RpcPolicies rpc() {
        return rpcPolicies(timeout, retries, breaker);
    }

    private static RpcPolicies rpcPolicies(Duration timeout, int retries, boolean breaker) {
        return RpcPolicies.PLAIN.withTimeout(timeout).withRetries(retries, Duration.ofMillis(20), 0.1)
                .withBreaker(breaker, 5, Duration.ofSeconds(1));
    }

    /** The first outage ({@code SERVICE:down=LENGTH@START}) of the faults, or null. */
    public ScheduledFault outage() {
        return faults.stream().filter(f -> f.kind() == ScheduledFault.Kind.DOWN).findFirst().orElse(null);
    }

    /** The first added-latency fault ({@code SERVICE:latency=...}) of the faults, or null. */
    public ScheduledFault slowHop() {
        return faults.stream().filter(f -> f.kind() == ScheduledFault.Kind.LATENCY).findFirst().orElse(null);
    }

    /** How many requests the workload sends: one per user, {@code rate} users a second for {@code duration}. */
    public long requests() {
        return Math.round(rate * duration.toNanos() / 1e9);
    }

    /** Every fault of the run: {@code *:error-rate} first when {@link #errorRate} is above 0, then {@link #faults}. */
    public List<ScheduledFault> allFaults() {
        List<ScheduledFault> all = new java.util.ArrayList<>();
        if (errorRate > 0) {
            all.add(ScheduledFault.parse("*:error-rate=" + errorRate));
        }
        all.addAll(faults);
        return all;
    }

    /**
     * 1 - Π(1 - pᵢ) over the services, pᵢ each one's error rate at the start of the run: the entry's
     * failure rate if the hops fail independently (1 - (1 - p)^hops for {@code *:error-rate=p}).
     */
    public double predictedFailureRate() {
        double allPass = 1;
        for (int i = 0; i < hops; i++) {
            FaultInjector faults = new FaultInjector(ChainSettings.serviceName(i), seed, allFaults());
            faults.startClock(0);
            allPass *= 1 - faults.effective(0).errorRate();
        }
        return 1 - allPass;
    }

    /** A one-line description for the report and the console. */
    public String describe() {
        if (!Scenario.parse(scenario).drivesChain()) {
            return String.format(Locale.ROOT, "%s: node API mix, %.0f users/s for %s", scenario, rate, Durations.format(duration));
        }
        return String.format(Locale.ROOT, "%s: %s, %d hops, %.0f users/s for %s, faults %s%s", scenario, mode.cliName(), hops, rate,
                Durations.format(duration), allFaults().isEmpty() ? "none" : allFaults(),
                mode == Mode.RPC ? ", " + rpc().describe() : "");
    }

    private static List<ScheduledFault> parseFaults(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(ScheduledFault::parse).toList();
    }

    private static String or(String value, String fallback) {
        return value != null ? value : fallback;
    }
}
