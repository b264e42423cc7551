package io.strata.node.stream.window;

/**
 * Thrown by {@link WindowOperator#onEvent} when the event would open more windows (keys × windows)
 * than the operator's limit. The operator's state is left as it was before the event; the job
 * fails with this as its error instead of growing its memory without bound.
 */
public final class WindowLimitExceededException extends IllegalStateException {

    public WindowLimitExceededException(String message) {
        super(message);
    }
}
