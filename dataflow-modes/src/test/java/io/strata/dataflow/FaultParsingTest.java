package io.strata.dataflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.dataflow.chain.ChainSettings;
import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.chain.RpcPolicies;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.dataflow.fault.FaultSpec;
import io.strata.dataflow.fault.LatencySpec;
import io.strata.dataflow.fault.ScheduledFault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves that every bad input to the modes, the chain and the faults is refused with an
 * {@link IllegalArgumentException} whose message names the bad value and says what is expected,
 * before anything starts.
 */
class FaultParsingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Asserts {@code bad} is refused with a message containing every one of {@code fragments}. */
    private static void refused(Executable bad, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }

    private static ChainSettings chain(int hops, String... faults) {
        return new ChainSettings("run", Mode.RPC, hops, "http://127.0.0.1:1", 1,
                List.of(faults).stream().map(ScheduledFault::parse).toList(), RpcPolicies.PLAIN, Duration.ofSeconds(5), Duration.ofMillis(10));
    }

    @Test
    void unknownMode() {
        refused(() -> Mode.parse("grpc"), "'grpc'", "db, rpc and bus");
        assertEquals(Mode.BUS, Mode.parse(" BUS "));
    }

    @Test
    void hopsOutOfRange() {
        refused(() -> chain(0), "between 1 and 8", "got 0");
        refused(() -> chain(9), "between 1 and 8", "got 9");
        refused(() -> ExperimentSpec.of(Mode.RPC, 0, 100, 100), "between 1 and 8", "got 0");
        refused(() -> ExperimentSpec.of(Mode.RPC, 9, 100, 100), "between 1 and 8", "got 9");
        assertEquals(8, chain(8).hops());
    }

    @Test
    void errorRateOutsideZeroToOne() {
        for (String rate : List.of("-0.1", "1.5")) {
            refused(() -> ScheduledFault.parse("C:error-rate=" + rate), "[0, 1]", rate);
            refused(() -> ExperimentSpec.of(Mode.RPC, 4, 100, 100).withErrorRate(Double.parseDouble(rate)), "[0, 1]", rate);
            refused(() -> FaultSpec.NONE.withErrorRate(Double.parseDouble(rate)), "[0, 1]", rate);
        }
        refused(() -> ScheduledFault.parse("C:error-rate=lots"), "[0, 1]", "'lots'");
    }

    @Test
    void negativeLatency() {
        refused(() -> LatencySpec.parse("-5ms"), "negative", "-5ms");
        refused(() -> ScheduledFault.parse("B:latency=-5ms"), "negative", "-5ms");
        refused(() -> LatencySpec.parse("50ms+-5ms"), "negative", "-5ms");
    }

    @Test
    void latencyWithoutUnit() {
        refused(() -> LatencySpec.parse("50"), "50ms", "'50'");
        refused(() -> ScheduledFault.parse("B:latency=50"), "50ms", "'50'");
        refused(() -> ScheduledFault.parse("C:down=10@5s"), "'10'");
        refused(() -> LatencySpec.parse("lognormal:20ms"), "lognormal:MEDIAN:P99");
        refused(() -> LatencySpec.parse("lognormal:400ms:20ms"), "median <= p99");
    }

    @Test
    void malformedFault() {
        refused(() -> ScheduledFault.parse("C-down"), "SERVICE:KIND=VALUE[@START]", "'C-down'");
        refused(() -> ScheduledFault.parse("C:down=10s@soon"), "'soon'");
    }

    @Test
    void unknownFaultKind() {
        refused(() -> ScheduledFault.parse("C:explode=1"), "'explode'", "error-rate, latency, down, capacity and store-latency");
    }

    @Test
    void badCapacity() {
        refused(() -> ScheduledFault.parse("D:capacity=0"), "capacity", "'0'");
        assertEquals(200, ScheduledFault.parse("D:capacity=200/s").apply().on(FaultSpec.NONE).capacity());
    }

    @Test
    void faultOnAServiceTheChainDoesNotHave() {
        refused(() -> chain(4, "E:down=1s"), "service E", "A to D");
        refused(() -> chain(4, "AB:down=1s"), "service AB");
        // The spec refuses it too, before an experiment spends its warm-up on a chain it cannot build.
        refused(() -> ExperimentSpec.of(Mode.RPC, 4, 100, 100).withFaults(List.of(ScheduledFault.parse("E:down=1s"))), "service E", "A to D");
        assertEquals(2, chain(4, "D:down=1s", "*:latency=5ms").faults().size());
    }

    @Test
    void faultSpecJsonWithUnknownFieldOrWrongType() throws Exception {
        refused(() -> FaultSpec.fromJson(JSON.readTree("{\"error_rate\":0.1,\"explode\":true}")), "explode", "error_rate, latency, down");
        refused(() -> FaultSpec.fromJson(JSON.readTree("{\"error_rate\":\"high\"}")), "'error_rate'", "number");
        refused(() -> FaultSpec.fromJson(JSON.readTree("{\"down\":\"yes\"}")), "'down'", "true or false");
        refused(() -> FaultSpec.fromJson(JSON.readTree("{\"latency\":50}")), "'latency'", "\"50ms\"");
        refused(() -> FaultSpec.fromJson(JSON.readTree("{\"capacity\":0}")), "'capacity'", ">= 1");
        refused(() -> FaultSpec.fromJson(JSON.readTree("{\"error_rate\":1.5}")), "[0, 1]", "1.5");
        refused(() -> FaultSpec.fromJson(JSON.readTree("[1]")), "JSON object");
        FaultSpec ok = FaultSpec.fromJson(JSON.readTree("{\"error_rate\":0.05,\"latency\":\"50ms+10ms\",\"down\":true,\"capacity\":100,\"store_latency\":\"20ms\"}"));
        assertEquals(JSON.readTree("{\"error_rate\":0.05,\"latency\":\"50ms+10ms\",\"down\":true,\"capacity\":100,\"store_latency\":\"20ms\"}"), ok.toJson());
    }
}
