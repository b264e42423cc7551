package io.strata.node.columnar.encoding;

import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ColumnVector.BoolVector;
import io.strata.node.columnar.ColumnVector.DoubleVector;
import io.strata.node.columnar.ColumnVector.LongVector;
import io.strata.node.columnar.ColumnVector.StringVector;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.roaringbitmap.RoaringBitmap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Encodes one block of one column ({@link ColumnVector} of a {@link ColumnType}) into
 * self-describing bytes, choosing the encoding from the data, and decodes it back.
 *
 * <h2>Block format, version 1 (little-endian)</h2>
 * <pre>
 * byte   magic 0x53 ('S')
 * byte   format version (1)
 * byte   column type: 1 INT64, 2 FLOAT64, 3 STRING, 4 BOOL, 5 TIMESTAMP
 * byte   encoding: 1 LONGS, 2 DOUBLE_PLAIN, 3 DOUBLE_INTEGRAL, 4 DICTIONARY, 5 DOUBLE_DECIMAL
 * byte   flags: bit 0 has nulls, bit 1 payload LZ4-compressed; other bits zero
 * int    row count
 * [has nulls]  int length, RoaringBitmap portable serialization of the null rows
 * [LZ4]        int uncompressed payload length, then the LZ4 block up to the checksum
 * payload
 * int    CRC32C of every byte before it
 * </pre>
 * Payloads (a "long stream" is the layout of {@link LongStreams}: kind byte, then CONSTANT, PLAIN,
 * frame-of-reference, DELTA or run-length data, whichever is smallest):
 * <ul>
 * <li>LONGS (INT64, TIMESTAMP, and BOOL as 0/1): one long stream of the values.</li>
 * <li>DOUBLE_PLAIN: row count x 8-byte raw IEEE bits (NaN payloads, infinities and -0.0 exact).</li>
 * <li>DOUBLE_INTEGRAL, when every value is a whole number that converts to a long and back to the
 *     identical bits (so never NaN, infinite or -0.0): one long stream of the values as longs.</li>
 * <li>DOUBLE_DECIMAL, when not integral but every value is exactly {@code m / 10^d} (IEEE
 *     division of the long converted to double) for one {@code d} in 1..6, as decimal data such as
 *     prices is: byte d, then one long stream of the {@code m}s.</li>
 * <li>DICTIONARY (STRING): int entry count, byte charset (0 UTF-8, 1 UTF-16LE chars, used only
 *     when some entry holds an unpaired surrogate, which UTF-8 cannot carry), a long stream of the
 *     entries' byte lengths, the entries' bytes back to back, then a long stream of the codes.
 *     Entries are the distinct non-null values of the block in {@link String} order.</li>
 * </ul>
 * A null row's value slot holds the previous non-null value (or, with none, the next; or zero), so
 * nulls never widen a range or break a run; decoded null slots are therefore unspecified.
 *
 * <h2>Choice and cost</h2>
 * Encoding makes a few passes over the block (statistics, one packing, one LZ4 attempt whose
 * result is kept only when smaller). Decoding checks the checksum, decompresses when flagged, and
 * unpacks in primitive loops with one allocation per array and no per-row objects (string values
 * are built once per dictionary entry). Input that is truncated, damaged or inconsistent raises
 * {@link CorruptBlockException}, never a wrong vector.
 *
 * <p>Stateless and thread-safe.
 */
public final class ColumnCodec {

    /** The current format version, written in byte 1. */
    public static final int VERSION = 1;

    /** Most rows a block may hold, so that a damaged header cannot make the decoder allocate wildly. */
    public static final int MAX_ROWS = 1 << 24;

    static final int MAGIC = 0x53;
    static final int LONGS = 1;
    static final int DOUBLE_PLAIN = 2;
    static final int DOUBLE_INTEGRAL = 3;
    static final int DICTIONARY = 4;
    static final int DOUBLE_DECIMAL = 5;
    static final int FLAG_NULLS = 1;
    static final int FLAG_LZ4 = 2;
    private static final int HEADER = 9;
    private static final int MAX_DECIMAL_DIGITS = 6;
    private static final double[] POWERS_OF_TEN = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    private static final int UTF8 = 0;
    private static final int UTF16 = 1;

    private static final LZ4Compressor LZ4 = LZ4Factory.fastestInstance().fastCompressor();
    private static final LZ4SafeDecompressor UNLZ4 = LZ4Factory.fastestInstance().safeDecompressor();

    private ColumnCodec() {
    }

    /**
     * Encodes {@code vector}, whose class must match {@code type} ({@link LongVector} for INT64
     * and TIMESTAMP, and so on).
     *
     * @throws IllegalArgumentException when the vector does not fit the type, has more than
     *                                  {@link #MAX_ROWS} rows, a non-null row's string code is
     *                                  outside the dictionary, or a null row is outside the block
     */
    public static EncodedBlock encode(ColumnType type, ColumnVector vector) {
        int n = vector.size();
        if (n < 0 || n > MAX_ROWS) {
            throw new IllegalArgumentException("a block holds 0.." + MAX_ROWS + " rows, got " + n);
        }
        boolean[] isNull = NullRows.flags(vector.nulls(), n);
        ByteWriter payload = new ByteWriter(64);
        int encoding;
        String name;
        long raw;
        switch (type) {
            case INT64, TIMESTAMP -> {
                long[] given = as(LongVector.class, type, vector).values();
                requireLength(vector, given.length);
                long[] values = Arrays.copyOf(given, n);
                NullRows.fill(values, isNull);
                encoding = LONGS;
                name = LongStreams.name(LongStreams.encode(values, n, payload));
                raw = 8L * n;
            }
            case BOOL -> {
                boolean[] bools = as(BoolVector.class, type, vector).values();
                requireLength(vector, bools.length);
                long[] values = new long[n];
                for (int i = 0; i < n; i++) {
                    values[i] = bools[i] ? 1 : 0;
                }
                NullRows.fill(values, isNull);
                encoding = LONGS;
                int kind = LongStreams.encode(values, n, payload);
                name = kind == LongStreams.FOR ? "BITPACK" : LongStreams.name(kind);
                raw = n;
            }
            case FLOAT64 -> {
                double[] doubles = as(DoubleVector.class, type, vector).values();
                requireLength(vector, doubles.length);
                long[] bits = new long[n];
                for (int i = 0; i < n; i++) {
                    bits[i] = Double.doubleToRawLongBits(doubles[i]);
                }
                NullRows.fill(bits, isNull);
                DoubleChoice choice = encodeDoubles(bits, n, payload);
                encoding = choice.encoding();
                name = choice.name();
                raw = 8L * n;
            }
            case STRING -> {
                StringVector strings = as(StringVector.class, type, vector);
                requireLength(vector, strings.codes().length);
                encoding = DICTIONARY;
                name = "DICT+" + LongStreams.name(encodeStrings(strings, isNull, payload));
                raw = rawStringBytes(strings, isNull);
            }
            default -> throw new IllegalArgumentException("unsupported column type " + type);
        }
        byte[] nullBytes = isNull == null ? null : serialize(vector.nulls());
        byte[] body = payload.array();
        int bodyLength = payload.position();
        byte[] compressed = new byte[LZ4.maxCompressedLength(bodyLength)];
        int compressedLength = LZ4.compress(body, 0, bodyLength, compressed, 0, compressed.length);
        boolean lz4 = compressedLength + 4 < bodyLength;

        ByteWriter out = new ByteWriter(HEADER + (nullBytes == null ? 0 : 4 + nullBytes.length)
                + (lz4 ? 4 + compressedLength : bodyLength) + 4);
        out.put(MAGIC);
        out.put(VERSION);
        out.put(typeCode(type));
        out.put(encoding);
        out.put((nullBytes == null ? 0 : FLAG_NULLS) | (lz4 ? FLAG_LZ4 : 0));
        out.putInt(n);
        if (nullBytes != null) {
            out.putInt(nullBytes.length);
            out.putBytes(nullBytes, 0, nullBytes.length);
        }
        if (lz4) {
            out.putInt(bodyLength);
            out.putBytes(compressed, 0, compressedLength);
            name += "+LZ4";
        } else {
            out.putBytes(body, 0, bodyLength);
        }
        out.putInt(crc(out.array(), out.position()));
        return new EncodedBlock(out.toByteArray(), (int) Math.min(Integer.MAX_VALUE, raw), name);
    }

    /** The column type recorded in an encoded block's header (checks only the header). */
    public static ColumnType type(byte[] block) {
        if (block.length < HEADER + 4 || (block[0] & 0xFF) != MAGIC) {
            throw new CorruptBlockException("not an encoded column block");
        }
        return typeOf(block[2] & 0xFF);
    }

    /**
     * Decodes a block made by {@link #encode} into an equal vector (null slots unspecified). A
     * decoded STRING vector's dictionary is sorted and distinct, so code order is string order.
     *
     * @throws CorruptBlockException when the bytes are not a valid block
     */
    public static ColumnVector decode(byte[] block) {
        return decode(block, block.length, null);
    }

    /**
     * Decodes the block in {@code buffer[0 .. length)} as {@link #decode(byte[])} does, reusing the
     * value array of {@code recycle} (a vector an earlier decode returned, which the caller no longer
     * uses; may be null) when it has the right type and room: a scan that decodes block after block
     * then allocates no new value arrays. The returned vector may share that array, so
     * {@code recycle} must not be read afterwards.
     *
     * @throws CorruptBlockException when the bytes are not a valid block
     */
    public static ColumnVector decode(byte[] buffer, int length, ColumnVector recycle) {
        if (length < 0 || length > buffer.length) {
            throw new IllegalArgumentException("length " + length + " outside a buffer of " + buffer.length);
        }
        try {
            return decodeChecked(buffer, length, recycle);
        } catch (CorruptBlockException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorruptBlockException("corrupt column block: " + e, e);
        }
    }

    private static ColumnVector decodeChecked(byte[] block, int length, ColumnVector recycle) {
        if (length < HEADER + 4) {
            throw new CorruptBlockException("truncated block: " + length + " bytes, a block has at least "
                    + (HEADER + 4));
        }
        if ((block[0] & 0xFF) != MAGIC) {
            throw new CorruptBlockException("not an encoded column block (magic " + (block[0] & 0xFF) + ")");
        }
        if ((block[1] & 0xFF) != VERSION) {
            throw new CorruptBlockException("unsupported block format version " + (block[1] & 0xFF));
        }
        int end = length - 4;
        int stored = (int) ByteWriter.INT.get(block, end);
        if (stored != crc(block, end)) {
            throw new CorruptBlockException("block checksum mismatch: the block is damaged or truncated");
        }
        ByteReader header = new ByteReader(block, 2, end);
        ColumnType type = typeOf(header.get());
        int encoding = header.get();
        int flags = header.get();
        if ((flags & ~(FLAG_NULLS | FLAG_LZ4)) != 0) {
            throw new CorruptBlockException("unknown block flags " + flags);
        }
        int n = header.getCount("row count", MAX_ROWS);
        RoaringBitmap nulls = (flags & FLAG_NULLS) == 0 ? null : readNulls(header, n);
        ByteReader in = header;
        if ((flags & FLAG_LZ4) != 0) {
            // LZ4 expands at most 255-fold; the bound keeps a damaged length from allocating wildly.
            int bodyLength = header.getCount("payload length", Math.min(Integer.MAX_VALUE - 8, 255L * header.remaining() + 64));
            byte[] body = new byte[bodyLength];
            int got = UNLZ4.decompress(block, header.position(), header.remaining(), body, 0, bodyLength);
            if (got != bodyLength) {
                throw new CorruptBlockException("LZ4 payload holds " + got + " bytes, header says " + bodyLength);
            }
            in = new ByteReader(body, 0, bodyLength);
        }
        ColumnVector vector = switch (encoding) {
            case LONGS -> decodeLongs(type, in, n, nulls, recycle);
            case DOUBLE_PLAIN, DOUBLE_INTEGRAL, DOUBLE_DECIMAL -> decodeDoubles(type, encoding, in, n, nulls, recycle);
            case DICTIONARY -> decodeStrings(type, in, n, nulls);
            default -> throw new CorruptBlockException("unknown encoding " + encoding);
        };
        if (in.remaining() != 0) {
            throw new CorruptBlockException(in.remaining() + " unexpected bytes after the payload");
        }
        return vector;
    }

    private static RoaringBitmap readNulls(ByteReader in, int n) {
        int length = in.getCount("null bitmap length", in.remaining());
        int at = in.skip(length);
        RoaringBitmap nulls = new RoaringBitmap();
        try {
            nulls.deserialize(ByteBuffer.wrap(in.array(), at, length));
        } catch (IOException e) {
            throw new CorruptBlockException("unreadable null bitmap", e);
        }
        if (nulls.isEmpty() || nulls.first() < 0 || nulls.last() >= n) {
            throw new CorruptBlockException("null bitmap rows outside [0, " + n + ")");
        }
        return nulls;
    }

    private static ColumnVector decodeLongs(ColumnType type, ByteReader in, int n, RoaringBitmap nulls, ColumnVector recycle) {
        long[] values = recycle instanceof LongVector old && old.values().length >= n ? old.values() : new long[n];
        switch (type) {
            case INT64, TIMESTAMP -> {
                LongStreams.decode(in, n, values);
                return new LongVector(values, nulls, n);
            }
            case BOOL -> {
                LongStreams.decode(in, n, values);
                boolean[] bools = new boolean[n];
                for (int i = 0; i < n; i++) {
                    bools[i] = values[i] != 0;
                }
                return new BoolVector(bools, nulls, n);
            }
            default -> throw mismatch(type, LONGS);
        }
    }

    /** The encoding chosen for a block of doubles and its readable name. */
    private record DoubleChoice(int encoding, String name) {
    }

    private static DoubleChoice encodeDoubles(long[] bits, int n, ByteWriter payload) {
        long[] scaled = new long[n];
        for (int digits = 0; digits <= MAX_DECIMAL_DIGITS; digits++) {
            if (scale(bits, n, digits, scaled)) {
                ByteWriter trial = new ByteWriter(64);
                if (digits > 0) {
                    trial.put(digits);
                }
                int kind = LongStreams.encode(scaled, n, trial);
                if (kind == LongStreams.PLAIN) {
                    break;
                }
                payload.putBytes(trial.array(), 0, trial.position());
                return digits == 0 ? new DoubleChoice(DOUBLE_INTEGRAL, "INTEGRAL+" + LongStreams.name(kind))
                        : new DoubleChoice(DOUBLE_DECIMAL, "DECIMAL" + digits + "+" + LongStreams.name(kind));
            }
        }
        for (int i = 0; i < n; i++) {
            payload.putLong(bits[i]);
        }
        return new DoubleChoice(DOUBLE_PLAIN, "PLAIN");
    }

    /**
     * Whether every value is exactly {@code m / 10^digits} for a long {@code m} (for 0 digits: a
     * long cast back), filling {@code out} with the {@code m}s. The check is bit for bit on what
     * the decoder will compute, so NaN, infinities and -0.0 never qualify.
     */
    private static boolean scale(long[] bits, int n, int digits, long[] out) {
        double pow = POWERS_OF_TEN[digits];
        for (int i = 0; i < n; i++) {
            double d = Double.longBitsToDouble(bits[i]);
            long m;
            double back;
            if (digits == 0) {
                m = (long) d;
                back = (double) m;
            } else {
                m = Math.round(d * pow);
                back = m / pow;
            }
            if (Double.doubleToRawLongBits(back) != bits[i]) {
                return false;
            }
            out[i] = m;
        }
        return true;
    }

    private static ColumnVector decodeDoubles(ColumnType type, int encoding, ByteReader in, int n,
                                              RoaringBitmap nulls, ColumnVector recycle) {
        if (type != ColumnType.FLOAT64) {
            throw mismatch(type, encoding);
        }
        double[] values = recycle instanceof DoubleVector old && old.values().length >= n ? old.values() : new double[n];
        if (encoding == DOUBLE_PLAIN) {
            int at = in.skip(8L * n);
            // A bulk copy (raw bits, so NaN payloads survive), not a load per value.
            ByteBuffer.wrap(in.array(), at, 8 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(values, 0, n);
        } else if (encoding == DOUBLE_INTEGRAL) {
            long[] whole = new long[n];
            LongStreams.decode(in, n, whole);
            for (int i = 0; i < n; i++) {
                values[i] = whole[i];
            }
        } else {
            int digits = in.get();
            if (digits < 1 || digits > MAX_DECIMAL_DIGITS) {
                throw new CorruptBlockException("decimal digits " + digits + " out of range");
            }
            double pow = POWERS_OF_TEN[digits];
            long[] scaled = new long[n];
            LongStreams.decode(in, n, scaled);
            for (int i = 0; i < n; i++) {
                // Division, not multiplication by 10^-digits: only it rounds to the same double as the encoder checked.
                values[i] = scaled[i] / pow;
            }
        }
        return new DoubleVector(values, nulls, n);
    }

    /** Writes the dictionary payload and returns the kind of the code stream. */
    private static int encodeStrings(StringVector strings, boolean[] isNull, ByteWriter payload) {
        int n = strings.size();
        int[] codes = strings.codes();
        String[] dictionary = strings.dictionary();
        boolean[] used = new boolean[dictionary.length];
        for (int i = 0; i < n; i++) {
            if (isNull == null || !isNull[i]) {
                int c = codes[i];
                if (c < 0 || c >= dictionary.length) {
                    throw new IllegalArgumentException("row " + i + " has code " + c + " outside the dictionary of "
                            + dictionary.length);
                }
                used[c] = true;
            }
        }
        // The input dictionary may hold unused or repeated entries; the block keeps each used value once, sorted.
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < dictionary.length; c++) {
            if (used[c]) {
                index.putIfAbsent(dictionary[c], 0);
            }
        }
        String[] entries = index.keySet().toArray(new String[0]);
        Arrays.sort(entries);
        for (int e = 0; e < entries.length; e++) {
            index.put(entries[e], e);
        }
        boolean utf16 = false;
        byte[][] encoded = new byte[entries.length][];
        for (String entry : entries) {
            utf16 |= hasUnpairedSurrogate(entry);
        }
        long[] lengths = new long[entries.length];
        for (int e = 0; e < entries.length; e++) {
            encoded[e] = utf16 ? utf16Bytes(entries[e]) : entries[e].getBytes(StandardCharsets.UTF_8);
            lengths[e] = encoded[e].length;
        }
        int[] remap = new int[dictionary.length];
        for (int c = 0; c < dictionary.length; c++) {
            if (used[c]) {
                remap[c] = index.get(dictionary[c]);
            }
        }
        long[] newCodes = new long[n];
        for (int i = 0; i < n; i++) {
            if (isNull == null || !isNull[i]) {
                newCodes[i] = remap[codes[i]];
            }
        }
        NullRows.fill(newCodes, isNull);

        payload.putInt(entries.length);
        payload.put(utf16 ? UTF16 : UTF8);
        LongStreams.encode(lengths, entries.length, payload);
        for (byte[] bytes : encoded) {
            payload.putBytes(bytes, 0, bytes.length);
        }
        return LongStreams.encode(newCodes, n, payload);
    }

    /** 4 bytes a row plus the UTF-8 length of each non-null row's value; codes were checked by the encoder. */
    private static long rawStringBytes(StringVector strings, boolean[] isNull) {
        String[] dictionary = strings.dictionary();
        int[] codes = strings.codes();
        long[] utf8Lengths = new long[dictionary.length];
        Arrays.fill(utf8Lengths, -1);
        long raw = 4L * strings.size();
        for (int i = 0; i < strings.size(); i++) {
            if (isNull == null || !isNull[i]) {
                int c = codes[i];
                if (utf8Lengths[c] < 0) {
                    utf8Lengths[c] = dictionary[c].getBytes(StandardCharsets.UTF_8).length;
                }
                raw += utf8Lengths[c];
            }
        }
        return raw;
    }

    private static ColumnVector decodeStrings(ColumnType type, ByteReader in, int n, RoaringBitmap nulls) {
        if (type != ColumnType.STRING) {
            throw mismatch(type, DICTIONARY);
        }
        int count = in.getCount("dictionary size", in.remaining());
        int charset = in.get();
        if (charset != UTF8 && charset != UTF16) {
            throw new CorruptBlockException("unknown dictionary charset " + charset);
        }
        long[] lengths = new long[count];
        LongStreams.decode(in, count, lengths);
        String[] dictionary = new String[count];
        byte[] src = in.array();
        for (int e = 0; e < count; e++) {
            long len = lengths[e];
            if (len < 0 || len > in.remaining() || (charset == UTF16 && (len & 1) != 0)) {
                throw new CorruptBlockException("dictionary entry " + e + " has invalid length " + len);
            }
            int at = in.skip(len);
            dictionary[e] = charset == UTF8 ? new String(src, at, (int) len, StandardCharsets.UTF_8)
                    : fromUtf16(src, at, (int) len);
        }
        long[] wide = new long[n];
        LongStreams.decode(in, n, wide);
        int[] codes = new int[n];
        long limit = count;
        for (int i = 0; i < n; i++) {
            long c = wide[i];
            if (c < 0 || c >= limit) {
                if (count == 0 && c == 0) {
                    continue; // an all-null block: no entries, every slot 0
                }
                throw new CorruptBlockException("row " + i + " has code " + c + " outside the dictionary of " + count);
            }
            codes[i] = (int) c;
        }
        if (count == 0 && n > 0 && (nulls == null || nulls.getLongCardinality() != n)) {
            throw new CorruptBlockException("empty dictionary but some rows are not null");
        }
        return new StringVector(codes, dictionary, nulls, n);
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] utf16Bytes(String s) {
        byte[] out = new byte[2 * s.length()];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out[2 * i] = (byte) c;
            out[2 * i + 1] = (byte) (c >>> 8);
        }
        return out;
    }

    private static String fromUtf16(byte[] src, int at, int len) {
        char[] chars = new char[len / 2];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) ((src[at + 2 * i] & 0xFF) | (src[at + 2 * i + 1] & 0xFF) << 8);
        }
        return new String(chars);
    }

    private static byte[] serialize(RoaringBitmap nulls) {
        RoaringBitmap compact = nulls.clone();
        compact.runOptimize();
        ByteBuffer buf = ByteBuffer.allocate(compact.serializedSizeInBytes());
        compact.serialize(buf);
        return buf.array();
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static int typeCode(ColumnType type) {
        return switch (type) {
            case INT64 -> 1;
            case FLOAT64 -> 2;
            case STRING -> 3;
            case BOOL -> 4;
            case TIMESTAMP -> 5;
        };
    }

    private static ColumnType typeOf(int code) {
        return switch (code) {
            case 1 -> ColumnType.INT64;
            case 2 -> ColumnType.FLOAT64;
            case 3 -> ColumnType.STRING;
            case 4 -> ColumnType.BOOL;
            case 5 -> ColumnType.TIMESTAMP;
            default -> throw new CorruptBlockException("unknown column type code " + code);
        };
    }

    private static CorruptBlockException mismatch(ColumnType type, int encoding) {
        return new CorruptBlockException("encoding " + encoding + " does not apply to column type " + type);
    }

    private static void requireLength(ColumnVector vector, int length) {
        if (length < vector.size()) {
            throw new IllegalArgumentException("a vector of " + vector.size() + " rows holds only " + length + " values");
        }
    }

    static Class<? extends ColumnVector> vectorClass(ColumnType type) {
        return switch (type) {
            case INT64, TIMESTAMP -> LongVector.class;
            case FLOAT64 -> DoubleVector.class;
            case STRING -> StringVector.class;
            case BOOL -> BoolVector.class;
        };
    }

    static <V extends ColumnVector> V as(Class<V> expected, ColumnType type, ColumnVector vector) {
        if (!expected.isInstance(vector)) {
            throw new IllegalArgumentException("a " + type + " column needs a " + expected.getSimpleName() + ", got "
                    + vector.getClass().getSimpleName());
        }
        return expected.cast(vector);
    }
}
