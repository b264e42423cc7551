/**
 * Stream job specs: {@link io.strata.node.stream.spec.JobSpec} parses and validates the JSON a
 * user submits, and {@link io.strata.node.stream.spec.RecordPipeline} turns a bus record into a
 * {@link io.strata.node.stream.window.StreamEvent} by the spec's filter, transforms, key and event
 * time. Everything here is immutable, pure and thread-safe.
 */
package io.strata.node.stream.spec;
