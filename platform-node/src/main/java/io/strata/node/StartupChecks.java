package io.strata.node;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link StrataNode#start} checks before it binds anything or writes to the data directory,
 * so a node that cannot start says why in one line and leaves nothing behind: each fixed port
 * (HTTP, RESP, cluster) is free on its interface — tried by binding it and letting go at once —
 * no two listeners share one, and the data directory is a directory this process can write, or can
 * be created. A port taken in the moment between this check and the real bind still fails the
 * start, with a longer message.
 */
final class StartupChecks {

    /** A listener the node will bind, with the flag or key a user changes to move it. */
    private record Listener(String what, String host, int port, String fix) {}

    private StartupChecks() {}

    /** @throws StartupException naming the first problem found and its fix */
    static void run(NodeSettings settings) {
        checkPorts(listeners(settings));
        checkDataDir(settings.dataDir());
    }

    private static List<Listener> listeners(NodeSettings s) {
        boolean fromFile = !s.nodeName().isEmpty();
        List<Listener> listeners = new ArrayList<>();
        listeners.add(new Listener("HTTP", s.httpHost(), s.httpPort(),
                fromFile ? "change http-port of node " + s.nodeName() + " in the cluster file" : "give another with --http-port (0 picks a free one)"));
        if (s.resp().enabled()) {
            listeners.add(new Listener("RESP", s.resp().host(), s.resp().port(), "give another with --resp-port (0 picks a free one)"));
        }
        if (s.kafka().enabled()) {
            listeners.add(new Listener("Kafka", s.kafka().host(), s.kafka().port(), "give another with --kafka-port (0 picks a free one)"));
        }
        listeners.add(new Listener("cluster", s.clusterHost(), s.clusterPort(),
                fromFile ? "change cluster-port of node " + s.nodeName() + " in the cluster file"
                        : "give another with --cluster-port, or leave it out to pick a free one"));
        return listeners;
    }

    private static void checkPorts(List<Listener> listeners) {
        for (int i = 0; i < listeners.size(); i++) {
            Listener a = listeners.get(i);
            for (int j = i + 1; j < listeners.size(); j++) {
                Listener b = listeners.get(j);
                if (a.port() != 0 && a.port() == b.port() && sameInterface(a.host(), b.host())) {
                    throw new StartupException("the " + a.what() + " and " + b.what() + " listeners both ask for port " + a.port()
                            + "; each needs its own: " + b.fix());
                }
            }
        }
        for (Listener listener : listeners) {
            if (listener.port() != 0) {
                tryBind(listener);
            }
        }
    }

    private static boolean sameInterface(String a, String b) {
        return a.equals(b) || isWildcard(a) || isWildcard(b);
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    private static void tryBind(Listener listener) {
        InetSocketAddress address = new InetSocketAddress(listener.host(), listener.port());
        String where = listener.what() + " port " + listener.port() + " on " + listener.host();
        if (address.isUnresolved()) {
            throw new StartupException("cannot bind the " + where + ": unknown host " + listener.host());
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(address);
        } catch (BindException e) {
            String why = e.getMessage() != null && e.getMessage().contains("in use")
                    ? " is in use by another process (another Strata node?)" : " cannot be bound (" + e.getMessage() + ")";
            throw new StartupException(where + why + "; " + listener.fix(), e);
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            throw new StartupException("cannot bind the " + where + ": " + e.getMessage() + "; " + listener.fix(), e);
        }
    }

    /** A directory this process can write, or one it can create: its nearest existing ancestor is a writable directory. */
    private static void checkDataDir(Path dir) {
        String fix = "; give --data-dir a directory this user can write";
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new StartupException("data directory " + dir + " is a file, not a directory" + fix);
            }
            if (!Files.isWritable(dir)) {
                throw new StartupException("data directory " + dir + " is not writable by this user" + fix);
            }
            return;
        }
        Path ancestor = dir.getParent();
        while (ancestor != null && !Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor == null) {
            throw new StartupException("data directory " + dir + " cannot be created: no part of its path exists" + fix);
        }
        if (!Files.isDirectory(ancestor)) {
            throw new StartupException("data directory " + dir + " cannot be created: " + ancestor + " is a file, not a directory" + fix);
        }
        if (!Files.isWritable(ancestor)) {
            throw new StartupException("data directory " + dir + " cannot be created: " + ancestor + " is not writable by this user" + fix);
        }
    }
}
