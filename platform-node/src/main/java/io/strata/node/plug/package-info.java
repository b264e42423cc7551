/**
 * The shapes that plug into a node: a {@link io.strata.node.plug.Door} is a listener clients
 * connect to, a {@link io.strata.node.plug.Store} a storage area (its routes, its kinds of
 * partition, its start and stop). Each is built by its own factory from one
 * {@link io.strata.node.plug.NodeContext}, what the node shares with all of them; {@code StrataNode}
 * composes a list of each, so a new door or store touches no other area.
 */
package io.strata.node.plug;
