package io.strata.dataflow;

import io.strata.dataflow.TestHttp.Answer;
import io.strata.dataflow.chain.Chain;
import io.strata.dataflow.chain.ChainService;
import io.strata.dataflow.chain.ChainSettings;
import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.chain.RpcPolicies;
import io.strata.dataflow.store.StrataClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.strata.dataflow.TestHttp.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the services' admin API over real HTTP on a running rpc chain: faults set on one service
 * take effect on requests to the entry at once and are undone by DELETE, bad fault settings and
 * bad requests are refused with 400 and the platform's error shape, and a service set down holds
 * requests until the caller gives up or the service comes back.
 */
class AdminApiTest extends NodeTest {

    private static final String RUN = "admin-" + Long.toString(System.nanoTime(), 36);
    private static Chain chain;

    @BeforeAll
    static void startChain() {
        chain = Chain.start(new ChainSettings(RUN, Mode.RPC, 4, node.base(), 1, List.of(), RpcPolicies.PLAIN,
                Duration.ofSeconds(5), Duration.ofMillis(10)), 0);
    }

    @AfterAll
    static void closeChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @AfterEach
    void clearFaults() throws Exception {
        for (ChainService service : chain.services()) {
            send("DELETE", faultsUrl(service.name()), null);
        }
    }

    private static String faultsUrl(String service) {
        return chain.service(service).url() + "/admin/faults";
    }

    private static Answer process(long id) throws Exception {
        return send("POST", chain.entryUrl(), "{\"id\":" + id + ",\"user\":\"u-1\",\"amount\":10}");
    }

    private static void assertError(Answer answer, int status, String code) {
        assertEquals(status, answer.status(), answer.body().toString());
        assertEquals(code, answer.errorCode(), answer.body().toString());
        assertNotNull(answer.errorMessage(), "an error has a message: " + answer.body());
        assertFalse(answer.errorMessage().isBlank());
    }

    @Test
    void faultsSetOnOneServiceFailRequestsAtTheEntryUntilDeleted() throws Exception {
        Answer ok = process(1);
        assertEquals(200, ok.status(), ok.body().toString());
        assertEquals("[\"A\",\"B\",\"C\",\"D\"]", ok.body().path("trail").toString());

        Answer set = send("PUT", faultsUrl("C"), "{\"error_rate\":1.0}");
        assertEquals(200, set.status(), set.body().toString());
        Answer failed = process(2);
        assertError(failed, 500, "injected_fault");
        assertTrue(failed.errorMessage().contains("C"), "the failure names the service: " + failed.errorMessage());

        Answer shown = send("GET", faultsUrl("C"), null);
        assertEquals(1.0, shown.body().path("admin").path("error_rate").asDouble());
        assertEquals(1.0, shown.body().path("effective").path("error_rate").asDouble());
        assertEquals(0, send("GET", faultsUrl("B"), null).body().path("admin").size(), "B has no faults");
        Answer stats = send("GET", chain.service("C").url() + "/admin/stats", null);
        assertTrue(stats.body().path("injected_failures").asLong() >= 1, stats.body().toString());

        Answer restored = send("DELETE", faultsUrl("C"), null);
        assertEquals(0, restored.body().path("admin").size(), restored.body().toString());
        assertEquals(200, process(3).status());
    }

    @Test
    void aSuccessfulRequestLeavesItsResultInTheStore() throws Exception {
        assertEquals(200, process(7).status());
        StrataClient store = new StrataClient(node.base(), HttpClient.newHttpClient());
        // The keyspace and key layout of chain.Results: RUN.result.ID in "dataflow".
        String key = RUN + ".result.7";
        String stored = store.mget("dataflow", List.of(key)).get(5, TimeUnit.SECONDS).get(key);
        assertNotNull(stored, "the last service stored the result");
        assertTrue(stored.contains("\"trail\":[\"A\",\"B\",\"C\",\"D\"]"), stored);
    }

    @Test
    void badFaultSettingsAreRefused() throws Exception {
        assertError(send("PUT", faultsUrl("C"), "{not json"), 400, "invalid_json");
        Answer unknown = send("PUT", faultsUrl("C"), "{\"explode\":true}");
        assertError(unknown, 400, "invalid_faults");
        assertTrue(unknown.errorMessage().contains("explode"), unknown.errorMessage());
        assertError(send("PUT", faultsUrl("C"), "{\"error_rate\":\"high\"}"), 400, "invalid_faults");
        assertError(send("PUT", faultsUrl("C"), "{\"error_rate\":1.5}"), 400, "invalid_faults");
        assertError(send("PUT", faultsUrl("C"), "{\"latency\":\"50\"}"), 400, "invalid_faults");
        // A refused setting changes nothing.
        assertEquals(0, send("GET", faultsUrl("C"), null).body().path("admin").size());
        assertEquals(200, process(4).status());
    }

    @Test
    void badRequestsAreRefused() throws Exception {
        assertError(send("POST", chain.entryUrl(), "{\"user\":\"u-1\"}"), 400, "invalid_request");
        assertError(send("POST", chain.entryUrl(), "{\"id\":\"one\"}"), 400, "invalid_request");
        assertError(send("POST", chain.entryUrl(), "[1,2]"), 400, "invalid_request");
        assertError(send("POST", chain.entryUrl(), "not json"), 400, "invalid_json");
        assertEquals("up", send("GET", chain.service("A").url() + "/health", null).body().path("status").asText());
    }

    @Test
    void aDownServiceHoldsRequestsUntilTheCallerGivesUpOrItReturns() throws Exception {
        String c = chain.service("C").url() + "/process";
        assertEquals(200, send("PUT", faultsUrl("C"), "{\"down\":true}").status());

        long before = System.nanoTime();
        assertThrows(HttpTimeoutException.class, () -> send("POST", c, "{\"id\":10}", Duration.ofMillis(700)));
        assertTrue(System.nanoTime() - before >= TimeUnit.MILLISECONDS.toNanos(700));

        // Through the chain, B gives up on C after its hop timeout (1 s) and the entry reports why.
        before = System.nanoTime();
        assertError(process(11), 504, "timeout");
        assertTrue(System.nanoTime() - before >= TimeUnit.MILLISECONDS.toNanos(900));

        CompletableFuture<Answer> held = TestHttp.sendAsync("POST", c, "{\"id\":12}", Duration.ofSeconds(20));
        assertThrows(java.util.concurrent.TimeoutException.class, () -> held.get(500, TimeUnit.MILLISECONDS),
                "the down service answers nothing");
        before = System.nanoTime();
        send("DELETE", faultsUrl("C"), null);
        Answer released = held.get(5, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(2), "released soon after the service came back");
        assertError(released, 503, "service_down");
        assertEquals(200, process(13).status());
    }

    @Test
    void aBusChainTakesRequestsOnlyAtItsEntry() throws Exception {
        try (Chain bus = Chain.start(new ChainSettings(RUN + "-bus", Mode.BUS, 2, node.base(), 1, List.of(), RpcPolicies.PLAIN,
                Duration.ofSeconds(5), Duration.ofMillis(10)), 0)) {
            assertError(send("POST", bus.service("B").url() + "/process", "{\"id\":1}"), 404, "not_the_entry");
            assertEquals(202, send("POST", bus.entryUrl(), "{\"id\":1}").status());
        }
    }
}
