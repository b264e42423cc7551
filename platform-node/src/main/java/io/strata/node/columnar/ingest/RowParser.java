package io.strata.node.columnar.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.strata.node.columnar.Column;
import io.strata.node.columnar.ColumnBuilder;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.proto.IngestRow;
import io.strata.node.columnar.proto.IngestRows;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.common.StrataException;
import io.strata.node.common.Timestamps;
import io.strata.node.http.Json;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns an ingest batch (JSON array, NDJSON, CSV with a header, or Protobuf) into columns, enforcing the
 * table's schema on every row: a row with an unknown column, a missing or null non-null column,
 * a value of the wrong type or an unparsable timestamp is rejected with its index (0-based, in
 * batch order) and the reason; the other rows become the batch's columns.
 *
 * <p>Value rules: int64 takes whole JSON numbers in 64-bit range; float64 any JSON number within
 * the 64-bit float range ({@code 1e400} is rejected, never stored as infinity); string a JSON
 * string that is Unicode text (no unpaired surrogate escape); bool a JSON boolean; timestamp an
 * ISO-8601 instant or offset date-time string, or whole epoch milliseconds. In CSV every field is
 * text parsed by the same rules (a float64 is a decimal number: not NaN, Infinity or
 * hexadecimal), and an empty field is null, except in a string column that is not nullable, where
 * it is "". Stateless and thread-safe.
 */
public final class RowParser {

    /** A rejected row: its index in the batch and why. */
    public record Rejection(int row, String reason) {

        /** "row N: reason", for messages. */
        public String describe() {
            return "row " + row + ": " + reason;
        }
    }

    /** The accepted rows as columns (in schema order), and the rejected ones. */
    public record Parsed(ColumnVector[] columns, int accepted, List<Rejection> rejections) {}

    private static final CsvMapper CSV = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private RowParser() {}

    /** A JSON array of row objects, or a single row object. */
    public static Parsed parseJson(byte[] body, Schema schema) {
        // Values are checked row by row (a number beyond float64 rejects its row, not the batch).
        JsonNode json = Json.read(body, 0, body.length, "the request body");
        Batch batch = new Batch(schema);
        if (json.isArray()) {
            for (JsonNode row : json) {
                batch.addJson(row);
            }
        } else {
            batch.addJson(json);
        }
        return batch.finish();
    }

    /** One JSON row object per line; blank lines are skipped, a line that is not one JSON value is a rejected row. */
    public static Parsed parseNdjson(byte[] body, Schema schema) {
        Batch batch = new Batch(schema);
        for (int[] line : Json.lines(body)) {
            JsonNode row;
            try {
                row = Json.read(body, line[0], line[1], "the line");
            } catch (StrataException e) {
                batch.reject(e.getMessage());
                continue;
            }
            batch.addJson(row);
        }
        return batch.finish();
    }

    /**
     * An {@code IngestRows} message ({@code columnar.proto}): each row's values are checked exactly
     * as a JSON row's are (an {@code int64_value} is a whole number, a {@code timestamp_ms} a whole
     * epoch-millisecond number, {@code null_value} a null).
     *
     * @throws StrataException {@code invalid_protobuf} when the body is not an {@code IngestRows}
     */
    public static Parsed parseProtobuf(byte[] body, Schema schema) {
        IngestRows rows;
        try {
            rows = IngestRows.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw StrataException.invalid("invalid_protobuf", "the body is not an IngestRows message: " + e.getMessage());
        }
        Batch batch = new Batch(schema);
        for (IngestRow row : rows.getRowsList()) {
            ObjectNode json = Json.MAPPER.createObjectNode();
            row.getValuesMap().forEach((name, value) -> json.set(name, switch (value.getKindCase()) {
                case INT64_VALUE -> LongNode.valueOf(value.getInt64Value());
                case FLOAT64_VALUE -> DoubleNode.valueOf(value.getFloat64Value());
                case STRING_VALUE -> TextNode.valueOf(value.getStringValue());
                case BOOL_VALUE -> BooleanNode.valueOf(value.getBoolValue());
                case TIMESTAMP_MS -> LongNode.valueOf(value.getTimestampMs());
                case NULL_VALUE, KIND_NOT_SET -> NullNode.getInstance();
            }));
            batch.addJson(json);
        }
        return batch.finish();
    }

    /**
     * CSV whose first line names the columns (any order, a subset when the others are nullable).
     *
     * @throws StrataException {@code invalid_csv} when the header names an unknown or repeated column
     */
    public static Parsed parseCsv(byte[] body, Schema schema) {
        Batch batch = new Batch(schema);
        try (MappingIterator<List<String>> lines = CSV.readerForListOf(String.class)
                .with(CsvSchema.emptySchema()).readValues(body)) {
            if (!lines.hasNext()) {
                throw StrataException.invalid("invalid_csv", "the CSV body is empty; its first line must name the columns");
            }
            List<String> header = lines.next();
            int[] columnOf = new int[header.size()];
            boolean[] seen = new boolean[schema.size()];
            for (int i = 0; i < header.size(); i++) {
                String name = header.get(i).trim();
                int index = schema.indexOf(name).orElseThrow(() -> StrataException.invalid("invalid_csv",
                        "the CSV header names column '" + name + "', which is not in the schema"));
                if (seen[index]) {
                    throw StrataException.invalid("invalid_csv", "the CSV header names column '" + name + "' twice");
                }
                seen[index] = true;
                columnOf[i] = index;
            }
            while (lines.hasNext()) {
                List<String> fields = lines.next();
                if (fields.size() == 1 && fields.get(0).isEmpty() && header.size() > 1) {
                    continue;
                }
                if (fields.size() != header.size()) {
                    batch.reject("has " + fields.size() + " fields; the header has " + header.size());
                    continue;
                }
                batch.addCsv(fields, columnOf);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof StrataException s) {
                throw s;
            }
            throw StrataException.invalid("invalid_csv", "the CSV body cannot be read: " + e.getMessage());
        }
        return batch.finish();
    }

    /** The rows of one batch as they are validated. */
    private static final class Batch {
        private final Schema schema;
        private final ColumnBuilder[] builders;
        private final List<Rejection> rejections = new ArrayList<>();
        private final Object[] values;
        private int row;
        private int accepted;

        Batch(Schema schema) {
            this.schema = schema;
            this.builders = schema.columns().stream().map(c -> ColumnBuilder.of(c.type())).toArray(ColumnBuilder[]::new);
            this.values = new Object[schema.size()];
        }

        void reject(String reason) {
            rejections.add(new Rejection(row, reason));
            row++;
        }

        void addJson(JsonNode json) {
            if (json == null || !json.isObject()) {
                reject("must be a JSON object");
                return;
            }
            java.util.Arrays.fill(values, null);
            for (Iterator<Map.Entry<String, JsonNode>> fields = json.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                var index = schema.indexOf(field.getKey());
                if (index.isEmpty()) {
                    reject("unknown column '" + field.getKey() + "'");
                    return;
                }
                Column column = schema.columns().get(index.get());
                JsonNode value = field.getValue();
                if (value.isNull()) {
                    continue;
                }
                String problem = convertJson(column, value, index.get());
                if (problem != null) {
                    reject(problem);
                    return;
                }
            }
            accept();
        }

        void addCsv(List<String> fields, int[] columnOf) {
            java.util.Arrays.fill(values, null);
            for (int i = 0; i < fields.size(); i++) {
                String text = fields.get(i);
                Column column = schema.columns().get(columnOf[i]);
                if (text.isEmpty()) {
                    // CSV cannot tell an empty string from a null: only a column that can hold no null takes it as "".
                    if (column.type() == ColumnType.STRING && !column.nullable()) {
                        values[columnOf[i]] = "";
                    }
                    continue;
                }
                String problem = convertText(column, text, columnOf[i]);
                if (problem != null) {
                    reject(problem);
                    return;
                }
            }
            accept();
        }

        private String convertJson(Column column, JsonNode value, int index) {
            switch (column.type()) {
                case INT64 -> {
                    if (!value.isIntegralNumber() || !fitsLong(value)) {
                        return wrongType(column, value);
                    }
                    values[index] = value.longValue();
                }
                case FLOAT64 -> {
                    if (!value.isNumber() || Json.isNonFinite(value)) {
                        return wrongType(column, value);
                    }
                    values[index] = value.doubleValue();
                }
                case STRING -> {
                    if (!value.isTextual()) {
                        return wrongType(column, value);
                    }
                    return convertString(column, value.textValue(), index);
                }
                case BOOL -> {
                    if (!value.isBoolean()) {
                        return wrongType(column, value);
                    }
                    values[index] = value.booleanValue();
                }
                case TIMESTAMP -> {
                    if (value.isIntegralNumber() && fitsLong(value)) {
                        values[index] = value.longValue();
                    } else if (value.isTextual()) {
                        return convertTimestamp(column, value.textValue(), index);
                    } else {
                        return wrongType(column, value);
                    }
                }
            }
            return null;
        }

        private String convertText(Column column, String text, int index) {
            try {
                switch (column.type()) {
                    case INT64 -> values[index] = Long.parseLong(text.trim());
                    case FLOAT64 -> values[index] = parseFloat64(text.trim());
                    case STRING -> {
                        return convertString(column, text, index);
                    }
                    case BOOL -> {
                        String t = text.trim();
                        if (t.equalsIgnoreCase("true")) {
                            values[index] = true;
                        } else if (t.equalsIgnoreCase("false")) {
                            values[index] = false;
                        } else {
                            return "column '" + column.name() + "' must be a bool (true or false), got '" + text + "'";
                        }
                    }
                    case TIMESTAMP -> {
                        String t = text.trim();
                        if (t.matches("-?[0-9]+")) {
                            values[index] = Long.parseLong(t);
                        } else {
                            return convertTimestamp(column, t, index);
                        }
                    }
                }
            } catch (NumberFormatException e) {
                return "column '" + column.name() + "' must be " + article(column.type()) + ", got '" + text + "'";
            }
            return null;
        }

        /**
         * A float64 written as text: a decimal number (as in JSON, with an optional sign, fraction
         * and exponent) within the 64-bit range. Java's own parser would also take NaN,
         * Infinity, hexadecimal and {@code 1d}, and read {@code 1e400} as infinity.
         */
        private static double parseFloat64(String text) {
            if (!DECIMAL.matcher(text).matches()) {
                throw new NumberFormatException(text);
            }
            double value = Double.parseDouble(text);
            if (!Double.isFinite(value)) {
                throw new NumberFormatException(text);
            }
            return value;
        }

        private String convertString(Column column, String text, int index) {
            if (Json.hasUnpairedSurrogate(text)) {
                return "column '" + column.name() + "' holds an unpaired surrogate escape (such as \\ud800 alone), which is"
                        + " no Unicode text and cannot be stored unchanged";
            }
            values[index] = text;
            return null;
        }

        private String convertTimestamp(Column column, String text, int index) {
            var millis = Timestamps.parseIso(text);
            if (millis.isEmpty()) {
                return "column '" + column.name() + "': '" + text
                        + "' is not an ISO-8601 timestamp (such as 2026-01-01T00:00:00Z) or epoch milliseconds";
            }
            values[index] = millis.getAsLong();
            return null;
        }

        private void accept() {
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null && !schema.columns().get(i).nullable()) {
                    reject("missing non-null column '" + schema.columns().get(i).name() + "'");
                    return;
                }
            }
            for (int i = 0; i < values.length; i++) {
                Object v = values[i];
                ColumnBuilder b = builders[i];
                if (v == null) {
                    b.appendNull();
                } else if (b instanceof ColumnBuilder.Longs longs) {
                    longs.append((Long) v);
                } else if (b instanceof ColumnBuilder.Doubles doubles) {
                    doubles.append((Double) v);
                } else if (b instanceof ColumnBuilder.Strings strings) {
                    strings.append((String) v);
                } else if (b instanceof ColumnBuilder.Bools bools) {
                    bools.append((Boolean) v);
                }
            }
            accepted++;
            row++;
        }

        Parsed finish() {
            ColumnVector[] columns = new ColumnVector[builders.length];
            for (int i = 0; i < builders.length; i++) {
                columns[i] = builders[i].build();
            }
            return new Parsed(columns, accepted, List.copyOf(rejections));
        }

        private static boolean fitsLong(JsonNode value) {
            BigInteger big = value.bigIntegerValue();
            return big.bitLength() < 64;
        }

        private static String wrongType(Column column, JsonNode value) {
            return "column '" + column.name() + "' must be " + article(column.type()) + ", got " + describe(value);
        }

        private static String article(ColumnType type) {
            return switch (type) {
                case INT64 -> "an int64 (a whole number in 64-bit range)";
                case FLOAT64 -> "a float64 (a number)";
                case STRING -> "a string";
                case BOOL -> "a bool";
                case TIMESTAMP -> "a timestamp (ISO-8601 or epoch milliseconds)";
            };
        }

        private static String describe(JsonNode value) {
            if (Json.isNonFinite(value)) {
                return "a number beyond the range of a 64-bit float (about ±1.8e308)";
            }
            if (value.isTextual()) {
                return "the string \"" + value.textValue() + "\"";
            }
            if (value.isNumber()) {
                return "the number " + value;
            }
            return value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + value;
        }
    }
}
