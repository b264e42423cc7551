package io.strata.node.limits;

import com.typesafe.config.Config;

/**
 * Sizes that default to a share of the JVM's maximum heap ({@code -Xmx}), so the limits of a node
 * follow the memory it was given: a setting is either a size ({@code 64m}, a number of bytes) or
 * {@code auto}.
 */
public final class HeapShare {

    private HeapShare() {}

    /** The JVM's maximum heap in bytes ({@code -Xmx}, or the JVM's default share of the machine's memory). */
    public static long maxHeapBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    /** The size at {@code path}: {@code auto} is {@code share} of the maximum heap; anything else must be a size. */
    public static long resolve(Config config, String path, double share) {
        if (config.getString(path).equals("auto")) {
            return (long) (maxHeapBytes() * share);
        }
        long bytes = config.getBytes(path);
        if (bytes <= 0) {
            throw new IllegalArgumentException(path + " must be a positive size or auto, got " + config.getString(path));
        }
        return bytes;
    }

    /** Bytes as a person reads them: {@code 153.6 MiB}. */
    public static String describe(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
