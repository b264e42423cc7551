package io.strata.node.bus;

import io.strata.node.cluster.PartitionKind;
import io.strata.node.common.PartitionId;
import io.strata.node.plug.NodeContext;
import io.strata.node.plug.Store;
import io.strata.node.storage.DataLayout;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The bus as the node composes it: topics ({@link BusRoutes}), live streams ({@link StreamRoutes})
 * and consumer groups ({@link GroupRoutes}); topic partitions and groups' offsets for moves; every
 * topic partition opened at start. Thread-safe.
 */
public final class BusArea implements Store {

    private static final Logger LOG = LoggerFactory.getLogger(BusArea.class);

    private final BusStore bus;
    private final GroupStore groups;
    private final GroupSettings groupSettings;
    private final ActorSystem<?> system;
    private final List<PartitionKind> partitionKinds;

    /**
     * Reads the topic catalog and starts the bus and its consumer groups on the node's shared
     * storage: topic logs go through the node's committer when the bus fsyncs, and close with the
     * node's other logs.
     */
    public static BusArea create(NodeContext ctx) {
        TopicCatalog topics = TopicCatalog.load(ctx.catalogs(), ctx.layout());
        BusSettings settings = ctx.settings().bus();
        BusStorage storage = new BusStorage(ctx.layout(), ctx.space(), ctx.committerFor(settings.durability()), ctx.blockingIo(),
                new BusMetrics(ctx.registry()), name -> topics.peek(name).map(TopicCatalog.Topic::retention),
                topics::awaitConfirmed, System::currentTimeMillis, ctx.closings(), new LocalPartitions());
        BusStore bus = BusStore.start(ctx.system(), settings, storage, topics, ctx.catalogsReady(), ctx.askTimeout());
        GroupSettings groupSettings = ctx.settings().groups();
        GroupStore groups = GroupStore.start(ctx.system(), bus, groupSettings, ctx.layout(), ctx.space(), ctx.blockingIo(),
                ctx.closings(), ctx.askTimeout());
        return new BusArea(bus, storage, groups, groupSettings, ctx.layout(), ctx.system());
    }

    private BusArea(BusStore bus, BusStorage storage, GroupStore groups, GroupSettings groupSettings, DataLayout layout,
                   ActorSystem<?> system) {
        this.bus = bus;
        this.groups = groups;
        this.groupSettings = groupSettings;
        this.system = system;
        this.partitionKinds = List.of(
                new PartitionKind(TopicPartition.TYPE_KEY, id -> storage.partitionDir(PartitionId.fromEntityId(id)), id -> { }),
                new PartitionKind(ConsumerGroup.TYPE_KEY, layout::groupOffsetsNow, id -> { }));
    }

    public BusStore store() {
        return bus;
    }

    /** The consumer groups of this node's bus: the one coordinator the HTTP and Kafka doors share. */
    public GroupStore groups() {
        return groups;
    }

    @Override
    public String name() {
        return "bus";
    }

    @Override
    public List<Route> routes() {
        return List.of(new BusRoutes(bus).routes(), new StreamRoutes(bus, groupSettings, system).routes(),
                new GroupRoutes(groups).routes());
    }

    @Override
    public List<PartitionKind> partitionKinds() {
        return partitionKinds;
    }

    /** Opens every topic partition of the catalog in the background. */
    @Override
    public void start() {
        bus.openAll().whenComplete((partitions, failure) -> {
            if (failure != null) {
                LOG.error("opening topic partitions failed; affected partitions refuse requests until they open", failure);
            } else {
                LOG.info("bus opened: {} topic partitions", partitions);
            }
        });
    }
}
