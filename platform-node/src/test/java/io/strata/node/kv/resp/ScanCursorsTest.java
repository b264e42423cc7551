package io.strata.node.kv.resp;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unfinished SCANs: numbers that stand for where each is, the oldest forgotten past the capacity. */
class ScanCursorsTest {

    @Test
    void cursorsStandForTheirPositionUntilForgotten() {
        ScanCursors cursors = new ScanCursors(2);
        long first = cursors.open("0", "a");
        long second = cursors.open("3", "b");
        assertNotEquals(0, first, "0 means a finished scan");
        assertNotEquals(first, second);
        assertEquals(Optional.of(new ScanCursors.Position("0", "a")), cursors.find(first));
        assertEquals(Optional.of(new ScanCursors.Position("0", "a")), cursors.find(first), "a cursor may be used again");
        long third = cursors.open("0", "c");
        assertTrue(cursors.find(first).isEmpty(), "the oldest is forgotten past the capacity");
        assertEquals(Optional.of(new ScanCursors.Position("3", "b")), cursors.find(second));
        assertEquals(Optional.of(new ScanCursors.Position("0", "c")), cursors.find(third));
        assertTrue(cursors.find(12345).isEmpty());
    }
}
