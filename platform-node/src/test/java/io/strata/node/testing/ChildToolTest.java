package io.strata.node.testing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChildToolTest {

    @Test
    void aToolGetsItsInputAndGivesItsOutputAndExitCode() {
        ChildTool.Result result = ChildTool.run(List.of("bash", "-c", "tr a-z A-Z; echo \"$GREETING\" >&2; exit 3"),
                Map.of("GREETING", "hi"), "hello\n", Duration.ofSeconds(30));
        assertEquals(new ChildTool.Result(3, "HELLO\n", "hi\n"), result);
        assertThrows(AssertionError.class, result::orFail);
    }

    @Test
    void aToolPastItsLimitIsKilledWithWhatItStarted() {
        AssertionError hung = assertThrows(AssertionError.class, () -> ChildTool.run(
                List.of("bash", "-c", "sleep 60 & echo child $!; echo self $$; wait"), Map.of(), "", Duration.ofSeconds(2)));
        assertTrue(hung.getMessage().contains("did not finish within PT2S"), hung.getMessage());
        for (String name : List.of("child", "self")) {
            Matcher pid = Pattern.compile(name + " (\\d+)").matcher(hung.getMessage());
            assertTrue(pid.find(), hung.getMessage());
            assertFalse(ProcessHandle.of(Long.parseLong(pid.group(1))).map(ProcessHandle::isAlive).orElse(false),
                    name + " " + pid.group(1) + " killed");
        }
    }
}
