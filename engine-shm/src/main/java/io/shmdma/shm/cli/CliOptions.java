package io.shmdma.shm.cli;

import io.shmdma.shm.ShmConfiguration;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line, parsed: one command and its options, which may come before or after it, as
 * {@code --name value} or {@code --name=value}.
 */
final class CliOptions
{
    /** Option of watch: time between refreshes. */
    static final String INTERVAL = "--interval";
    /** Option of watch: stop after this many refreshes. */
    static final String COUNT = "--count";
    /** Option of clean: show what would be removed, remove nothing. */
    static final String DRY_RUN = "--dry-run";
    /** Option of clean: judge liveness by heartbeat alone. */
    static final String IGNORE_PIDS = "--ignore-pids";

    Command command;
    Path dir = ShmConfiguration.dir();
    boolean json;
    boolean help;
    long livenessTimeoutMs = TimeUnit.NANOSECONDS.toMillis(ShmConfiguration.livenessTimeoutNs());
    long intervalMs = 1000;
    long count;
    boolean dryRun;
    boolean ignorePids;

    private CliOptions()
    {
    }

    /**
     * Parses the arguments.
     *
     * @param args the command line.
     * @return the options; {@link #help} set when help was asked for.
     * @throws CliException with {@link ShmdmaCli#EXIT_USAGE} for anything not understood.
     */
    static CliOptions parse(final String[] args) throws CliException
    {
        final CliOptions options = new CliOptions();
        final List<String> commandOptions = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            final int equals = arg.indexOf('=');
            final String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
            final String inlineValue = arg.startsWith("--") && equals > 0 ? arg.substring(equals + 1) : null;
            switch (name)
            {
                case "-h":
                case "--help":
                case "help":
                    options.help = true;
                    break;
                case "--json":
                    options.json = true;
                    break;
                case DRY_RUN:
                    options.dryRun = true;
                    commandOptions.add(name);
                    break;
                case IGNORE_PIDS:
                    options.ignorePids = true;
                    commandOptions.add(name);
                    break;
                case "--dir":
                    options.dir = Path.of(inlineValue != null ? inlineValue : next(args, ++i, name));
                    break;
                case "--liveness-timeout":
                    options.livenessTimeoutMs =
                        positive(name, inlineValue != null ? inlineValue : next(args, ++i, name));
                    break;
                case INTERVAL:
                    options.intervalMs = positive(name, inlineValue != null ? inlineValue : next(args, ++i, name));
                    commandOptions.add(name);
                    break;
                case COUNT:
                    options.count = positive(name, inlineValue != null ? inlineValue : next(args, ++i, name));
                    commandOptions.add(name);
                    break;
                default:
                    if (arg.startsWith("-"))
                    {
                        throw usage("unknown option " + arg);
                    }
                    final Command command = Command.byName(arg);
                    if (null == command)
                    {
                        throw usage("unknown command '" + arg + "'");
                    }
                    if (options.command != null)
                    {
                        throw usage("one command at a time: '" + options.command.commandName() + "' and '" +
                            arg + "'");
                    }
                    options.command = command;
            }
        }
        options.dir = options.dir.toAbsolutePath().normalize();
        if (options.help)
        {
            return options;
        }
        if (options.command == null)
        {
            throw usage("no command given");
        }
        for (final String option : commandOptions)
        {
            if (!options.command.ownOptions().contains(option))
            {
                throw usage(option + " is for " + Command.owning(option).commandName() + " only");
            }
        }
        return options;
    }

    /**
     * The liveness timeout in nanoseconds.
     *
     * @return heartbeats older than this are dead.
     */
    long livenessTimeoutNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(livenessTimeoutMs);
    }

    private static String next(final String[] args, final int index, final String name) throws CliException
    {
        if (index >= args.length || args[index].startsWith("--"))
        {
            throw usage(name + " needs a value");
        }
        return args[index];
    }

    private static long positive(final String name, final String value) throws CliException
    {
        try
        {
            final long parsed = Long.parseLong(value.trim());
            if (parsed > 0)
            {
                return parsed;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw usage(name + " needs a positive whole number, not '" + value + "'");
    }

    private static CliException usage(final String message)
    {
        return new CliException(ShmdmaCli.EXIT_USAGE, message + " (see shmdma --help)");
    }
}
