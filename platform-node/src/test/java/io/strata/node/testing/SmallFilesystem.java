package io.strata.node.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real, small filesystem for a test: a tmpfs of a few MiB mounted on a directory of the test's,
 * so the test can fill it up and free it again. Mounting needs root (CAP_SYS_ADMIN); where that is
 * impossible the test is skipped with the reason. Close it to unmount it (after every process that
 * uses it has ended).
 */
public final class SmallFilesystem implements AutoCloseable {

    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(30);

    private final Path mountPoint;

    private SmallFilesystem(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code mebibytes} MiB on {@code mountPoint} (created if needed), or skips the test. */
    public static SmallFilesystem mount(Path mountPoint, int mebibytes) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        Result mounted = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + mebibytes + "m,mode=0700", "tmpfs",
                mountPoint.toString()));
        Assumptions.assumeTrue(mounted.exit == 0,
                "cannot mount a small tmpfs here (needs root / CAP_SYS_ADMIN): " + mounted.output);
        return new SmallFilesystem(mountPoint);
    }

    public Path root() {
        return mountPoint;
    }

    /** Free bytes, as the filesystem reports them. */
    public long freeBytes() throws IOException {
        FileStore store = Files.getFileStore(mountPoint);
        return store.getUsableSpace();
    }

    /**
     * Writes {@code file} (on this filesystem) until it has {@code bytes} bytes or the filesystem is
     * full; returns the bytes written.
     */
    public long fill(Path file, long bytes) throws IOException {
        byte[] chunk = new byte[64 << 10];
        java.util.Arrays.fill(chunk, (byte) 0x5a);
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (written < bytes) {
                int n = (int) Math.min(chunk.length, bytes - written);
                out.write(chunk, 0, n);
                written += n;
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left on device")) {
                throw full;
            }
            // Full: what got in stays, as a process filling the disk would leave it.
        }
        return Files.size(file);
    }

    /** Grows the filesystem to {@code mebibytes} MiB (more room for the same files). */
    public void resize(int mebibytes) throws IOException, InterruptedException {
        Result remounted = run(List.of("mount", "-o", "remount,size=" + mebibytes + "m", mountPoint.toString()));
        if (remounted.exit != 0) {
            throw new IOException("cannot resize " + mountPoint + ": " + remounted.output);
        }
    }

    /**
     * Unmounts the filesystem. Chronicle unmaps a closed log's files on a background thread, so the
     * mount can be busy for a moment after the last log on it closed: tried again for a few seconds.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + UNMOUNT_PATIENCE.toNanos();
        Result unmounted = run(List.of("umount", mountPoint.toString()));
        while (unmounted.exit != 0 && unmounted.output.contains("busy") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            unmounted = run(List.of("umount", mountPoint.toString()));
        }
        if (unmounted.exit != 0) {
            throw new IOException("cannot unmount " + mountPoint + ": " + unmounted.output);
        }
    }

    private static final Duration UNMOUNT_PATIENCE = Duration.ofSeconds(10);

    private record Result(int exit, String output) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            return new Result(-1, notInstalled.getMessage());
        }
        if (!process.waitFor(COMMAND_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, String.join(" ", command) + " did not finish in " + COMMAND_LIMIT);
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes()).trim());
    }
}
