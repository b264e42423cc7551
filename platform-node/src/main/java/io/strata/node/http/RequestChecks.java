package io.strata.node.http;

import io.strata.node.common.StrataException;
import io.strata.node.common.Utf8;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawRequestURI;
import org.apache.pekko.http.javadsl.server.Route;

import java.io.ByteArrayOutputStream;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

/**
 * Checks every request's path and query string before any route reads them, so that no route
 * takes a name, key or parameter other than the one the client sent:
 * <ul>
 * <li>a path segment, parameter name or value whose percent-encoded bytes are not UTF-8 is
 *     refused ({@code invalid_utf8}, 400): Pekko would decode {@code %ff%fe} and {@code %fe%ff}
 *     alike to U+FFFD U+FFFD, making two keys one;</li>
 * <li>a query parameter given twice is refused ({@code duplicate_parameter}, 400) rather than
 *     resolved silently to one of its values.</li>
 * </ul>
 * The path is read from the {@code Raw-Request-URI} header that Pekko adds when
 * {@code pekko.http.server.raw-request-uri-header} is on (Strata's reference.conf turns it on),
 * since the parsed URI holds the path decoded already; without the header a decoded path holding
 * U+FFFD is refused. Stateless.
 */
public final class RequestChecks {

    private static final int SHOWN_CHARS = 60;

    private RequestChecks() {}

    /** {@code inner}, for a request whose path and query pass the checks; the error shape otherwise. */
    public static Route checked(Supplier<Route> inner) {
        return extractRequest(request -> {
            try {
                check(request);
            } catch (StrataException e) {
                return complete(ErrorHandling.toResponse(e));
            }
            return inner.get();
        });
    }

    static void check(HttpRequest request) {
        Optional<String> raw = request.getHeader(RawRequestURI.class).map(RawRequestURI::uri);
        if (raw.isPresent()) {
            checkPath(pathOf(raw.get()));
        } else if (request.getUri().path().indexOf('\uFFFD') >= 0) {
            throw StrataException.invalid("invalid_utf8", "the request path holds bytes that are not UTF-8: "
                    + show(request.getUri().path()));
        }
        request.getUri().rawQueryString().ifPresent(RequestChecks::checkQuery);
    }

    /** The path of a request target: origin form ({@code /a/b?q}) or absolute form ({@code http://h/a/b?q}). */
    private static String pathOf(String target) {
        int end = target.indexOf('?');
        String noQuery = end < 0 ? target : target.substring(0, end);
        if (noQuery.startsWith("/")) {
            return noQuery;
        }
        int scheme = noQuery.indexOf("://");
        int path = scheme < 0 ? -1 : noQuery.indexOf('/', scheme + 3);
        return path < 0 ? "" : noQuery.substring(path);
    }

    private static void checkPath(String path) {
        String[] segments = path.split("/", -1);
        for (int i = 1; i < segments.length; i++) {
            if (decode(segments[i], false) == null) {
                throw StrataException.invalid("invalid_utf8", "path segment " + i + " ('" + show(segments[i])
                        + "') is not UTF-8 once its percent-encoded bytes are decoded; names and keys are UTF-8 text");
            }
        }
    }

    private static void checkQuery(String query) {
        Set<String> names = new HashSet<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String name = decode(rawName, true);
            if (name == null) {
                throw StrataException.invalid("invalid_utf8", "the query parameter name '" + show(rawName)
                        + "' is not UTF-8 once its percent-encoded bytes are decoded");
            }
            if (eq >= 0 && decode(pair.substring(eq + 1), true) == null) {
                throw StrataException.invalid("invalid_utf8", "the value of query parameter '" + show(name)
                        + "' is not UTF-8 once its percent-encoded bytes are decoded: " + show(pair.substring(eq + 1)));
            }
            if (!names.add(name)) {
                throw StrataException.invalid("duplicate_parameter", "query parameter '" + show(name)
                        + "' is given more than once; give it once");
            }
        }
    }

    /**
     * Percent-decodes {@code raw} as UTF-8 ({@code +} as a space in a query), or null when its
     * escapes are malformed or the bytes they make are not UTF-8.
     */
    static String decode(String raw, boolean plusIsSpace) {
        if (raw.indexOf('%') < 0) {
            return plusIsSpace ? raw.replace('+', ' ') : raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || !HexFormat.isHexDigit(raw.charAt(i + 1)) || !HexFormat.isHexDigit(raw.charAt(i + 2))) {
                    return null;
                }
                bytes.write(HexFormat.fromHexDigit(raw.charAt(i + 1)) * 16 + HexFormat.fromHexDigit(raw.charAt(i + 2)));
                i += 2;
            } else if (c > 0x7f) {
                // The raw request target is ASCII (Pekko refuses other bytes before any route).
                return null;
            } else {
                bytes.write(plusIsSpace && c == '+' ? ' ' : c);
            }
        }
        return Utf8.decode(bytes.toByteArray()).orElse(null);
    }

    private static String show(String text) {
        return text.length() > SHOWN_CHARS ? text.substring(0, SHOWN_CHARS) + "..." : text;
    }
}
