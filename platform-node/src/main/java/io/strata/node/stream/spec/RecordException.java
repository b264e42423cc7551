package io.strata.node.stream.spec;

/**
 * A record a job cannot process (a failed cast, an expression error, a field that cannot be set);
 * the message is the reason that goes to the job's dead-letter topic. Carries no stack trace: it
 * is a verdict on data, thrown per bad record, not a bug.
 */
public final class RecordException extends RuntimeException {

    public RecordException(String reason) {
        super(reason, null, false, false);
    }
}
