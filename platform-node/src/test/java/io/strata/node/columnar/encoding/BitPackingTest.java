package io.strata.node.columnar.encoding;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BitPackingTest {

    @Test
    void everyWidthRoundTripsAtEveryAlignment() {
        Random r = new Random(51);
        for (int width = 0; width <= 64; width++) {
            for (int n : new int[]{0, 1, 2, 7, 8, 9, 63, 64, 65, 333}) {
                long base = r.nextLong();
                long mask = width == 64 ? -1L : (1L << width) - 1;
                long[] values = new long[n];
                for (int i = 0; i < n; i++) {
                    values[i] = base + (r.nextLong() & mask);
                }
                int size = (int) BitPacking.bytesFor(n, width);
                byte[] packed = new byte[size + 3];
                BitPacking.pack(values, 0, n, base, width, packed, 3);
                long[] back = new long[n + 1];
                BitPacking.unpack(packed, 3, n, width, base, back, 1);
                long[] expected = new long[n + 1];
                System.arraycopy(values, 0, expected, 1, n);
                assertArrayEquals(expected, back, "width " + width + ", n " + n);
            }
        }
    }

    @Test
    void widthCoversUnsignedRanges() {
        assertEquals(0, BitPacking.width(0));
        assertEquals(1, BitPacking.width(1));
        assertEquals(10, BitPacking.width(999));
        assertEquals(64, BitPacking.width(Long.MAX_VALUE - Long.MIN_VALUE));
    }
}
