package io.strata.node.stream.window;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.strata.node.http.Json;

import java.util.List;

/**
 * The values of a decoded record that a job reads, in slots: each slot holds one field's value as
 * a primitive ({@code long} for a JSON integer within 64 bits, {@code double} for a finite JSON
 * float), as text, or as a JSON node (anything else), or nothing (the field was missing or JSON
 * null). The slots are named by the record's top-level field they hold ({@link #names}; null for a
 * slot of a nested field), so an aggregate finds its field's slot once per layout. The record's
 * bytes stay with the values, for {@link #record} to parse the whole record when one is needed.
 *
 * <p>Written once by the decoder that makes it, then only read. Not thread-safe while written.
 */
public final class EventValues {

    /** What a slot holds. */
    public enum Kind { ABSENT, LONG, DOUBLE, TEXT, BOOLEAN, NODE }

    private static final Kind[] KINDS = Kind.values();

    private final List<String> names;
    private final byte[] kinds;
    private final long[] longs;
    private final Object[] refs;
    private final byte[] source;
    private final int from;
    private final int length;

    /**
     * Empty slots, one per name, for the record {@code source[from, from + length)}; the caller
     * must not change those bytes afterwards.
     */
    public EventValues(List<String> names, byte[] source, int from, int length) {
        this.names = names;
        this.kinds = new byte[names.size()];
        this.longs = new long[names.size()];
        this.refs = new Object[names.size()];
        this.source = source;
        this.from = from;
        this.length = length;
    }

    /** The top-level field each slot holds, or null for a nested field's slot; the same list for a layout. */
    public List<String> names() {
        return names;
    }

    public Kind kind(int slot) {
        return KINDS[kinds[slot]];
    }

    public void clear(int slot) {
        kinds[slot] = 0;
        refs[slot] = null;
    }

    public void setLong(int slot, long value) {
        kinds[slot] = (byte) Kind.LONG.ordinal();
        longs[slot] = value;
    }

    public void setDouble(int slot, double value) {
        kinds[slot] = (byte) Kind.DOUBLE.ordinal();
        longs[slot] = Double.doubleToRawLongBits(value);
    }

    public void setText(int slot, String value) {
        kinds[slot] = (byte) Kind.TEXT.ordinal();
        refs[slot] = value;
    }

    public void setBoolean(int slot, boolean value) {
        kinds[slot] = (byte) Kind.BOOLEAN.ordinal();
        longs[slot] = value ? 1 : 0;
    }

    /** Sets a value that none of the other setters takes (a number beyond 64 bits, an object, an array). */
    public void setNode(int slot, JsonNode value) {
        kinds[slot] = (byte) Kind.NODE.ordinal();
        refs[slot] = value;
    }

    /** The value of a {@link Kind#LONG} slot. */
    public long longValue(int slot) {
        return longs[slot];
    }

    /** The value of a {@link Kind#DOUBLE} slot. */
    public double doubleValue(int slot) {
        return Double.longBitsToDouble(longs[slot]);
    }

    /** The value of a {@link Kind#TEXT} slot. */
    public String text(int slot) {
        return (String) refs[slot];
    }

    /**
     * The slot's value as the JSON node a parse of the whole record would hold there (an integer
     * within 32 bits as an {@code IntNode}, as Jackson reads it), or null when it is absent.
     */
    public JsonNode node(int slot) {
        return switch (kind(slot)) {
            case ABSENT -> null;
            case LONG -> (int) longs[slot] == longs[slot] ? IntNode.valueOf((int) longs[slot]) : LongNode.valueOf(longs[slot]);
            case DOUBLE -> DoubleNode.valueOf(doubleValue(slot));
            case TEXT -> TextNode.valueOf((String) refs[slot]);
            case BOOLEAN -> BooleanNode.valueOf(longs[slot] != 0);
            case NODE -> (JsonNode) refs[slot];
        };
    }

    /** The whole record, parsed from its bytes (which the decoder found to be a valid JSON object). */
    JsonNode record() {
        return Json.read(source, from, from + length, "a decoded record");
    }
}
