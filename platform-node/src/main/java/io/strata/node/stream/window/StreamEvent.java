package io.strata.node.stream.window;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An event as a window operator takes it: where it came from (source partition and offset), its
 * key, its event time in epoch milliseconds, and its fields (a JSON object, after the job's
 * filter and transforms).
 */
public record StreamEvent(int partition, long offset, String key, long eventTime, JsonNode fields) {}
