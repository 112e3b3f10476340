package io.shmdma.shm.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a pid read from the control segment names a running process. {@link ProcessHandle#isAlive()} also
 * answers true for a zombie (a process that exited and that its parent has not reaped yet, which a parent that
 * never waits, or a container without an init, can leave for long), so on Linux the process state in
 * {@code /proc/<pid>/stat} is checked as well.
 */
public final class ProcessLiveness
{
    private ProcessLiveness()
    {
    }

    /**
     * Whether a process with this pid exists and has not exited.
     *
     * @param pid a pid, possibly read from shared memory: any value is accepted.
     * @return false for a pid that is not positive, names no process, or names a zombie.
     */
    public static boolean isRunning(final long pid)
    {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !hasExited(pid);
    }

    /**
     * Whether {@code /proc/<pid>/stat} shows the process as exited: state {@code Z} (zombie) or {@code X} (dead).
     * False where it cannot be read (no {@code /proc}, or the process is gone: {@link ProcessHandle} decides).
     */
    static boolean hasExited(final long pid)
    {
        try
        {
            // "pid (comm) state ...": comm may hold any byte, ')' included, so the state follows the last ')'
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
                StandardCharsets.ISO_8859_1);
            final int end = stat.lastIndexOf(')');
            if (end < 0 || end + 2 >= stat.length())
            {
                return false;
            }
            final char state = stat.charAt(end + 2);
            return state == 'Z' || state == 'X';
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }
}
