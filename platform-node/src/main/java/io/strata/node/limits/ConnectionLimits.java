package io.strata.node.limits;

import com.sun.management.UnixOperatingSystemMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;

/**
 * How many connections each listener may hold open, fitted into the process's file-descriptor
 * limit ({@code ulimit -n}) so that a flood of connections can never take the descriptors the
 * stores need for their files: as Redis lowers {@code maxclients} to its limit, each configured
 * maximum is lowered when the limit minus {@code strata.reserved-file-descriptors} cannot hold
 * them all, with a log line that says so.
 *
 * @param httpConnections the HTTP gateway's maximum
 * @param respClients     the RESP listener's maximum (0 when it is off)
 */
public record ConnectionLimits(int httpConnections, int respClients) {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);

    /**
     * Fits the configured maxima into this process's file-descriptor limit (the OS bean's), or
     * keeps them when the OS does not say.
     *
     * @param reserved descriptors kept for everything else: the stores' files, the cluster transport, the JVM's own
     * @param http     configured {@code strata.http.max-connections}
     * @param resp     configured {@code strata.resp.max-clients}, 0 when the RESP listener is off
     */
    public static ConnectionLimits fit(int reserved, int http, int resp) {
        OptionalLong limit = fileDescriptorLimit();
        return limit.isPresent() ? fit(limit.getAsLong(), reserved, http, resp) : new ConnectionLimits(http, resp);
    }

    /**
     * Fits {@code http} and {@code resp} into {@code fdLimit} minus {@code reserved} descriptors
     * (never reserving more than half the limit). HTTP keeps its maximum, or half of what there is
     * when both do not fit; RESP gets the rest.
     */
    static ConnectionLimits fit(long fdLimit, int reserved, int http, int resp) {
        long available = Math.max(fdLimit - reserved, fdLimit / 2);
        if (http + (long) resp <= available) {
            return new ConnectionLimits(http, resp);
        }
        int fittedHttp = (int) Math.max(1, resp == 0 ? Math.min(http, available) : Math.min(http, available / 2));
        int fittedResp = resp == 0 ? 0 : (int) Math.max(1, Math.min(resp, available - fittedHttp));
        String why = "to fit the process's file-descriptor limit (" + fdLimit + ", " + Math.min(reserved, fdLimit / 2)
                + " kept for the stores' files: strata.reserved-file-descriptors); raise 'ulimit -n' for more";
        if (fittedHttp < http) {
            LOG.warn("strata.http.max-connections lowered from {} to {} {}", http, fittedHttp, why);
        }
        if (fittedResp < resp) {
            LOG.warn("strata.resp.max-clients lowered from {} to {} {}", resp, fittedResp, why);
        }
        return new ConnectionLimits(fittedHttp, fittedResp);
    }

    /** The most files this process may have open, when the OS tells. */
    public static OptionalLong fileDescriptorLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? OptionalLong.of(unix.getMaxFileDescriptorCount()) : OptionalLong.empty();
    }
}
