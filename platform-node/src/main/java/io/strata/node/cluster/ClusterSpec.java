package io.strata.node.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import io.strata.node.storage.DataLayout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A cluster as a file describes it (see {@code cluster-config/local-3.conf}): its name, its nodes
 * (host, cluster port, HTTP port, data directory, roles, settings of their own), the seed nodes,
 * the downing strategy and the settings every node shares.
 *
 * <pre>
 * strata-cluster {
 *   name = local-3
 *   seed-nodes = [n1, n2]
 *   downing = keep-majority
 *   certs-dir = certs/local-3     # optional; relative to the file's directory
 *   settings { strata.kv.default-partitions = 12 }
 *   nodes {
 *     n1 { host = 127.0.0.1, cluster-port = 25521, http-port = 8081, data-dir = data/local-3/n1 }
 *     ...
 *   }
 * }
 * </pre>
 *
 * <p>{@link #parse} checks everything a node needs before one starts, and refuses a file with a
 * message that names the problem: malformed HOCON, a missing field, a port out of range or used
 * twice on a host, a data directory shared by two nodes, seeds that name no node of the file, an
 * unknown downing strategy, two nodes with one Kafka broker id.
 *
 * @param name      the cluster's name
 * @param file      the file it was read from
 * @param seedNodes names of the nodes that new nodes contact to join; the first forms the cluster
 * @param downing   the split-brain resolver's strategy, or {@code off}
 * @param certsDir  where the cluster's certificates are kept: the CA's ({@code ca.crt}, {@code ca.key}) and a
 *                  directory per node ({@code <node>/tls.key, tls.crt, ca.crt}); {@code certs/<name>} beside the
 *                  file unless the file says otherwise
 * @param settings  settings every node gets (any {@code strata.*} or {@code pekko.*} key)
 * @param nodes     the nodes, in the file's order
 */
public record ClusterSpec(String name, Path file, List<String> seedNodes, String downing, Path certsDir, Config settings,
                          List<Node> nodes) {

    /** The root key of a cluster file. */
    public static final String ROOT = "strata-cluster";

    /** The actor system every node runs; a seed's address is {@code pekko://strata@host:port}. */
    public static final String SYSTEM_NAME = "strata";

    /** The role that carries a node's name in the cluster: {@code node:<name>}. */
    public static final String NODE_ROLE_PREFIX = "node:";

    private static final String TLS_DIR = "strata.cluster.tls.dir";
    static final List<String> DOWNING = List.of("keep-majority", "keep-oldest", "static-quorum", "down-all", "off");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

    /**
     * One node of the cluster.
     *
     * @param name        unique in the file; names the node in commands ({@code --node n1}) and in the cluster
     * @param host        the address other nodes reach it on; its HTTP gateway binds {@code httpHost}
     * @param clusterPort its Pekko cluster (Artery) port
     * @param httpHost    where its HTTP gateway binds (default: {@code host})
     * @param httpPort    its HTTP gateway's port
     * @param dataDir     its data directory (relative paths are relative to the working directory)
     * @param roles       its roles (default {@code [data]})
     * @param kafkaHost   where its Kafka door binds (default: {@code host})
     * @param kafkaPort   its Kafka door's port; 0 when the file gives none (the door is off unless its settings turn it on)
     * @param settings    settings of this node only, over the cluster's
     */
    public record Node(String name, String host, int clusterPort, String httpHost, int httpPort, Path dataDir,
                       List<String> roles, String kafkaHost, int kafkaPort, Config settings) {

        /** The node's HTTP base address, such as {@code http://127.0.0.1:8081}. */
        public String httpBase() {
            String h = httpHost.equals("0.0.0.0") ? host : httpHost;
            return "http://" + h + ":" + httpPort;
        }

        /** Where Kafka clients reach the node's Kafka door, such as {@code 127.0.0.1:9092}; empty when the file gives it none. */
        public Optional<String> kafkaAddress() {
            return kafkaPort == 0 ? Optional.empty() : Optional.of(kafkaAdvertisedHost() + ":" + kafkaPort);
        }

        /** The host Kafka clients are told: {@code kafkaHost}, or {@code host} when the door binds every interface. */
        String kafkaAdvertisedHost() {
            return kafkaHost.equals("0.0.0.0") || kafkaHost.equals("::") ? host : kafkaHost;
        }

        /** The node's cluster address, such as {@code pekko://strata@127.0.0.1:25521}. */
        public String clusterAddress() {
            return "pekko://" + SYSTEM_NAME + "@" + host + ":" + clusterPort;
        }
    }

    /** Reads and checks a cluster file; an {@link IllegalArgumentException} says what is wrong with it. */
    public static ClusterSpec parse(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("cluster file " + file + " does not exist");
        }
        Config root;
        try {
            root = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("cluster file " + file + " is not valid HOCON: " + e.getMessage(), e);
        }
        if (!root.hasPath(ROOT)) {
            throw new IllegalArgumentException("cluster file " + file + " has no '" + ROOT + " { ... }' block; see cluster-config/local-3.conf");
        }
        try {
            return fromConfig(root.getConfig(ROOT), file);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("cluster file " + file + ": " + e.getMessage(), e);
        }
    }

    private static ClusterSpec fromConfig(Config c, Path file) {
        String name = c.getString("name");
        requireName("the cluster's name", name);
        String downing = c.hasPath("downing") ? c.getString("downing") : "keep-majority";
        if (!DOWNING.contains(downing)) {
            throw new IllegalArgumentException("downing must be one of " + DOWNING + ", got '" + downing + "'");
        }
        Config shared = c.hasPath("settings") ? c.getConfig("settings") : ConfigFactory.empty();
        Config nodesBlock = c.getConfig("nodes");
        List<Node> nodes = new ArrayList<>();
        for (String nodeName : nodesBlock.root().keySet()) {
            nodes.add(node(nodeName, nodesBlock.getConfig(quoted(nodeName))));
        }
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("the cluster has no nodes: list them under nodes { n1 { ... } }");
        }
        nodes.sort(java.util.Comparator.comparing(Node::name));
        checkUnique(nodes);
        List<String> seeds = c.hasPath("seed-nodes") ? c.getStringList("seed-nodes") : List.of(nodes.get(0).name());
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("seed-nodes is empty: name at least one node of the file, such as [" + nodes.get(0).name() + "]");
        }
        Set<String> names = new java.util.LinkedHashSet<>(nodes.stream().map(Node::name).toList());
        for (String seed : seeds) {
            if (!names.contains(seed)) {
                throw new IllegalArgumentException("seed node '" + seed + "' is not a node of the file; its nodes are " + names);
            }
        }
        // Beside the file, not the working directory: every command and node that reads the file finds them.
        Path fileDir = file.toAbsolutePath().normalize().getParent();
        Path certsDir = fileDir.resolve(c.hasPath("certs-dir") ? c.getString("certs-dir") : "certs/" + name).normalize();
        ClusterSpec spec = new ClusterSpec(name, file, List.copyOf(seeds), downing, certsDir, shared, List.copyOf(nodes));
        spec.checkKafkaIds();
        return spec;
    }

    /** Two nodes with a Kafka door cannot be the same broker: clients would take them for one. */
    private void checkKafkaIds() {
        Map<Integer, String> ids = new HashMap<>();
        for (Node node : nodes) {
            if (node.kafkaPort() > 0) {
                int id = nodeLayer(node.name()).getInt("strata.kafka.node-id");
                String other = ids.putIfAbsent(id, node.name());
                if (other != null) {
                    throw new IllegalArgumentException("nodes " + other + " and " + node.name() + " both have Kafka broker id " + id
                            + " (strata.kafka.node-id); give each node its own, in its settings, or leave it out for the default");
                }
            }
        }
    }

    private static Node node(String name, Config n) {
        requireName("a node's name", name);
        String host = n.getString("host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("node " + name + ": host is empty");
        }
        int clusterPort = port(name, "cluster-port", n);
        int httpPort = port(name, "http-port", n);
        String httpHost = n.hasPath("http-host") ? n.getString("http-host") : host;
        Path dataDir = Path.of(n.getString("data-dir"));
        List<String> roles = n.hasPath("roles") ? n.getStringList("roles") : List.of("data");
        for (String role : roles) {
            if (role.startsWith(NODE_ROLE_PREFIX)) {
                throw new IllegalArgumentException("node " + name + ": the role " + role + " is reserved (every node gets node:<its name>)");
            }
        }
        String kafkaHost = n.hasPath("kafka-host") ? n.getString("kafka-host") : host;
        int kafkaPort = n.hasPath("kafka-port") ? port(name, "kafka-port", n) : 0;
        Config settings = n.hasPath("settings") ? n.getConfig("settings") : ConfigFactory.empty();
        return new Node(name, host, clusterPort, httpHost, httpPort, dataDir, List.copyOf(roles), kafkaHost, kafkaPort, settings);
    }

    private static int port(String node, String key, Config n) {
        int port = n.getInt(key);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("node " + node + ": " + key + " must be a port between 1 and 65535, got " + port);
        }
        return port;
    }

    /** Two nodes on one host (by its name in the file) cannot share a port or a data directory. */
    private static void checkUnique(List<Node> nodes) {
        Map<String, String> ports = new HashMap<>();
        Map<String, String> dirs = new HashMap<>();
        for (Node node : nodes) {
            claim(ports, node.host(), Integer.toString(node.clusterPort()), node.name() + "'s cluster-port");
            claim(ports, node.host(), Integer.toString(node.httpPort()), node.name() + "'s http-port");
            if (node.kafkaPort() > 0) {
                claim(ports, node.host(), Integer.toString(node.kafkaPort()), node.name() + "'s kafka-port");
            }
            claim(dirs, node.host(), node.dataDir().toAbsolutePath().normalize().toString(), node.name());
        }
    }

    private static void claim(Map<String, String> taken, String host, String what, String by) {
        String other = taken.putIfAbsent(host + " " + what, by);
        if (other != null) {
            throw new IllegalArgumentException(other + " and " + by + " both use " + what + " on " + host
                    + "; each node on a host needs its own ports and data directory");
        }
    }

    private static void requireName(String what, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must be letters, digits, '-' or '_' (at most 63), got '" + name + "'");
        }
    }

    private static String quoted(String key) {
        return ConfigValueFactory.fromAnyRef(key).render();
    }

    /** The node named {@code name}; an {@link IllegalArgumentException} listing the file's nodes if there is none. */
    public Node node(String nodeName) {
        return nodes.stream().filter(n -> n.name().equals(nodeName)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "cluster file " + file + " has no node '" + nodeName + "'; its nodes are " + nodes.stream().map(Node::name).toList()));
    }

    /**
     * The configuration layer of node {@code nodeName}: its settings over the cluster's, under the
     * keys the file fixes (ports, hosts, data directory, roles with {@code node:<name>}, seeds,
     * downing). Command-line flags and {@code -D} still override it.
     */
    public Config nodeLayer(String nodeName) {
        Node node = node(nodeName);
        Map<String, Object> fixed = new LinkedHashMap<>();
        fixed.put("strata.cluster.name", name);
        fixed.put("strata.cluster.file", file.toString());
        fixed.put("strata.cluster.node", node.name());
        fixed.put("strata.cluster.host", node.host());
        fixed.put("strata.cluster.port", node.clusterPort());
        fixed.put("strata.http.host", node.httpHost());
        fixed.put("strata.http.port", node.httpPort());
        fixed.put("strata.data-dir", node.dataDir().toString());
        if (node.kafkaPort() > 0) {
            fixed.put("strata.kafka.enabled", true);
            fixed.put("strata.kafka.host", node.kafkaHost());
            fixed.put("strata.kafka.port", node.kafkaPort());
        }
        List<String> roles = new ArrayList<>(node.roles());
        roles.add(NODE_ROLE_PREFIX + node.name());
        fixed.put("strata.cluster.roles", roles);
        fixed.put("strata.cluster.nodes", nodes.stream().filter(n -> n.roles().contains("data")).map(Node::name).toList());
        // The catalogs are replicated maps (see ReplicatedCatalogs), kept on each node's disk.
        fixed.put("pekko.cluster.distributed-data.durable.keys", List.of(CatalogWriter.DURABLE_KEYS));
        fixed.put("pekko.cluster.distributed-data.durable.lmdb.dir", DataLayout.ddataDir(node.dataDir()).toString());
        fixed.put("pekko.cluster.seed-nodes", seedNodes.stream().map(seed -> node(seed).clusterAddress()).toList());
        if (downing.equals("off")) {
            fixed.put("pekko.cluster.downing-provider-class", "");
        } else {
            fixed.put("pekko.cluster.split-brain-resolver.active-strategy", downing);
        }
        return ConfigFactory.parseMap(fixed, "cluster file " + file + ", node " + node.name())
                .withFallback(node.settings())
                .withFallback(settings)
                .withFallback(ConfigFactory.parseMap(Map.of(TLS_DIR, certsDir.resolve(node.name()).toString()),
                        "cluster file " + file + ", certs-dir"))
                .withFallback(ConfigFactory.parseMap(kafkaDefaults(node), "cluster file " + file + ", node " + node.name()
                        + " (Kafka broker id and advertised host)"));
    }

    /**
     * What a node's settings may override about its Kafka door: its broker id, unique in the file (the
     * node's place in it, by name), and, when its door binds every interface, the host clients are told.
     */
    private Map<String, Object> kafkaDefaults(Node node) {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("strata.kafka.node-id", nodes.indexOf(node));
        if (!node.kafkaAdvertisedHost().equals(node.kafkaHost())) {
            defaults.put("strata.kafka.advertised-host", node.kafkaAdvertisedHost());
        }
        return defaults;
    }

    /**
     * Where node {@code nodeName} reads its certificate (see {@code io.strata.node.cluster.tls}):
     * {@code strata.cluster.tls.dir} when its settings or the cluster's set it (say, a path of
     * its own host), else {@code <certs-dir>/<node>}.
     */
    public Path tlsDir(String nodeName) {
        return Path.of(nodeLayer(nodeName).getString(TLS_DIR));
    }
}
