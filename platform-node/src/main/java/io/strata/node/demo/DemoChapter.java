package io.strata.node.demo;

/**
 * One chapter of {@code ./strata demo}: a few steps that show a feature on a fresh node, each
 * printing its {@code curl} command and the real answer and checking it through {@link DemoTour}.
 *
 * <p>The demo runs every chapter's {@link #tour}, then kills the node with {@code kill -9},
 * restarts it on the same data directory, and runs every chapter's {@link #afterCrash}, which
 * shows that what the chapter wrote came back. A chapter object lives for one demo run, so it may
 * keep what its tour wrote in fields for the check after the crash.
 *
 * <p>A finale chapter ({@link #isFinale}) instead runs once at the end, on the restarted node. A
 * chapter that starts a node of its own ({@link #startsOwnNode}) runs after the demo's node has
 * stopped; one that starts a cluster of its own ({@link #startsOwnCluster}) runs after that, and
 * alone with {@code ./strata demo --cluster}.
 *
 * <p>Chapters of this module are listed in {@code DemoCommand}; another module adds one as a
 * service: a public class with a no-argument constructor named in
 * {@code META-INF/services/io.strata.node.demo.DemoChapter} of its jar.
 */
public interface DemoChapter {

    /** The chapter's heading, such as "Key-value store". */
    String title();

    /** Shows the feature on the fresh node. Throws {@link DemoFailure} when an answer is not as expected. */
    void tour(DemoTour tour) throws Exception;

    /** Shows that the chapter's data survived {@code kill -9} and a restart. */
    void afterCrash(DemoTour tour) throws Exception;

    /**
     * Whether the chapter is a finale: it runs once, after the crash and recovery, on the
     * restarted node ({@link #tour} only; {@link #afterCrash} is not called).
     */
    default boolean isFinale() {
        return false;
    }

    /**
     * Whether the chapter starts nodes of its own instead of using the demo's node: it runs once
     * ({@link #tour} only), after the demo's node has stopped so the machine is not shared with it,
     * and it is what {@code ./strata demo --cluster} runs. Its tour has no node address until the
     * chapter points it at one ({@link DemoTour#moveTo}); it keeps its files under
     * {@link DemoTour#workDir} and stops every process it started before it returns, failed or not.
     */
    default boolean startsOwnCluster() {
        return false;
    }

    /**
     * Whether the chapter starts a node of its own, with settings of its own, instead of using the
     * demo's node: it runs once ({@link #tour} only), after the demo's node has stopped and before
     * the cluster chapters; it keeps its files under {@link DemoTour#workDir} and stops every process
     * it started before it returns. Not part of {@code ./strata demo --cluster}.
     */
    default boolean startsOwnNode() {
        return false;
    }
}
