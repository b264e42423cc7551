/**
 * The window operator of stream jobs and the types it shares with the job spec parser and the
 * stream runtime: {@link io.strata.node.stream.window.WindowSpec},
 * {@link io.strata.node.stream.window.AggregateSpec}, {@link io.strata.node.stream.window.StreamEvent}
 * in; {@link io.strata.node.stream.window.WindowResult} and
 * {@link io.strata.node.stream.window.LateEvent} out. Plain, single-threaded, deterministic Java:
 * no Pekko, no clock; the runtime owns the threads, the time and the sinks.
 */
package io.strata.node.stream.window;
