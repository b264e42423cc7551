package io.strata.node.columnar.encoding;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A growable little-endian byte buffer for building encoded blocks. Not thread-safe. */
final class ByteWriter {

    static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] buf;
    private int pos;

    ByteWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    void put(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    void putInt(int v) {
        ensure(4);
        INT.set(buf, pos, v);
        pos += 4;
    }

    void putLong(long v) {
        ensure(8);
        LONG.set(buf, pos, v);
        pos += 8;
    }

    void putBytes(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, pos, len);
        pos += len;
    }

    /** Advances over {@code len} zeroed bytes and returns where they start, for in-place writers. */
    int reserve(int len) {
        ensure(len);
        int start = pos;
        pos += len;
        return start;
    }

    byte[] array() {
        return buf;
    }

    int position() {
        return pos;
    }

    /** The written bytes; the buffer itself when it was sized exactly. */
    byte[] toByteArray() {
        return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
    }

    private void ensure(int extra) {
        long needed = (long) pos + extra;
        if (needed > buf.length) {
            if (needed > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("encoded block would exceed 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 16L, 2L * buf.length)));
        }
    }
}
