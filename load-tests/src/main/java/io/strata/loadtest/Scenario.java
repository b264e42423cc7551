package io.strata.loadtest;

import io.strata.dataflow.chain.Mode;
import io.strata.loadtest.simulation.CompoundingSimulation;
import io.strata.loadtest.simulation.SteadySimulation;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The load-test scenarios: each a Gatling simulation, the modes it runs in by default, and its
 * default parameters (every one overridable by a {@code -Dloadtest.*} property).
 */
public enum Scenario {

    /** Each mode with no faults: the baseline. Gate: no failed request, every request sent. */
    STEADY(SteadySimulation.class, List.of(Mode.RPC, Mode.DB, Mode.BUS),
            new LoadTestParams("steady", null, Mode.RPC, 4, 50, Duration.ofSeconds(30), 0, List.of(), Duration.ofSeconds(5), 1)),
    /**
     * rpc, 1% errors at each of 4 hops. Gate: the measured failure rate lies in the 99.9% interval
     * of 1 - 0.99^4 for the number of requests sent.
     */
    COMPOUNDING(CompoundingSimulation.class, List.of(Mode.RPC),
            new LoadTestParams("compounding", null, Mode.RPC, 4, 200, Duration.ofSeconds(60), 0.01, List.of(), Duration.ofSeconds(5), 1));

    private final Class<?> simulation;
    private final List<Mode> modes;
    private final LoadTestParams defaults;

    Scenario(Class<?> simulation, List<Mode> modes, LoadTestParams defaults) {
        this.simulation = simulation;
        this.modes = modes;
        this.defaults = defaults;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The Gatling simulation class that runs it. */
    public Class<?> simulation() {
        return simulation;
    }

    /** The modes it runs in when no {@code loadtest.mode} is given. */
    public List<Mode> modes() {
        return modes;
    }

    public LoadTestParams defaults() {
        return defaults;
    }

    /** The scenario named {@code text}; an {@link IllegalArgumentException} listing the names otherwise. */
    public static Scenario parse(String text) {
        return Arrays.stream(values()).filter(s -> s.cliName().equals(text.trim().toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown scenario '" + text + "'; one of "
                        + Arrays.stream(values()).map(Scenario::cliName).toList()));
    }
}
