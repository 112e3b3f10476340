package io.shmdma.shm.cli;

import io.shmdma.DmaException;
import io.shmdma.shm.ShmDomain;
import io.shmdma.shm.registry.Registry;
import io.shmdma.shm.registry.RegistryConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Opens a directory's control segment read-only for the CLI, turning every way it can be unusable (no directory,
 * no control file, a foreign file, another layout version, a truncated file, no permission) into one line and
 * {@link ShmdmaCli#EXIT_UNUSABLE_DIRECTORY}.
 */
final class RegistryOpener
{
    /** How long to wait for a control file whose layout version (ready flag) is still 0. */
    static final long OPEN_TIMEOUT_MS = 500;

    private RegistryOpener()
    {
    }

    /**
     * Opens the control segment of a directory read-only.
     *
     * @param dir               the shmdma directory.
     * @param livenessTimeoutMs the liveness timeout the CLI judges heartbeats by.
     * @return the read-only registry; the caller closes it.
     * @throws CliException with {@link ShmdmaCli#EXIT_UNUSABLE_DIRECTORY} and a one-line reason.
     */
    static Registry open(final Path dir, final long livenessTimeoutMs) throws CliException
    {
        final Path control = checkDirectory(dir);
        try
        {
            return Registry.openReadOnly(control, new RegistryConfig()
                .livenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(livenessTimeoutMs))
                .openTimeoutNs(TimeUnit.MILLISECONDS.toNanos(OPEN_TIMEOUT_MS)));
        }
        catch (final DmaException ex)
        {
            throw new CliException(ShmdmaCli.EXIT_UNUSABLE_DIRECTORY, oneLine(ex.getMessage()));
        }
    }

    /**
     * Checks that a directory exists and holds a control file.
     *
     * @param dir the shmdma directory.
     * @return the control file.
     * @throws CliException with {@link ShmdmaCli#EXIT_UNUSABLE_DIRECTORY} when it does not.
     */
    static Path checkDirectory(final Path dir) throws CliException
    {
        if (!Files.exists(dir))
        {
            throw new CliException(ShmdmaCli.EXIT_UNUSABLE_DIRECTORY, "directory " + dir +
                " does not exist: no shmdma process has used it (choose another with --dir)");
        }
        if (!Files.isDirectory(dir))
        {
            throw new CliException(ShmdmaCli.EXIT_UNUSABLE_DIRECTORY, dir + " is not a directory");
        }
        final Path control = dir.resolve(ShmDomain.CONTROL_FILE_NAME);
        if (!Files.exists(control))
        {
            throw new CliException(ShmdmaCli.EXIT_UNUSABLE_DIRECTORY, "no control segment in " + dir + " (" +
                ShmDomain.CONTROL_FILE_NAME + " is missing): not a shmdma directory, or nothing runs there");
        }
        return control;
    }

    private static String oneLine(final String message)
    {
        final String text = null == message ? "cannot open the control segment" : message;
        final int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
