package io.strata.dataflow.chain;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The small, real piece of work each service does on a request, by its place in the chain: the
 * first enriches it (a customer segment and region derived from the user), the middle ones score
 * it (a risk score from the amount and the segment, refined at each hop), and the last one stores
 * the result in the platform (done by the mode, which knows where). Every service appends its name
 * to the request's {@code trail}, so the stored result shows the path it took.
 */
public final class Work {

    private static final String[] REGIONS = {"eu-west", "eu-north", "us-east", "us-west", "ap-south"};

    private Work() {}

    /** Applies the work of service {@code index} (0-based) of a chain of {@code hops} to {@code request}, in place. */
    public static ObjectNode apply(ObjectNode request, int index, int hops, String service) {
        if (index == 0) {
            enrich(request);
        }
        if (index > 0 || hops == 1) {
            score(request, index);
        }
        request.withArray("trail").add(service);
        return request;
    }

    private static void enrich(ObjectNode request) {
        int h = Math.floorMod(request.path("user").asText("").hashCode(), 1_000_003);
        request.put("segment", h % 4);
        request.put("region", REGIONS[h % REGIONS.length]);
    }

    private static void score(ObjectNode request, int index) {
        double amount = request.path("amount").asDouble();
        int segment = request.path("segment").asInt();
        double previous = request.path("score").asDouble(0);
        double logit = Math.log1p(amount) / 3 - segment * 0.4 + previous * 0.5 - 1 + index * 0.05;
        request.put("score", Math.round(1e6 / (1 + Math.exp(-logit))) / 1e6);
    }
}
