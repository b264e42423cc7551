package io.strata.dataflow.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The faults in force on one service at one moment. Immutable; {@link #NONE} has none.
 *
 * @param errorRate    the fraction of requests (or records) the service fails, in [0, 1]
 * @param latency      added to every request, or null
 * @param down         the service does not answer at all: requests hang until the caller gives up,
 *                     workers stop consuming
 * @param capacity     requests per second the service can work through (0: unlimited); beyond it
 *                     requests queue, as on a saturated server
 * @param storeLatency added to each of the service's reads and writes of the shared store, or null
 */
public record FaultSpec(double errorRate, LatencySpec latency, boolean down, int capacity, LatencySpec storeLatency) {

    public static final FaultSpec NONE = new FaultSpec(0, null, false, 0, null);

    public FaultSpec {
        if (!(errorRate >= 0 && errorRate <= 1)) {
            throw new IllegalArgumentException("an error rate is a fraction in [0, 1], got " + errorRate);
        }
        if (capacity < 0) {
            throw new IllegalArgumentException("a capacity is a number of requests per second >= 1, got " + capacity);
        }
    }

    public FaultSpec withErrorRate(double rate) {
        return new FaultSpec(rate, latency, down, capacity, storeLatency);
    }

    public FaultSpec withLatency(LatencySpec added) {
        return new FaultSpec(errorRate, added, down, capacity, storeLatency);
    }

    public FaultSpec withDown(boolean isDown) {
        return new FaultSpec(errorRate, latency, isDown, capacity, storeLatency);
    }

    public FaultSpec withCapacity(int perSecond) {
        return new FaultSpec(errorRate, latency, down, perSecond, storeLatency);
    }

    public FaultSpec withStoreLatency(LatencySpec added) {
        return new FaultSpec(errorRate, latency, down, capacity, added);
    }

    /** True when nothing is injected. */
    public boolean isNone() {
        return equals(NONE);
    }

    /** This spec as the admin API shows it: only the faults in force. */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        if (errorRate > 0) {
            json.put("error_rate", errorRate);
        }
        if (latency != null) {
            json.put("latency", latency.toString());
        }
        if (down) {
            json.put("down", true);
        }
        if (capacity > 0) {
            json.put("capacity", capacity);
        }
        if (storeLatency != null) {
            json.put("store_latency", storeLatency.toString());
        }
        return json;
    }

    /**
     * Reads the admin API's shape: {@code {"error_rate":0.05, "latency":"50ms+10ms", "down":true,
     * "capacity":100, "store_latency":"20ms"}}, every field optional. Unknown fields and wrong
     * types are an {@link IllegalArgumentException} naming them.
     */
    public static FaultSpec fromJson(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("faults are a JSON object such as {\"error_rate\":0.05,\"latency\":\"50ms\"}");
        }
        FaultSpec spec = NONE;
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode value = json.get(name);
            switch (name) {
                case "error_rate" -> {
                    requireType(value.isNumber(), name, "a number in [0, 1]");
                    spec = spec.withErrorRate(value.asDouble());
                }
                case "latency" -> {
                    requireType(value.isTextual(), name, "a string such as \"50ms\", \"50ms+20ms\" or \"lognormal:20ms:400ms\"");
                    spec = spec.withLatency(LatencySpec.parse(value.asText()));
                }
                case "down" -> {
                    requireType(value.isBoolean(), name, "true or false");
                    spec = spec.withDown(value.asBoolean());
                }
                case "capacity" -> {
                    requireType(value.canConvertToInt() && value.asInt() >= 1, name, "a whole number of requests per second >= 1");
                    spec = spec.withCapacity(value.asInt());
                }
                case "store_latency" -> {
                    requireType(value.isTextual(), name, "a string such as \"20ms\"");
                    spec = spec.withStoreLatency(LatencySpec.parse(value.asText()));
                }
                default -> unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown fault " + unknown
                    + "; the faults are error_rate, latency, down, capacity and store_latency");
        }
        return spec;
    }

    private static void requireType(boolean ok, String name, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("the fault '" + name + "' must be " + expected);
        }
    }
}
