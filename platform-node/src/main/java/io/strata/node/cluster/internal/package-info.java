/**
 * Implementation of the cluster layer: the catalog writer's wire serializer and the log filter for
 * expected allocation refusals. Not API: nothing outside {@code io.strata.node.cluster} may depend
 * on it, and it may change without notice.
 */
package io.strata.node.cluster.internal;
