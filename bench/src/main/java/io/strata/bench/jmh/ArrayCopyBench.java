package io.strata.bench.jmh;

import io.strata.node.columnar.ColumnVector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The anchor of {@link EncodingBench}: the same {@value SampleBlocks#ROWS} values copied by a
 * plain loop from a {@code long[]} into a little-endian {@link ByteBuffer} ("encode") and back
 * ("decode"), 8 bytes a value: what storing a block costs with no encoding at all. An operation
 * is one value.
 */
@State(Scope.Thread)
public class ArrayCopyBench {

    private long[] values;
    private long[] out;
    private ByteBuffer buffer;

    @Setup
    public void setUp() {
        values = ((ColumnVector.LongVector) SampleBlocks.sample("delta").vector()).values();
        out = new long[values.length];
        buffer = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        encode();
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.anchor.array-copy.encode")
    public ByteBuffer encode() {
        for (int i = 0; i < values.length; i++) {
            buffer.putLong(8 * i, values[i]);
        }
        return buffer;
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.anchor.array-copy.decode")
    public long[] decode() {
        for (int i = 0; i < out.length; i++) {
            out[i] = buffer.getLong(8 * i);
        }
        return out;
    }
}
