package io.strata.node.columnar.query;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Numbers the distinct strings one partial meets, so string group keys and distinct sets hold
 * ints. Block dictionaries differ, so each block maps its codes to pool ids once per distinct code.
 * Single-threaded.
 */
final class StringPool {

    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> strings = new ArrayList<>();

    int id(String s) {
        Integer id = ids.get(s);
        if (id == null) {
            id = strings.size();
            ids.put(s, id);
            strings.add(s);
        }
        return id;
    }

    int size() {
        return strings.size();
    }

    String get(int id) {
        return strings.get(id);
    }
}
