package io.strata.dataflow.store;

import com.fasterxml.jackson.databind.JsonNode;

/** A node refused a call: its status and the code of its error answer. */
public final class StoreException extends RuntimeException {

    private final int status;
    private final String code;

    public StoreException(String call, int status, JsonNode answer) {
        super(call + " answered " + status + ": " + answer.path("error").path("message").asText(answer.toString()));
        this.status = status;
        this.code = answer.path("error").path("code").asText("http_" + status);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
