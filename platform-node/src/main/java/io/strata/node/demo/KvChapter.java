package io.strata.node.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key-value store: put and get with versions, expiry, counters, compare-and-set,
 * create-only writes, multi-get and keyspace statistics; after the crash, the same data.
 */
public final class KvChapter implements DemoChapter {

    private static final String SPACE = "/kv/demo";
    private static final String MGET_KEYS = "[\"greeting\",\"visits\",\"owner\",\"session\",\"nobody\"]";

    /** What the tour left in the store, checked again after the crash. */
    private final Map<String, String> expected = new LinkedHashMap<>();
    private long greetingVersion;

    @Override
    public String title() {
        return "Key-value store";
    }

    @Override
    public void tour(DemoTour tour) throws Exception {
        tour.step("Put a value, get it back with its version");
        tour.say("Every write answers with a version, also sent as the ETag header.");
        long created = tour.put(SPACE + "/greeting", "hello, strata").expect(201).version();
        tour.check(tour.get(SPACE + "/greeting").expect(200, "hello, strata").version() == created,
                "GET to return the version the PUT answered (" + created + ")");

        tour.step("Expiry: a key with a three-second TTL");
        JsonNode session = tour.put(SPACE + "/session?ttl=3", "short-lived").expect(201).json();
        tour.check(session.has("expires_at"), "the PUT with ?ttl=3 to answer expires_at");
        tour.get(SPACE + "/session").expect(200, "short-lived");
        Instant expiresAt = Instant.parse(session.get("expires_at").asText());
        tour.say("Waiting until " + expiresAt + " has passed...");
        // Waiting is the point of this step: the key must be gone once its time is up.
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiresAt).toMillis()) + 100);
        tour.get(SPACE + "/session").expectError(404, "key_not_found");

        tour.step("Counters: atomic increments");
        tour.check(tour.post(SPACE + "/visits/incr", null).expect(200).json().path("value").asLong() == 1,
                "the first incr of a new key to answer 1");
        tour.check(tour.post(SPACE + "/visits/incr?by=41", null).expect(200).json().path("value").asLong() == 42,
                "incr by 41 to answer 42");

        tour.step("Compare-and-set: If-Match with the current version");
        long current = tour.get(SPACE + "/greeting").expect(200).version();
        greetingVersion = tour.put(SPACE + "/greeting", "hello again", "If-Match", quoted(current)).expect(200).version();
        tour.say("A writer still holding version " + current + " is refused instead of overwriting the newer value:");
        tour.put(SPACE + "/greeting", "lost update", "If-Match", quoted(current)).expectError(412, "version_mismatch");
        tour.get(SPACE + "/greeting").expect(200, "hello again");

        tour.step("Create-only: If-None-Match: *");
        tour.put(SPACE + "/owner", "alice", "If-None-Match", "*").expect(201);
        tour.put(SPACE + "/owner", "mallory", "If-None-Match", "*").expectError(412, "version_mismatch");

        expected.put("greeting", "hello again");
        expected.put("visits", "42");
        expected.put("owner", "alice");
        expected.put("session", null);
        expected.put("nobody", null);

        tour.step("Multi-get: several keys in one request");
        tour.say("Absent and expired keys answer null.");
        checkMultiGet(tour);

        tour.step("Keyspace statistics");
        checkStats(tour);
    }

    @Override
    public void afterCrash(DemoTour tour) throws Exception {
        tour.step("The key-value data came back");
        checkMultiGet(tour);
        tour.check(tour.get(SPACE + "/greeting").expect(200, "hello again").version() == greetingVersion,
                "the greeting to keep its version " + greetingVersion);
        tour.say("The expired key stayed gone:");
        tour.get(SPACE + "/session").expectError(404, "key_not_found");
        tour.say("The counter counts on from where it was:");
        tour.check(tour.post(SPACE + "/visits/incr", null).expect(200).json().path("value").asLong() == 43,
                "incr after the restart to answer 43");
        expected.put("visits", "43");
        checkStats(tour);
    }

    private void checkMultiGet(DemoTour tour) throws Exception {
        JsonNode found = tour.post(SPACE + "/_mget", MGET_KEYS).expect(200).json();
        tour.check(found.equals(Json.MAPPER.valueToTree(expected)), "_mget to answer " + Json.MAPPER.valueToTree(expected));
    }

    private void checkStats(DemoTour tour) throws Exception {
        List<String> live = expected.values().stream().filter(v -> v != null).toList();
        long bytes = live.stream().mapToLong(v -> v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).sum();
        JsonNode stats = tour.get(SPACE).expect(200).json();
        tour.check(stats.path("keys").asLong() == live.size() && stats.path("value_bytes").asLong() == bytes,
                live.size() + " keys holding " + bytes + " bytes, got " + stats);
    }

    private static String quoted(long version) {
        return "\"" + version + "\"";
    }
}
