/**
 * Implementation of the message bus: the partition log on Chronicle Queue with its dense-offset
 * index, and the wire serializer. Not API.
 */
package io.strata.node.bus.internal;
