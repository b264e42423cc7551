package io.strata.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the machine was around a benchmark: its cores and the load average before and after
 * (a busy neighbour makes every figure slower, which the same-run anchor ratios absorb and the
 * absolute figures do not).
 *
 * @param cpu the CPU model, as {@code /proc/cpuinfo} names it
 * @param memory the RAM, as {@code /proc/meminfo} gives it ({@code MemTotal})
 * @param note the caveat that goes with every figure
 */
record Machine(int nproc, String cpu, String memory, String loadavgBefore, String loadavgAfter, String java, String os,
               String note) {

    /** The first half: cores and load average now; {@link #finish} adds the load average after. */
    static Machine start() {
        int cores = Runtime.getRuntime().availableProcessors();
        return start("the load generator runs in the server's JVM and shares its " + cores + " cores with it");
    }

    /** As {@link #start()}, with the caveat of a benchmark that has no separate load generator. */
    static Machine start(String note) {
        return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(), memTotal(), loadavg(), null,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), note);
    }

    Machine finish() {
        return new Machine(nproc, cpu, memory, loadavgBefore, loadavg(), java, os, note);
    }

    /** The first {@code model name} of {@code /proc/cpuinfo}, or "unavailable". */
    static String cpuModel() {
        return procField(Path.of("/proc/cpuinfo"), "model name");
    }

    /** {@code MemTotal} of {@code /proc/meminfo} ("24684084 kB"), or "unavailable". */
    static String memTotal() {
        return procField(Path.of("/proc/meminfo"), "MemTotal");
    }

    private static String procField(Path file, String key) {
        try (var lines = Files.lines(file)) {
            return lines.filter(line -> line.startsWith(key))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse("unavailable");
        } catch (IOException | UncheckedIOException e) {
            return "unavailable";
        }
    }

    /** {@code /proc/loadavg} as it reads: 1, 5 and 15 minute averages, running/total tasks, last pid. */
    static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unavailable";
        }
    }
}
