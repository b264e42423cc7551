package io.strata.node;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * to a node ({@code localhost:8080}), in the order the README shows them, against one fresh node
 * (its free port put in place of 8080, its RESP port in place of 6379), in one working directory.
 * A {@code curl} fails the test when it cannot connect or its answer is not 2xx — unless the
 * example says the status it expects (a 4xx named in the comment above the command or after it).
 * Lines that start a node ({@code ./strata ...}) are skipped: the test's node is already up;
 * {@code redis-cli} and {@code redis-benchmark} lines run when those tools are installed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReadmeExamplesTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Pattern BLOCK = Pattern.compile("```bash\n(.*?)```", Pattern.DOTALL);
    private static final Pattern STATUS = Pattern.compile("\\b([45]\\d\\d)\\b");
    private static final Pattern CURL = Pattern.compile("^(\\s*)curl\\s");

    /** Bash definitions the examples run under: curl checked, the Redis tools pointed at the node. */
    private static final String PRELUDE = """
            set -u
            curl() {
              local extra=() status rc
              for a in "$@"; do [ "$a" = "-N" ] && extra=(--max-time 3); done
              status=$(command curl -sS -o "$STRATA_WORK/.body" -w '%{http_code}' ${extra[@]+"${extra[@]}"} "$@")
              rc=$?
              cat "$STRATA_WORK/.body"; echo
              if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 28 ] && [ ${#extra[@]} -gt 0 ] && [ "$status" = 200 ]; }; then
                echo "curl exited $rc (status $status): curl $*" >> "$STRATA_WORK/failures"
              elif [ "${status:0:1}" != 2 ] && [[ " ${STRATA_EXPECT:-} " != *" $status "* ]]; then
                echo "status $status, not 2xx (expected: ${STRATA_EXPECT:-none}): curl $*" >> "$STRATA_WORK/failures"
              fi
              return 0
            }
            redis-cli() {
              if ! command -v redis-cli >/dev/null; then echo "(redis-cli not installed: skipped)"; return 0; fi
              command redis-cli "$@" || echo "redis-cli $* failed" >> "$STRATA_WORK/failures"
            }
            redis-benchmark() {
              if ! command -v redis-benchmark >/dev/null; then echo "(redis-benchmark not installed: skipped)"; return 0; fi
              command redis-benchmark -n 2000 "$@" || echo "redis-benchmark $* failed" >> "$STRATA_WORK/failures"
            }
            """;

    @TempDir
    static Path dir;
    private static TestNode node;

    @BeforeAll
    static void startNode() {
        node = TestNode.start(dir.resolve("data"), Map.of("strata.resp.enabled", "on", "strata.resp.port", "0"));
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
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
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        Path failures = work.resolve("failures");
        Files.deleteIfExists(failures);
        String script = PRELUDE + runnable(block);
        Process bash = new ProcessBuilder("bash", "-c", script)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bash.waitFor(60, TimeUnit.SECONDS), "the example at line " + line + " did not finish");
        String failed = Files.exists(failures) ? Files.readString(failures) : "";
        assertEquals("", failed, "the example at README.md line " + line + " failed; its output:\n" + output);
        assertEquals(0, bash.exitValue(), "bash exited " + bash.exitValue() + "; output:\n" + output);
    }

    /** The block with the node's ports in place, node start lines skipped, and each curl told its expected errors. */
    static String runnable(String block) {
        String port = Integer.toString(node.node().httpPort());
        String resp = Integer.toString(node.node().respAddress().orElseThrow().getPort());
        StringBuilder out = new StringBuilder("export STRATA_WORK=\"$PWD\"\n");
        String[] lines = block.split("\n", -1);
        List<String> comments = new ArrayList<>();
        for (String raw : lines) {
            String text = raw.replace("localhost:8080", "127.0.0.1:" + port).replace("-p 6379", "-p " + resp);
            String trimmed = text.trim();
            if (trimmed.startsWith("#")) {
                comments.add(trimmed);
                out.append(text).append('\n');
                continue;
            }
            if (trimmed.startsWith("./strata ")) {
                out.append("# (the node is already up) ").append(text).append('\n');
                comments.clear();
                continue;
            }
            Matcher curl = CURL.matcher(text);
            if (curl.find()) {
                Set<String> expected = new LinkedHashSet<>();
                for (String comment : comments) {
                    collectStatuses(comment, expected);
                }
                int inline = text.indexOf(" # ");
                if (inline >= 0) {
                    collectStatuses(text.substring(inline), expected);
                }
                text = curl.group(1) + "STRATA_EXPECT=\"" + String.join(" ", expected) + "\" " + text.substring(curl.group(1).length());
            }
            if (!trimmed.isEmpty()) {
                comments.clear();
            }
            out.append(text).append('\n');
        }
        return out.toString();
    }

    private static void collectStatuses(String comment, Set<String> into) {
        Matcher status = STATUS.matcher(comment);
        while (status.find()) {
            into.add(status.group(1));
        }
    }
}
