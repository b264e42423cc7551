package io.strata.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the machine was around a benchmark: its cores and the load average before and after
 * (a busy neighbour makes every figure slower, which the same-run anchor ratios absorb and the
 * absolute figures do not).
 *
 * @param note the caveat that goes with every figure
 */
record Machine(int nproc, String loadavgBefore, String loadavgAfter, String java, String os, String note) {

    /** The first half: cores and load average now; {@link #finish} adds the load average after. */
    static Machine start() {
        int cores = Runtime.getRuntime().availableProcessors();
        return start("the load generator runs in the server's JVM and shares its " + cores + " cores with it");
    }

    /** As {@link #start()}, with the caveat of a benchmark that has no separate load generator. */
    static Machine start(String note) {
        return new Machine(Runtime.getRuntime().availableProcessors(), loadavg(), null,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), note);
    }

    Machine finish() {
        return new Machine(nproc, loadavgBefore, loadavg(), java, os, note);
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
