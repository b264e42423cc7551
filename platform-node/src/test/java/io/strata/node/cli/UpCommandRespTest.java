package io.strata.node.cli;

import io.strata.node.NodeConfig;
import io.strata.node.kv.resp.RespSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./strata up --resp-port N} and the {@code strata.resp} settings it leads to. */
class UpCommandRespTest {

    @Test
    void respPortTurnsTheListenerOn() {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs("--resp-port", "6380");
        RespSettings settings = RespSettings.from(NodeConfig.load(Optional.empty(), up.overrides()));
        assertTrue(settings.enabled());
        assertEquals(6380, settings.port());
        assertEquals("127.0.0.1", settings.host());
    }

    @Test
    void offByDefaultWithAnAutomaticRequestLimit() {
        RespSettings settings = RespSettings.from(NodeConfig.load(Optional.empty(), Map.of("strata.http.max-body-bytes", "1m")));
        assertFalse(settings.enabled());
        assertEquals(1024 * 1024 + 64 * 1024, settings.maxRequestBytes(), "auto = the largest value + 64k");
        assertEquals(16, settings.databases());
        RespSettings explicit = RespSettings.from(NodeConfig.load(Optional.empty(), Map.of("strata.resp.max-request-bytes", "8m")));
        assertEquals(8L * 1024 * 1024, explicit.maxRequestBytes());
        assertThrows(IllegalArgumentException.class,
                () -> RespSettings.from(NodeConfig.load(Optional.empty(), Map.of("strata.resp.databases", "0"))));
    }
}
