package io.shmdma.shm.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * One in-process run of the CLI: its exit code and everything it printed.
 *
 * @param exitCode the exit code.
 * @param out      what went to stdout.
 * @param err      what went to stderr.
 */
record CliRun(int exitCode, String out, String err)
{
    static CliRun run(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode = ShmdmaCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    List<String> errLines()
    {
        return err.lines().toList();
    }

    /**
     * Checks the run failed with one clear line on stderr, nothing on stdout and no stack trace.
     *
     * @param expectedExitCode the exit code.
     * @return the line.
     */
    String assertOneLineFailure(final int expectedExitCode)
    {
        assertEquals(expectedExitCode, exitCode, "exit code; out: " + out + " err: " + err);
        assertEquals(1, errLines().size(), "one line on stderr: " + err);
        assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace: " + err);
        return errLines().get(0);
    }

    /**
     * Checks the run succeeded.
     *
     * @return this.
     */
    CliRun assertOk()
    {
        assertEquals(0, exitCode, "exit code; out: " + out + " err: " + err);
        assertEquals("", err, "nothing on stderr");
        return this;
    }
}
