package io.strata.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a node's configuration from its layers, highest precedence first: explicit overrides
 * (command-line flags and {@code -D} arguments), JVM system properties, {@code CONFIG_FORCE_*}
 * environment variables, the {@code --config} file, {@code application.conf}, {@code reference.conf}.
 */
public final class NodeConfig {

    private NodeConfig() {}

    /**
     * @throws IllegalArgumentException when the file does not exist
     * @throws com.typesafe.config.ConfigException when a layer is malformed
     */
    public static Config load(Optional<Path> file, Map<String, String> overrides) {
        Config fileLayer = ConfigFactory.empty();
        if (file.isPresent()) {
            Path path = file.get();
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("config file " + path + " does not exist; check the path given to --config");
            }
            fileLayer = ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        }
        return load(fileLayer, overrides);
    }

    /** The same layers with {@code fileLayer} in the file's place, such as one node's layer of a cluster file. */
    public static Config load(Config fileLayer, Map<String, String> overrides) {
        ConfigFactory.invalidateCaches();
        return ConfigFactory.parseMap(overrides, "command line")
                .withFallback(ConfigFactory.defaultOverrides())
                .withFallback(ConfigFactory.systemEnvironmentOverrides())
                .withFallback(fileLayer)
                .withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.defaultReferenceUnresolved())
                .resolve();
    }
}
