package io.strata.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One node per data directory, the holder named in the refusal, and a failed first start leaving nothing behind. */
class DataDirLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondLockIsRefusedNamingTheHolderAndTheFirstStillHolds() throws Exception {
        Path data = dir.resolve("data");
        String pid = Long.toString(ProcessHandle.current().pid());
        try (DataDirLock first = DataDirLock.acquire(data)) {
            assertEquals(pid, Files.readString(data.resolve(".lock")).trim(), "the lock file names its holder");
            StartupException second = assertThrows(StartupException.class, () -> DataDirLock.acquire(data));
            assertEquals("data directory " + data + " is in use by another Strata node (pid " + pid
                    + "); stop that node, or give this one its own --data-dir", second.getMessage());
            assertThrows(StartupException.class, () -> DataDirLock.acquire(dir.resolve("data/../data")), "the same directory by another path");
        }
        DataDirLock.acquire(data).close();
    }

    @Test
    void abandoningAFreshDirectoryRemovesWhatTheStartMade() throws Exception {
        Path missing = dir.resolve("a/b/data");
        DataDirLock lock = DataDirLock.acquire(missing);
        Files.writeString(missing.resolve("node-id"), "c/n1\n");
        lock.abandon();
        assertFalse(Files.exists(dir.resolve("a")), "the directories the lock created are gone");

        Path empty = Files.createDirectory(dir.resolve("empty"));
        DataDirLock.acquire(empty).abandon();
        try (var left = Files.list(empty)) {
            assertEquals(List.of(), left.toList());
        }

        Path used = Files.createDirectory(dir.resolve("used"));
        Files.writeString(used.resolve("keep"), "data");
        DataDirLock.acquire(used).abandon();
        assertTrue(Files.exists(used.resolve("keep")), "a directory that held data keeps it");
        DataDirLock.acquire(used).close();
    }
}
