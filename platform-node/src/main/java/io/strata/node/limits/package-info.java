/**
 * Limits that hold for the whole node, whichever door a request comes through: the memory ceiling
 * ({@link io.strata.node.limits.MemoryGuard}, Redis's {@code maxmemory}) and sizes that default to
 * a share of the heap ({@link io.strata.node.limits.HeapShare}). The stores and the doors call into
 * it; it depends on none of them.
 */
package io.strata.node.limits;
