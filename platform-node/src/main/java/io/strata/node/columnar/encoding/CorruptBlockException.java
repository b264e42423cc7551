package io.strata.node.columnar.encoding;

/**
 * An encoded block that cannot be decoded: truncated, damaged (checksum mismatch), of an unknown
 * format version, or structurally inconsistent. Never retried: the bytes themselves are bad.
 */
public final class CorruptBlockException extends RuntimeException {

    public CorruptBlockException(String message) {
        super(message);
    }

    public CorruptBlockException(String message, Throwable cause) {
        super(message, cause);
    }
}
