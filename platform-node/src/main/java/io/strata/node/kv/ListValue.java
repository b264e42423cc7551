package io.strata.node.kv;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * How a list is held, logged and snapshotted: one immutable byte array, as compact as Redis's
 * listpack, that a change replaces whole. Layout: {@code varint(count)}, then per element
 * {@code varint(length)} and its bytes, first to last.
 */
public final class ListValue {

    private ListValue() {}

    /** The elements, first to last (a list the caller may change). */
    public static List<byte[]> elements(byte[] packed) {
        ByteBuffer in = ByteBuffer.wrap(packed);
        int count = (int) Varints.read(in);
        List<byte[]> elements = new ArrayList<>(count + 4);
        for (int i = 0; i < count; i++) {
            byte[] element = new byte[(int) Varints.read(in)];
            in.get(element);
            elements.add(element);
        }
        return elements;
    }

    /** The number of elements, read from the header alone. */
    public static long length(byte[] packed) {
        return Varints.read(ByteBuffer.wrap(packed));
    }

    /** The packed form of {@code elements}; null when there are none (an empty list does not exist). */
    public static byte[] pack(List<byte[]> elements) {
        if (elements.isEmpty()) {
            return null;
        }
        int size = 5;
        for (byte[] e : elements) {
            size += e.length + 5;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        Varints.write(out, elements.size());
        for (byte[] e : elements) {
            Varints.write(out, e.length);
            out.writeBytes(e);
        }
        return out.toByteArray();
    }
}
