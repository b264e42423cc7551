package io.strata.node.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Brings a data directory written before {@link DataLayout}'s rule into it. That layout kept each
 * catalog beside the directories named after users' names ({@code kv/keyspaces.json} beside
 * {@code kv/SPACE/}, likewise {@code bus/topics.json}, {@code tables/tables.json},
 * {@code jobs/jobs.json}) and consumer groups' offsets in {@code bus/groups/}, where a topic
 * named {@code groups} kept its partitions too. Partition, shard and checkpoint directories stay
 * where they are.
 *
 * <p>Crash-safe and idempotent: the steps are worked out from what is on disk, and each is one
 * atomic rename, creation or removal followed by an fsync of the directories it changed. A node
 * killed between two steps finds the remaining ones on its next start; a directory in the current
 * layout has none.
 */
final class LayoutMigration {

    private static final Logger LOG = LoggerFactory.getLogger(LayoutMigration.class);
    private static final String OLD_GROUPS = "groups";

    private LayoutMigration() {}

    /** A change of the file system that the step's description names. */
    @FunctionalInterface
    interface Action {
        void run() throws IOException;
    }

    /** One atomic change of the data directory. */
    record Step(String description, Action action) {

        void apply() {
            try {
                action.run();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot migrate the data directory: " + description + " failed", e);
            }
        }
    }

    /** Migrates {@code root}; returns the number of steps it took (0 for a directory in the current layout). */
    static int run(Path root) {
        List<Step> steps = plan(root);
        for (Step step : steps) {
            step.apply();
        }
        if (!steps.isEmpty()) {
            LOG.info("data directory {} moved to the current layout in {} steps: {}", root, steps.size(),
                    steps.stream().map(Step::description).toList());
        }
        return steps.size();
    }

    /** What is left to do to bring {@code root} into the current layout, in order. */
    static List<Step> plan(Path root) {
        List<Step> steps = new ArrayList<>();
        catalog(steps, root.resolve(DataLayout.KV), "keyspaces.json", DataLayout.KEYSPACE_CATALOG);
        catalog(steps, root.resolve(DataLayout.BUS), "topics.json", DataLayout.TOPIC_CATALOG);
        catalog(steps, root.resolve(DataLayout.TABLES), "tables.json", DataLayout.TABLE_CATALOG);
        catalog(steps, root.resolve(DataLayout.JOBS), "jobs.json", DataLayout.JOB_CATALOG);
        groups(steps, root.resolve(DataLayout.BUS));
        return steps;
    }

    private static void catalog(List<Step> steps, Path dir, String oldName, String newName) {
        Path old = dir.resolve(oldName);
        Path current = dir.resolve(newName);
        // Only ever a file: a keyspace or table of that name could not get its directory in the old layout.
        if (Files.isRegularFile(old)) {
            if (Files.exists(current)) {
                LOG.warn("{} is the catalog; {} beside it (written by an older Strata?) is ignored", current, old);
            } else {
                steps.add(move(old, current));
            }
        }
        // Left by a catalog write that a crash interrupted: never a committed catalog.
        Path tmp = dir.resolve(oldName + ".tmp");
        if (Files.isRegularFile(tmp)) {
            steps.add(new Step("delete " + tmp, () -> {
                Files.delete(tmp);
                AtomicFiles.fsync(dir);
            }));
        }
    }

    /** Group offsets are the files of {@code bus/groups/}; a topic called {@code groups} has only directories there. */
    private static void groups(List<Step> steps, Path busDir) {
        Path old = busDir.resolve(OLD_GROUPS);
        if (!Files.isDirectory(old)) {
            return;
        }
        List<Path> entries;
        try (Stream<Path> list = Files.list(old)) {
            entries = list.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + old, e);
        }
        List<Path> files = entries.stream().filter(Files::isRegularFile).toList();
        Path current = busDir.resolve(DataLayout.GROUPS);
        if (!files.isEmpty() && !Files.isDirectory(current)) {
            steps.add(new Step("create " + current, () -> {
                Files.createDirectories(current);
                AtomicFiles.fsync(busDir);
            }));
        }
        for (Path file : files) {
            Path target = current.resolve(file.getFileName());
            if (Files.exists(target)) {
                LOG.warn("{} holds the offsets; {} (written by an older Strata?) is ignored", target, file);
            } else {
                steps.add(move(file, target));
            }
        }
        if (files.size() == entries.size()) {
            // Emptied, it is no topic's (a topic's partitions are directories), but it would pass for one.
            steps.add(new Step("remove " + old, () -> {
                try {
                    Files.deleteIfExists(old);
                    AtomicFiles.fsync(busDir);
                } catch (DirectoryNotEmptyException ignoredFileLeft) {
                    // A file that could not move (logged above) keeps it.
                }
            }));
        }
    }

    private static Step move(Path from, Path to) {
        return new Step("rename " + from + " to " + to, () -> {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsync(to.getParent());
            if (!from.getParent().equals(to.getParent())) {
                AtomicFiles.fsync(from.getParent());
            }
        });
    }
}
