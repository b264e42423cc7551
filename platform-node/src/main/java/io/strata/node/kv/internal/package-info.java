/**
 * Implementation of the key-value store: partition state, the Chronicle Queue log, snapshots,
 * group commit and the wire serializer. Not API: nothing outside {@code io.strata.node.kv} may
 * depend on it, and it may change without notice.
 */
package io.strata.node.kv.internal;
