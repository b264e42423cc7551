package io.strata.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.node.columnar.Column;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.query.Partial;
import io.strata.node.columnar.query.Query;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The query engine's per-block kernels: {@link Partial#add} of one decoded block of
 * {@value SampleBlocks#ROWS} rows ({@code k} int64 of {@value SampleBlocks#DISTINCT_KEYS} keys,
 * {@code v} float64, {@code ts}) into a partial that lives for the whole iteration, as a shard's
 * partial takes block after block; the filter narrows a selection vector, the aggregates run over
 * it. An operation is one row of the block. Each figure's anchor is a plain loop over the same
 * {@code long[]} and {@code double[]} doing the same arithmetic (the {@code *Loop} methods), min and
 * max by plain comparisons.
 */
@State(Scope.Thread)
public class ScanBench {

    private static final Schema SCHEMA = new Schema(List.of(new Column("k", ColumnType.INT64, false),
            new Column("v", ColumnType.FLOAT64, false), new Column("ts", ColumnType.TIMESTAMP, false)));
    private static final int KEYS_BELOW = 100;

    private ColumnVector[] block;
    private long[] k;
    private double[] v;
    private Query filterSum;
    private Query aggregate;
    private Query groupBy;
    private Partial filterSumPartial;
    private Partial aggregatePartial;
    private Partial groupByPartial;
    private long[] groupCounts;
    private double[] groupSums;
    private double[] groupMins;
    private double[] groupMaxes;

    @Setup
    public void setUp() throws IOException {
        block = SampleBlocks.table();
        k = ((ColumnVector.LongVector) block[0]).values();
        v = ((ColumnVector.DoubleVector) block[1]).values();
        ObjectMapper json = new ObjectMapper();
        filterSum = Query.parse(json.readTree("{\"aggregates\":[{\"fn\":\"sum\",\"column\":\"v\",\"as\":\"s\"},"
                + "{\"fn\":\"count\",\"as\":\"n\"}],\"where\":{\"column\":\"k\",\"op\":\"<\",\"value\":" + KEYS_BELOW + "}}"), SCHEMA);
        String aggregates = "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"v\",\"as\":\"s\"},"
                + "{\"fn\":\"min\",\"column\":\"v\",\"as\":\"lo\"},{\"fn\":\"max\",\"column\":\"v\",\"as\":\"hi\"}]";
        aggregate = Query.parse(json.readTree("{" + aggregates + "}"), SCHEMA);
        groupBy = Query.parse(json.readTree("{\"select\":[\"k\"]," + aggregates + ",\"group_by\":[\"k\"]}"), SCHEMA);
    }

    /** Fresh partials and group arrays each iteration, so their state does not grow across the run. */
    @Setup(Level.Iteration)
    public void newPartials() {
        filterSumPartial = Partial.of(filterSum);
        aggregatePartial = Partial.of(aggregate);
        groupByPartial = Partial.of(groupBy);
        groupCounts = new long[SampleBlocks.DISTINCT_KEYS];
        groupSums = new double[SampleBlocks.DISTINCT_KEYS];
        groupMins = new double[SampleBlocks.DISTINCT_KEYS];
        groupMaxes = new double[SampleBlocks.DISTINCT_KEYS];
        Arrays.fill(groupMins, Double.POSITIVE_INFINITY);
        Arrays.fill(groupMaxes, Double.NEGATIVE_INFINITY);
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.scan.filter-sum", anchor = "jmh.anchor.loop.filter-sum")
    public Partial filterSum() {
        filterSumPartial.add(block);
        return filterSumPartial;
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.anchor.loop.filter-sum")
    public void filterSumLoop(Blackhole bh) {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < k.length; i++) {
            if (k[i] < KEYS_BELOW) {
                sum += v[i];
                count++;
            }
        }
        bh.consume(sum);
        bh.consume(count);
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.scan.aggregate", anchor = "jmh.anchor.loop.aggregate")
    public Partial aggregate() {
        aggregatePartial.add(block);
        return aggregatePartial;
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.anchor.loop.aggregate")
    public void aggregateLoop(Blackhole bh) {
        long count = 0;
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            count++;
            sum += x;
            // Plain comparisons: Math.min/max pay for NaN and -0.0, which this data has none of.
            if (x < min) {
                min = x;
            }
            if (x > max) {
                max = x;
            }
        }
        bh.consume(count);
        bh.consume(sum);
        bh.consume(min);
        bh.consume(max);
    }

    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.scan.groupby", anchor = "jmh.anchor.loop.groupby")
    public Partial groupBy() {
        groupByPartial.add(block);
        return groupByPartial;
    }

    /** Keys index dense arrays directly: the anchor knows they are 0..999, where the engine must find each key's group. */
    @Benchmark
    @OperationsPerInvocation(SampleBlocks.ROWS)
    @BenchFigure(name = "jmh.anchor.loop.groupby")
    public long[] groupByLoop() {
        for (int i = 0; i < k.length; i++) {
            int g = (int) k[i];
            double x = v[i];
            groupCounts[g]++;
            groupSums[g] += x;
            if (x < groupMins[g]) {
                groupMins[g] = x;
            }
            if (x > groupMaxes[g]) {
                groupMaxes[g] = x;
            }
        }
        return groupCounts;
    }
}
