package io.strata.node.kafka;

import com.typesafe.config.Config;
import io.strata.node.NodeSettings;
import io.strata.node.bus.BusStore;
import io.strata.node.bus.GroupStore;
import io.strata.node.plug.Door;
import io.strata.node.plug.TcpDoor;
import io.strata.node.plug.NodeContext;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.scaladsl.Framing.FramingException;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bus's Kafka door: a TCP listener speaking the Kafka wire protocol, so Kafka producers,
 * consumers and tools work against Strata's topics, the same ones the HTTP API serves.
 *
 * <p>Per connection, a Pekko Streams flow: size-prefixed frames (Kafka's framing: a 4-byte
 * big-endian length) → {@link KafkaConnection} → responses, framed again. Requests of a
 * connection are answered one at a time and in order, as a Kafka broker does (it reads a
 * connection's next request once the response to the one before is sent), so a client's
 * produces to a partition are appended in the order it sent them. A frame larger than
 * {@code max-request-bytes} or that is not a Kafka request closes that connection with a log line.
 *
 * <p>Lifecycle: {@link #bind} listens; {@link #unbind} stops accepting; {@link #drain} lets each
 * connection finish the request it is answering, then closes them all. Thread-safe.
 */
public final class KafkaServer extends TcpDoor {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaServer.class);
    /** Kafka's framing: each request and response is preceded by its size, a big-endian int. */
    private static final int SIZE_BYTES = 4;

    private KafkaServer(Tcp.ServerBinding binding, SharedKillSwitch connections, Map<Long, CompletionStage<Done>> open) {
        super(binding, connections, open);
    }

    /**
     * The door's opening when {@code strata.kafka.enabled}, serving {@code bus} and its consumer
     * {@code groups}; empty when the door is off.
     */
    public static Optional<Door.Opening> opening(NodeContext ctx, BusStore bus, GroupStore groups) {
        KafkaSettings settings = ctx.settings().kafka();
        if (!settings.enabled()) {
            return Optional.empty();
        }
        return Optional.of(() -> bind(ctx.system(), bus, groups, settings, ctx.settings().clusterName(), ctx.layout().kafkaProducerIds(),
                ctx.blockingIo()));
    }

    /**
     * {@code config} with this node's Kafka broker announced to the cluster (a member role, see
     * {@link KafkaBrokers}) when its door is on, so every node's Metadata can name it.
     */
    public static Config announced(Config config, NodeSettings settings) {
        return KafkaBrokers.withBrokerRole(config, settings.kafka(), settings.clusterHost());
    }

    /**
     * Binds {@code settings.host():settings.port()} and serves Kafka clients from {@code bus} until
     * unbound. Producer ids are kept in {@code producerIdFile}; {@code clusterId} is what Metadata reports.
     */
    public static CompletionStage<KafkaServer> bind(ActorSystem<?> system, BusStore bus, GroupStore groups, KafkaSettings settings,
                                                    String clusterId, Path producerIdFile, Executor blockingIo) {
        SharedKillSwitch killSwitch = KillSwitches.shared("kafka-connections");
        Map<Long, CompletionStage<Done>> open = new ConcurrentHashMap<>();
        AtomicLong ids = new AtomicLong();
        CompletableFuture<KafkaApis.BrokerAddress> advertised = new CompletableFuture<>();
        KafkaApis apis = new KafkaApis(bus, groups, settings, clusterId, advertised, KafkaBrokers.of(system, settings),
                ProducerIds.in(producerIdFile), blockingIo);
        return Tcp.get(system).bind(settings.host(), settings.port())
                .to(Sink.foreach(connection -> {
                    if (open.size() >= settings.maxConnections()) {
                        LOG.warn("kafka connection from {} refused: {} connections are open (strata.kafka.max-connections)",
                                connection.remoteAddress(), open.size());
                        connection.handleWith(Flow.fromSinkAndSourceCoupled(Sink.ignore(), Source.empty()), system);
                        return;
                    }
                    long id = ids.incrementAndGet();
                    CompletableFuture<Done> closed = new CompletableFuture<>();
                    open.put(id, closed);
                    closed.whenComplete((done, failure) -> open.remove(id));
                    try {
                        connection.handleWith(connectionFlow(new KafkaConnection(apis, "/" + connection.remoteAddress().getAddress().getHostAddress()), settings, killSwitch), system)
                                .whenComplete((done, failure) -> {
                                    if (failure instanceof InvalidRequestException || failure instanceof FramingException) {
                                        LOG.info("kafka connection from {} closed: {}", connection.remoteAddress(), failure.getMessage());
                                    } else if (failure != null) {
                                        LOG.error("kafka connection from {} closed by a failure of the door",
                                                connection.remoteAddress(), failure);
                                    }
                                    closed.complete(Done.getInstance());
                                });
                    } catch (RuntimeException e) {
                        // One connection that cannot start must not stop the listener.
                        LOG.error("cannot serve the kafka connection from {}", connection.remoteAddress(), e);
                        closed.complete(Done.getInstance());
                    }
                }))
                .run(system)
                .thenApply(binding -> {
                    InetSocketAddress bound = binding.localAddress();
                    String host = settings.advertisedHost().isEmpty() ? bound.getHostString() : settings.advertisedHost();
                    int port = settings.advertisedPort() == 0 ? bound.getPort() : settings.advertisedPort();
                    advertised.complete(new KafkaApis.BrokerAddress(host, port));
                    LOG.info("kafka listener bound to {} (advertised as {}:{}, node id {})", bound, host, port, settings.nodeId());
                    return new KafkaServer(binding, killSwitch, open);
                });
    }

    /** One connection: frames in, one request at a time, framed responses out. */
    static Flow<ByteString, ByteString, CompletionStage<Done>> connectionFlow(KafkaConnection session, KafkaSettings settings,
                                                                              SharedKillSwitch killSwitch) {
        return Flow.of(ByteString.class)
                .via(Framing.lengthField(SIZE_BYTES, 0, settings.maxRequestBytes() + SIZE_BYTES, ByteOrder.BIG_ENDIAN))
                .via(killSwitch.flow())
                // A writable copy without the size: an append stamps offsets into the batches in place.
                .mapAsync(1, frame -> session.handle(ByteBuffer.wrap(frame.drop(SIZE_BYTES).toArray())))
                .mapConcat(response -> response.stream().toList())
                .watchTermination((notUsed, done) -> done);
    }

    @Override
    public String name() {
        return "kafka";
    }
}
