package io.shmdma.shm.cli;

/**
 * A failure the CLI reports as one line on stderr, with its exit code, never with a stack trace.
 */
final class CliException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliException(final int exitCode, final String message)
    {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode()
    {
        return exitCode;
    }
}
