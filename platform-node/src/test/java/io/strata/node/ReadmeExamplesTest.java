package io.strata.node;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the README's examples as a user who copies them would: every {@code bash} block that talks
 * to a node ({@code localhost:8080}), in the order the README shows them, against a fresh node (its
 * free port put in place of 8080, its RESP port in place of 6379), in one working directory. A block
 * that starts its node with settings of its own ({@code ./strata up ... -Dkey=value}) runs against
 * a node started with them; the others share one node, so they build on each other as a reader's
 * session would. A {@code curl} fails the test when it cannot connect or its answer is not what
 * the example says: 2xx, unless the example names the status it gets — on the command's line
 * ({@code # 422 rows_rejected}) or as the output shown right after it ({@code #   HTTP/1.1 507 ...}),
 * and then exactly that. {@code redis-cli}, {@code redis-benchmark} and {@code kcat} lines run when
 * those tools are installed (its Kafka port in place of 9092).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ReadmeExamplesTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Pattern BLOCK = Pattern.compile("```bash\n(.*?)```", Pattern.DOTALL);
    private static final Pattern STATUS = Pattern.compile("\\b([45]\\d\\d)\\b");
    private static final Pattern SHOWN_STATUS = Pattern.compile("^#\\s+HTTP/1\\.1 (\\d{3})\\b");
    private static final Pattern CURL = Pattern.compile("^(\\s*)curl\\s");
    private static final Pattern SETTING = Pattern.compile("-D([A-Za-z0-9_.-]+)=(\\S+)");
    private static final Duration BLOCK_LIMIT = Duration.ofSeconds(90);

    /** Bash definitions the examples run under: curl checked, the Redis tools pointed at the node. */
    private static final String PRELUDE = """
            set -u
            curl() {
              local extra=() status rc
              for a in "$@"; do [ "$a" = "-N" ] && extra=(--max-time 3); done
              status=$(command curl -sS --max-time 30 -o "$STRATA_WORK/.body" -w '%{http_code}' ${extra[@]+"${extra[@]}"} "$@")
              rc=$?
              cat "$STRATA_WORK/.body"; echo
              if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 28 ] && [ ${#extra[@]} -gt 0 ] && [ "$status" = 200 ]; }; then
                echo "curl exited $rc (status $status): curl $*" >> "$STRATA_WORK/failures"
              elif [ -n "${STRATA_EXPECT:-}" ]; then
                if [[ " $STRATA_EXPECT " != *" $status "* ]]; then
                  echo "status $status, not the $STRATA_EXPECT the example shows: curl $*" >> "$STRATA_WORK/failures"
                fi
              elif [ "${status:0:1}" != 2 ]; then
                echo "status $status, not 2xx: curl $*" >> "$STRATA_WORK/failures"
              fi
              return 0
            }
            redis-cli() {
              if ! type -P redis-cli >/dev/null; then echo "(redis-cli not installed: skipped)"; return 0; fi
              command redis-cli "$@" || echo "redis-cli $* failed" >> "$STRATA_WORK/failures"
            }
            redis-benchmark() {
              if ! type -P redis-benchmark >/dev/null; then echo "(redis-benchmark not installed: skipped)"; return 0; fi
              command redis-benchmark -n 2000 "$@" || echo "redis-benchmark $* failed" >> "$STRATA_WORK/failures"
            }
            kcat() {
              if ! type -P kcat >/dev/null; then echo "(kcat not installed: skipped)"; return 0; fi
              timeout 60 kcat "$@" || echo "kcat $* failed" >> "$STRATA_WORK/failures"
            }
            """;

    @TempDir
    static Path dir;
    private static TestNode shared;

    @BeforeAll
    static void startNode() {
        shared = TestNode.start(dir.resolve("data"), Map.of("strata.resp.enabled", "on", "strata.resp.port", "0",
                "strata.kafka.enabled", "on", "strata.kafka.port", "0"));
    }

    @AfterAll
    static void stopNode() {
        if (shared != null) {
            shared.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyNodeExampleRunsAsWritten() throws IOException {
        String readme = Files.readString(README);
        List<DynamicTest> tests = new ArrayList<>();
        Matcher blocks = BLOCK.matcher(readme);
        while (blocks.find()) {
            String block = blocks.group(1);
            if (!block.contains("localhost:8080")) {
                continue;
            }
            int line = readme.substring(0, blocks.start()).split("\n", -1).length;
            tests.add(DynamicTest.dynamicTest("README.md line " + line, () -> run(block, line)));
        }
        assertTrue(tests.size() >= 8, "the README's node examples were found: " + tests.size());
        return tests.stream();
    }

    private static void run(String block, int line) throws Exception {
        Map<String, String> settings = settingsOf(block);
        if (settings.isEmpty()) {
            runOn(shared, block, line);
            return;
        }
        // The example starts its node with settings of its own: it gets one.
        Map<String, String> all = new HashMap<>(settings);
        all.put("strata.resp.enabled", "on");
        all.put("strata.resp.port", "0");
        if (!all.containsKey("strata.http.auth-token")) {
            // The Kafka door refuses to start beside a token (it does not authenticate clients yet).
            all.put("strata.kafka.enabled", "on");
            all.put("strata.kafka.port", "0");
        }
        try (TestNode own = TestNode.start(dir.resolve("data-line-" + line), all)) {
            runOn(own, block, line);
        }
    }

    /** The {@code -Dkey=value} settings of the block's {@code ./strata up} lines. */
    static Map<String, String> settingsOf(String block) {
        Map<String, String> settings = new HashMap<>();
        for (String text : block.split("\n")) {
            if (text.trim().startsWith("./strata up")) {
                Matcher setting = SETTING.matcher(text.split(" #", 2)[0]);
                while (setting.find()) {
                    settings.put(setting.group(1), setting.group(2));
                }
            }
        }
        return settings;
    }

    private static void runOn(TestNode node, String block, int line) throws Exception {
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        Path failures = work.resolve("failures");
        Files.deleteIfExists(failures);
        Path output = work.resolve("output.txt");
        Process bash = new ProcessBuilder("bash", "-c", PRELUDE + runnable(node, block))
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            boolean finished = bash.waitFor(BLOCK_LIMIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(finished, "the example at README.md line " + line + " did not finish in " + BLOCK_LIMIT
                    + "; its output:\n" + Files.readString(output));
        } finally {
            bash.descendants().forEach(ProcessHandle::destroyForcibly);
            bash.destroyForcibly();
            bash.onExit().get(30, TimeUnit.SECONDS);
        }
        String failed = Files.exists(failures) ? Files.readString(failures) : "";
        assertEquals("", failed, "the example at README.md line " + line + " failed; its output:\n" + Files.readString(output));
        assertEquals(0, bash.exitValue(), "bash exited " + bash.exitValue() + "; output:\n" + Files.readString(output));
    }

    /** The block with the node's ports in place, node start lines skipped, and each curl told the status it expects. */
    static String runnable(TestNode node, String block) {
        String port = Integer.toString(node.node().httpPort());
        String resp = Integer.toString(node.node().respAddress().orElseThrow().getPort());
        String kafka = node.node().kafkaAddress().map(address -> Integer.toString(address.getPort())).orElse("9092");
        String[] lines = block.split("\n", -1);
        StringBuilder out = new StringBuilder("export STRATA_WORK=\"$PWD\"\n");
        for (int i = 0; i < lines.length; i++) {
            String text = lines[i].replace("localhost:8080", "127.0.0.1:" + port).replace("-p 6379", "-p " + resp)
                    .replace("localhost:9092", "127.0.0.1:" + kafka);
            String trimmed = text.trim();
            if (trimmed.startsWith("./strata ")) {
                out.append("# (the node is already up) ").append(text).append('\n');
                continue;
            }
            Matcher curl = CURL.matcher(text);
            if (curl.find()) {
                Set<String> expected = new LinkedHashSet<>();
                int inline = text.indexOf(" # ");
                if (inline >= 0) {
                    collectStatuses(text.substring(inline), expected);
                }
                expected.addAll(shownStatuses(lines, i));
                text = curl.group(1) + "STRATA_EXPECT=\"" + String.join(" ", expected) + "\" " + text.substring(curl.group(1).length());
            }
            out.append(text).append('\n');
        }
        return out.toString();
    }

    /** The statuses the README shows as the output of the command starting at line {@code start} ({@code #   HTTP/1.1 507 ...}). */
    private static Set<String> shownStatuses(String[] lines, int start) {
        Set<String> shown = new LinkedHashSet<>();
        for (int j = start + 1; j < lines.length; j++) {
            String next = lines[j].trim();
            if (next.isEmpty() || CURL.matcher(lines[j]).find() || next.startsWith("./strata") || next.startsWith("redis-")) {
                break;
            }
            Matcher status = SHOWN_STATUS.matcher(next);
            if (status.find()) {
                shown.add(status.group(1));
                break;
            }
        }
        return shown;
    }

    private static void collectStatuses(String comment, Set<String> into) {
        Matcher status = STATUS.matcher(comment);
        while (status.find()) {
            into.add(status.group(1));
        }
    }
}
