/**
 * The shapes that plug into a node: a {@link io.strata.node.plug.Door} is a listener clients
 * connect to. {@code StrataNode} opens, reports and drains a list of them, so a new door touches
 * no other area.
 */
package io.strata.node.plug;
