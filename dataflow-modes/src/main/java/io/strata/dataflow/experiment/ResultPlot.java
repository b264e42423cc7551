package io.strata.dataflow.experiment;

import io.strata.dataflow.experiment.ExperimentResult.Latency;
import io.strata.dataflow.experiment.ExperimentResult.TimePoint;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Renders experiment results as one SVG image, written as text so it needs no fonts or graphics
 * libraries: (a) latency p50 / p95 / p99 per result on a log axis, (b) the measured failure rate
 * per result with the predicted rate (rpc) as a dashed marker, (c) the backlog over time and
 * (d) the failures per interval over time. Each result keeps one colour in every panel; db, rpc
 * and bus always get the same colours, so plots of different runs read alike.
 *
 * <p>Bars carry {@code class} and {@code data-mode} attributes so the image can be checked by
 * machine as well as by eye.
 */
public final class ResultPlot {

    private static final int WIDTH = 960;
    private static final int HEIGHT = 860;

    private static final String[] PALETTE = {
            "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
            "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    private static final Map<String, Integer> MODE_COLOUR = Map.of("db", 0, "rpc", 1, "bus", 2);

    private static final String[] PERCENTILES = {"p50", "p95", "p99"};
    /** p50 lightest, p99 solid: the eye reads the group as one mode rising to its tail. */
    private static final double[] PERCENTILE_OPACITY = {0.4, 0.7, 1.0};

    private ResultPlot() {}

    /** A plot area: left, right, top and bottom in pixels. */
    private record Area(double left, double right, double top, double bottom) {
        double width() {
            return right - left;
        }

        double height() {
            return bottom - top;
        }
    }

    /** Returns the SVG document for the results, headed by the title. */
    public static String render(List<ExperimentResult> results, String title) {
        List<String> colours = colours(results);
        List<String> labels = labels(results);
        StringBuilder svg = new StringBuilder();
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"11\">\n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
                WIDTH, HEIGHT));
        text(svg, WIDTH / 2.0, 26, "middle", "font-size=\"16\" font-weight=\"bold\"",
                title == null ? "" : title);
        legend(svg, labels, colours);
        if (results.isEmpty()) {
            text(svg, WIDTH / 2.0, HEIGHT / 2.0, "middle", "", "no experiments");
        } else {
            latencyPanel(svg, results, labels, colours, new Area(80, 600, 110, 330));
            failurePanel(svg, results, labels, colours, new Area(690, 930, 110, 330));
            double seconds = timelineSeconds(results);
            timelinePanel(svg, "Backlog (lag) over time", "records", results, colours,
                    new Area(80, 930, 410, 580), seconds, p -> p.lag() == null ? null : (double) p.lag(),
                    "no backlog measured (rpc has none)");
            timelinePanel(svg, "Failures per interval", "failures", results, colours,
                    new Area(80, 930, 650, 810), seconds, p -> (double) p.failed(), "no timeline");
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** The colour of each result: its mode's own colour the first time, otherwise one not yet used. */
    static List<String> colours(List<ExperimentResult> results) {
        Set<Integer> used = new HashSet<>();
        List<String> colours = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            Integer preferred = MODE_COLOUR.get(ResultTable.text(results.get(i).mode()));
            int index;
            if (preferred != null && !used.contains(preferred)) {
                index = preferred;
            } else {
                index = firstUnused(used, i);
            }
            used.add(index);
            colours.add(PALETTE[index]);
        }
        return colours;
    }

    /** The first palette colour not used yet, after the three reserved for the modes where possible. */
    private static int firstUnused(Set<Integer> used, int fallback) {
        for (int offset = 0; offset < PALETTE.length; offset++) {
            int index = (offset + MODE_COLOUR.size()) % PALETTE.length;
            if (!used.contains(index)) {
                return index;
            }
        }
        return fallback % PALETTE.length;
    }

    /** The mode of each result, numbered where a mode appears more than once. */
    static List<String> labels(List<ExperimentResult> results) {
        Map<String, Integer> seen = new HashMap<>();
        for (ExperimentResult r : results) {
            seen.merge(ResultTable.text(r.mode()), 1, Integer::sum);
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            String mode = ResultTable.text(results.get(i).mode());
            labels.add(seen.get(mode) > 1 ? mode + " #" + (i + 1) : mode);
        }
        return labels;
    }

    private static void legend(StringBuilder svg, List<String> labels, List<String> colours) {
        double x = 80;
        double y = 52;
        for (int i = 0; i < labels.size(); i++) {
            // no font metrics on a headless machine: a generous guess of 7 px a character
            double width = 30 + 7 * labels.get(i).length();
            if (x + width > WIDTH - 30) {
                x = 80;
                y += 18;
            }
            rect(svg, x, y - 10, 14, 12, colours.get(i), 1.0, "legend", labels.get(i), labels.get(i));
            text(svg, x + 20, y, "start", "", labels.get(i));
            x += width;
        }
        text(svg, WIDTH - 30, y + 18, "end", "fill=\"#555\" font-size=\"10\"",
                "latency bars: p50 / p95 / p99 (light to solid); dashed marker: predicted failure rate (rpc)");
    }

    private static void latencyPanel(StringBuilder svg, List<ExperimentResult> results, List<String> labels,
                                     List<String> colours, Area area) {
        panelTitle(svg, area, "End-to-end latency p50 / p95 / p99");
        double min = Double.MAX_VALUE;
        double max = 0;
        for (ExperimentResult r : results) {
            for (double v : percentiles(r.latencyMs())) {
                if (v > 0 && Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        // from the decade of the fastest answer (1 ms at most, 1 us at least) to 10 s or the slowest answer
        int low = max == 0 ? 0 : Math.max(-3, Math.min(0, (int) Math.floor(Math.log10(min))));
        int high = max == 0 ? 4 : Math.min(9, Math.max(4, (int) Math.ceil(Math.log10(max))));
        for (int decade = low; decade <= high; decade++) {
            double y = logY(Math.pow(10, decade), low, high, area);
            gridline(svg, area, y, msLabel(decade));
        }
        axisTitle(svg, area, "ms (log scale)");
        double group = area.width() / results.size();
        double bar = Math.min(36, group * 0.8 / 3);
        for (int i = 0; i < results.size(); i++) {
            double centre = area.left() + group * (i + 0.5);
            Latency latency = results.get(i).latencyMs();
            text(svg, centre, area.bottom() + 28, "middle", "font-weight=\"bold\"", labels.get(i));
            if (latency == null) {
                text(svg, centre, area.bottom() - 6, "middle", "fill=\"#555\"", "no answers");
                continue;
            }
            double[] values = percentiles(latency);
            for (int k = 0; k < values.length; k++) {
                double x = centre - 1.5 * bar + k * bar;
                double top = logY(values[k], low, high, area);
                rect(svg, x + 1, top, bar - 2, area.bottom() - top, colours.get(i), PERCENTILE_OPACITY[k],
                        "latency-bar", labels.get(i),
                        labels.get(i) + " " + PERCENTILES[k] + " " + ResultTable.ms(values[k]) + " ms");
                valueLabel(svg, x + bar / 2, top - 3, bar, ResultTable.ms(values[k]));
                text(svg, x + bar / 2, area.bottom() + 12, "middle", "font-size=\"8\" fill=\"#555\"",
                        PERCENTILES[k]);
            }
        }
        axes(svg, area);
    }

    private static double[] percentiles(Latency latency) {
        return latency == null ? new double[0] : new double[]{latency.p50(), latency.p95(), latency.p99()};
    }

    /** The height of a value on the log axis; zero and anything below the axis sit on the baseline. */
    private static double logY(double v, int low, int high, Area area) {
        if (!(v > 0) || !Double.isFinite(v)) {
            return area.bottom();
        }
        double fraction = (Math.log10(v) - low) / (high - low);
        return area.bottom() - Math.max(0, Math.min(1, fraction)) * area.height();
    }

    private static String msLabel(int decade) {
        return decade < 3
                ? plain(Math.pow(10, decade)) + " ms"
                : plain(Math.pow(10, decade - 3)) + " s";
    }

    private static void failurePanel(StringBuilder svg, List<ExperimentResult> results, List<String> labels,
                                     List<String> colours, Area area) {
        panelTitle(svg, area, "Failure rate");
        double max = 0;
        for (ExperimentResult r : results) {
            max = Math.max(max, finiteOrZero(r.failureRate()));
            if (r.predictedFailureRate() != null) {
                max = Math.max(max, finiteOrZero(r.predictedFailureRate()));
            }
        }
        double top = niceCeiling(max * 100);
        for (int tick = 0; tick <= 5; tick++) {
            double percent = top * tick / 5;
            gridline(svg, area, linearY(percent, top, area), plain(percent) + "%");
        }
        axisTitle(svg, area, "failed / requests");
        double group = area.width() / results.size();
        double bar = Math.min(40, group * 0.6);
        for (int i = 0; i < results.size(); i++) {
            ExperimentResult r = results.get(i);
            double centre = area.left() + group * (i + 0.5);
            double y = linearY(finiteOrZero(r.failureRate()) * 100, top, area);
            rect(svg, centre - bar / 2, y, bar, area.bottom() - y, colours.get(i), 1.0,
                    "failure-bar", labels.get(i), labels.get(i) + " " + ResultTable.percent(r.failureRate()));
            valueLabel(svg, centre, y - 3, bar, ResultTable.percent(r.failureRate()));
            text(svg, centre, area.bottom() + 14, "middle", "font-weight=\"bold\"", labels.get(i));
            if (r.predictedFailureRate() != null) {
                double py = linearY(finiteOrZero(r.predictedFailureRate()) * 100, top, area);
                svg.append(String.format(Locale.ROOT,
                        "<line class=\"predicted\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                + "stroke=\"black\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>\n",
                        centre - bar / 2 - 5, py, centre + bar / 2 + 5, py));
                text(svg, centre, area.bottom() + 27, "middle", "font-size=\"9\" fill=\"#555\"",
                        "pred " + ResultTable.percent(r.predictedFailureRate()));
            }
        }
        axes(svg, area);
    }

    private static double linearY(double v, double top, Area area) {
        return area.bottom() - Math.max(0, Math.min(1, v / top)) * area.height();
    }

    /** The seconds the time axis spans: the latest interval start of any result, at least one. */
    private static double timelineSeconds(List<ExperimentResult> results) {
        long maxMs = 0;
        for (ExperimentResult r : results) {
            for (TimePoint p : ResultTable.points(r)) {
                maxMs = Math.max(maxMs, p.tMs());
            }
        }
        return Math.max(1, maxMs / 1000.0);
    }

    private static void timelinePanel(StringBuilder svg, String title, String unit, List<ExperimentResult> results,
                                      List<String> colours, Area area, double seconds,
                                      Function<TimePoint, Double> value, String empty) {
        panelTitle(svg, area, title);
        List<List<double[]>> series = new ArrayList<>();
        double max = 0;
        for (ExperimentResult r : results) {
            List<double[]> points = new ArrayList<>();
            for (TimePoint p : ResultTable.points(r)) {
                Double v = value.apply(p);
                if (v != null && Double.isFinite(v)) {
                    points.add(new double[]{p.tMs() / 1000.0, v});
                    max = Math.max(max, v);
                }
            }
            series.add(points);
        }
        double top = niceCeiling(max);
        for (int tick = 0; tick <= 4; tick++) {
            double v = top * tick / 4;
            gridline(svg, area, linearY(v, top, area), plain(v));
        }
        axisTitle(svg, area, unit);
        double step = niceCeiling(seconds / 10);
        for (double s = 0; s <= seconds + 1e-9; s += step) {
            double x = area.left() + s / seconds * area.width();
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n",
                    x, area.bottom(), x, area.bottom() + 4));
            text(svg, x, area.bottom() + 15, "middle", "font-size=\"10\"", plain(s) + " s");
        }
        text(svg, area.left() + area.width() / 2, area.bottom() + 30, "middle", "fill=\"#555\"",
                "seconds from start");
        boolean any = false;
        for (int i = 0; i < series.size(); i++) {
            List<double[]> points = series.get(i);
            if (points.isEmpty()) {
                continue;
            }
            any = true;
            StringBuilder coordinates = new StringBuilder();
            for (double[] p : points) {
                coordinates.append(String.format(Locale.ROOT, "%.1f,%.1f ",
                        area.left() + p[0] / seconds * area.width(), linearY(p[1], top, area)));
            }
            svg.append(String.format(Locale.ROOT,
                    "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"%s\"/>\n",
                    colours.get(i), coordinates.toString().trim()));
            if (points.size() == 1) {
                // a single point draws no line; a dot shows it is there
                String[] xy = coordinates.toString().trim().split(",");
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"/>\n",
                        xy[0], xy[1], colours.get(i)));
            }
        }
        if (!any) {
            text(svg, area.left() + area.width() / 2, area.top() + area.height() / 2, "middle", "fill=\"#555\"",
                    empty);
        }
        axes(svg, area);
    }

    /** The smallest of 1, 2 or 5 times a power of ten at or above v; 1 for nothing to show. */
    static double niceCeiling(double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        double fraction = v / power;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }

    private static double finiteOrZero(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    /** A number without trailing zeros or exponent: 0.1, 2.5, 10000. */
    private static String plain(double v) {
        return BigDecimal.valueOf(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private static void panelTitle(StringBuilder svg, Area area, String title) {
        text(svg, area.left(), area.top() - 16, "start", "font-size=\"13\" font-weight=\"bold\"", title);
    }

    private static void axisTitle(StringBuilder svg, Area area, String title) {
        double x = area.left() - 52;
        double y = area.top() + area.height() / 2;
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\" transform=\"rotate(-90 %.1f %.1f)\">%s</text>\n",
                x, y, x, y, escape(title)));
    }

    private static void gridline(StringBuilder svg, Area area, double y, String label) {
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                area.left(), y, area.right(), y));
        text(svg, area.left() - 4, y + 4, "end", "font-size=\"10\"", label);
    }

    private static void axes(StringBuilder svg, Area area) {
        svg.append(String.format(Locale.ROOT,
                "<polyline fill=\"none\" stroke=\"#333\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n",
                area.left(), area.top(), area.left(), area.bottom(), area.right(), area.bottom()));
    }

    /** A value above its bar, turned upright where the bar is too narrow for it to fit across. */
    private static void valueLabel(StringBuilder svg, double x, double y, double barWidth, String value) {
        if (barWidth >= 6 * value.length()) {
            text(svg, x, y, "middle", "font-size=\"9\"", value);
        } else {
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"start\" font-size=\"9\" transform=\"rotate(-90 %.1f %.1f)\">%s</text>\n",
                    x + 3, y, x + 3, y, escape(value)));
        }
    }

    private static void rect(StringBuilder svg, double x, double y, double width, double height, String fill,
                             double opacity, String cssClass, String mode, String tooltip) {
        svg.append(String.format(Locale.ROOT,
                "<rect class=\"%s\" data-mode=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        + "fill=\"%s\" fill-opacity=\"%.2f\"><title>%s</title></rect>\n",
                cssClass, escape(mode), x, y, Math.max(0, width), Math.max(0, height), fill, opacity, escape(tooltip)));
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String attributes, String content) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>\n",
                x, y, anchor, attributes, escape(content)));
    }

    /**
     * Text safe inside an element or a quoted attribute: the five markup characters escaped, and
     * characters XML 1.0 does not allow at all (most control characters, lone surrogates) replaced,
     * since escaping cannot make them legal.
     */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    boolean legal = c == 0x9 || c == 0xA || c == 0xD
                            || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000;
                    if (legal) {
                        out.appendCodePoint(c);
                    } else {
                        out.append('?');
                    }
                }
            }
        });
        return out.toString();
    }
}
