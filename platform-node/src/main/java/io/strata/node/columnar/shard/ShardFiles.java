package io.strata.node.columnar.shard;

import io.strata.node.storage.AtomicFiles;
import io.strata.node.storage.ChronicleLogs;
import io.strata.node.storage.Directories;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files of one table shard, in {@code <tables>/<table>/<shard>/}:
 * <pre>
 * manifest.json        which segments hold the sealed rows, and the first log generation not sealed
 * seg-000001.strs ...  segment files, in row order
 * log-000001/ ...      Chronicle Queue logs of row batches, one generation per seal
 * </pre>
 * Sealing writes a segment file (atomically), then the manifest naming it and the next log
 * generation (atomically), then deletes the older generations. Whatever a crash interrupts, the
 * manifest tells what is sealed: a segment file it does not name is removed, and a log generation
 * it names or follows is replayed, so every row is in exactly one place.
 *
 * <p>Not thread-safe: used by the shard's recovery and seal tasks, one at a time.
 */
final class ShardFiles {

    /**
     * What is sealed: the segment files in row order, the first unsealed log generation, the next
     * segment number, and the last sequence number applied per idempotent producer in the sealed rows.
     */
    record Manifest(List<String> segments, long logGeneration, long nextSegment, Map<String, Long> producers) {

        Manifest {
            // Manifests written before producers existed have none.
            producers = producers == null ? Map.of() : Map.copyOf(producers);
        }
    }

    private static final String MANIFEST = "manifest.json";
    private static final String LOG_PREFIX = "log-";
    private static final String SEGMENT_PREFIX = "seg-";
    private static final String SEGMENT_SUFFIX = ".strs";

    private final Path dir;

    ShardFiles(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** The manifest, or an empty one for a new shard. Creates the directory. */
    Manifest readManifest() throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(MANIFEST);
        if (!Files.exists(file)) {
            return new Manifest(List.of(), 1, 1, Map.of());
        }
        return AtomicFiles.readJson(file, Manifest.class);
    }

    void writeManifest(Manifest manifest) throws IOException {
        AtomicFiles.writeJson(dir.resolve(MANIFEST), manifest);
    }

    /** Removes what a crash left behind that the manifest does not cover: unnamed segments, sealed log generations. */
    void removeLeftovers(Manifest manifest) throws IOException {
        for (Path p : list()) {
            String name = p.getFileName().toString();
            if (name.startsWith(SEGMENT_PREFIX) && !manifest.segments().contains(name)) {
                Files.deleteIfExists(p);
            }
        }
        deleteLogsBefore(manifest.logGeneration());
    }

    /** The log generations from {@code first} on that exist, ascending. */
    List<Long> logGenerationsFrom(long first) throws IOException {
        List<Long> generations = new ArrayList<>();
        for (Path p : list()) {
            String name = p.getFileName().toString();
            if (name.startsWith(LOG_PREFIX) && Files.isDirectory(p)) {
                long generation = Long.parseLong(name.substring(LOG_PREFIX.length()));
                if (generation >= first) {
                    generations.add(generation);
                }
            }
        }
        generations.sort(Comparator.naturalOrder());
        return generations;
    }

    /**
     * Whether a log generation never got past its creation: every Chronicle file in it is empty or
     * starts with a zero header. A kill while Chronicle creates a queue leaves such files, which it
     * then waits on (or fails on) when opening; they cannot hold an entry, so the generation can go.
     */
    boolean neverWritten(long generation) throws IOException {
        try (Stream<Path> files = Files.list(logDir(generation))) {
            for (Path file : files.filter(ChronicleLogs::isChronicleFile).toList()) {
                if (!ChronicleLogs.headerNeverWritten(file)) {
                    return false;
                }
            }
        }
        return true;
    }

    Path logDir(long generation) {
        return dir.resolve(String.format("%s%06d", LOG_PREFIX, generation));
    }

    static String segmentName(long number) {
        return String.format("%s%06d%s", SEGMENT_PREFIX, number, SEGMENT_SUFFIX);
    }

    Path segment(String name) {
        return dir.resolve(name);
    }

    /** Deletes the log generations below {@code generation}: their rows are sealed. */
    void deleteLogsBefore(long generation) throws IOException {
        for (Path p : list()) {
            String name = p.getFileName().toString();
            if (name.startsWith(LOG_PREFIX) && Long.parseLong(name.substring(LOG_PREFIX.length())) < generation) {
                Directories.deleteTree(p);
            }
        }
    }

    /** Deletes the shard's directory and everything in it. */
    void deleteAll() {
        Directories.deleteTree(dir);
    }

    private List<Path> list() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
