package io.strata.node.kv.resp;

import io.strata.node.kv.resp.CommandScheduler.Access;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandSchedulerTest {

    private final CommandScheduler scheduler = new CommandScheduler();
    private final List<String> started = new ArrayList<>();

    /** Submits a command that starts by recording its name and finishes when the returned future is completed. */
    private CompletableFuture<String> submit(String name, Access access) {
        CompletableFuture<String> finish = new CompletableFuture<>();
        scheduler.submit(access, () -> {
            synchronized (started) {
                started.add(name);
            }
            return finish;
        });
        return finish;
    }

    private List<String> started() {
        synchronized (started) {
            return List.copyOf(started);
        }
    }

    private static Access write(String... keys) {
        return new Access(false, true, Set.of(keys));
    }

    private static Access read(String... keys) {
        return new Access(false, false, Set.of(keys));
    }

    @Test
    void commandsOnDifferentKeysAndReadsOfOneKeyRunTogether() {
        CompletableFuture<String> setA = submit("set a", write("a"));
        submit("set b", write("b"));
        submit("get c", read("c"));
        submit("get c again", read("c"));
        submit("ping", Access.NONE);
        assertEquals(List.of("set a", "set b", "get c", "get c again", "ping"), started());
        assertEquals(5, scheduler.running());
        setA.complete("ok");
        assertEquals(4, scheduler.running());
    }

    @Test
    void aCommandOnAKeyBeingWrittenWaitsForEverythingBeforeIt() {
        CompletableFuture<String> setA = submit("set a", write("a"));
        CompletableFuture<String> getB = submit("get b", read("b"));
        CompletableFuture<String> getA = submit("get a", read("a"));
        CompletableFuture<String> setC = submit("set c", write("c"));
        assertEquals(List.of("set a", "get b", "set c"), started(), "get a waits; set c touches nothing running");
        setA.complete("ok");
        assertFalse(started().contains("get a"), "it waits for every command before it, get b too");
        getB.complete("v");
        assertEquals("get a", started().get(3));
        submit("set a 2", write("a"));
        assertEquals(4, started().size(), "a write of a key being read waits");
        getA.complete("v");
        assertEquals(4, started().size(), "and for set c, before it too");
        setC.complete("ok");
        assertEquals("set a 2", started().get(4));
    }

    @Test
    void aBarrierRunsAloneAndHoldsBackWhatFollows() {
        CompletableFuture<String> getA = submit("get a", read("a"));
        CompletableFuture<String> select = submit("select", Access.BARRIER);
        submit("ping", Access.NONE);
        assertEquals(List.of("get a"), started(), "nothing passes a barrier");
        getA.complete("v");
        assertEquals(List.of("get a", "select"), started());
        select.complete("ok");
        assertEquals(List.of("get a", "select", "ping"), started());
    }

    @Test
    void failuresReleaseWhatWaits() {
        CompletableFuture<String> setA = submit("set a", write("a"));
        CompletionStage<String> thrown = scheduler.submit(write("a"), () -> {
            throw new IllegalStateException("refused");
        });
        submit("get a", read("a"));
        setA.completeExceptionally(new IllegalStateException("timeout"));
        assertTrue(thrown.toCompletableFuture().isCompletedExceptionally());
        assertEquals(List.of("set a", "get a"), started());
        assertEquals(1, scheduler.running());
    }
}
