package io.shmdma.shm.cli;

import io.shmdma.shm.ShmConfiguration;

import java.nio.file.Path;
import java.util.Set;

/**
 * The command line, parsed: one command and its options, which may come before or after it, as
 * {@code --name value} or {@code --name=value}.
 */
final class CliOptions
{
    /** The commands. */
    static final Set<String> COMMANDS = Set.of("list", "info", "stats", "groups", "errors", "watch", "clean");

    String command;
    Path dir = ShmConfiguration.dir();
    boolean json;
    boolean help;
    long livenessTimeoutMs = ShmConfiguration.livenessTimeoutMs();
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
        boolean intervalGiven = false;
        boolean countGiven = false;
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
                case "--dry-run":
                    options.dryRun = true;
                    break;
                case "--ignore-pids":
                    options.ignorePids = true;
                    break;
                case "--dir":
                    options.dir = Path.of(inlineValue != null ? inlineValue : next(args, ++i, name));
                    break;
                case "--liveness-timeout":
                    options.livenessTimeoutMs =
                        positive(name, inlineValue != null ? inlineValue : next(args, ++i, name));
                    break;
                case "--interval":
                    options.intervalMs = positive(name, inlineValue != null ? inlineValue : next(args, ++i, name));
                    intervalGiven = true;
                    break;
                case "--count":
                    options.count = positive(name, inlineValue != null ? inlineValue : next(args, ++i, name));
                    countGiven = true;
                    break;
                default:
                    if (arg.startsWith("-"))
                    {
                        throw usage("unknown option " + arg);
                    }
                    if (!COMMANDS.contains(arg))
                    {
                        throw usage("unknown command '" + arg + "'");
                    }
                    if (options.command != null)
                    {
                        throw usage("one command at a time: '" + options.command + "' and '" + arg + "'");
                    }
                    options.command = arg;
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
        if ((intervalGiven || countGiven) && !"watch".equals(options.command))
        {
            throw usage((intervalGiven ? "--interval" : "--count") + " is for watch only");
        }
        if ((options.dryRun || options.ignorePids) && !"clean".equals(options.command))
        {
            throw usage((options.dryRun ? "--dry-run" : "--ignore-pids") + " is for clean only");
        }
        return options;
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
