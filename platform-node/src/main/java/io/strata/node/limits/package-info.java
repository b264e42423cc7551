/**
 * Limits that hold for the whole node, whichever door a request comes through: the memory ceiling
 * ({@link io.strata.node.limits.MemoryGuard}, Redis's {@code maxmemory}), budgets of bytes held for
 * requests still being read or run ({@link io.strata.node.limits.ByteBudget}), and the split of the
 * process's file descriptors between the listeners and the stores' files
 * ({@link io.strata.node.limits.ConnectionLimits}). The stores and the doors call into it; it
 * depends on none of them.
 */
package io.strata.node.limits;
