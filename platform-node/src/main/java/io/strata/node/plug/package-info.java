/**
 * The shapes that plug into a node: a {@link io.strata.node.plug.Door} is a listener clients
 * connect to, a {@link io.strata.node.plug.Store} a storage area (its routes, its kinds of
 * partition, its start and stop). {@code StrataNode} composes a list of each, so a new door or
 * store touches no other area.
 */
package io.strata.node.plug;
