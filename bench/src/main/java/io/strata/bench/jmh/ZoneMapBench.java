package io.strata.bench.jmh;

import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ZoneMap;
import io.strata.node.columnar.encoding.ZoneMaps;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link ZoneMaps#of}: the zone map (row and null counts, minimum, maximum) an ingest computes for
 * every block of every column, here the int64 key and the float64 value column of
 * {@value SampleBlocks#ROWS} rows; an operation is one value. Anchors: a plain min/max loop over
 * the same array (for doubles by plain comparisons).
 */
@State(Scope.Thread)
public class ZoneMapBench {

    private ColumnVector keys;
    private ColumnVector values;
    private long[] k;
    private double[] v;

    @Setup
    public void setUp() {
        ColumnVector[] table = SampleBlocks.table();
        keys = table[0];
        values = table[1];
        k = ((ColumnVector.LongVector) keys).values();
        v = ((ColumnVector.DoubleVector) values).values();
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.zonemap.int64", anchor = "jmh.anchor.loop.minmax-int64")
    public ZoneMap int64() {
        return ZoneMaps.of(ColumnType.INT64, keys);
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.anchor.loop.minmax-int64")
    public void int64Loop(Blackhole bh) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long x : k) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        bh.consume(min);
        bh.consume(max);
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.zonemap.float64", anchor = "jmh.anchor.loop.minmax-float64")
    public ZoneMap float64() {
        return ZoneMaps.of(ColumnType.FLOAT64, values);
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.anchor.loop.minmax-float64")
    public void float64Loop(Blackhole bh) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            // Plain comparisons: Math.min/max pay for NaN and -0.0, which the zone map handles its own way.
            if (x < min) {
                min = x;
            }
            if (x > max) {
                max = x;
            }
        }
        bh.consume(min);
        bh.consume(max);
    }
}
