package io.strata.node.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.strata.node.common.StrataException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON in and out of the gateway: one shared Jackson mapper (snake_case fields, nulls omitted
 * in records) and the error shape of DESIGN.md, {@code {"error": {"code": ..., "message": ...}}}.
 */
public final class Json {

    /**
     * Thread-safe once configured. Null record fields are omitted, but null map values are kept:
     * {@code _mget} answers {@code "key": null} for an absent key.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS));

    private Json() {}

    public static HttpResponse response(StatusCode status, Object body) {
        try {
            return HttpResponse.create().withStatus(status)
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON response", e);
        }
    }

    public static HttpResponse ok(Object body) {
        return response(StatusCodes.OK, body);
    }

    /** The error shape: {@code {"error": {"code": code, "message": message}}}. */
    public static HttpResponse error(StatusCode status, String code, String message) {
        Map<String, String> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        return response(status, Map.of("error", error));
    }

    /** Parses a request body, failing with {@code invalid_json} (400) when it is not JSON. */
    public static JsonNode parse(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw StrataException.invalid("invalid_json", "the request body is empty; JSON was expected");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw StrataException.invalid("invalid_json", "the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw StrataException.invalid("invalid_json", "the request body is not valid JSON: " + e.getMessage());
        }
    }
}
