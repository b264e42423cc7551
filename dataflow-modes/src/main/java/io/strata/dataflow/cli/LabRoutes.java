package io.strata.dataflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.strata.dataflow.experiment.Experiment;
import io.strata.dataflow.experiment.ExperimentResult;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.node.http.ErrorHandling;
import io.strata.node.http.Json;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The lab's HTTP API: experiments started with {@code POST /experiments} run one at a time in the
 * background; {@code GET /experiments/ID} shows their state and, when done, their results. The
 * request's fields are {@code ./strata experiment}'s options (snake_case or kebab-case; lists for
 * {@code fault}; {@code true} for flags), parsed by the same code, so bad input gets the same
 * message, here as 400 {@code invalid_experiment}.
 */
final class LabRoutes {

    static final Config CONFIG = ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING")
            .withFallback(ConfigFactory.load());

    private final String nodeBase;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "strata-lab-runner");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicReference<Integer> running = new AtomicReference<>();
    private final Map<Integer, ObjectNode> runs = new ConcurrentHashMap<>();

    LabRoutes(String nodeBase) {
        this.nodeBase = nodeBase;
    }

    CompletionStage<ServerBinding> bind(ActorSystem<?> system, int port) {
        return Http.get(system).newServerAt("127.0.0.1", port).bind(route());
    }

    Route route() {
        AllDirectives d = new AllDirectives() {};
        return d.handleExceptions(ErrorHandling.exceptionHandler(), () -> d.handleRejections(ErrorHandling.rejectionHandler(), () ->
                d.pathPrefix("experiments", () -> d.concat(
                        d.pathEndOrSingleSlash(() -> d.concat(
                                d.post(() -> d.entity(Unmarshaller.entityToByteArray(), body -> d.complete(start(body)))),
                                d.get(() -> d.complete(Json.ok(Map.of("experiments", List.copyOf(runs.values()))))))),
                        d.path(org.apache.pekko.http.javadsl.server.PathMatchers.integerSegment(), id -> d.get(() -> d.complete(show(id))))))));
    }

    private HttpResponse start(byte[] body) {
        List<ExperimentSpec> specs;
        ExperimentOptions options = new ExperimentOptions();
        try {
            new CommandLine(options).parseArgs(toArgs(Json.parse(body)));
            specs = options.specs();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            return Json.error(StatusCodes.BAD_REQUEST, "invalid_experiment", e.getMessage());
        }
        int id = ids.incrementAndGet();
        if (!running.compareAndSet(null, id)) {
            return Json.error(StatusCodes.CONFLICT, "experiment_running",
                    "experiment " + running.get() + " is still running; the lab runs one at a time so they do not disturb each other");
        }
        ObjectNode run = JsonNodeFactory.instance.objectNode().put("id", id).put("status", "running");
        runs.put(id, run);
        runner.execute(() -> {
            try {
                Experiment experiment = new Experiment(nodeBase, line -> {});
                if (options.processes) {
                    experiment = experiment.inProcesses(java.nio.file.Files.createDirectories(ExperimentCommand.defaultDir()));
                }
                List<ExperimentResult> results = new ArrayList<>();
                for (ExperimentSpec spec : specs) {
                    results.add(experiment.run(spec));
                }
                run.set("experiments", Json.MAPPER.valueToTree(results));
                run.put("status", "done");
            } catch (Exception e) {
                run.put("status", "failed").put("error", String.valueOf(e));
            } finally {
                running.set(null);
            }
        });
        return Json.response(StatusCodes.ACCEPTED, run);
    }

    private HttpResponse show(int id) {
        ObjectNode run = runs.get(id);
        return run == null ? Json.error(StatusCodes.NOT_FOUND, "experiment_not_found", "no experiment " + id)
                : Json.ok(run);
    }

    /** The JSON fields as command-line options: {@code {"hops":4,"breaker":true,"fault":["C:down=10s"]}} → {@code --hops 4 --breaker --fault C:down=10s}. */
    static String[] toArgs(JsonNode json) {
        if (!json.isObject()) {
            throw new IllegalArgumentException("an experiment is a JSON object of ./strata experiment's options, such as {\"mode\":\"rpc\",\"hops\":4}");
        }
        List<String> args = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = json.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String option = "--" + field.getKey().replace('_', '-');
            JsonNode value = field.getValue();
            if (value.isBoolean()) {
                if (value.asBoolean()) {
                    args.add(option);
                }
            } else if (value.isArray()) {
                value.forEach(item -> {
                    args.add(option);
                    args.add(item.asText());
                });
            } else if (value.isValueNode() && !value.isNull()) {
                args.add(option);
                args.add(value.asText());
            } else {
                throw new IllegalArgumentException("the field '" + field.getKey() + "' must be a number, a string, a boolean or a list of strings");
            }
        }
        return args.toArray(String[]::new);
    }
}
