/**
 * The partition log: one append-only log of Kafka record batches (v2) on Chronicle Queue, with
 * dense offsets, that every store of a partition sits on. {@link io.strata.node.log.PartitionLog}
 * is the log; {@link io.strata.node.log.LogReader} reads it sequentially.
 */
package io.strata.node.log;
