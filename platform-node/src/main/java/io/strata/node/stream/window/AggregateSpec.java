package io.strata.node.stream.window;

/**
 * One aggregate of a stream job: a function over a field of the events, named {@code as} in the
 * results. {@code field} is null for {@code count}.
 */
public record AggregateSpec(AggregateFn fn, String field, String as) {

    /** The aggregate functions of a stream job, with their names in a job spec. */
    public enum AggregateFn {
        COUNT("count"), SUM("sum"), AVG("avg"), MIN("min"), MAX("max"),
        /** Exact: the distinct values are kept. */
        COUNT_DISTINCT("count_distinct"),
        /** Approximate, in bounded memory: a HyperLogLog sketch (Apache DataSketches). */
        APPROX_COUNT_DISTINCT("approx_count_distinct"),
        /** The value of the event with the greatest event time (ties: the later offset). */
        LAST("last");

        private final String jsonName;

        AggregateFn(String jsonName) {
            this.jsonName = jsonName;
        }

        public String jsonName() {
            return jsonName;
        }
    }
}
