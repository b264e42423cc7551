package io.strata.node.stream.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.node.common.StrataException;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON for the spec tests, written with single quotes so that it reads in Java strings. */
final class TestJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.ALLOW_SINGLE_QUOTES);

    private TestJson() {}

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode object(String text) {
        return (ObjectNode) json(text);
    }

    /** Runs {@code parse}, which must refuse with {@code code} and a message naming each of {@code mentions}. */
    static StrataException refused(Runnable parse, String code, String... mentions) {
        StrataException e = assertThrows(StrataException.class, parse::run);
        assertEquals(StrataException.Kind.INVALID, e.kind());
        assertEquals(code, e.code(), e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), () -> "message '" + e.getMessage() + "' should mention " + m);
        }
        return e;
    }
}
