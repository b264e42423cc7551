package io.strata.node.cluster;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

import java.time.Duration;
import java.util.Optional;

/**
 * The one writer of the replicated catalogs, a cluster singleton: every create and drop of a
 * keyspace, topic or table in the cluster passes through it, one at a time, so two nodes creating
 * the same name with different settings cannot both succeed. Each write reads the catalog from a
 * majority of the nodes, decides, and writes to a majority (each of which keeps it on disk) before
 * it answers. While the singleton moves (its node left or was downed), writes wait and may time
 * out; reads never pass through it.
 */
public final class CatalogWriter {

    /** The catalog writer's protocol. */
    public sealed interface Command permits Write, ReadDone, WriteDone {}

    /**
     * Adds {@code itemJson} under {@code name} to the catalog of {@code kind} unless the name is
     * taken, or, when {@code itemJson} is empty, removes {@code name}.
     */
    public record Write(String kind, String name, String itemJson, ActorRef<Result> replyTo) implements Command {
        boolean isRemove() {
            return itemJson.isEmpty();
        }
    }

    /** What became of a write. */
    public enum Outcome { STORED, EXISTS, REMOVED, ABSENT, FAILED }

    /** The answer to a {@link Write}: the item now in the catalog (STORED, EXISTS), or why it failed (FAILED). */
    public record Result(Outcome outcome, String detail) {}

    private record ReadDone(Write write, Replicator.GetResponse<LWWMap<String, String>> response) implements Command {}

    private record WriteDone(Write write, Replicator.UpdateResponse<LWWMap<String, String>> response) implements Command {}

    /** The replicated maps' keys, as Distributed Data's {@code durable.keys} takes them: kept on disk. */
    public static final String DURABLE_KEYS = "catalog-*";

    private CatalogWriter() {}

    /** The key of the replicated map that holds the catalog of {@code kind}: item name to item JSON. */
    static Key<LWWMap<String, String>> key(String kind) {
        return LWWMapKey.create("catalog-" + kind);
    }

    /** The writer's behavior; {@code timeout} bounds each majority read and write. */
    public static Behavior<Command> create(Duration timeout) {
        return Behaviors.setup(context -> Behaviors.withStash(10_000, stash ->
                DistributedData.<Command, LWWMap<String, String>>withReplicatorMessageAdapter(replicator ->
                        new CatalogWriter.Running(replicator, stash, timeout,
                                DistributedData.get(context.getSystem()).selfUniqueAddress()).idle())));
    }

    private record Running(ReplicatorMessageAdapter<Command, LWWMap<String, String>> replicator, StashBuffer<Command> stash,
                           Duration timeout, SelfUniqueAddress self) {

        Behavior<Command> idle() {
            return Behaviors.receive(Command.class)
                    .onMessage(Write.class, this::read)
                    .build();
        }

        /** Writes wait in the stash while one is in progress, so each decides on the result of the one before. */
        private Behavior<Command> busy() {
            return Behaviors.receive(Command.class)
                    .onMessage(Write.class, write -> {
                        stash.stash(write);
                        return Behaviors.same();
                    })
                    .onMessage(ReadDone.class, this::decide)
                    .onMessage(WriteDone.class, this::answer)
                    .build();
        }

        private Behavior<Command> read(Write write) {
            replicator.askGet(replyTo -> new Replicator.Get<>(key(write.kind()), new Replicator.ReadMajority(timeout), replyTo),
                    response -> new ReadDone(write, response));
            return busy();
        }

        private Behavior<Command> decide(ReadDone done) {
            Write write = done.write();
            Optional<String> existing;
            if (done.response() instanceof Replicator.GetSuccess<LWWMap<String, String>> success) {
                existing = Optional.ofNullable(success.dataValue().getEntries().get(write.name()));
            } else if (done.response() instanceof Replicator.NotFound<LWWMap<String, String>>) {
                existing = Optional.empty();
            } else {
                return finish(write, new Result(Outcome.FAILED, "the catalog could not be read from a majority of the nodes"));
            }
            if (write.isRemove() && existing.isEmpty()) {
                return finish(write, new Result(Outcome.ABSENT, ""));
            }
            if (!write.isRemove() && existing.isPresent()) {
                return finish(write, new Result(Outcome.EXISTS, existing.get()));
            }
            replicator.askUpdate(replyTo -> new Replicator.Update<>(key(write.kind()), LWWMap.create(),
                            new Replicator.WriteMajority(timeout), replyTo,
                            map -> write.isRemove() ? map.remove(self, write.name()) : map.put(self, write.name(), write.itemJson())),
                    response -> new WriteDone(write, response));
            return Behaviors.same();
        }

        private Behavior<Command> answer(WriteDone done) {
            Write write = done.write();
            if (done.response() instanceof Replicator.UpdateSuccess<LWWMap<String, String>>) {
                return finish(write, write.isRemove() ? new Result(Outcome.REMOVED, "") : new Result(Outcome.STORED, write.itemJson()));
            }
            // A write a majority did not confirm in time may still spread; the caller learns it is unconfirmed.
            return finish(write, new Result(Outcome.FAILED, "the change was not confirmed by a majority of the nodes in "
                    + timeout.toMillis() + " ms (" + done.response().getClass().getSimpleName() + ")"));
        }

        private Behavior<Command> finish(Write write, Result result) {
            write.replyTo().tell(result);
            return stash.unstashAll(idle());
        }
    }
}
