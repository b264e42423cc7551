package io.strata.node.columnar.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A query answer, {@code {"columns": [...], "rows": [[...], ...], "stats": {...}}}: row values are
 * JSON-ready ({@code Long}, {@code Double}, {@code String}, {@code Boolean} or null; timestamps as
 * ISO-8601 strings). Immutable apart from the stats, which callers may still add to.
 */
public record QueryResult(List<String> columns, List<List<Object>> rows, QueryStats stats) {

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("columns", columns);
        m.put("rows", rows);
        m.put("stats", stats.toMap());
        return m;
    }

    public JsonNode toJson() {
        return Json.MAPPER.valueToTree(toMap());
    }
}
