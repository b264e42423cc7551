package io.strata.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ServiceLoader;

/** The {@code ./strata} command line: {@code up}, {@code demo}, and the subcommands of other modules. */
@Command(name = "strata", mixinStandardHelpOptions = true, version = "Strata 0.1.0",
        description = {"Strata: a key-value store, columnar tables, a durable message bus and stream jobs in one node.", ""},
        commandListHeading = "%nCommands:%n",
        footer = {"", "Run './strata COMMAND --help' for a command's options."},
        subcommands = {UpCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand found on the classpath. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        for (StrataSubcommand subcommand : ServiceLoader.load(StrataSubcommand.class)) {
            commandLine.addSubcommand(subcommand);
        }
        // A mistyped option is one line that says which and where help is, not the whole usage text.
        commandLine.setParameterExceptionHandler((e, args) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            e.getCommandLine().getErr().println(command + ": " + e.getMessage() + " (see ./" + command + " --help)");
            return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        return commandLine;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
