package io.strata.node.kv.internal;

import io.strata.node.kv.ValueType;
import io.strata.node.kv.proto.SnapshotEntry;
import io.strata.node.kv.proto.SnapshotHeader;
import io.strata.node.storage.AtomicFiles;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Snapshots of one partition: a header then one length-delimited entry per live key. A snapshot
 * is replaced atomically ({@link AtomicFiles}), so a crash leaves either the old snapshot or the
 * new one, never half of one.
 *
 * <p>Blocking file I/O: call only from a blocking-I/O thread. Stateless apart from its directory.
 */
public final class SnapshotStore {

    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".pb";

    private final Path dir;

    public SnapshotStore(Path dir) {
        this.dir = dir;
    }

    /** A loaded snapshot: where it ends in the log, and the state it holds. */
    public record Loaded(SnapshotHeader header, PartitionState state) {}

    /** About how many bytes a snapshot of {@code entries} takes on disk (a little more, to be safe). */
    public static long estimatedBytes(Map<String, PartitionState.Entry> entries) {
        long bytes = 64;
        for (var e : entries.entrySet()) {
            PartitionState.Entry entry = e.getValue();
            // A large value's packed size is known without packing it: it is packed once, when written.
            bytes += e.getKey().length() * 3L + (entry.large() == null ? entry.value().length : entry.large().packedBytes()) + 32;
        }
        return bytes;
    }

    /** Writes a snapshot durably and deletes the snapshots it supersedes. Returns its size in bytes. */
    public long write(SnapshotHeader header, Map<String, PartitionState.Entry> entries) {
        try {
            Path target = dir.resolve(fileName(header.getSeq()));
            AtomicFiles.write(target, raw -> {
                OutputStream out = new BufferedOutputStream(raw, 1 << 16);
                header.toBuilder().setEntries(entries.size()).build().writeDelimitedTo(out);
                for (var e : entries.entrySet()) {
                    PartitionState.Entry entry = e.getValue();
                    SnapshotEntry.newBuilder()
                            .setKey(ProtoKeys.of(e.getKey()))
                            .setValue(com.google.protobuf.ByteString.copyFrom(entry.value()))
                            .setVersion(entry.version())
                            .setExpiresAtMs(entry.expiresAtMillis())
                            .setType(entry.type().code())
                            .build()
                            .writeDelimitedTo(out);
                }
                out.flush();
            });
            for (Path old : list()) {
                if (!old.equals(target)) {
                    Files.deleteIfExists(old);
                }
            }
            return Files.size(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write snapshot in " + dir, e);
        }
    }

    /** Loads the newest snapshot, if there is one. Keys expired at {@code nowMillis} are skipped. */
    public Optional<Loaded> loadLatest(long nowMillis) {
        List<Path> snapshots = list();
        if (snapshots.isEmpty()) {
            return Optional.empty();
        }
        Path newest = snapshots.get(snapshots.size() - 1);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(newest), 1 << 16)) {
            SnapshotHeader header = SnapshotHeader.parseDelimitedFrom(in);
            if (header == null) {
                throw new IOException("empty snapshot");
            }
            PartitionState state = new PartitionState();
            for (long i = 0; i < header.getEntries(); i++) {
                SnapshotEntry e = SnapshotEntry.parseDelimitedFrom(in);
                if (e == null) {
                    throw new IOException("snapshot ends after " + i + " of " + header.getEntries() + " entries");
                }
                if (e.getExpiresAtMs() == 0 || e.getExpiresAtMs() > nowMillis) {
                    state.put(ProtoKeys.key(e.getKey()), e.getValue().toByteArray(), e.getVersion(), e.getExpiresAtMs(),
                            ValueType.ofCode(e.getType()));
                }
            }
            state.seq(header.getSeq());
            return Optional.of(new Loaded(header, state));
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot " + newest + " is unreadable", e);
        }
    }

    private List<Path> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
                    })
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list snapshots in " + dir, e);
        }
    }

    private static String fileName(long seq) {
        // Zero-padded so that name order is sequence order.
        return String.format("%s%020d%s", PREFIX, seq, SUFFIX);
    }

}
