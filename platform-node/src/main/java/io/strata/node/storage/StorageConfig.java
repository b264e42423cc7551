package io.strata.node.storage;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.util.Arrays;
import java.util.Locale;

/** Parses the storage settings every store has (durability, log roll cycle), naming the key when a value is wrong. */
public final class StorageConfig {

    private StorageConfig() {}

    /** {@code mmap} or {@code fsync}, case-insensitively. */
    public static Durability durability(String value, String key) {
        return enumValue(Durability.class, value, key);
    }

    /**
     * A Chronicle roll cycle name; besides {@link RollCycles}, the secondly test cycles
     * ({@code TEST_SECONDLY}, ...) are accepted so tests can exercise rolling and retention quickly.
     */
    public static RollCycle rollCycle(String value, String key) {
        try {
            return TestRollCycles.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException notATestCycle) {
            return enumValue(RollCycles.class, value, key);
        }
    }

    /** An enum setting, case-insensitively; otherwise an error naming the key and the choices. */
    public static <E extends Enum<E>> E enumValue(Class<E> type, String value, String key) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " must be one of "
                    + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT) + ", got '" + value + "'");
        }
    }
}
