package io.strata.bench;

import io.strata.bench.jmh.BenchFigure;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JMH benchmarks of the bench module as figures and anchors: the benchmark methods JMH's
 * annotation processor listed ({@code META-INF/BenchmarkList}), each named by its
 * {@link BenchFigure}, one entry per value of its {@code @Param} (a benchmark class may have one).
 * Selects what a run includes (a figure always with its anchor) and maps JMH's results back to
 * figure names. Immutable.
 */
final class JmhCatalog {

    /**
     * One figure or anchor.
     *
     * @param figure its name, {@code {param}} filled in
     * @param anchor its anchor's name, or empty for an anchor
     * @param benchmark the JMH benchmark, {@code class.method}
     * @param param the name of its {@code @Param}, or null
     * @param value the value of its {@code @Param}, or null
     */
    record Entry(String figure, String anchor, String benchmark, String param, String value) {

        boolean isAnchor() {
            return anchor.isEmpty();
        }
    }

    private final List<Entry> entries;

    private JmhCatalog(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The benchmarks on this JVM's classpath. */
    static JmhCatalog load() {
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
        List<Entry> entries = new ArrayList<>();
        for (BenchmarkListEntry listed : BenchmarkList.defaultList().getAll(OutputFormatFactory.createFormatInstance(silent,
                VerboseMode.SILENT), List.of())) {
            BenchFigure named = annotation(listed);
            Map<String, String[]> params = listed.getParams().hasValue() ? listed.getParams().get() : Map.of();
            if (params.size() > 1) {
                throw new IllegalStateException(listed.getUsername() + ": a benchmark class may have one @Param, has " + params.keySet());
            }
            if (params.isEmpty()) {
                entries.add(new Entry(named.name(), named.anchor(), listed.getUsername(), null, null));
            }
            params.forEach((param, values) -> {
                for (String value : values) {
                    String placeholder = "{" + param + "}";
                    entries.add(new Entry(named.name().replace(placeholder, value), named.anchor().replace(placeholder, value),
                            listed.getUsername(), param, value));
                }
            });
        }
        return new JmhCatalog(entries);
    }

    private static BenchFigure annotation(BenchmarkListEntry listed) {
        try {
            Class<?> type = Class.forName(listed.getUserClassQName());
            String method = listed.getUsername().substring(listed.getUsername().lastIndexOf('.') + 1);
            for (Method m : type.getMethods()) {
                if (m.getName().equals(method) && m.isAnnotationPresent(Benchmark.class)) {
                    BenchFigure named = m.getAnnotation(BenchFigure.class);
                    if (named == null) {
                        throw new IllegalStateException(listed.getUsername() + " has no @BenchFigure: name its figure and anchor");
                    }
                    return named;
                }
            }
            throw new IllegalStateException("no @Benchmark method " + listed.getUsername());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("benchmark class " + listed.getUserClassQName() + " is not on the classpath", e);
        }
    }

    List<Entry> entries() {
        return entries;
    }

    /**
     * The entries whose figure or JMH benchmark name any of {@code includes} finds (all when none is
     * given), each figure's anchor with it, in catalog order.
     */
    List<Entry> select(List<Pattern> includes) {
        Set<Entry> chosen = new LinkedHashSet<>();
        for (Entry e : entries) {
            if (includes.isEmpty() || includes.stream().anyMatch(p -> p.matcher(e.figure()).find() || p.matcher(e.benchmark()).find())) {
                chosen.add(e);
                if (!e.isAnchor()) {
                    chosen.add(byFigure(e.anchor()));
                }
            }
        }
        return entries.stream().filter(chosen::contains).toList();
    }

    private Entry byFigure(String figure) {
        return entries.stream().filter(e -> e.figure().equals(figure)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no benchmark measures the anchor " + figure));
    }

    /** JMH's include patterns for {@code selected}: each benchmark method, exactly. */
    static List<String> includePatterns(List<Entry> selected) {
        return selected.stream().map(e -> "^" + Pattern.quote(e.benchmark()) + "$").distinct().toList();
    }

    /** The {@code @Param} values {@code selected} needs, by parameter name (JMH applies them to every benchmark having that parameter). */
    static Map<String, String[]> params(List<Entry> selected) {
        Map<String, Set<String>> values = new LinkedHashMap<>();
        for (Entry e : selected) {
            if (e.param() != null) {
                values.computeIfAbsent(e.param(), p -> new LinkedHashSet<>()).add(e.value());
            }
        }
        Map<String, String[]> params = new LinkedHashMap<>();
        values.forEach((param, set) -> params.put(param, set.toArray(new String[0])));
        return params;
    }

    /** The entry JMH measured with {@code params}. */
    Entry of(BenchmarkParams params) {
        for (Entry e : entries) {
            if (e.benchmark().equals(params.getBenchmark()) && (e.param() == null || e.value().equals(params.getParam(e.param())))) {
                return e;
            }
        }
        throw new IllegalStateException("JMH ran " + params.getBenchmark() + " " + params.getParamsKeys() + ", which the catalog lacks");
    }
}
