package io.strata.node.storage;

import org.apache.pekko.actor.typed.ActorRef;

import java.io.File;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The acknowledgement rule of a log-owning actor. Without a {@link GroupCommitter} (mmap
 * durability) replies go out at once: the log append already happened. With one (fsync
 * durability) a write's reply waits until the log files it touched are fsynced, and so does any
 * read that could observe such a write, so nobody sees data that could still vanish.
 *
 * <p>Not thread-safe: owned by one actor. The actor starts syncs through {@code startSync}
 * (typically {@code context.pipeToSelf}) and reports their outcome with {@link #synced} or
 * {@link #failAll}.
 *
 * @param <R> the actor's reply type
 */
public final class DurableReplies<R> {

    private record Pending<R>(long seq, ActorRef<R> replyTo, R reply) {}

    private final Optional<GroupCommitter> committer;
    private final BiConsumer<CompletionStage<Void>, Long> startSync;
    private final ArrayDeque<Pending<R>> pending = new ArrayDeque<>();
    private final Set<File> unsyncedFiles = new LinkedHashSet<>();
    private long appendedSeq;
    private long syncedSeq;
    private boolean syncRunning;

    /**
     * @param committer  present in fsync mode
     * @param startSync  given the stage of a sync and the sequence number it covers, arranges for
     *                   {@link #synced} or {@link #failAll} to be called on the actor when it completes
     */
    public DurableReplies(Optional<GroupCommitter> committer, BiConsumer<CompletionStage<Void>, Long> startSync) {
        this.committer = committer;
        this.startSync = startSync;
    }

    /** Sets the sequence number already durable (after recovery). */
    public void recovered(long seq) {
        appendedSeq = seq;
        syncedSeq = seq;
    }

    /** Records that the entry with {@code seq} was appended to {@code file}. */
    public void appended(long seq, File file) {
        appendedSeq = seq;
        if (committer.isPresent()) {
            unsyncedFiles.add(file);
        }
    }

    /** Sends a write's reply once the write with {@code seq} is durable. */
    public void acknowledge(long seq, ActorRef<R> replyTo, R reply) {
        if (committer.isEmpty()) {
            replyTo.tell(reply);
            return;
        }
        pending.add(new Pending<>(seq, replyTo, reply));
        requestSync();
    }

    /** Sends a read's reply, after every write appended so far is durable. */
    public void respond(ActorRef<R> replyTo, R reply) {
        if (committer.isEmpty() || appendedSeq <= syncedSeq) {
            replyTo.tell(reply);
        } else {
            pending.add(new Pending<>(appendedSeq, replyTo, reply));
            requestSync();
        }
    }

    private void requestSync() {
        if (syncRunning || unsyncedFiles.isEmpty()) {
            return;
        }
        syncRunning = true;
        GroupCommitter c = committer.orElseThrow();
        CompletableFuture<?>[] syncs = unsyncedFiles.stream()
                .map(f -> c.sync(f).toCompletableFuture()).toArray(CompletableFuture[]::new);
        unsyncedFiles.clear();
        startSync.accept(CompletableFuture.allOf(syncs), appendedSeq);
    }

    /** A sync covering every write up to {@code upToSeq} succeeded: their replies go out. */
    public void synced(long upToSeq) {
        syncRunning = false;
        syncedSeq = Math.max(syncedSeq, upToSeq);
        while (!pending.isEmpty() && pending.peek().seq <= syncedSeq) {
            Pending<R> p = pending.poll();
            p.replyTo.tell(p.reply);
        }
        if (!pending.isEmpty()) {
            requestSync();
        }
    }

    /** A sync failed, or the log did: every held reply becomes {@code failure(why)}. */
    public void failAll(Function<String, R> failure, String why) {
        syncRunning = false;
        R rejected = failure.apply(why);
        pending.forEach(p -> p.replyTo.tell(rejected));
        pending.clear();
    }
}
