package io.strata.node.storage;

/**
 * When a store acknowledges a write: {@code MMAP} once it is in the memory-mapped log (survives
 * {@code kill -9}, not a power loss), {@code FSYNC} once the log is fsynced by the
 * {@link GroupCommitter} (survives power loss).
 */
public enum Durability { MMAP, FSYNC }
