package io.strata.node;

import io.strata.node.storage.Directories;
import io.strata.node.storage.DataLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive lock on a data directory, so two nodes never write the same logs. The operating
 * system releases it when the process dies, so a node killed with {@code kill -9} can restart.
 * The lock file holds the PID of the process that holds it, for the message another node gets.
 */
public final class DataDirLock implements AutoCloseable {


    /**
     * Directories locked by this JVM. A second channel on a file this JVM has locked must not even be
     * opened: on Linux, closing it would release the lock the first one holds.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final Optional<Path> created;
    private final boolean fresh;

    private DataDirLock(Path dir, FileChannel channel, FileLock lock, Optional<Path> created, boolean fresh) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        this.created = created;
        this.fresh = fresh;
    }

    /**
     * Creates the directory if needed and locks it.
     *
     * @throws StartupException when another process (or this one) holds it
     */
    public static DataDirLock acquire(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        if (!HELD.add(dir)) {
            throw inUse(dir, Optional.of(ProcessHandle.current().pid()));
        }
        try {
            Optional<Path> created = firstMissing(dir);
            boolean fresh = created.isPresent() || isEmpty(dir);
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(DataLayout.LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                Optional<Long> holder = holder(channel);
                channel.close();
                throw inUse(dir, holder);
            }
            try {
                channel.truncate(0);
                channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            } catch (IOException e) {
                // A full disk cannot take the PID: the lock must not outlive the failed start.
                channel.close();
                throw e;
            }
            return new DataDirLock(dir, channel, lock, created, fresh);
        } catch (IOException e) {
            HELD.remove(dir);
            throw new StartupException("cannot create or lock data directory " + dir + ": " + e
                    + "; give --data-dir a directory this user can write", e);
        } catch (RuntimeException e) {
            HELD.remove(dir);
            throw e;
        }
    }

    private static StartupException inUse(Path dir, Optional<Long> pid) {
        return new StartupException("data directory " + dir + " is in use by another Strata node"
                + pid.map(p -> " (pid " + p + ")").orElse("") + "; stop that node, or give this one its own --data-dir");
    }

    /** The PID the holder wrote into the lock file, if it is there yet. */
    private static Optional<Long> holder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        try {
            return Optional.of(Long.parseLong(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim()));
        } catch (NumberFormatException notWrittenYet) {
            return Optional.empty();
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** The outermost directory of {@code dir}'s path that does not exist yet, which acquiring creates. */
    private static Optional<Path> firstMissing(Path dir) {
        Path missing = null;
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing = p;
        }
        return Optional.ofNullable(missing);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            HELD.remove(dir);
        }
    }

    /**
     * Releases the lock of a node that failed to start before it stored anything; when the
     * directory was missing or empty before, also removes what was made in it since (and the
     * directories acquiring created), so a failed first start leaves no trace.
     */
    void abandon() {
        close();
        if (created.isPresent()) {
            Directories.deleteTree(created.get());
        } else if (fresh) {
            try (var entries = Files.list(dir)) {
                entries.forEach(Directories::deleteTree);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clean " + dir, e);
            }
        }
    }
}
