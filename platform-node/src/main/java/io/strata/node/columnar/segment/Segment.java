package io.strata.node.columnar.segment;

import io.strata.node.columnar.Column;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.ZoneMap;
import io.strata.node.columnar.encoding.ColumnCodec;
import io.strata.node.columnar.encoding.EncodedBlock;
import io.strata.node.columnar.encoding.ZoneMaps;
import io.strata.node.columnar.proto.ColumnChunk;
import io.strata.node.columnar.proto.SegmentBlock;
import io.strata.node.columnar.proto.SegmentColumn;
import io.strata.node.columnar.proto.SegmentFooter;
import io.strata.node.columnar.query.Partial;
import io.strata.node.storage.AtomicFiles;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An immutable segment file: a table shard's sealed rows as column-major blocks, each column of
 * each block encoded by {@link ColumnCodec}, with a footer holding the schema, the chunk offsets
 * and every chunk's zone map (the layout is in {@code columnar.proto}). A query reads the footer
 * once, skips blocks whose zone maps cannot match, and reads only the chunks of the columns it
 * needs.
 *
 * <p>Thread-safe once open: reads are positional, so many queries can scan one segment at once.
 * Close it when the segment is dropped; reading a closed segment fails.
 */
public final class Segment implements AutoCloseable {

    private static final byte[] MAGIC = "STRS".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    private final Path file;
    private final FileChannel channel;
    private final SegmentFooter footer;
    private final Schema schema;
    private final long bytesOnDisk;

    private Segment(Path file, FileChannel channel, SegmentFooter footer, Schema schema, long bytesOnDisk) {
        this.file = file;
        this.channel = channel;
        this.footer = footer;
        this.schema = schema;
        this.bytesOnDisk = bytesOnDisk;
    }

    /**
     * Writes {@code blocks} (each an array of vectors in schema order, all of one size) as a segment
     * file, atomically and durably (temporary file, fsync, rename). Blocks are iterated once and
     * each is encoded and written before the next is asked for, so a lazy {@link Iterable} keeps
     * only one block in memory at a time (plus the footer, which grows with the block count).
     */
    public static void write(Path file, Schema schema, Iterable<? extends ColumnVector[]> blocks) throws IOException {
        SegmentFooter.Builder footer = SegmentFooter.newBuilder();
        for (Column c : schema.columns()) {
            footer.addColumns(SegmentColumn.newBuilder().setName(c.name()).setType(c.type().jsonName()).setNullable(c.nullable()));
        }
        AtomicFiles.write(file, raw -> {
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw, 1 << 16));
            out.write(MAGIC);
            out.writeByte(VERSION);
            long offset = MAGIC.length + 1;
            long rows = 0;
            for (ColumnVector[] block : blocks) {
                int size = block[0].size();
                SegmentBlock.Builder blockMeta = SegmentBlock.newBuilder().setRows(size);
                for (int c = 0; c < block.length; c++) {
                    if (block[c].size() != size) {
                        throw new IllegalArgumentException("block columns differ in size: " + block[c].size() + " vs " + size);
                    }
                    ColumnType type = schema.columns().get(c).type();
                    EncodedBlock encoded = ColumnCodec.encode(type, block[c]);
                    out.write(encoded.bytes());
                    blockMeta.addChunks(chunk(offset, encoded, ZoneMaps.of(type, block[c])));
                    offset += encoded.bytes().length;
                }
                footer.addBlocks(blockMeta);
                rows += size;
            }
            byte[] footerBytes = footer.setRows(rows).build().toByteArray();
            out.write(footerBytes);
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footerBytes.length).array());
            out.write(MAGIC);
            out.flush();
        });
    }

    private static ColumnChunk chunk(long offset, EncodedBlock encoded, ZoneMap zone) {
        ColumnChunk.Builder chunk = ColumnChunk.newBuilder().setOffset(offset).setLength(encoded.bytes().length)
                .setRawBytes(encoded.rawBytes()).setEncoding(encoded.encodingName()).setNullCount(zone.nullCount())
                .setMinLong(zone.minLong()).setMaxLong(zone.maxLong())
                .setMinDouble(zone.minDouble()).setMaxDouble(zone.maxDouble());
        if (zone.minString() != null) {
            chunk.setMinString(zone.minString());
        }
        if (zone.maxString() != null) {
            chunk.setMaxString(zone.maxString());
        }
        return chunk.build();
    }

    /** Opens a segment file and reads its footer. */
    public static Segment open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            int tailLength = 4 + MAGIC.length;
            if (size < MAGIC.length + 1 + tailLength) {
                throw new IOException("segment " + file + " is too short (" + size + " bytes)");
            }
            ByteBuffer head = read(channel, 0, MAGIC.length + 1);
            ByteBuffer tail = read(channel, size - tailLength, tailLength).order(ByteOrder.LITTLE_ENDIAN);
            if (!hasMagic(head) || head.get(MAGIC.length) != VERSION || !hasMagic(tail.position(4).slice())) {
                throw new IOException("segment " + file + " has no Strata segment header/trailer (or an unknown version)");
            }
            int footerLength = tail.getInt(0);
            if (footerLength <= 0 || footerLength > size - MAGIC.length - 1 - tailLength) {
                throw new IOException("segment " + file + " has a corrupt footer length " + footerLength);
            }
            ByteBuffer footerBytes = read(channel, size - tailLength - footerLength, footerLength);
            SegmentFooter footer = SegmentFooter.parseFrom(footerBytes);
            List<Column> columns = new ArrayList<>();
            for (SegmentColumn c : footer.getColumnsList()) {
                columns.add(new Column(c.getName(), ColumnType.fromJson(c.getType()), c.getNullable()));
            }
            return new Segment(file, channel, footer, new Schema(columns), size);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e instanceof IOException io ? io : new IOException("segment " + file + " is unreadable: " + e.getMessage(), e);
        }
    }

    private static boolean hasMagic(ByteBuffer buffer) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (buffer.get(i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of segment at " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    public Schema schema() {
        return schema;
    }

    public long rows() {
        return footer.getRows();
    }

    public int blocks() {
        return footer.getBlocksCount();
    }

    public long bytesOnDisk() {
        return bytesOnDisk;
    }

    /** Bytes column {@code column} takes before and after encoding, summed over blocks: [raw, encoded]. */
    public long[] columnBytes(int column) {
        long raw = 0;
        long encoded = 0;
        for (SegmentBlock block : footer.getBlocksList()) {
            raw += block.getChunks(column).getRawBytes();
            encoded += block.getChunks(column).getLength();
        }
        return new long[]{raw, encoded};
    }

    /** The zone maps of block {@code block}, by schema index. */
    public ZoneMap[] zoneMaps(int block) {
        SegmentBlock meta = footer.getBlocks(block);
        ZoneMap[] zones = new ZoneMap[meta.getChunksCount()];
        for (int c = 0; c < zones.length; c++) {
            ColumnChunk chunk = meta.getChunks(c);
            zones[c] = new ZoneMap(meta.getRows(), chunk.getNullCount(), chunk.getMinLong(), chunk.getMaxLong(),
                    chunk.getMinDouble(), chunk.getMaxDouble(),
                    chunk.hasMinString() ? chunk.getMinString() : null, chunk.hasMaxString() ? chunk.getMaxString() : null);
        }
        return zones;
    }

    /** Decodes one column of one block. */
    public ColumnVector read(int block, int column) {
        ColumnChunk chunk = footer.getBlocks(block).getChunks(column);
        try {
            return ColumnCodec.decode(read(channel, chunk.getOffset(), chunk.getLength()).array());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " block " + block + " column " + column, e);
        }
    }

    /**
     * What one scan reuses from block to block, per column: the buffer chunks are read into and
     * the vector last handed to the partial, whose arrays the next decode fills (the partial is
     * done with a block's vectors once it returns).
     */
    private final class ScanBuffers {
        private final byte[][] chunks = new byte[schema.size()][];
        private final ColumnVector[] previous = new ColumnVector[schema.size()];

        ColumnVector read(int block, int column) {
            ColumnChunk chunk = footer.getBlocks(block).getChunks(column);
            int length = chunk.getLength();
            byte[] buffer = chunks[column];
            if (buffer == null || buffer.length < length) {
                buffer = new byte[length];
                chunks[column] = buffer;
            }
            try {
                ByteBuffer target = ByteBuffer.wrap(buffer, 0, length);
                long position = chunk.getOffset();
                while (target.hasRemaining()) {
                    if (channel.read(target, position + target.position()) < 0) {
                        throw new IOException("unexpected end of segment at " + (position + target.position()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + " block " + block + " column " + column, e);
            }
            ColumnVector vector = ColumnCodec.decode(buffer, length, previous[column]);
            previous[column] = vector;
            return vector;
        }
    }

    /**
     * Feeds this segment to {@code partial}: every block is offered by its zone maps and, when it
     * may match, only the columns the query needs are read and decoded, into buffers and arrays
     * reused from block to block (so a block's vectors are valid only while the partial takes it).
     * Counts the segment and the bytes read in the partial's statistics.
     */
    public void scan(Partial partial) {
        int[] needed = partial.query().neededColumns();
        // A bare count needs no column, but a block is handed over as vectors: the smallest one carries its size.
        int[] toRead = needed.length > 0 ? needed : new int[]{smallestColumn()};
        boolean scannedAny = false;
        ScanBuffers buffers = new ScanBuffers();
        for (int b = 0; b < blocks() && !partial.complete(); b++) {
            int block = b;
            scannedAny |= partial.offer(zoneMaps(block), () -> {
                ColumnVector[] vectors = new ColumnVector[schema.size()];
                for (int c : toRead) {
                    vectors[c] = buffers.read(block, c);
                    partial.stats().bytesRead += footer.getBlocks(block).getChunks(c).getLength();
                }
                return vectors;
            });
        }
        if (scannedAny) {
            partial.stats().segmentsScanned++;
        } else {
            partial.stats().segmentsSkipped++;
        }
    }

    private int smallestColumn() {
        int best = 0;
        for (int c = 1; c < schema.size(); c++) {
            if (columnBytes(c)[1] < columnBytes(best)[1]) {
                best = c;
            }
        }
        return best;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
