package io.strata.node.stream.window;

import io.strata.node.stream.proto.PartitionState;
import io.strata.node.stream.proto.WindowOperatorState;
import io.strata.node.stream.proto.WindowState;
import io.strata.node.stream.window.WindowResult.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Aggregates keyed events over event-time windows, the way a stream job does between its source
 * and its sinks: watermarks per source partition, window assignment, accumulators, firing, allowed
 * lateness, early results, and a snapshot of all of it.
 *
 * <p><b>Watermarks.</b> A partition's watermark is the greatest event time seen on it minus the
 * out-of-orderness bound ({@code Long.MIN_VALUE} before its first event). The operator's watermark
 * is the least watermark of the partitions that are not idle, or the greatest of all of them when
 * every partition is idle (the data there is, is all there is). A partition is idle once it has had
 * no event for the idle timeout of processing time, counted from the operator's start if it never
 * had one, and active again with its next event. The watermark never goes backwards: an event
 * behind it from a partition that was idle is handled as a late event.
 *
 * <p><b>Windows.</b> Tumbling and sliding windows are aligned to the epoch; a sliding window
 * [start, start + size) starts every slide. A session window is [first event, last event + gap)
 * per key; an event whose [time, time + gap) overlaps sessions (strictly: events exactly a gap
 * apart are two sessions) merges them and their accumulators into one window.
 *
 * <p><b>Firing.</b> A window fires ({@link Kind#ON_TIME}) when the watermark reaches its end. Its
 * state is kept until the watermark reaches end + allowed lateness; an event for it until then
 * re-emits its corrected values at once ({@link Kind#LATE_UPDATE}), and so does the first event of
 * a window whose end the watermark had already passed. At end + allowed lateness the window emits
 * {@link Kind#FINAL} and its state is dropped. An event every window of which is past that is not
 * aggregated but emitted as a {@link LateEvent}. With early results, {@link #advance} emits
 * {@link Kind#EARLY} every interval for each window not yet fired that changed since its last
 * early result. A fired session window that later merges into a larger one emits no FINAL of its
 * own: the merged window's results supersede it.
 *
 * <p><b>Order of outputs.</b> Within one call: first what the event itself causes (late updates in
 * window start order, or its late-event output), then what the watermark's progress fires, in the
 * order of the time each was due (a window's end for ON_TIME, end + lateness for FINAL; ON_TIME
 * before FINAL at the same time; then window start, then key), then early results in the same
 * window order. The outputs are a function of the constructor arguments and the calls alone.
 *
 * <p><b>Bounded state.</b> At most {@code maxOpenWindows} (key, window) pairs are open; an event
 * that would open more is refused with {@link WindowLimitExceededException}, leaving the state as
 * it was.
 *
 * <p>Not thread-safe: one owner (the job's stream stage) calls it. Processing time is passed in
 * by the caller, never read from a clock; a processing time earlier than one already given is
 * taken as that one.
 */
public final class WindowOperator {

    /**
     * What a window operator does, from the job spec: the window, the aggregates (each {@code as}
     * distinct), the out-of-orderness bound and allowed lateness (zero or more), the idle timeout
     * (positive), the early results interval if any, and the limit on open (key, window) pairs.
     */
    public record Settings(WindowSpec window, List<AggregateSpec> aggregates, Duration outOfOrderness,
                           Duration allowedLateness, Duration idleTimeout, Optional<Duration> earlyEvery,
                           int maxOpenWindows) {

        public Settings {
            Objects.requireNonNull(window, "window");
            aggregates = List.copyOf(aggregates);
            if (aggregates.isEmpty()) {
                throw new IllegalArgumentException("a window operator needs at least one aggregate");
            }
            Set<String> names = new HashSet<>();
            for (AggregateSpec aggregate : aggregates) {
                if (!names.add(aggregate.as())) {
                    throw new IllegalArgumentException("two aggregates are named '" + aggregate.as() + "'");
                }
                if (aggregate.field() == null && aggregate.fn() != AggregateSpec.AggregateFn.COUNT) {
                    throw new IllegalArgumentException(aggregate.fn().jsonName() + " needs a column");
                }
            }
            if (window instanceof WindowSpec.Tumbling t) {
                requirePositive(t.size(), "window size");
            } else if (window instanceof WindowSpec.Sliding s) {
                requirePositive(s.size(), "window size");
                requirePositive(s.slide(), "window slide");
                if (s.size().toMillis() / s.slide().toMillis() > maxOpenWindows) {
                    throw new IllegalArgumentException("a sliding window of " + s.size() + " every " + s.slide()
                            + " puts each event in more windows than the " + maxOpenWindows + " that may be open");
                }
            } else if (window instanceof WindowSpec.Session s) {
                requirePositive(s.gap(), "session gap");
            }
            requireNotNegative(outOfOrderness, "out_of_orderness");
            requireNotNegative(allowedLateness, "allowed_lateness");
            requirePositive(idleTimeout, "idle_timeout");
            earlyEvery.ifPresent(every -> requirePositive(every, "early_every"));
            if (maxOpenWindows <= 0) {
                throw new IllegalArgumentException("maxOpenWindows must be positive, is " + maxOpenWindows);
            }
        }

        private static void requirePositive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, is " + d);
            }
        }

        private static void requireNotNegative(Duration d, String what) {
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, is " + d);
            }
        }
    }

    private static final Comparator<OpenWindow> BY_START = Comparator.comparingLong((OpenWindow w) -> w.start)
            .thenComparing(w -> w.key);
    private static final Comparator<OpenWindow> BY_END = Comparator.comparingLong((OpenWindow w) -> w.end)
            .thenComparing(BY_START);

    private final Settings settings;
    private final long size;
    private final long slide;
    private final long gap;
    private final long outOfOrderness;
    private final long lateness;
    private final long idleTimeout;
    private final long earlyEvery;
    private final TreeMap<Integer, Partition> partitions = new TreeMap<>();
    /** Each key's windows by start; unordered by key (a snapshot sorts the keys). */
    private final HashMap<String, TreeMap<Long, OpenWindow>> windowsByKey = new HashMap<>();
    /**
     * The open windows, and the unfired ones, in buckets by end: a bucket fires or closes whole,
     * its windows sorted by start and key only then, so indexing a window costs no tree node.
     */
    private final EndBuckets open = new EndBuckets(true);
    private final EndBuckets unfired = new EndBuckets(false);
    /** The unfired windows changed since their last early result: all an early emission looks at. */
    private final TreeSet<OpenWindow> changed = new TreeSet<>(BY_END);
    private long watermark = Long.MIN_VALUE;
    private long processingTime;
    private long nextEarlyAt;
    /** Scratch for the window starts of one event (time windows), reused so an event allocates none. */
    private long[] starts = new long[4];

    /**
     * An operator with no state yet, for events from the given source partitions, started at the
     * given processing time (epoch milliseconds).
     */
    public WindowOperator(Settings settings, Set<Integer> partitions, long startProcessingTime) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("a window operator needs at least one source partition");
        }
        if (settings.window() instanceof WindowSpec.Tumbling t) {
            size = t.size().toMillis();
            slide = size;
            gap = 0;
        } else if (settings.window() instanceof WindowSpec.Sliding s) {
            size = s.size().toMillis();
            slide = s.slide().toMillis();
            gap = 0;
        } else {
            size = 0;
            slide = 0;
            gap = ((WindowSpec.Session) settings.window()).gap().toMillis();
        }
        outOfOrderness = settings.outOfOrderness().toMillis();
        lateness = settings.allowedLateness().toMillis();
        idleTimeout = settings.idleTimeout().toMillis();
        earlyEvery = settings.earlyEvery().map(Duration::toMillis).orElse(0L);
        for (int partition : partitions) {
            this.partitions.put(partition, new Partition(startProcessingTime));
        }
        processingTime = startProcessingTime;
        nextEarlyAt = startProcessingTime + earlyEvery;
    }

    /**
     * Takes one event: aggregates it into its windows (or emits it as late), then fires what the
     * watermark's progress makes due.
     *
     * @throws IllegalArgumentException if the event's partition is not one of the operator's
     * @throws WindowLimitExceededException if the event would open more windows than the limit
     */
    public List<WindowOutput> onEvent(StreamEvent event, long processingTime) {
        Partition partition = partitions.get(event.partition());
        if (partition == null) {
            throw new IllegalArgumentException("event from partition " + event.partition()
                    + ", which this operator does not read (it reads " + partitions.keySet() + ")");
        }
        Objects.requireNonNull(event.key(), "event key");
        List<WindowOutput> out = new ArrayList<>(0);
        tick(processingTime);
        if (gap > 0) {
            assignToSession(event, out);
        } else {
            assignToTimeWindows(event, out);
        }
        partition.maxEventTime = Math.max(partition.maxEventTime, event.eventTime());
        partition.lastActivity = this.processingTime;
        advanceWatermark(out);
        return out;
    }

    /**
     * Counts {@code partition} as active now although it brought no event: its source still has
     * records to deliver (the caller is behind on it), so it must not be taken for idle.
     */
    public void markActive(int partition, long processingTime) {
        Partition p = partitions.get(partition);
        if (p == null) {
            throw new IllegalArgumentException("partition " + partition + " is not one this operator reads");
        }
        tick(processingTime);
        p.lastActivity = this.processingTime;
    }

    /**
     * Lets processing time pass: partitions that have been quiet for the idle timeout stop holding
     * the watermark back (which may fire windows), and early results are emitted when due.
     */
    public List<WindowOutput> advance(long processingTime) {
        List<WindowOutput> out = new ArrayList<>();
        tick(processingTime);
        advanceWatermark(out);
        if (earlyEvery > 0 && this.processingTime >= nextEarlyAt) {
            for (OpenWindow w : changed) {
                w.changed = false;
                out.add(result(w, Kind.EARLY));
            }
            changed.clear();
            nextEarlyAt = this.processingTime + earlyEvery;
        }
        return out;
    }

    /** The operator's watermark (epoch milliseconds); {@code Long.MIN_VALUE} before there is one. */
    public long watermark() {
        return watermark;
    }

    /** Each partition's own watermark, by partition; {@code Long.MIN_VALUE} for one that had no event. */
    public Map<Integer, Long> partitionWatermarks() {
        Map<Integer, Long> result = new TreeMap<>();
        partitions.forEach((id, p) -> result.put(id, p.watermark(outOfOrderness)));
        return Collections.unmodifiableMap(result);
    }

    /** The partitions idle as of the latest processing time given. */
    public Set<Integer> idlePartitions() {
        Set<Integer> idle = new TreeSet<>();
        partitions.forEach((id, p) -> {
            if (isIdle(p)) {
                idle.add(id);
            }
        });
        return Collections.unmodifiableSet(idle);
    }

    /** How many (key, window) pairs hold state. */
    public int openWindows() {
        return open.size();
    }

    /** The whole state; the same state always gives an equal message and the same bytes. */
    public WindowOperatorState snapshot() {
        WindowOperatorState.Builder state = WindowOperatorState.newBuilder()
                .setWatermark(watermark).setProcessingTime(processingTime).setNextEarlyAt(nextEarlyAt);
        settings.aggregates().forEach(a -> state.addAggregateFns(a.fn().jsonName()));
        partitions.forEach((id, p) -> state.addPartitions(PartitionState.newBuilder()
                .setPartition(id).setMaxEventTime(p.maxEventTime).setLastActivity(p.lastActivity)));
        for (TreeMap<Long, OpenWindow> keyWindows : new TreeMap<>(windowsByKey).values()) {
            for (OpenWindow w : keyWindows.values()) {
                WindowState.Builder window = WindowState.newBuilder().setKey(w.key).setStart(w.start).setEnd(w.end)
                        .setFired(w.fired).setChanged(w.changed);
                for (Accumulator acc : w.accumulators) {
                    window.addAggregates(acc.toProto());
                }
                state.addWindows(window);
            }
        }
        return state.build();
    }

    /**
     * An operator that carries on exactly where the one that took the snapshot was: given the same
     * calls after it, it emits the same outputs. Its partitions are the snapshot's.
     *
     * @throws IllegalArgumentException if the snapshot was taken with other aggregate functions
     */
    public static WindowOperator restore(Settings settings, WindowOperatorState state) {
        List<String> fns = settings.aggregates().stream().map(a -> a.fn().jsonName()).toList();
        if (!fns.equals(state.getAggregateFnsList())) {
            throw new IllegalArgumentException("the snapshot has aggregates " + state.getAggregateFnsList()
                    + ", the job " + fns);
        }
        Set<Integer> ids = new TreeSet<>();
        state.getPartitionsList().forEach(p -> ids.add(p.getPartition()));
        WindowOperator operator = new WindowOperator(settings, ids, state.getProcessingTime());
        operator.watermark = state.getWatermark();
        operator.nextEarlyAt = state.getNextEarlyAt();
        for (PartitionState p : state.getPartitionsList()) {
            Partition partition = operator.partitions.get(p.getPartition());
            partition.maxEventTime = p.getMaxEventTime();
            partition.lastActivity = p.getLastActivity();
        }
        for (WindowState w : state.getWindowsList()) {
            Accumulator[] accumulators = new Accumulator[settings.aggregates().size()];
            for (int i = 0; i < accumulators.length; i++) {
                accumulators[i] = Accumulator.fromProto(settings.aggregates().get(i), w.getAggregates(i));
            }
            OpenWindow window = new OpenWindow(w.getKey(), w.getStart(), w.getEnd(), accumulators);
            window.fired = w.getFired();
            operator.index(window);
            if (w.getChanged() && !window.fired) {
                operator.markChanged(window);
            }
        }
        return operator;
    }

    private void tick(long time) {
        processingTime = Math.max(processingTime, time);
    }

    private void assignToTimeWindows(StreamEvent event, List<WindowOutput> out) {
        long time = event.eventTime();
        TreeMap<Long, OpenWindow> keyWindows = windowsByKey.get(event.key());
        int count = 0;
        int opening = 0;
        // From the latest window holding the event back to the earliest, so starts are descending;
        // size / slide iterations at most (the job spec bounds that ratio).
        for (long start = time - Math.floorMod(time, slide); start > time - size; start -= slide) {
            if (!isClosed(start + size)) {
                if (count == starts.length) {
                    starts = Arrays.copyOf(starts, count * 2);
                }
                starts[count++] = start;
                opening += keyWindows != null && keyWindows.containsKey(start) ? 0 : 1;
            }
        }
        if (count == 0) {
            out.add(late(event));
            return;
        }
        reserve(opening, event);
        for (int i = count - 1; i >= 0; i--) {
            long start = starts[i];
            OpenWindow window = keyWindows == null ? null : keyWindows.get(start);
            if (window == null) {
                window = new OpenWindow(event.key(), start, start + size, newAccumulators());
                index(window);
                keyWindows = windowsByKey.get(event.key());
            }
            addTo(window, event, out);
        }
    }

    private void assignToSession(StreamEvent event, List<WindowOutput> out) {
        long start = event.eventTime();
        long end = start + gap;
        TreeMap<Long, OpenWindow> keyWindows = windowsByKey.get(event.key());
        List<OpenWindow> overlapping = new ArrayList<>(1);
        // Sessions of a key never overlap, so their ends ascend with their starts.
        for (Map.Entry<Long, OpenWindow> e = keyWindows == null ? null : keyWindows.lowerEntry(end); e != null;
             e = keyWindows.lowerEntry(e.getKey())) {
            if (e.getValue().end <= start) {
                break;
            }
            overlapping.add(0, e.getValue());
        }
        Accumulator[] accumulators;
        if (overlapping.isEmpty()) {
            if (isClosed(end)) {
                out.add(late(event));
                return;
            }
            reserve(1, event);
            accumulators = newAccumulators();
        } else {
            start = Math.min(start, overlapping.get(0).start);
            end = Math.max(end, overlapping.get(overlapping.size() - 1).end);
            accumulators = overlapping.get(0).accumulators;
            for (OpenWindow w : overlapping) {
                unindex(w);
                if (w.accumulators != accumulators) {
                    for (int i = 0; i < accumulators.length; i++) {
                        accumulators[i].merge(w.accumulators[i]);
                    }
                }
            }
        }
        OpenWindow session = new OpenWindow(event.key(), start, end, accumulators);
        index(session);
        addTo(session, event, out);
    }

    private void addTo(OpenWindow window, StreamEvent event, List<WindowOutput> out) {
        for (Accumulator acc : window.accumulators) {
            acc.add(event);
        }
        if (window.fired) {
            out.add(result(window, Kind.LATE_UPDATE));
        } else {
            markChanged(window);
        }
    }

    private void reserve(int opening, StreamEvent event) {
        if (open.size() + opening > settings.maxOpenWindows()) {
            throw new WindowLimitExceededException("too many open windows: " + open.size() + " are open, the limit is "
                    + settings.maxOpenWindows() + ", and the event for key '" + event.key() + "' at event time "
                    + event.eventTime() + " would open " + opening + " more");
        }
    }

    private LateEvent late(StreamEvent event) {
        return new LateEvent(event, "event time " + event.eventTime() + " is too late: the watermark (" + watermark
                + ") has passed the end of every window of the event plus the allowed lateness (" + lateness + " ms)");
    }

    private boolean isClosed(long windowEnd) {
        return closesAt(windowEnd) <= watermark;
    }

    private long closesAt(long windowEnd) {
        long at = windowEnd + lateness;
        return at < windowEnd ? Long.MAX_VALUE : at;
    }

    private boolean isIdle(Partition partition) {
        return processingTime - partition.lastActivity >= idleTimeout;
    }

    private void advanceWatermark(List<WindowOutput> out) {
        long leastActive = Long.MAX_VALUE;
        long greatest = Long.MIN_VALUE;
        boolean anyActive = false;
        for (Partition p : partitions.values()) {
            long partitionWatermark = p.watermark(outOfOrderness);
            greatest = Math.max(greatest, partitionWatermark);
            if (!isIdle(p)) {
                anyActive = true;
                leastActive = Math.min(leastActive, partitionWatermark);
            }
        }
        long candidate = anyActive ? leastActive : greatest;
        if (candidate > watermark) {
            watermark = candidate;
            fireDue(out);
        }
    }

    /**
     * Fires and closes what the watermark has reached, one end at a time: the windows of one end
     * are due together (ON_TIME at the end, FINAL at end + lateness; ON_TIME first when both are
     * due at once), and go out by start, then key.
     */
    private void fireDue(List<WindowOutput> out) {
        while (true) {
            long fireEnd = unfired.firstEnd();
            long closeEnd = open.firstEnd();
            boolean fire = !unfired.isEmpty() && fireEnd <= watermark;
            boolean close = !open.isEmpty() && closesAt(closeEnd) <= watermark;
            if (fire && (!close || fireEnd <= closesAt(closeEnd))) {
                for (OpenWindow w : unfired.takeFirst()) {
                    changed.remove(w);
                    w.fired = true;
                    w.changed = false;
                    out.add(result(w, Kind.ON_TIME));
                }
            } else if (close) {
                for (OpenWindow w : open.takeFirst()) {
                    unindex(w);
                    out.add(result(w, Kind.FINAL));
                }
            } else {
                return;
            }
        }
    }

    private Accumulator[] newAccumulators() {
        List<AggregateSpec> aggregates = settings.aggregates();
        Accumulator[] accumulators = new Accumulator[aggregates.size()];
        for (int i = 0; i < accumulators.length; i++) {
            accumulators[i] = Accumulator.create(aggregates.get(i));
        }
        return accumulators;
    }

    /** Adds a window to the indexes; one whose end the watermark has passed counts as fired. */
    private void index(OpenWindow window) {
        windowsByKey.computeIfAbsent(window.key, k -> new TreeMap<>()).put(window.start, window);
        open.add(window);
        if (window.end <= watermark) {
            window.fired = true;
        }
        if (!window.fired) {
            unfired.add(window);
        }
    }

    private void unindex(OpenWindow window) {
        TreeMap<Long, OpenWindow> keyWindows = windowsByKey.get(window.key);
        keyWindows.remove(window.start);
        if (keyWindows.isEmpty()) {
            windowsByKey.remove(window.key);
        }
        open.remove(window);
        unfired.remove(window);
        changed.remove(window);
    }

    private void markChanged(OpenWindow window) {
        window.changed = true;
        if (earlyEvery > 0) {
            changed.add(window);
        }
    }

    private WindowResult result(OpenWindow window, Kind kind) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < window.accumulators.length; i++) {
            values.put(settings.aggregates().get(i).as(), window.accumulators[i].result());
        }
        return new WindowResult(window.key, window.start, window.end, kind, Collections.unmodifiableMap(values));
    }

    /**
     * Windows in buckets by their end, each bucket an unordered list; a window knows its place in
     * its bucket (one place per index: the open and the unfired), so it leaves in constant time.
     */
    private static final class EndBuckets {
        private final TreeMap<Long, ArrayList<OpenWindow>> byEnd = new TreeMap<>();
        private final boolean isOpen;
        private int size;

        EndBuckets(boolean isOpen) {
            this.isOpen = isOpen;
        }

        int size() {
            return size;
        }

        boolean isEmpty() {
            return size == 0;
        }

        /** The least end of a window held; meaningless when empty. */
        long firstEnd() {
            return size == 0 ? Long.MAX_VALUE : byEnd.firstKey();
        }

        void add(OpenWindow w) {
            ArrayList<OpenWindow> bucket = byEnd.computeIfAbsent(w.end, end -> new ArrayList<>());
            setPlace(w, bucket.size());
            bucket.add(w);
            size++;
        }

        void remove(OpenWindow w) {
            int place = place(w);
            if (place < 0) {
                return;
            }
            ArrayList<OpenWindow> bucket = byEnd.get(w.end);
            OpenWindow last = bucket.remove(bucket.size() - 1);
            if (last != w) {
                bucket.set(place, last);
                setPlace(last, place);
            }
            if (bucket.isEmpty()) {
                byEnd.remove(w.end);
            }
            setPlace(w, -1);
            size--;
        }

        /** Removes the windows of the least end and returns them by start, then key. */
        List<OpenWindow> takeFirst() {
            ArrayList<OpenWindow> bucket = byEnd.pollFirstEntry().getValue();
            for (OpenWindow w : bucket) {
                setPlace(w, -1);
            }
            size -= bucket.size();
            bucket.sort(BY_START);
            return bucket;
        }

        private int place(OpenWindow w) {
            return isOpen ? w.openPlace : w.unfiredPlace;
        }

        private void setPlace(OpenWindow w, int place) {
            if (isOpen) {
                w.openPlace = place;
            } else {
                w.unfiredPlace = place;
            }
        }
    }

    private static final class Partition {
        long maxEventTime = Long.MIN_VALUE;
        long lastActivity;

        Partition(long lastActivity) {
            this.lastActivity = lastActivity;
        }

        long watermark(long outOfOrderness) {
            return maxEventTime < Long.MIN_VALUE + outOfOrderness ? Long.MIN_VALUE : maxEventTime - outOfOrderness;
        }
    }

    /** One key's window and its accumulators; its bounds never change (a merge makes a new one). */
    private static final class OpenWindow {
        final String key;
        final long start;
        final long end;
        final Accumulator[] accumulators;
        boolean fired;
        boolean changed;
        /** Its place in its bucket of the open windows and of the unfired ones; -1 when not there. */
        int openPlace = -1;
        int unfiredPlace = -1;

        OpenWindow(String key, long start, long end, Accumulator[] accumulators) {
            this.key = key;
            this.start = start;
            this.end = end;
            this.accumulators = accumulators;
        }
    }
}
