package io.shmdma.shm.cli;

import java.io.PrintStream;

/**
 * Where a command's results and one-line failures go, and whether stdout is a terminal (so that watch may clear
 * the screen).
 *
 * @param out      where results go.
 * @param err      where the one-line failure messages go.
 * @param terminal whether {@code out} is a terminal.
 */
record CliOutput(PrintStream out, PrintStream err, boolean terminal)
{
    /**
     * Reports a failure in one line, prefixed by the program's name.
     *
     * @param message the line.
     */
    void fail(final String message)
    {
        err.println("shmdma: " + message);
    }
}
