package io.strata.node.kafka;

import io.strata.node.storage.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Hands out idempotent producer ids, each once, across restarts: ids are taken from blocks of
 * {@value #BLOCK} whose end is recorded durably before the first id of a block is handed out (as
 * Kafka's {@code ProducerIdManager} does through its controller). The top bits hold a number drawn
 * once per data directory, so that nodes of a cluster hand out ids from apart ranges.
 *
 * <p>Thread-safe; {@link #next} may write a file (blocking I/O): call it off the dispatchers.
 */
final class ProducerIds {

    static final long BLOCK = 1000;
    private static final int NODE_BITS = 20;
    private static final long COUNTER_MASK = (1L << (63 - NODE_BITS)) - 1;

    private final Path file;
    private long next;
    private long blockEnd;
    private long nodeBits;

    private ProducerIds(Path file) {
        this.file = file;
    }

    /** The allocator whose state lives in {@code file} (made at the first id). */
    static ProducerIds in(Path file) {
        return new ProducerIds(file);
    }

    /** A producer id never handed out before by this data directory. */
    synchronized long next() {
        if (next == blockEnd) {
            reserveBlock();
        }
        return nodeBits | next++;
    }

    private void reserveBlock() {
        try {
            long start;
            if (Files.exists(file)) {
                String[] fields = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
                nodeBits = Long.parseLong(fields[0]);
                start = Long.parseLong(fields[1]);
            } else {
                nodeBits = (long) new SecureRandom().nextInt(1 << NODE_BITS) << (63 - NODE_BITS);
                start = 0;
            }
            long end = start + BLOCK;
            if (end > COUNTER_MASK) {
                throw new IllegalStateException("producer ids of " + file + " are exhausted");
            }
            Files.createDirectories(file.getParent());
            String state = nodeBits + " " + end + "\n";
            AtomicFiles.write(file, out -> out.write(state.getBytes(StandardCharsets.US_ASCII)));
            next = start;
            blockEnd = end;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reserve producer ids in " + file, e);
        }
    }
}
