package io.strata.node.cli;

import io.strata.node.demo.DemoChapter;
import io.strata.node.demo.DemoFailure;
import io.strata.node.demo.DemoTour;
import io.strata.node.demo.BusChapter;
import io.strata.node.demo.KafkaChapter;
import io.strata.node.demo.KvChapter;
import io.strata.node.demo.LimitsChapter;
import io.strata.node.demo.RespChapter;
import io.strata.node.demo.SafetyChapter;
import io.strata.node.demo.StreamChapter;
import io.strata.node.demo.TableChapter;
import io.strata.node.launch.NodeProcess;
import io.strata.node.storage.Directories;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * {@code ./strata demo}: a guided tour on a fresh node, started as a child JVM in a temporary
 * directory. Each {@link DemoChapter} shows its feature with {@code curl} commands and the real
 * answers; then the node is killed with {@code kill -9}, restarted on the same directory, and each
 * chapter shows its data came back. Every answer is checked, so the demo is also an end-to-end
 * test: it exits 1 with the failed expectation when anything is off, 0 when all is well. The node
 * is stopped and the directory deleted either way.
 *
 * <p>Chapters that start a cluster of their own ({@link DemoChapter#startsOwnCluster}) run last,
 * once the node has stopped; {@code --cluster} runs only them, with no node of the demo's.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"A guided, self-checking tour on a fresh node in a temporary directory.",
                "Shows the KV (over HTTP and the Redis protocol), bus, table and stream job APIs",
                "as curl and redis-cli commands with the real answers, then kill -9 and a",
                "restart that shows the data came back. With the",
                "dataflow-modes module built, a finale runs the same services through a",
                "database, by RPC and over the bus, side by side. With the cluster-config",
                "module built, three nodes of a cluster file show where keys live and what a",
                "node killed with kill -9 takes away until it returns (that alone: --cluster).",
                "Exits non-zero if any answer is not as expected."})
public final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--cluster",
            description = "Only the cluster chapter: three nodes, one killed with kill -9 and restarted"
                    + " (needs the cluster-config module).")
    boolean clusterOnly;

    /** The demo's node while one runs (the restarted one after the crash), so a failure still stops it. */
    private NodeProcess node;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        List<DemoChapter> clusterChapters = chapters().stream().filter(DemoChapter::startsOwnCluster).toList();
        if (clusterOnly && clusterChapters.isEmpty()) {
            err.println("strata demo: no cluster chapter on the classpath; build the cluster-config module (mvn package)");
            return 1;
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("strata-demo-");
        } catch (IOException e) {
            err.println("strata demo: cannot create a temporary directory: " + e.getMessage());
            return 1;
        }
        try {
            DemoTour tour;
            if (clusterOnly) {
                out.println("Strata demo, cluster chapter: its nodes keep their data and logs in " + dir + ".");
                tour = new DemoTour(out, null, dir);
            } else {
                Path data = dir.resolve("data");
                NodeProcess.Builder builder = NodeProcess.builder(data).logFile(dir.resolve("node.log")).args("--resp-port", "0", "--kafka-port", "0");
                out.println("Strata demo: starting a fresh node in " + dir + " (its output goes to node.log there)...");
                out.flush();
                node = builder.start();
                out.println("Node up at " + node.httpBase() + " (pid " + node.pid() + ").");
                tour = new DemoTour(out, node.httpBase(), dir);
                tour.moveRespTo(node.respPort());
                tour.moveKafkaTo(node.kafkaPort());
                tourOneNode(tour, builder, data);
                for (DemoChapter chapter : chapters().stream().filter(DemoChapter::startsOwnNode).toList()) {
                    tour.chapter(chapter.title());
                    chapter.tour(tour);
                }
            }
            for (DemoChapter chapter : clusterChapters) {
                tour.chapter(chapter.title());
                chapter.tour(tour);
            }
            out.printf("%nDemo complete: %d checks passed in %.1f s.%n", tour.checks(), (System.nanoTime() - start) / 1e9);
            return 0;
        } catch (DemoFailure e) {
            err.println("strata demo: FAILED at " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("strata demo: interrupted");
            return 1;
        } catch (Exception e) {
            err.println("strata demo: FAILED: " + e);
            if (node != null) {
                err.println("Last lines of the node's output:\n" + node.logTail());
            }
            return 1;
        } finally {
            out.flush();
            if (node != null) {
                node.close();
            }
            Directories.deleteTree(dir);
        }
    }

    /** The chapters on the demo's node, its crash and restart, the finales, and its clean stop. */
    private void tourOneNode(DemoTour tour, NodeProcess.Builder builder, Path data) throws Exception {
        List<DemoChapter> chapters = chapters().stream()
                .filter(c -> !c.isFinale() && !c.startsOwnCluster() && !c.startsOwnNode()).toList();
        List<DemoChapter> finales = chapters().stream().filter(DemoChapter::isFinale).toList();
        for (DemoChapter chapter : chapters) {
            tour.chapter(chapter.title());
            chapter.tour(tour);
        }

        tour.chapter("Crash and recovery");
        tour.step("Kill the node with SIGKILL: no shutdown, no flush");
        tour.say("Every acknowledged write is already in the node's memory-mapped log.");
        tour.shell("kill -9 " + node.pid());
        tour.check(node.kill9() == 137, "the node to die of SIGKILL (exit code 137)");
        tour.step("Restart it on the same data directory");
        tour.shell("./strata up --data-dir " + data);
        long restart = System.nanoTime();
        node = builder.start();
        tour.moveTo(node.httpBase());
        tour.moveRespTo(node.respPort());
        tour.moveKafkaTo(node.kafkaPort());
        tour.say("Up again at " + node.httpBase() + " (pid " + node.pid() + ") after "
                + (System.nanoTime() - restart) / 1_000_000 + " ms; it recovered from its snapshots and logs.");
        for (DemoChapter chapter : chapters) {
            chapter.afterCrash(tour);
        }
        for (DemoChapter finale : finales) {
            tour.chapter(finale.title());
            finale.tour(tour);
        }
        if (!finales.isEmpty()) {
            tour.chapter("Shutdown");
        }
        tour.step("Stop the node cleanly");
        tour.shell("kill " + node.pid());
        int exit = node.stop();
        tour.say("Exited with code " + exit + " after its coordinated shutdown.");
        tour.check(exit == 0 || exit == 143, "a clean exit on SIGTERM, got exit code " + exit);
        node = null;
    }

    /** This module's chapters, then those other modules add as services. */
    private static List<DemoChapter> chapters() {
        List<DemoChapter> chapters = new ArrayList<>(List.of(new KvChapter(), new RespChapter(), new BusChapter(), new KafkaChapter(), new TableChapter(), new StreamChapter(),
                new SafetyChapter(), new LimitsChapter()));
        ServiceLoader.load(DemoChapter.class).forEach(chapters::add);
        return chapters;
    }
}
