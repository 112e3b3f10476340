package io.shmdma.shm.cli;

import io.shmdma.shm.registry.Registry;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * How a {@link Command} runs, with its two renderers: {@link Show} prints one snapshot, {@link Watch} prints one
 * every interval, {@link Clean} removes the files of dead processes and prints what it did. Each takes a text and a
 * JSON renderer in its constructor, so a command cannot be declared without both.
 */
sealed interface CommandRunner permits CommandRunner.Show, CommandRunner.Watch, CommandRunner.Clean
{
    /**
     * Runs the command.
     *
     * @param output  where results and failures go.
     * @param options the parsed command line.
     * @return the exit code.
     * @throws CliException for a failure reported in one line.
     * @throws IOException  when a file could not be read or removed.
     */
    int run(CliOutput output, CliOptions options) throws CliException, IOException;

    /**
     * Prints one snapshot: the header line and a table, or one JSON object.
     *
     * @param text       renders the table.
     * @param json       renders the JSON object.
     * @param withErrors whether the snapshot reads the error log too.
     */
    record Show(Function<Snapshot, String> text, Function<Snapshot, String> json, boolean withErrors)
        implements CommandRunner
    {
        /**
         * Checks both renderers are there.
         *
         * @param text       renders the table.
         * @param json       renders the JSON object.
         * @param withErrors whether the snapshot reads the error log too.
         */
        public Show
        {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(json, "json");
        }

        static Show of(final Function<Snapshot, String> text, final Function<Snapshot, String> json)
        {
            return new Show(text, json, false);
        }

        static Show withErrorLog(final Function<Snapshot, String> text, final Function<Snapshot, String> json)
        {
            return new Show(text, json, true);
        }

        /** {@inheritDoc} */
        public int run(final CliOutput output, final CliOptions options) throws CliException
        {
            try (Registry registry = RegistryOpener.open(options.dir, options.livenessTimeoutMs))
            {
                final Snapshot snapshot = Snapshot.take(registry, options.dir, options.livenessTimeoutNs(), withErrors);
                output.out().print(options.json ? json.apply(snapshot) :
                    TextReport.header(snapshot) + "\n" + text.apply(snapshot));
                return ShmdmaCli.EXIT_OK;
            }
        }
    }

    /**
     * Prints a snapshot every interval, {@code --count} times or until interrupted or the reader goes away; on a
     * terminal each refresh replaces the previous one, in JSON each is one line.
     *
     * @param text renders one refresh's tables.
     * @param json renders one refresh's JSON object.
     */
    record Watch(Function<Snapshot, String> text, Function<Snapshot, String> json) implements CommandRunner
    {
        private static final String ANSI_HOME_AND_CLEAR = "\u001b[H\u001b[2J";

        /**
         * Checks both renderers are there.
         *
         * @param text renders one refresh's tables.
         * @param json renders one refresh's JSON object.
         */
        public Watch
        {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(json, "json");
        }

        /** {@inheritDoc} */
        public int run(final CliOutput output, final CliOptions options) throws CliException
        {
            try (Registry registry = RegistryOpener.open(options.dir, options.livenessTimeoutMs))
            {
                for (long refresh = 0; 0 == options.count || refresh < options.count; refresh++)
                {
                    if (refresh > 0)
                    {
                        TimeUnit.MILLISECONDS.sleep(options.intervalMs);
                    }
                    final Snapshot snapshot = Snapshot.take(registry, options.dir, options.livenessTimeoutNs(), false);
                    if (options.json)
                    {
                        output.out().print(json.apply(snapshot));
                    }
                    else
                    {
                        output.out().print((output.terminal() ? ANSI_HOME_AND_CLEAR : refresh > 0 ? "\n" : "") +
                            TextReport.header(snapshot) + "\n" + text.apply(snapshot));
                    }
                    output.out().flush();
                    if (output.out().checkError())
                    {
                        break; // the reader went away (a closed pipe)
                    }
                }
                return ShmdmaCli.EXIT_OK;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return ShmdmaCli.EXIT_OK;
            }
        }
    }

    /**
     * Removes what dead processes left (all of the directory when every process is dead), prints what it removed,
     * and fails with the reason when it kept the directory.
     *
     * @param text renders what was removed and kept as tables.
     * @param json renders it as one JSON object.
     */
    record Clean(
        BiFunction<Snapshot, DirectoryCleaner.Result, String> text,
        BiFunction<Snapshot, DirectoryCleaner.Result, String> json) implements CommandRunner
    {
        /**
         * Checks both renderers are there.
         *
         * @param text renders what was removed and kept as tables.
         * @param json renders it as one JSON object.
         */
        public Clean
        {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(json, "json");
        }

        /** {@inheritDoc} */
        public int run(final CliOutput output, final CliOptions options) throws CliException, IOException
        {
            final DirectoryCleaner.Result result;
            final Snapshot snapshot;
            try (Registry registry = RegistryOpener.open(options.dir, options.livenessTimeoutMs))
            {
                snapshot = Snapshot.take(registry, options.dir, options.livenessTimeoutNs(), false);
                result = DirectoryCleaner.clean(registry, snapshot, options.dryRun, options.ignorePids);
            }
            output.out().print(options.json ? json.apply(snapshot, result) :
                TextReport.header(snapshot) + "\n" + text.apply(snapshot, result));
            final String refusal = CleanReport.refusal(snapshot, result);
            if (null != refusal)
            {
                output.fail(refusal);
                return ShmdmaCli.EXIT_FAILED;
            }
            return ShmdmaCli.EXIT_OK;
        }
    }
}
