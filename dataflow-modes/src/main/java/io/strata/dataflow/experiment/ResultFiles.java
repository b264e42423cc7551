package io.strata.dataflow.experiment;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes experiment results to files: the figures as JSON ({@code {"experiments":[...]}}, snake_case,
 * pretty-printed) and as an SVG plot ({@link ResultPlot}). Parent folders are created as needed.
 */
public final class ResultFiles {

    private static final String EXPERIMENTS = "experiments";

    // a NaN rate (a run that sent nothing) is written as the string "NaN", which reads back as NaN
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private static final TypeReference<List<ExperimentResult>> RESULTS = new TypeReference<>() {};

    private ResultFiles() {}

    /** Writes the results as {@code {"experiments":[...]}} and returns the file. */
    public static Path writeJson(Path file, List<ExperimentResult> results) throws IOException {
        ObjectNode document = MAPPER.createObjectNode();
        document.set(EXPERIMENTS, MAPPER.valueToTree(results));
        createParent(file);
        MAPPER.writeValue(file.toFile(), document);
        return file;
    }

    /** Reads back what {@link #writeJson} wrote. */
    public static List<ExperimentResult> readJson(Path file) throws IOException {
        JsonNode experiments = MAPPER.readTree(file.toFile()).get(EXPERIMENTS);
        if (experiments == null || !experiments.isArray()) {
            throw new IOException(file + ": no \"" + EXPERIMENTS + "\" array");
        }
        return MAPPER.convertValue(experiments, RESULTS);
    }

    /** Writes the results as an SVG image (see {@link ResultPlot}) and returns the file. */
    public static Path writePlot(Path file, List<ExperimentResult> results, String title) throws IOException {
        createParent(file);
        Files.writeString(file, ResultPlot.render(results, title), StandardCharsets.UTF_8);
        return file;
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
