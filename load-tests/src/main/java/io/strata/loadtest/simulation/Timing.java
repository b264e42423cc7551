package io.strata.loadtest.simulation;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import io.strata.loadtest.Recorder;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.regex;

/**
 * One request timed from its send to its answer and recorded in {@link Recorder} whatever its
 * outcome, with the error code of Strata's error shape when the answer has one: Gatling keeps its
 * own statistics but offers no API to read them back for Strata's summary.
 */
final class Timing {

    /** The session attribute that marks a request as sent during an outage. */
    static final String DURING_OUTAGE = "duringOutage";

    private static final String ERROR_CODE = "\"code\"\\s*:\\s*\"([a-z0-9_]+)\"";

    private Timing() {}

    /**
     * {@code request} timed and recorded under {@code kind} (null: overall only); it counts among the
     * requests sent during an outage when the session's {@link #DURING_OUTAGE} attribute is true.
     */
    static ChainBuilder timed(HttpRequestActionBuilder request, String kind) {
        return exec(session -> session.set("sentAt", System.nanoTime()).remove("code"))
                .exec(request.check(regex(ERROR_CODE).optional().saveAs("code")))
                .exec(session -> {
                    Recorder.INSTANCE.record(kind, session.getLong("sentAt"), System.nanoTime(), !session.isFailed(), code(session),
                            session.contains(DURING_OUTAGE) && session.getBoolean(DURING_OUTAGE));
                    return session;
                });
    }

    private static String code(Session session) {
        return session.contains("code") ? session.getString("code") : null;
    }
}
