package io.strata.bench.jmh;

import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.encoding.ColumnCodec;
import io.strata.node.columnar.encoding.EncodedBlock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link ColumnCodec} encoding and decoding one block of {@value SampleBlocks#ROWS} values, per
 * encoding ({@link SampleBlocks#sample}); an operation is one value. Decoding reuses the previous
 * vector's array, as a segment scan does block after block. Anchor: {@link ArrayCopyBench}.
 */
@State(Scope.Thread)
public class EncodingBench {

    /** Which sample block, named after the encoding the codec picks for it. */
    @Param({"plain", "plain-lz4", "for", "delta", "rle", "double-plain", "double-integral", "double-decimal", "dictionary",
            "bitpack"})
    public String encoding;

    private ColumnType type;
    private ColumnVector vector;
    private byte[] block;
    private ColumnVector recycle;

    @Setup
    public void setUp() {
        SampleBlocks.Sample sample = SampleBlocks.sample(encoding);
        type = sample.type();
        vector = sample.vector();
        block = sample.encodeChecked().bytes();
        recycle = ColumnCodec.decode(block);
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.encoding.{encoding}.encode", anchor = "jmh.anchor.array-copy.encode")
    public EncodedBlock encode() {
        return ColumnCodec.encode(type, vector);
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.encoding.{encoding}.decode", anchor = "jmh.anchor.array-copy.decode")
    public ColumnVector decode() {
        recycle = ColumnCodec.decode(block, block.length, recycle);
        return recycle;
    }
}
