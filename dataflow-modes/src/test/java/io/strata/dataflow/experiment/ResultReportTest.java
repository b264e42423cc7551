package io.strata.dataflow.experiment;

import io.strata.dataflow.experiment.ExperimentResult.Latency;
import io.strata.dataflow.experiment.ExperimentResult.TimePoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The presentation of experiment results: text tables, the JSON file and the SVG plot. */
class ResultReportTest {

    @TempDir
    Path dir;

    private static ExperimentResult rpc() {
        Map<String, Long> kinds = new LinkedHashMap<>();
        kinds.put("injected_fault", 35L);
        kinds.put("timeout", 4L);
        return new ExperimentResult("rpc", 4, 1000, 961, 39, 0.039, 0.0394, null,
                new Latency(12.5, 48.25, 310.0, 1530.0, 20.0, 961), null, 96.1, null, null, 2500L, kinds,
                timeline(false), List.of("B:error=0.01", "C:down=10s@5s"), "timeout=1s retries=2 breaker",
                10_000, 42);
    }

    private static ExperimentResult bus() {
        return new ExperimentResult("bus", 4, 1000, 1000, 0, 0.0, null, 1000L,
                new Latency(0.8, 1.9, 3.2, 9.0, 1.0, 1000), new Latency(40.0, 2200.0, 9800.0, 11000.0, 500.0, 1000),
                100.0, 1800L, 4200L, null, Map.of(), timeline(true), List.of("C:down=10s@5s"), null, 14_200, 42);
    }

    private static ExperimentResult db() {
        return new ExperimentResult("db", 4, 1000, 990, 10, 0.01, null, 990L,
                new Latency(3.0, 7.5, 20.0, 80.0, 4.0, 990), null,
                99.0, 950L, 2100L, null, Map.of("timeout", 10L), timeline(true), List.of("C:down=10s@5s"), null, 12_100, 42);
    }

    /** Ten one-second intervals: a backlog builds while C is down and drains after. */
    private static List<TimePoint> timeline(boolean withLag) {
        long[] lags = {0, 0, 120, 950, 1800, 1200, 400, 0, 0, 0};
        List<TimePoint> points = new ArrayList<>();
        for (int i = 0; i < lags.length; i++) {
            points.add(new TimePoint(i * 1000L, 100, 96, i == 3 ? 20 : 2, 15.0,
                    withLag ? lags[i] : null, withLag ? 100L : null));
        }
        return points;
    }

    /** Every optional field null, nothing sent. */
    private static ExperimentResult empty(String mode) {
        return new ExperimentResult(mode, 0, 0, 0, 0, 0.0, null, null, null, null, 0.0,
                null, null, null, null, null, null, null, 0, 0);
    }

    /** A run that sent nothing and divided zero by zero. */
    private static ExperimentResult nothingSent() {
        return new ExperimentResult("db", 0, 0, 0, 0, Double.NaN, null, 0L, null, null,
                Double.NaN, null, null, null, Map.of(), List.of(), List.of(), null, 0, 0);
    }

    private static String table(ExperimentResult r) {
        StringWriter text = new StringWriter();
        ResultTable.print(new PrintWriter(text), r);
        return text.toString();
    }

    private static String comparison(List<ExperimentResult> results) {
        StringWriter text = new StringWriter();
        ResultTable.printComparison(new PrintWriter(text), results);
        return text.toString();
    }

    @Test
    void tableShowsTheKeyFigures() {
        String rpc = table(rpc());
        assertTrue(rpc.contains("measured 3.90%  predicted 3.94%"), rpc);
        assertValue(rpc, "latency p99 ms", "310.0");
        assertValue(rpc, "latency max ms", "1530");
        assertValue(rpc, "failed: injected_fault", "35");
        assertValue(rpc, "throughput /s", "96.1");
        assertValue(rpc, "max lag", "-");
        assertValue(rpc, "completion p50 ms", "-");
        assertValue(rpc, "policies", "timeout=1s retries=2 breaker");

        String bus = table(bus());
        assertValue(bus, "failure rate", "0.00%");
        assertFalse(bus.contains("predicted"), bus);
        assertValue(bus, "completion p99 ms", "9800");
        assertValue(bus, "max lag", "1800");
        assertValue(bus, "drain ms", "4200");
        assertValue(bus, "lag samples", "0 0 950 1800 1200 400 0 0");
        assertValue(bus, "lag over time", "__:+@*-___");
        assertTrue(bus.chars().allMatch(c -> c < 128), "ASCII only");
    }

    @Test
    void comparisonHasAColumnPerMode() {
        String text = comparison(List.of(db(), rpc(), bus()));
        String header = text.lines().findFirst().orElseThrow();
        assertEquals(List.of("db", "rpc", "bus"), List.of(header.trim().split("\\s+")), text);
        // the columns line up: each figure sits under its mode's header
        String requests = line(text, "requests");
        assertEquals(header.length(), requests.length(), text);
        assertRow(text, "max lag", "950\\s+-\\s+1800");
        assertRow(text, "failed: timeout", "10\\s+4\\s+0");
        assertRow(text, "failed: injected_fault", "0\\s+35\\s+0");
        assertRow(text, "failure rate", "1\\.00%\\s+3\\.90%\\s+0\\.00%");
        assertRow(text, "predicted failure rate", "-\\s+3\\.94%\\s+-");
        assertRow(text, "latency p50 ms", "3\\.00\\s+12\\.5\\s+0\\.80");
    }

    @Test
    void degenerateResultsPrintDashes() {
        String text = comparison(List.of(empty("rpc")));
        assertRow(text, "latency p50 ms", "-");
        assertRow(text, "lag over time", "-");
        assertRow(text, "faults", "-");
        assertEquals("no experiments", comparison(List.of()).trim());
        assertTrue(table(empty(null)).contains("mode"));
        assertValue(table(nothingSent()), "failure rate", "-");
    }

    @Test
    void jsonRoundTrips() throws Exception {
        List<ExperimentResult> results = List.of(db(), rpc(), bus(), empty("rpc"), nothingSent());
        Path file = ResultFiles.writeJson(dir.resolve("out/results.json"), results);
        String json = Files.readString(file);
        assertTrue(json.startsWith("{"), json);
        assertTrue(json.contains("\"experiments\""), json);
        assertTrue(json.contains("\"predicted_failure_rate\""), json);
        assertTrue(json.contains("\"t_ms\""), json);
        assertTrue(json.contains("\n"), "pretty-printed");
        assertEquals(results, ResultFiles.readJson(file));
    }

    @Test
    void plotIsWellFormedWithOneBarPerMode() throws Exception {
        List<ExperimentResult> results = List.of(db(), rpc(), bus());
        Path file = ResultFiles.writePlot(dir.resolve("plot.svg"), results, "A -> B -> C -> D, C down 10s");
        Document svg = parse(Files.readString(file));
        assertEquals("svg", svg.getDocumentElement().getTagName());
        assertEquals(List.of("db", "rpc", "bus"), modes(svg, "failure-bar"));
        assertEquals(List.of("db", "db", "db", "rpc", "rpc", "rpc", "bus", "bus", "bus"), modes(svg, "latency-bar"));
        assertEquals(1, count(svg, "line", "predicted"), "one predicted marker, for rpc");
        // backlog for db and bus; failures per interval for all three
        assertEquals(5, count(svg, "polyline", "series"));
        String text = svg.getDocumentElement().getTextContent();
        assertTrue(text.contains("1 ms") && text.contains("10 s"), "log axis from 1 ms to 10 s");
        assertTrue(text.contains("3.90%"), text);
        assertTrue(text.contains("A -> B -> C -> D"), text);
    }

    @Test
    void plotIsWellFormedForDegenerateInput() throws Exception {
        ExperimentResult single = new ExperimentResult("rpc", 1, 5, 5, 0, 0.0, 0.0, null,
                new Latency(0.0, 0.0, 0.0, 0.0, 0.0, 5), null, 0.0, null, null, null, Map.of(),
                List.of(new TimePoint(0, 5, 5, 0, 0.0, null, null)), List.of(), "", 0, 0);
        List<List<ExperimentResult>> inputs = List.of(
                List.of(),
                List.of(empty("bus")),
                List.of(empty(null), empty("<db & \"x\">\u0001\uD800")),
                List.of(single),
                List.of(nothingSent(), bus()),
                List.of(rpc(), rpc(), rpc()));
        for (List<ExperimentResult> input : inputs) {
            String svg = ResultPlot.render(input, "t <&> \u0000");
            Document parsed = parse(svg);
            assertEquals(input.size(), modes(parsed, "failure-bar").size(), svg);
            assertFalse(svg.contains("NaN") || svg.contains("Infinity"), svg);
        }
        Document twice = parse(ResultPlot.render(List.of(rpc(), rpc()), null));
        assertEquals(List.of("rpc #1", "rpc #2"), modes(twice, "failure-bar"));
    }

    @Test
    void sameModeTwiceGetsDistinctColours() {
        List<ExperimentResult> results = List.of(rpc(), bus(), rpc(), db());
        List<String> colours = ResultPlot.colours(results);
        assertEquals(4, colours.stream().distinct().count(), colours.toString());
        assertEquals(ResultPlot.colours(List.of(db(), rpc(), bus())),
                ResultPlot.colours(List.of(db(), rpc(), bus(), rpc())).subList(0, 3));
    }

    /** Asserts the row's cells, after the label and its padding, match the regex. */
    private static void assertRow(String text, String label, String cells) {
        String row = line(text, label);
        assertTrue(row.matches(Pattern.quote(label) + "\\s+" + cells), "row " + label + " in\n" + text);
    }

    /** Asserts the row of a single experiment's table holds exactly the value. */
    private static void assertValue(String text, String label, String value) {
        assertRow(text, label, Pattern.quote(value));
    }

    private static String line(String text, String label) {
        return text.lines().filter(l -> l.startsWith(label + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + label + " in\n" + text)).stripTrailing();
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    /** The data-mode of every element of the class, in document order. */
    private static List<String> modes(Document svg, String cssClass) {
        List<String> modes = new ArrayList<>();
        NodeList rects = svg.getElementsByTagNameNS("*", "rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element rect = (Element) rects.item(i);
            if (cssClass.equals(rect.getAttribute("class"))) {
                modes.add(rect.getAttribute("data-mode"));
            }
        }
        return modes;
    }

    private static int count(Document svg, String tag, String cssClass) {
        NodeList elements = svg.getElementsByTagNameNS("*", tag);
        int n = 0;
        for (int i = 0; i < elements.getLength(); i++) {
            if (cssClass.equals(((Element) elements.item(i)).getAttribute("class"))) {
                n++;
            }
        }
        return n;
    }
}
