package io.strata.node.kv.resp;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Starts a connection's pipelined commands while earlier ones still run, when their order cannot
 * matter to this connection: a command starts at once unless it conflicts with a running one (a
 * key that one of the two writes and the other touches, or a barrier on either side); then it
 * starts once every command submitted before it has finished. Replies keep the commands' order
 * whatever the order they finish in (the connection's {@code mapAsync} emits in order).
 *
 * <p>Commands on different keys may so take effect in a different order than they were sent, as
 * another connection could see; the keys live in different partitions anyway, which promise no
 * order between them. Thread-safe: commands are submitted on the connection's stream and finish
 * on any thread.
 */
final class CommandScheduler {

    /**
     * What a command touches.
     *
     * @param barrier it reads or changes what every command depends on (the session's database,
     *                a whole database), so it runs alone
     * @param write it changes its keys
     * @param keys the keys it reads or writes, as raw bytes read as ISO-8859-1 (one char per byte)
     */
    record Access(boolean barrier, boolean write, Set<String> keys) {

        /** Touches nothing shared (PING, ECHO, COMMAND): runs at once, alongside anything. */
        static final Access NONE = new Access(false, false, Set.of());
        static final Access BARRIER = new Access(true, true, Set.of());

        boolean conflictsWith(Access other) {
            if (barrier || other.barrier) {
                return true;
            }
            if (!write && !other.write) {
                return false;
            }
            return keys.stream().anyMatch(other.keys::contains);
        }
    }

    private record Running(Access access, CompletableFuture<Void> finished) {}

    private final List<Running> running = new ArrayList<>();

    /** Starts {@code command} now, or once everything submitted before it has finished when it conflicts with a running command. */
    <T> CompletionStage<T> submit(Access access, Supplier<CompletionStage<T>> command) {
        Running entry = new Running(access, new CompletableFuture<>());
        CompletableFuture<Void> earlier = null;
        synchronized (running) {
            if (running.stream().anyMatch(r -> r.access().conflictsWith(access))) {
                earlier = CompletableFuture.allOf(running.stream().map(Running::finished).toArray(CompletableFuture[]::new));
            }
            running.add(entry);
        }
        CompletionStage<T> result = earlier == null ? start(command) : earlier.thenCompose(ignored -> start(command));
        result.whenComplete((value, failure) -> {
            synchronized (running) {
                running.remove(entry);
            }
            entry.finished().complete(null);
        });
        return result;
    }

    /** Commands submitted and not finished, for tests. */
    int running() {
        synchronized (running) {
            return running.size();
        }
    }

    private static <T> CompletionStage<T> start(Supplier<CompletionStage<T>> command) {
        try {
            return command.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
