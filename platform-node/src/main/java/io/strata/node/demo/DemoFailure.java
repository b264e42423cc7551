package io.strata.node.demo;

/** A demo step got an answer other than the one it shows: the demo stops and exits non-zero. */
public final class DemoFailure extends RuntimeException {

    public DemoFailure(String message) {
        super(message);
    }
}
