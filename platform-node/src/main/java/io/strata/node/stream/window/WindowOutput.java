package io.strata.node.stream.window;

/**
 * What a {@link WindowOperator} emits: a window's result or an event that came too late to count.
 */
public sealed interface WindowOutput permits WindowResult, LateEvent {}
