package io.strata.node.stream.spec;

import io.strata.node.common.StrataException;
import io.strata.node.http.Json;
import io.strata.node.stream.window.WindowSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Java builder makes the same spec as the JSON, and is validated the same way. */
class JobSpecBuilderTest {

    @Test
    void theBuilderMakesTheSameSpecAsTheJson() {
        JobSpec built = JobSpecBuilder.named("spend")
                .source("purchases", "spend-job")
                .where("type", "=", "purchase")
                .set("total", "price * quantity")
                .key("user").eventTime("ts")
                .sliding(Duration.ofMinutes(5), Duration.ofMinutes(1))
                .outOfOrderness(Duration.ofSeconds(5)).allowedLateness(Duration.ofSeconds(30)).idleTimeout(Duration.ofSeconds(10))
                .aggregate("count", null, "n").aggregate("sum", "total", "spend")
                .kvSink("features", Duration.ofDays(1)).tableSink("spend_5m").topicSink("spend-out")
                .build();
        JobSpec parsed = JobSpec.parse(Json.parse(("{\"name\":\"spend\",\"source\":{\"topic\":\"purchases\",\"group\":\"spend-job\"},"
                + "\"filter\":{\"column\":\"type\",\"op\":\"=\",\"value\":\"purchase\"},"
                + "\"transforms\":[{\"set\":{\"field\":\"total\",\"expr\":\"price * quantity\"}}],"
                + "\"key\":\"user\",\"event_time\":\"ts\",\"window\":{\"type\":\"sliding\",\"size\":\"5m\",\"slide\":\"1m\"},"
                + "\"out_of_orderness\":\"5s\",\"allowed_lateness\":\"30s\",\"idle_timeout\":\"10s\","
                + "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"total\",\"as\":\"spend\"}],"
                + "\"sinks\":[{\"kv\":{\"space\":\"features\",\"ttl\":\"1d\"}},{\"table\":\"spend_5m\"},{\"topic\":\"spend-out\"}]}").getBytes()));
        assertEquals(parsed, built);
        assertEquals(new WindowSpec.Sliding(Duration.ofMinutes(5), Duration.ofMinutes(1)), built.window());
    }

    @Test
    void aBadBuiltSpecIsRefusedWithTheSameCodes() {
        StrataException e = assertThrows(StrataException.class, () -> JobSpecBuilder.named("x").source("t", "g")
                .key("user").eventTime("ts").tumbling(Duration.ofMinutes(1)).aggregate("median", "v", "m").kvSink("f", null).build());
        assertEquals("invalid_aggregate", e.code());
        assertEquals("invalid_window", assertThrows(StrataException.class, () -> JobSpecBuilder.named("x").source("t", "g")
                .key("user").eventTime("ts").sliding(Duration.ofMinutes(5), Duration.ofMinutes(2))
                .aggregate("count", null, "n").kvSink("f", null).build()).code());
    }
}
