package io.strata.node.stream.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a job writes its window results: {@code {"kv": {"space": "features", "ttl": "1d"}}},
 * {@code {"table": "spend_1m"}} or {@code {"topic": "spend-out"}}. Names follow
 * {@link io.strata.node.common.Names}: keyspaces and tables up to 64 characters, topics up to 120.
 */
public sealed interface Sink permits Sink.Kv, Sink.Table, Sink.Topic {

    /** The sink as it is written in a spec. */
    JsonNode toJson();

    /** The online store: key → the latest closed window's result, expiring after {@code ttl} when given. */
    record Kv(String space, Optional<Duration> ttl) implements Sink {
        public JsonNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            ObjectNode kv = o.putObject("kv").put("space", space);
            ttl.ifPresent(t -> kv.put("ttl", SpecJson.duration(t)));
            return o;
        }
    }

    /** The offline store: one row per key and window, in a table the job creates if absent. */
    record Table(String name) implements Sink {
        public JsonNode toJson() {
            return JsonNodeFactory.instance.objectNode().put("table", name);
        }
    }

    /** A topic that gets one JSON record per result. */
    record Topic(String name) implements Sink {
        public JsonNode toJson() {
            return JsonNodeFactory.instance.objectNode().put("topic", name);
        }
    }
}
