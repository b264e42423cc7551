package io.strata.node.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.launch.NodeProcess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Limits that hold under abuse, on a node of the chapter's own (restarted with other settings
 * between steps): a token every door asks for, a slow client closed at the header timeout while
 * others are served, Redis's {@code maxclients}, a full disk and a memory ceiling that refuse
 * writes with 507 (RESP {@code MISCONF} / {@code OOM}) while reads go on.
 */
public final class LimitsChapter implements DemoChapter {

    private static final String TOKEN = "demo-token";
    private static final String[] AUTH = {"Authorization", "Bearer " + TOKEN};
    private static final int MAX_CLIENTS = 3;
    /** The header timeout of the chapter's node, in seconds: short, so the slow client's fate shows quickly. */
    private static final int HEADER_TIMEOUT_SECONDS = 2;
    private static final long TIB = 1L << 40;

    private NodeProcess node;

    @Override
    public String title() {
        return "Limits: strangers, slow clients, floods, a full disk, a memory ceiling";
    }

    @Override
    public boolean startsOwnNode() {
        return true;
    }

    @Override
    public void tour(DemoTour tour) throws Exception {
        Path data = tour.workDir().resolve("limits-node");
        try {
            start(tour, data, "-Dstrata.http.auth-token=" + TOKEN, "-Dstrata.http.header-timeout=" + HEADER_TIMEOUT_SECONDS + "s",
                    "-Dstrata.resp.max-clients=" + MAX_CLIENTS);
            strangers(tour);
            slowClient(tour);
            maxClients(tour);
            fullDisk(tour, data);
            memoryCeiling(tour, data);
            tour.step("Stop the chapter's node");
            tour.shell("kill " + node.pid());
            node.stop();
            node = null;
        } finally {
            if (node != null) {
                node.close();
            }
        }
    }

    @Override
    public void afterCrash(DemoTour tour) {
        // The chapter runs on a node of its own, after the demo's crash and recovery.
    }

    private void start(DemoTour tour, Path data, String... settings) {
        List<String> args = new ArrayList<>(List.of("--resp-port", "0"));
        args.addAll(List.of(settings));
        tour.shell("./strata up --data-dir " + data + " --resp-port 6379 " + String.join(" ", settings));
        node = NodeProcess.builder(data).logFile(tour.workDir().resolve("limits-node.log"))
                .args(args.toArray(String[]::new)).start();
        tour.moveTo(node.httpBase());
        tour.moveRespTo(node.respPort());
        tour.say("Up at " + node.httpBase() + " (pid " + node.pid() + ").");
    }

    private void restart(DemoTour tour, Path data, String... settings) {
        tour.shell("kill " + node.pid());
        node.stop();
        node = null;
        start(tour, data, settings);
    }

    private void strangers(DemoTour tour) throws Exception {
        tour.step("Every door asks for the node's token");
        tour.say("With strata.http.auth-token set, HTTP wants the bearer token and RESP wants AUTH, as Redis's requirepass.");
        tour.get("/kv/users/alice").expectError(401, "unauthorized");
        tour.put("/kv/users/alice", "hello", AUTH).expect(201);
        try (DemoRedis redis = DemoRedis.connect(node.respPort().orElseThrow())) {
            expect(tour, redis, "(error) NOAUTH Authentication required.", "GET", "greeting");
            expect(tour, redis, "(error) WRONGPASS invalid username-password pair or user is disabled.", "AUTH", "guess");
            expect(tour, redis, "OK", "AUTH", TOKEN);
            expect(tour, redis, "OK", "SET", "greeting", "hello");
        }
    }

    private void slowClient(DemoTour tour) throws Exception {
        tour.step("A slow client is closed at the header timeout; the others are served meanwhile");
        tour.say("A slowloris sends its request head a byte every 300 ms, for ever. strata.http.header-timeout ("
                + HEADER_TIMEOUT_SECONDS + " s here, 10 s by default) counts from its first byte, whatever trickles in.");
        URI base = URI.create(node.httpBase());
        byte[] head = ("GET /health HTTP/1.1\r\nHost: demo\r\nX-Slow: " + "a".repeat(100)).getBytes(StandardCharsets.US_ASCII);
        tour.shell("(printf 'GET /health HTTP/1.1\\r\\nHost: demo\\r\\n'; while sleep 0.3; do printf a; done) | nc "
                + base.getHost() + " " + base.getPort() + " &");
        try (Socket slow = new Socket(InetAddress.getByName(base.getHost()), base.getPort())) {
            // Waiting for an answer between two bytes is the slowloris's pace.
            slow.setSoTimeout(300);
            long start = System.nanoTime();
            OutputStream out = slow.getOutputStream();
            InputStream in = slow.getInputStream();
            int sent = 0;
            boolean ended = false;
            while (!ended && sent < head.length) {
                try {
                    out.write(head[sent]);
                    out.flush();
                    sent++;
                } catch (IOException reset) {
                    break;
                }
                if (sent == 1) {
                    tour.say("Meanwhile, another client:");
                    tour.get("/health").expect(200);
                }
                ended = serverEnded(in);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            tour.say(String.format("The slow connection was closed after %.1f s, having sent %d bytes of its head.", seconds, sent));
            tour.check(sent < head.length && seconds < HEADER_TIMEOUT_SECONDS + 5,
                    "the slow connection to be closed near the header timeout, not after its " + head.length + " bytes");
        }
    }

    /** Whether the node closed the connection (or answered and closed) within the socket's read timeout. */
    private static boolean serverEnded(InputStream in) {
        try {
            in.read();
            return true;
        } catch (SocketTimeoutException quiet) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private void maxClients(DemoTour tour) throws Exception {
        tour.step("Redis's maxclients: one client too many is told so, the others keep working");
        tour.say("strata.resp.max-clients is " + MAX_CLIENTS + " here (10000 by default, and never more than the"
                + " process's file descriptors allow).");
        List<DemoRedis> clients = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CLIENTS; i++) {
                DemoRedis client = DemoRedis.connect(node.respPort().orElseThrow());
                clients.add(client);
                tour.check(client.call("AUTH", TOKEN).equals("OK"), "client " + (i + 1) + " to be let in");
            }
            try (DemoRedis extra = DemoRedis.connect(node.respPort().orElseThrow())) {
                tour.shell("redis-cli -p 6379 -a " + TOKEN + " PING      # client " + (MAX_CLIENTS + 1));
                String reply = extra.call("PING");
                tour.out().println(reply);
                tour.check(reply.equals("(error) ERR max number of clients reached"), "the Redis error, got " + reply);
            }
            tour.check(clients.get(0).call("PING").equals("PONG"), "the first clients to keep working");
        } finally {
            for (DemoRedis client : clients) {
                client.close();
            }
        }
    }

    private void fullDisk(DemoTour tour, Path data) throws Exception {
        tour.step("A full disk: writes refused with 507 storage_full, reads go on, the node stays up");
        long free = Files.getFileStore(data).getUsableSpace();
        tour.say("Writes leave strata.storage.min-free (128 MiB) free on the data directory's filesystem. Restarted with"
                + " the reserve 1 TiB above what is free, the node sees its disk as full:");
        restart(tour, data, "-Dstrata.http.auth-token=" + TOKEN, "-Dstrata.storage.min-free=" + (free + TIB));
        tour.get("/kv/users/alice", AUTH).expect(200, "hello");
        tour.put("/kv/users/bob", "hi", AUTH).expectError(507, "storage_full");
        tour.get("/kv/users/bob", AUTH).expectError(404, "key_not_found");
        JsonNode health = tour.get("/health").expect(200).json();
        tour.check(!health.path("writable").asBoolean(true), "/health to say the node is not writable, got " + health);
        try (DemoRedis redis = DemoRedis.connect(node.respPort().orElseThrow())) {
            redis.call("AUTH", TOKEN);
            String reply = show(tour, redis, "SET", "greeting", "again");
            tour.check(reply.startsWith("(error) MISCONF"), "Redis's MISCONF error, got " + reply);
            expect(tour, redis, "\"hello\"", "GET", "greeting");
        }
        tour.say("Once space is freed writes resume by themselves, no restart (DiskFullTest shows it on a real full"
                + " filesystem). Each log also backs its next bytes on disk before writing them, so even a disk filled"
                + " to the last byte by another program cannot make a memory-mapped write fail halfway.");
    }

    private void memoryCeiling(DemoTour tour, Path data) throws Exception {
        tour.step("A memory ceiling: writes that need memory refused, reads and deletes go on");
        tour.say("strata.max-memory (60% of the heap by default) is Redis's maxmemory with noeviction. Restarted with a"
                + " ceiling below what the heap already holds:");
        restart(tour, data, "-Dstrata.http.auth-token=" + TOKEN, "-Dstrata.max-memory=1m");
        tour.put("/kv/users/bob", "hi", AUTH).expectError(507, "memory_full");
        tour.get("/kv/users/alice", AUTH).expect(200, "hello");
        try (DemoRedis redis = DemoRedis.connect(node.respPort().orElseThrow())) {
            redis.call("AUTH", TOKEN);
            String reply = show(tour, redis, "SET", "other", "value");
            tour.check(reply.startsWith("(error) OOM command not allowed when used memory > 'maxmemory'"),
                    "Redis's OOM error, got " + reply);
            expect(tour, redis, "(integer) 1", "DEL", "greeting");
        }
        tour.delete("/kv/users/alice", AUTH).expect(204);
    }

    private static String show(DemoTour tour, DemoRedis redis, String... args) throws IOException {
        tour.shell("redis-cli -p 6379 " + String.join(" ", args));
        String reply = redis.call(args);
        tour.out().println(reply);
        return reply;
    }

    private static void expect(DemoTour tour, DemoRedis redis, String expected, String... args) throws IOException {
        String reply = show(tour, redis, args);
        tour.check(reply.equals(expected), "redis-cli " + String.join(" ", args) + " to answer " + expected + ", got " + reply);
    }
}
