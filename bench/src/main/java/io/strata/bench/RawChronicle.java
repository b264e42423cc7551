package io.strata.bench;

import io.strata.node.storage.Directories;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bus anchors: a raw Chronicle Queue in a temporary directory, written and read with no
 * offsets, no actor, no Protobuf: what the storage alone costs on this machine, in this JVM.
 * Built as a topic partition builds its log (binary wire, same roll cycle and block size).
 * <ul>
 *   <li>{@value #APPEND}: one appender writing batches of the payload, one document each;</li>
 *   <li>{@value #TAIL}: one tailer reading a pre-filled queue in batches, copying each payload
 *       out, from the start again when it reaches the end;</li>
 *   <li>{@value #E2E}: one payload at a time from an appender to a tailer polling on another thread.</li>
 * </ul>
 * Not thread-safe: one run at a time.
 */
final class RawChronicle implements AutoCloseable {

    static final String APPEND = "chronicle-raw";
    static final String TAIL = "chronicle-raw-tail";
    static final String E2E = "chronicle-raw-e2e";

    private static final long BLOCK_SIZE = 16L << 20;

    private final Path dir;
    private final byte[] payload;
    private final SingleChronicleQueue tailQueue;
    private final byte[] readBuffer;

    /**
     * @param dir a directory of its own, which this deletes on close
     * @param tailRecords how many payloads the queue for {@value #TAIL} holds
     */
    RawChronicle(Path dir, byte[] payload, int tailRecords) throws IOException {
        this.dir = dir;
        this.payload = payload;
        this.readBuffer = new byte[payload.length];
        this.tailQueue = open(Files.createDirectories(dir.resolve("tail")));
        try (ExcerptAppender appender = tailQueue.createAppender()) {
            for (int i = 0; i < tailRecords; i++) {
                write(appender);
            }
        }
    }

    /** Appends batches of {@code batch} payloads for one run; throughput in payloads. */
    RunResult append(Window window, int batch) throws Exception {
        // A fresh queue per run, deleted after it: repeated runs neither fill the disk nor measure a growing directory.
        Path runDir = Files.createTempDirectory(dir, "append-");
        try (SingleChronicleQueue queue = open(runDir); ExcerptAppender appender = queue.createAppender()) {
            appender.singleThreadedCheckDisabled(true);
            return LoopLoad.run(window, "bench-chronicle-append", () -> {
                for (int i = 0; i < batch; i++) {
                    write(appender);
                }
            }).perRecord(batch);
        } finally {
            Directories.deleteTree(runDir);
        }
    }

    /** Reads batches of {@code batch} payloads for one run, round and round the pre-filled queue; throughput in payloads. */
    RunResult tail(Window window, int batch) throws Exception {
        try (ExcerptTailer tailer = tailQueue.createTailer()) {
            tailer.singleThreadedCheckDisabled(true);
            return LoopLoad.run(window, "bench-chronicle-tail", () -> {
                int read = 0;
                while (read < batch) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (dc.isPresent()) {
                            dc.wire().bytes().read(readBuffer);
                            read++;
                            continue;
                        }
                    }
                    tailer.toStart();
                }
            }).perRecord(batch);
        }
    }

    /**
     * Produce-to-visible latency ({@value #E2E}): an appender writes one payload, a tailer on
     * another thread polling the queue sees it, then the next; in a fresh queue per run.
     */
    RunResult endToEnd(Window window) throws Exception {
        Path runDir = Files.createTempDirectory(dir, "e2e-");
        try (SingleChronicleQueue queue = open(runDir); ExcerptAppender appender = queue.createAppender();
             ExcerptTailer tailer = queue.createTailer()) {
            appender.singleThreadedCheckDisabled(true);
            tailer.singleThreadedCheckDisabled(true);
            long[] read = {0};
            return EndToEnd.run(window, "bench-chronicle-e2e", sequence -> write(appender), () -> {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (dc.isPresent()) {
                        dc.wire().bytes().read(readBuffer);
                        read[0]++;
                    }
                }
                return read[0];
            });
        } finally {
            Directories.deleteTree(runDir);
        }
    }

    private void write(ExcerptAppender appender) {
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(payload);
        }
    }

    private static SingleChronicleQueue open(Path dir) {
        SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_HOURLY)
                .blockSize(BLOCK_SIZE).build();
        queue.singleThreadedCheckDisabled(true);
        return queue;
    }

    @Override
    public void close() {
        tailQueue.close();
        Directories.deleteTree(dir);
    }
}
