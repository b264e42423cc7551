package io.strata.bench;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link Wrk}: its parser on what wrk 4.1 (Debian's) really printed (in {@code wrk/*.txt}), its Lua scripts, and, where wrk
 * is installed (not on CI), one-second runs of the generated scripts against a route that checks
 * every request they make.
 */
class WrkTest {

    /** {@code wrk -t 2 -c 4 -d 1 --latency} against python3's http.server. */
    private static final String OUTPUT = output("get-200.txt");

    /** The same with a PUT script: http.server answers 501 to a PUT. */
    private static final String NON_2XX_OUTPUT = output("put-501.txt");

    /** Against a server that closes every connection unanswered. */
    private static final String NO_REQUEST_OUTPUT = output("closed.txt");

    private static String output(String name) {
        try (InputStream in = WrkTest.class.getResourceAsStream("wrk/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void parsesThroughputAndTheLatencyDistribution() {
        Wrk.Report report = Wrk.parse(OUTPUT);

        assertEquals(new Wrk.Report(1820, 1.10, 1653.60, 2180, 12470, 0, 0), report);
        assertEquals(new RunResult(1820, 1.10, 1654, 2180, 12470), report.toRunResult());
    }

    @Test
    void countsNon2xxResponses() {
        Wrk.Report report = Wrk.parse(NON_2XX_OUTPUT);

        assertEquals(new Wrk.Report(2408, 1.10, 2190.02, 1660, 3320, 2408, 0), report);
    }

    @Test
    void refusesARunWithoutRequestsOrWithoutLatencies() {
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> Wrk.parse(NO_REQUEST_OUTPUT));
        assertTrue(none.getMessage().startsWith("no request completed"), none.getMessage());
        String withoutLatency = OUTPUT.replaceAll("(?m)^\\s+(50|75|90|99)%.*\\n", "");
        assertThrows(IllegalStateException.class, () -> Wrk.parse(withoutLatency));
        assertThrows(IllegalStateException.class, () -> Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused"));
    }

    @Test
    void readsEveryTimeUnitAndRoundsDurationsUpToWholeSeconds() {
        assertEquals(935.0, Wrk.micros("935.00", "us"));
        assertEquals(1660.0, Wrk.micros("1.66", "ms"), 1e-9);
        assertEquals(2_010_000.0, Wrk.micros("2.01", "s"), 1e-6);
        assertEquals(60e6, Wrk.micros("1.00", "m"), 1e-6);
        assertEquals(1, Wrk.wholeSeconds(Duration.ofMillis(200)));
        assertEquals(1, Wrk.wholeSeconds(Duration.ofSeconds(1)));
        assertEquals(2, Wrk.wholeSeconds(Duration.ofMillis(1001)));
    }

    @Test
    void scriptsPickAKeyPerRequestAndEscapeTheBody() {
        String gets = Wrk.script(new HttpLoad.Requests("GET", "/kv/bench/k", 10_000, new byte[0]));
        assertTrue(gets.contains("wrk.method = \"GET\"\n"), gets);
        assertTrue(gets.contains("return wrk.format(nil, \"/kv/bench/k\" .. math.random(0, 9999))"), gets);
        assertTrue(!gets.contains("wrk.body") && !gets.contains("Content-Type"), gets);

        String puts = Wrk.script(new HttpLoad.Requests("PUT", "/kv/bench/k", 10, "application/octet-stream", new byte[] {'a', 1}));
        assertTrue(puts.contains("wrk.headers[\"Content-Type\"] = \"application/octet-stream\"\n"), puts);
        assertTrue(puts.contains("wrk.body = \"a\\001\"\n"), puts);

        assertEquals("\"x\\034\\092\\000\\2551\"", Wrk.luaString(new byte[] {'x', '"', '\\', 0, (byte) 255, '1'}));
    }

    @Test
    @Timeout(30)
    void aRunOfTheGeneratedScriptsSendsTheirRequests(@TempDir Path dir) throws Exception {
        assumeTrue(DebianPackage.onPath(Wrk.PROGRAM).isPresent(), "wrk is not installed");
        byte[] body = new byte[300];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        Set<String> keys = ConcurrentHashMap.newKeySet();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "wrk-test");
        try {
            ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(checking(body, keys))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            Path gets = Wrk.writeScript(dir, "get", new HttpLoad.Requests("GET", "/kv/bench/k", 100, new byte[0]));
            Path puts = Wrk.writeScript(dir, "put", new HttpLoad.Requests("PUT", "/kv/bench/k", 100, "application/octet-stream", body));
            Window second = new Window(Duration.ZERO, Duration.ofSeconds(1));

            RunResult got = new Wrk(2, 4, gets, binding.localAddress(), dir).run(second);
            RunResult put = new Wrk(2, 4, puts, binding.localAddress(), dir).run(second);

            for (RunResult result : new RunResult[] {got, put}) {
                assertTrue(result.ops() > 0 && result.opsPerS() > 0 && result.p99Us() >= result.p50Us(), result.toString());
            }
            assertTrue(keys.size() > 50, "keys vary over the keyspace: " + keys.size());
            try (var left = Files.list(dir)) {
                assertEquals(Set.of(gets, puts), Set.copyOf(left.toList()), "wrk's output files are deleted");
            }
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** 200 to a GET or to a PUT of exactly {@code body} as octets, on {@code /kv/bench/k<n>}, n < 100; else 400, which fails the run. */
    private static Route checking(byte[] body, Set<String> keys) {
        Pattern path = Pattern.compile("/kv/bench/k(\\d{1,2})");
        return Directives.extractRequest(request -> Directives.entity(Unmarshaller.entityToByteArray(), received -> {
            Matcher key = path.matcher(request.getUri().path());
            boolean put = request.method().name().equals("PUT");
            boolean ok = key.matches() && (!put || Arrays.equals(body, received)
                    && request.entity().getContentType().toString().equals("application/octet-stream"));
            if (!ok) {
                return Directives.complete(StatusCodes.BAD_REQUEST, request.method().name() + " " + request.getUri().path()
                        + " " + new String(received, StandardCharsets.ISO_8859_1));
            }
            keys.add(key.group(1));
            return Directives.complete("ok");
        }));
    }
}
