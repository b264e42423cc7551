package io.strata.node.cluster.internal;

import io.strata.node.cluster.CatalogWriter;
import io.strata.node.testing.SerializationRoundTrip;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CatalogSerializerTest {

    private static final SerializationRoundTrip SERIALIZATION = new SerializationRoundTrip();

    @AfterAll
    static void shutdown() {
        SERIALIZATION.close();
    }

    @Test
    void writesAndResultsCrossNodesIntact() {
        TestProbe<CatalogWriter.Result> probe = SERIALIZATION.testKit().createTestProbe();
        for (Object message : new Object[] {
                new CatalogWriter.Write("table", "events", "{\"name\":\"events\",\"shards\":2}", probe.getRef()),
                new CatalogWriter.Write("topic", "orders", "", probe.getRef()),
                new CatalogWriter.Result(CatalogWriter.Outcome.EXISTS, "{\"name\":\"events\"}"),
                new CatalogWriter.Result(CatalogWriter.Outcome.FAILED, "no majority")}) {
            assertEquals(message, SERIALIZATION.roundTrip(message, CatalogSerializer.class));
        }
    }
}
