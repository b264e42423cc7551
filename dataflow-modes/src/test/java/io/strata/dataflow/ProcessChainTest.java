package io.strata.dataflow;

import io.strata.dataflow.chain.ChainSettings;
import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.chain.ProcessChain;
import io.strata.dataflow.chain.RpcPolicies;
import io.strata.dataflow.experiment.Experiment;
import io.strata.dataflow.experiment.ExperimentResult;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.dataflow.fault.ScheduledFault;
import io.strata.node.launch.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chains whose services each run in a JVM of their own ({@code ./strata service}): an experiment
 * over a bus chain of three processes loses nothing while one is down, and a service process killed
 * with {@code kill -9} turns its caller's calls into refused connections; every process the chain
 * started is gone after it closes.
 */
class ProcessChainTest extends NodeTest {

    @TempDir
    Path logs;

    @Test
    void aBusChainOfProcessesLosesNothingWhileOneIsDown() throws Exception {
        ExperimentSpec spec = ExperimentSpec.of(Mode.BUS, 3, 600, 60)
                .withFaults(List.of(ScheduledFault.parse("C:down=3s@3s"))).withWarmup(Duration.ofSeconds(3));
        ExperimentResult result = new Experiment(node.base(), System.out::println).inProcesses(logs).run(spec);

        assertEquals(0, result.failed(), "failures at the entry: " + result.failuresByKind());
        assertEquals(600, result.completed(), "every accepted request completes after C returns");
        assertTrue(result.maxLag() > 0, "C's backlog grew while it was down");
        assertTrue(result.completionMs().max() >= 2000, "requests that waited out the outage complete late: " + result.completionMs());
        assertEquals(0, ProcessHandle.current().children().count(), "every service process is gone");
    }

    @Test
    void aKilledServiceProcessRefusesItsCallersConnections() throws Exception {
        ChainSettings settings = new ChainSettings("proc-kill", Mode.RPC, 2, node.base(), 1, List.of(),
                RpcPolicies.PLAIN, Duration.ofSeconds(5), Duration.ofMillis(10));
        try (ProcessChain chain = ProcessChain.start(settings, logs)) {
            String request = "{\"id\":7,\"user\":\"u-7\",\"amount\":12.5}";
            TestHttp.Answer ok = TestHttp.send("POST", chain.entryUrl(), request);
            assertEquals(200, ok.status(), "the chain of two processes answers: " + ok.body());
            assertEquals("[\"A\",\"B\"]", ok.body().get("trail").toString());

            NodeProcess b = chain.processes().get(1);
            assertEquals(137, b.kill9(), "B dies of SIGKILL");
            TestHttp.Answer refused = TestHttp.send("POST", chain.entryUrl(), request);
            assertEquals(503, refused.status(), refused.body().toString());
            assertEquals("connection_refused", refused.errorCode());
            assertFalse(b.isAlive());
        }
        assertEquals(0, ProcessHandle.current().children().count(), "every service process is gone");
    }
}
