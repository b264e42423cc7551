package io.strata.node.stream.window;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.strata.node.stream.proto.AggregateState;
import io.strata.node.stream.proto.CountState;
import io.strata.node.stream.proto.DistinctState;
import io.strata.node.stream.proto.ExtremeState;
import io.strata.node.stream.proto.LastState;
import io.strata.node.stream.proto.SumState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;

/**
 * The running state of one aggregate over one window. An event whose field is missing, JSON
 * null, or a NaN or infinite number is skipped by every aggregate but a field-less count; see
 * {@link WindowResult} for the value types. Not thread-safe: a window operator owns its accumulators.
 */
abstract sealed class Accumulator {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** 2^12 registers: about 1.6 % standard error in 4 KiB per window. */
    private static final int HLL_LG_K = 12;

    final String field;
    /** The slot layout {@link #slot} was found in: decoded events of one pipeline share it. */
    private List<String> slotNames;
    private int slot = -1;

    private Accumulator(String field) {
        this.field = field;
    }

    static Accumulator create(AggregateSpec spec) {
        return switch (spec.fn()) {
            case COUNT -> new Count(spec.field());
            case SUM -> new Sum(spec.field(), false);
            case AVG -> new Sum(spec.field(), true);
            case MIN -> new Extreme(spec.field(), -1);
            case MAX -> new Extreme(spec.field(), 1);
            case COUNT_DISTINCT -> new Distinct(spec.field());
            case APPROX_COUNT_DISTINCT -> new ApproxDistinct(spec.field());
            case LAST -> new Last(spec.field());
        };
    }

    static Accumulator fromProto(AggregateSpec spec, AggregateState state) {
        Accumulator acc = create(spec);
        acc.restore(state);
        return acc;
    }

    /** Adds the event's value of the field, if it has one (count without a field: every event). */
    final void add(StreamEvent event) {
        EventValues values = event.values();
        if (field != null && values != null && slotOf(values) >= 0) {
            if (values.kind(slot) != EventValues.Kind.ABSENT) {
                addSlot(values, slot, event);
            }
            return;
        }
        JsonNode value = field == null || event.fields() == null ? null : event.fields().get(field);
        if (value != null && !value.isNull() && !isNonFinite(value)) {
            addValue(value, event);
        } else if (field == null) {
            addValue(null, event);
        }
    }

    /** The slot of this aggregate's field in {@code values}' layout, or -1 when none holds it. */
    private int slotOf(EventValues values) {
        if (values.names() != slotNames) {
            slotNames = values.names();
            slot = slotNames.indexOf(field);
        }
        return slot;
    }

    /**
     * Adds a decoded value that is present (a decoder never takes a non-finite number). This
     * default reads it as its JSON node; the aggregates over numbers read the primitives.
     */
    void addSlot(EventValues values, int slot, StreamEvent event) {
        addValue(values.node(slot), event);
    }

    /** NaN and infinities cannot be written as JSON, but a computed field could hold one. */
    private static boolean isNonFinite(JsonNode value) {
        return value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue()) && !value.isBigDecimal();
    }

    abstract void addValue(JsonNode value, StreamEvent event);

    /** Folds another accumulator of the same aggregate into this one (session windows merging). */
    abstract void merge(Accumulator other);

    abstract Object result();

    abstract AggregateState toProto();

    abstract void restore(AggregateState state);

    /** A JSON value as a plain Java value; arrays and objects stay JSON. */
    static Object toJava(JsonNode value) {
        if (value == null) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        if (value.isNumber()) {
            return value.doubleValue();
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        return value;
    }

    /**
     * The JSON text two equal values share: numbers by numeric value (1 and 1.0 are one value),
     * object fields sorted by name; a string keeps its quotes, so "1" and 1 differ.
     */
    static String canonical(JsonNode value) {
        if (value.isNumber()) {
            return value.decimalValue().stripTrailingZeros().toString();
        }
        if (value.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            value.fieldNames().forEachRemaining(names::add);
            StringBuilder out = new StringBuilder("{");
            for (String name : names) {
                out.append(out.length() > 1 ? "," : "").append(JSON.getNodeFactory().textNode(name))
                        .append(':').append(canonical(value.get(name)));
            }
            return out.append('}').toString();
        }
        if (value.isArray()) {
            StringBuilder out = new StringBuilder("[");
            for (JsonNode element : value) {
                out.append(out.length() > 1 ? "," : "").append(canonical(element));
            }
            return out.append(']').toString();
        }
        return value.toString();
    }

    private static String jsonText(JsonNode value) {
        return value == null ? "" : value.toString();
    }

    private static JsonNode parseJson(String text) {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("corrupt window state: " + e.getOriginalMessage(), e);
        }
    }

    /** count: events (no field), or events with a non-null value of the field. */
    static final class Count extends Accumulator {
        private long count;

        Count(String field) {
            super(field);
        }

        @Override
        void addValue(JsonNode value, StreamEvent event) {
            count++;
        }

        @Override
        void addSlot(EventValues values, int slot, StreamEvent event) {
            count++;
        }

        @Override
        void merge(Accumulator other) {
            count += ((Count) other).count;
        }

        @Override
        Object result() {
            return count;
        }

        @Override
        AggregateState toProto() {
            return AggregateState.newBuilder().setCount(CountState.newBuilder().setCount(count)).build();
        }

        @Override
        void restore(AggregateState state) {
            count = state.getCount().getCount();
        }
    }

    /**
     * sum and avg over the numeric values of the field; other values are skipped. The sum stays a
     * long while every value is integral and it does not overflow, then turns double for good.
     */
    static final class Sum extends Accumulator {
        private final boolean average;
        private long longSum;
        private double doubleSum;
        private boolean isDouble;
        private long count;

        Sum(String field, boolean average) {
            super(field);
            this.average = average;
        }

        @Override
        void addValue(JsonNode value, StreamEvent event) {
            if (!value.isNumber()) {
                return;
            }
            count++;
            if (!isDouble && value.isIntegralNumber() && value.canConvertToLong()) {
                addLong(value.longValue());
            } else {
                toDouble();
                doubleSum += value.doubleValue();
            }
        }

        @Override
        void addSlot(EventValues values, int slot, StreamEvent event) {
            switch (values.kind(slot)) {
                case LONG -> {
                    count++;
                    if (isDouble) {
                        doubleSum += values.longValue(slot);
                    } else {
                        addLong(values.longValue(slot));
                    }
                }
                case DOUBLE -> {
                    count++;
                    toDouble();
                    doubleSum += values.doubleValue(slot);
                }
                default -> addValue(values.node(slot), event);
            }
        }

        private void addLong(long x) {
            long sum = longSum + x;
            if (((longSum ^ sum) & (x ^ sum)) < 0) {
                toDouble();
                doubleSum += x;
            } else {
                longSum = sum;
            }
        }

        private void toDouble() {
            if (!isDouble) {
                isDouble = true;
                doubleSum = longSum;
            }
        }

        @Override
        void merge(Accumulator other) {
            Sum o = (Sum) other;
            count += o.count;
            if (!isDouble && !o.isDouble) {
                addLong(o.longSum);
            } else {
                toDouble();
                doubleSum += o.isDouble ? o.doubleSum : o.longSum;
            }
        }

        @Override
        Object result() {
            if (count == 0) {
                return null;
            }
            if (average) {
                return (isDouble ? doubleSum : (double) longSum) / count;
            }
            return isDouble ? (Object) doubleSum : (Object) longSum;
        }

        @Override
        AggregateState toProto() {
            return AggregateState.newBuilder().setSum(SumState.newBuilder()
                    .setLongSum(longSum).setDoubleSum(doubleSum).setIsDouble(isDouble).setCount(count)).build();
        }

        @Override
        void restore(AggregateState state) {
            SumState s = state.getSum();
            longSum = s.getLongSum();
            doubleSum = s.getDoubleSum();
            isDouble = s.getIsDouble();
            count = s.getCount();
        }
    }

    /**
     * min (sign -1) and max (sign 1). Numbers compare by numeric value and strings by their UTF-16
     * code units (String.compareTo); every number orders before every string, so a field mixing the
     * two has a numeric min and a string max. Booleans, arrays and objects are skipped. Of equal
     * values the first kept wins.
     */
    static final class Extreme extends Accumulator {
        private final int sign;
        private JsonNode best;

        Extreme(String field, int sign) {
            super(field);
            this.sign = sign;
        }

        @Override
        void addValue(JsonNode value, StreamEvent event) {
            if ((value.isNumber() || value.isTextual()) && (best == null || sign * compare(value, best) > 0)) {
                best = value;
            }
        }

        private static int compare(JsonNode a, JsonNode b) {
            if (a.isNumber() != b.isNumber()) {
                return a.isNumber() ? -1 : 1;
            }
            if (a.isTextual()) {
                return a.textValue().compareTo(b.textValue());
            }
            if (a.isIntegralNumber() && b.isIntegralNumber() && a.canConvertToLong() && b.canConvertToLong()) {
                return Long.compare(a.longValue(), b.longValue());
            }
            return a.decimalValue().compareTo(b.decimalValue());
        }

        @Override
        void merge(Accumulator other) {
            JsonNode theirs = ((Extreme) other).best;
            if (theirs != null) {
                addValue(theirs, null);
            }
        }

        @Override
        Object result() {
            return toJava(best);
        }

        @Override
        AggregateState toProto() {
            return AggregateState.newBuilder().setExtreme(ExtremeState.newBuilder().setValueJson(jsonText(best))).build();
        }

        @Override
        void restore(AggregateState state) {
            best = parseJson(state.getExtreme().getValueJson());
        }
    }

    /** count_distinct: exact, keeping every distinct value's canonical JSON text. */
    static final class Distinct extends Accumulator {
        private final TreeSet<String> values = new TreeSet<>();

        Distinct(String field) {
            super(field);
        }

        @Override
        void addValue(JsonNode value, StreamEvent event) {
            values.add(canonical(value));
        }

        @Override
        void merge(Accumulator other) {
            values.addAll(((Distinct) other).values);
        }

        @Override
        Object result() {
            return (long) values.size();
        }

        @Override
        AggregateState toProto() {
            return AggregateState.newBuilder().setDistinct(DistinctState.newBuilder().addAllValues(values)).build();
        }

        @Override
        void restore(AggregateState state) {
            values.addAll(state.getDistinct().getValuesList());
        }
    }

    /** approx_count_distinct: a HyperLogLog sketch over the canonical JSON text of the values. */
    static final class ApproxDistinct extends Accumulator {
        private HllSketch sketch = new HllSketch(HLL_LG_K, TgtHllType.HLL_8);

        ApproxDistinct(String field) {
            super(field);
        }

        @Override
        void addValue(JsonNode value, StreamEvent event) {
            sketch.update(canonical(value));
        }

        @Override
        void merge(Accumulator other) {
            Union union = new Union(HLL_LG_K);
            union.update(sketch);
            union.update(((ApproxDistinct) other).sketch);
            sketch = union.getResult(TgtHllType.HLL_8);
        }

        @Override
        Object result() {
            return Math.round(sketch.getEstimate());
        }

        @Override
        AggregateState toProto() {
            return AggregateState.newBuilder().setHll(ByteString.copyFrom(canonicalBytes(sketch))).build();
        }

        /**
         * The compact image with its coupons sorted. Below a few hundred values the sketch is a
         * list or hash set of coupons whose order follows its insertion history, so a restored
         * sketch would serialize the same coupons in another order; sorted, equal sketches give
         * equal bytes. Image layout (DataSketches HLL format): byte 0 is the preamble length in
         * ints, the low two bits of byte 7 the mode (0 list, 1 set, 2 HLL); in list and set mode
         * the coupons follow the preamble as little-endian ints.
         */
        private static byte[] canonicalBytes(HllSketch sketch) {
            byte[] image = sketch.toCompactByteArray();
            if ((image[7] & 3) == 2) {
                return image;
            }
            int start = (image[0] & 0xFF) * Integer.BYTES;
            ByteBuffer buffer = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
            int[] coupons = new int[(image.length - start) / Integer.BYTES];
            for (int i = 0; i < coupons.length; i++) {
                coupons[i] = buffer.getInt(start + i * Integer.BYTES);
            }
            Arrays.sort(coupons);
            for (int i = 0; i < coupons.length; i++) {
                buffer.putInt(start + i * Integer.BYTES, coupons[i]);
            }
            return image;
        }

        @Override
        void restore(AggregateState state) {
            sketch = HllSketch.heapify(state.getHll().toByteArray());
        }
    }

    /** last: the value of the event with the greatest event time; ties go to the greater (partition, offset). */
    static final class Last extends Accumulator {
        private JsonNode value;
        private long eventTime;
        private int partition;
        private long offset;

        Last(String field) {
            super(field);
        }

        @Override
        void addValue(JsonNode v, StreamEvent event) {
            offer(v, event.eventTime(), event.partition(), event.offset());
        }

        private void offer(JsonNode v, long time, int p, long off) {
            boolean later = value == null || time > eventTime
                    || (time == eventTime && (p > partition || (p == partition && off > offset)));
            if (later) {
                value = v;
                eventTime = time;
                partition = p;
                offset = off;
            }
        }

        @Override
        void merge(Accumulator other) {
            Last o = (Last) other;
            if (o.value != null) {
                offer(o.value, o.eventTime, o.partition, o.offset);
            }
        }

        @Override
        Object result() {
            return toJava(value);
        }

        @Override
        AggregateState toProto() {
            return AggregateState.newBuilder().setLast(LastState.newBuilder().setValueJson(jsonText(value))
                    .setEventTime(eventTime).setPartition(partition).setOffset(offset)).build();
        }

        @Override
        void restore(AggregateState state) {
            LastState s = state.getLast();
            value = parseJson(s.getValueJson());
            eventTime = s.getEventTime();
            partition = s.getPartition();
            offset = s.getOffset();
        }
    }
}
