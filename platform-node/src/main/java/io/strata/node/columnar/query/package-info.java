/**
 * The columnar query engine: JSON queries parsed into typed plans ({@link
 * io.strata.node.columnar.query.Query}), run vectorised over blocks of column vectors into
 * mergeable partial answers ({@link io.strata.node.columnar.query.Partial}).
 *
 * <p>A shard parses the query against the table schema, makes {@code Partial.of(query)}, offers
 * each block with its zone maps ({@code partial.offer(zoneMaps, () -> decode(block))}: blocks the
 * WHERE clause cannot match are skipped undecoded and counted) and returns the partial. The
 * gateway merges the shards' partials in any order ({@code a.merge(b)}) and calls {@code
 * finish()}, which applies ORDER BY (nulls last) and LIMIT and yields {@code {"columns", "rows",
 * "stats"}}. Between nodes a partial travels as Protobuf: {@code partial.toProto()} on the
 * shard, {@code Partial.fromProto(message, query)} on the gateway ({@code query.proto}).
 */
package io.strata.node.columnar.query;
