package io.strata.node.storage;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Small files replaced atomically and durably: written to a temporary sibling, fsynced, renamed
 * over the target, and the directory fsynced. A crash leaves the old file or the new one, never
 * a torn one. Blocking I/O: not for actor threads unless the file is tiny and rarely written.
 */
public final class AtomicFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AtomicFiles() {}

    /** Something that writes a file's content. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces {@code target} with what {@code writer} writes. */
    public static void write(Path target, Writer writer) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.writeTo(out);
            }
            fsync(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            // A torn temporary file (a full disk) must not keep holding the space it took.
            Files.deleteIfExists(tmp);
            throw e;
        }
        fsync(target.toAbsolutePath().getParent());
    }

    /** Replaces {@code target} with {@code value} as pretty-printed JSON. */
    public static void writeJson(Path target, Object value) throws IOException {
        write(target, out -> JSON.writerWithDefaultPrettyPrinter().writeValue(out, value));
    }

    /** Reads a JSON file written by {@link #writeJson}. */
    public static <T> T readJson(Path source, Class<T> type) throws IOException {
        return JSON.readValue(source.toFile(), type);
    }

    /** fsyncs a file or a directory. */
    public static void fsync(Path path) throws IOException {
        boolean isDir = Files.isDirectory(path);
        try (FileChannel ch = FileChannel.open(path, isDir ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
