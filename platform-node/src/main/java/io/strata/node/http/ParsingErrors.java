package io.strata.node.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers the requests Pekko HTTP's parser refuses before any route sees them (a URI or headers
 * over the limits, a bad Content-Length, no Host, an unknown method or HTTP version, a malformed
 * request line...) with their status and the JSON error shape, instead of Pekko's plain text. The
 * code is the status's reason in snake_case ({@code uri_too_long}, {@code bad_request},
 * {@code http_version_not_supported}); 413 is {@code payload_too_large} as everywhere else.
 *
 * <p>Configured as {@code pekko.http.server.parsing.error-handler}; Pekko makes one per connection
 * with the no-argument constructor. Stateless and thread-safe. Logs as Pekko's default handler
 * does, by {@code pekko.http.server.parsing.error-logging-verbosity}.
 */
public final class ParsingErrors extends ParsingErrorHandler {

    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        // The verbosities are Scala case objects (Off, Simple, Full): named by their toString.
        String verbosity = settings.parserSettings().errorLoggingVerbosity().toString();
        if (verbosity.equals("Simple")) {
            log.warning("Illegal request, responding with status '{}': {}", status, info.summary());
        } else if (verbosity.equals("Full")) {
            log.warning("Illegal request, responding with status '{}': {}", status, info.formatPretty());
        }
        String message = settings.verboseErrorMessages() ? info.formatPretty() : info.summary();
        return Json.error(status, ErrorHandling.codeOf(status), message.isEmpty() ? status.reason() : message);
    }
}
