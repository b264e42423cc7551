package io.strata.dataflow.cli;

import io.strata.node.launch.NodeProcess;
import io.strata.node.storage.Directories;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The node an experiment runs against: one the user named with {@code --node}, or a fresh node
 * started as a child JVM in a temporary directory, stopped and deleted on close.
 */
final class LabNode implements AutoCloseable {

    private final String base;
    private final NodeProcess process;
    private final Path dir;

    private LabNode(String base, NodeProcess process, Path dir) {
        this.base = base;
        this.process = process;
        this.dir = dir;
    }

    static LabNode open(String url, PrintWriter out) throws IOException {
        if (url != null) {
            return new LabNode(url, null, null);
        }
        Path dir = Files.createTempDirectory("strata-experiment-");
        out.println("starting a fresh node in " + dir + " (its output goes to node.log there)...");
        out.flush();
        try {
            NodeProcess process = NodeProcess.builder(dir.resolve("data")).logFile(dir.resolve("node.log")).start();
            out.println("node up at " + process.httpBase() + " (pid " + process.pid() + ")");
            return new LabNode(process.httpBase(), process, dir);
        } catch (RuntimeException e) {
            Directories.deleteTree(dir);
            throw e;
        }
    }

    String base() {
        return base;
    }

    @Override
    public void close() throws IOException {
        if (process != null) {
            process.close();
            Directories.deleteTree(dir);
        }
    }
}
