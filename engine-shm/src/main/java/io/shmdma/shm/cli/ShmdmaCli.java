package io.shmdma.shm.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;

/**
 * {@code shmdma}, the operator's view of the processes sharing a shmdma directory, in the manner of Aeron's
 * {@code AeronStat} / {@code ErrorStat} and DPDK's dmadev telemetry ({@code /dmadev/list}, {@code /dmadev/info},
 * {@code /dmadev/stats}): it maps the control segment read-only and prints domains, devices, statistics, access
 * pair groups and the shared error log, as aligned tables or JSON. It never registers itself and never writes,
 * except {@code clean}, which removes files. It never prints a group token, its hash or a membership token.
 *
 * <p>Run it with {@code ./shmdma} or {@code java -jar engine-shm/target/shmdma.jar}; in code, call
 * {@link #run(String[], PrintStream, PrintStream)}.
 */
public final class ShmdmaCli
{
    /** Exit code: done. */
    public static final int EXIT_OK = 0;
    /** Exit code: clean refused (a process is alive) or did not finish, or an unexpected failure. */
    public static final int EXIT_FAILED = 1;
    /** Exit code: the directory is missing, or its control file is foreign, of another layout or truncated. */
    public static final int EXIT_UNUSABLE_DIRECTORY = 2;
    /** Exit code: the command line was not understood ({@code EX_USAGE}). */
    public static final int EXIT_USAGE = 64;

    private static final String USAGE =
        "Usage: shmdma <command> [options]\n" +
        "\n" +
        "Shows the shmdma processes sharing a directory on /dev/shm. Maps the control segment read-only;\n" +
        "only clean changes anything. Tokens are never shown.\n" +
        "\n" +
        "Commands:\n" +
        Command.helpSection() +
        "\n" +
        "Options:\n" +
        "  --dir <path>              the directory (default /dev/shm/shmdma-<user>, or -Dshmdma.dir)\n" +
        "  --json                    JSON instead of tables (watch: one object per line)\n" +
        "  --liveness-timeout <ms>   a heartbeat older than this is dead (default 500,\n" +
        "                            or -Dshmdma.liveness.timeout.ms)\n" +
        "  --interval <ms>           watch: time between refreshes (default 1000)\n" +
        "  --count <n>               watch: stop after n refreshes (default: until interrupted)\n" +
        "  --dry-run                 clean: show what would be removed, remove nothing\n" +
        "  --ignore-pids             clean: judge liveness by heartbeat alone, even when a dead\n" +
        "                            domain's pid runs (PID reuse, another PID namespace)\n" +
        "  -h, --help                this text\n" +
        "\n" +
        "Exit status: 0 done; 1 clean refused or incomplete, or another failure; 2 the directory is\n" +
        "missing, or its control file is foreign, of another layout version or truncated; 64 bad usage.\n";

    private final CliOutput output;

    private ShmdmaCli(final PrintStream out, final PrintStream err, final boolean terminal)
    {
        this.output = new CliOutput(out, err, terminal);
    }

    /**
     * Runs the CLI and exits with its exit code.
     *
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        final int exitCode = new ShmdmaCli(System.out, System.err, isTerminal()).execute(args);
        System.exit(exitCode);
    }

    /**
     * Runs the CLI in this JVM, as a test or a tool would; never clears the screen.
     *
     * @param args the command line, e.g. {@code {"groups", "--dir", "/dev/shm/x", "--json"}}.
     * @param out  where results go.
     * @param err  where the one-line failure messages go.
     * @return the exit code, one of the {@code EXIT_*} constants.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        return new ShmdmaCli(out, err, false).execute(args);
    }

    private int execute(final String[] args)
    {
        try
        {
            final CliOptions options = CliOptions.parse(args);
            if (options.help)
            {
                output.out().print(USAGE);
                return EXIT_OK;
            }
            return options.command.run(output, options);
        }
        catch (final CliException ex)
        {
            output.fail(ex.getMessage());
            return ex.exitCode();
        }
        catch (final IOException | RuntimeException ex)
        {
            output.fail(oneLine(ex));
            return EXIT_FAILED;
        }
        finally
        {
            output.out().flush();
            output.err().flush();
        }
    }

    private static String oneLine(final Throwable ex)
    {
        final String message = null == ex.getMessage() ? ex.toString() : ex.getMessage();
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * Whether stdout is a terminal, so that watch may clear the screen: {@link System#console()} is non-null
     * only for a terminal up to Java 21; from Java 22 {@code Console.isTerminal()} says.
     */
    private static boolean isTerminal()
    {
        final Console console = System.console();
        if (null == console)
        {
            return false;
        }
        try
        {
            final Method isTerminal = Console.class.getMethod("isTerminal");
            return Boolean.TRUE.equals(isTerminal.invoke(console));
        }
        catch (final NoSuchMethodException ex)
        {
            return true;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return false;
        }
    }
}
