package io.shmdma.shm.cli;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * The CLI's commands, one entry each, holding everything about the command: its name, its line in the help, the
 * options only it takes, and how it runs with its text and JSON renderers. Adding a command is adding one entry
 * here; an entry without a text or a JSON renderer does not compile, and the help, the command-line parser and
 * the dispatch all read these entries.
 */
enum Command
{
    LIST(
        "domains (processes) and their devices: pid, liveness, heartbeat age, segment size",
        CommandRunner.Show.of(TextReport::list, JsonReport::list)),

    INFO(
        "each device's information, as DPDK telemetry /dmadev/info",
        CommandRunner.Show.of(TextReport::info, JsonReport::info)),

    STATS(
        "each device's submitted, completed and errors over every vchan, as /dmadev/stats, and engine errors",
        CommandRunner.Show.of(TextReport::stats, JsonReport::stats)),

    GROUPS(
        "access pair groups: creator, members, their handlers and liveness",
        CommandRunner.Show.of(TextReport::groups, JsonReport::groups)),

    REGIONS(
        "named regions: name, owning domain, IOVA, length, publication time",
        CommandRunner.Show.of(TextReport::regions, JsonReport::regions)),

    ERRORS(
        "the shared distinct error log: count, first and last time, text",
        CommandRunner.Show.withErrorLog(TextReport::errors, JsonReport::errors)),

    WATCH(
        "list, stats and groups again every interval, until interrupted",
        new CommandRunner.Watch(TextReport::watch, JsonReport::watch),
        CliOptions.INTERVAL, CliOptions.COUNT),

    CLEAN(
        "remove the directory when every process in it is dead; while any is alive,\n" +
        "remove only the files of dead ones and refuse",
        new CommandRunner.Clean(CleanReport::text, CleanReport::json),
        CliOptions.DRY_RUN, CliOptions.IGNORE_PIDS);

    /** Width of the name column in the help. */
    private static final int HELP_NAME_WIDTH = 10;
    private static final List<Command> ALL = List.of(values());

    private final String commandName;
    private final String help;
    private final CommandRunner runner;
    private final List<String> ownOptions;

    Command(final String help, final CommandRunner runner, final String... ownOptions)
    {
        this.commandName = name().toLowerCase(Locale.ROOT);
        this.help = help;
        this.runner = runner;
        this.ownOptions = List.of(ownOptions);
    }

    /**
     * The name typed on the command line.
     *
     * @return the lower-case name, e.g. {@code list}.
     */
    String commandName()
    {
        return commandName;
    }

    /**
     * What the command does, as the help says it; lines after the first continue the description.
     *
     * @return one or more lines without a trailing newline.
     */
    String help()
    {
        return help;
    }

    /**
     * The options only this command takes, such as {@code --interval} for watch.
     *
     * @return the option names.
     */
    List<String> ownOptions()
    {
        return ownOptions;
    }

    /**
     * Runs the command.
     *
     * @param output  where results and failures go.
     * @param options the parsed command line.
     * @return the exit code.
     * @throws CliException for a failure reported in one line.
     * @throws IOException  when a file could not be read or removed.
     */
    int run(final CliOutput output, final CliOptions options) throws CliException, IOException
    {
        return runner.run(output, options);
    }

    /**
     * The command of a name.
     *
     * @param name as typed.
     * @return the command, or null when there is none of that name.
     */
    static Command byName(final String name)
    {
        for (final Command command : ALL)
        {
            if (command.commandName.equals(name))
            {
                return command;
            }
        }
        return null;
    }

    /**
     * The command that alone takes an option.
     *
     * @param option an option name such as {@code --dry-run}.
     * @return the command, or null when the option belongs to no single command.
     */
    static Command owning(final String option)
    {
        for (final Command command : ALL)
        {
            if (command.ownOptions.contains(option))
            {
                return command;
            }
        }
        return null;
    }

    /**
     * The "Commands:" section of the help: each name, then its description aligned, continuation lines indented.
     *
     * @return the lines, each ending in a newline.
     */
    static String helpSection()
    {
        final StringBuilder sb = new StringBuilder();
        final String indent = " ".repeat(2 + HELP_NAME_WIDTH);
        for (final Command command : ALL)
        {
            final String[] lines = command.help.split("\n");
            sb.append("  ").append(String.format(Locale.ROOT, "%-" + HELP_NAME_WIDTH + "s", command.commandName))
                .append(lines[0]).append('\n');
            for (int i = 1; i < lines.length; i++)
            {
                sb.append(indent).append(lines[i]).append('\n');
            }
        }
        return sb.toString();
    }
}
