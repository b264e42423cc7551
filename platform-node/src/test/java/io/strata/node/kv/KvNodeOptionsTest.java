package io.strata.node.kv;

import io.strata.node.StartupException;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Node options that change the API's behaviour: bearer-token auth, keyspace auto-creation, the data-directory lock. */
class KvNodeOptionsTest {

    @TempDir
    Path dir;

    @Test
    void bearerTokenAndExplicitKeyspaces() {
        try (TestNode node = TestNode.start(dir, Map.of("strata.http.auth-token", "s3cret", "strata.kv.auto-create-keyspaces", "off"))) {
            assertEquals(200, node.get("/health").statusCode(), "health needs no token");
            var anonymous = node.put("/kv/s/k", "v");
            assertEquals(401, anonymous.statusCode());
            assertTrue(anonymous.body().contains("\"unauthorized\""));
            var wrong = node.send(node.request("/kv/s/k").header("Authorization", "Bearer nope").GET());
            assertEquals(401, wrong.statusCode());

            var unknown = node.send(node.request("/kv/s/k").header("Authorization", "Bearer s3cret")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("v")));
            assertEquals(404, unknown.statusCode(), "no auto-creation: the keyspace must exist");
            assertTrue(unknown.body().contains("keyspace_not_found"));

            assertEquals(201, node.send(node.request("/kv/s").header("Authorization", "Bearer s3cret")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"partitions\":2}"))).statusCode());
            assertEquals(201, node.send(node.request("/kv/s/k").header("Authorization", "Bearer s3cret")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("v"))).statusCode());

            var second = assertThrows(StartupException.class, () -> TestNode.start(dir, Map.of()));
            assertTrue(second.getMessage().contains("in use"), "one node per data directory: " + second.getMessage());
        }
    }
}
