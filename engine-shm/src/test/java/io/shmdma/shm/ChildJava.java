package io.shmdma.shm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM started by a test, with every line of its stdout and stderr kept (so a test can grep them),
 * optionally under a given umask ({@code sh -c "umask 077; exec java ..."}). Ends only the process it started.
 */
final class ChildJava implements AutoCloseable
{
    static final long TIMEOUT_SECONDS = 60;

    private final Process process;
    private final Writer stdin;
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final List<Thread> readers = new ArrayList<>();

    /**
     * @param umask    octal umask for the child, or null to inherit this process's.
     * @param jvmArgs  extra JVM options, e.g. system properties.
     * @param mainArgs the main class and its arguments.
     */
    ChildJava(final String umask, final List<String> jvmArgs, final String... mainArgs) throws IOException
    {
        final List<String> command = new ArrayList<>();
        if (umask != null)
        {
            command.add("sh");
            command.add("-c");
            command.add("umask " + umask + " && exec \"$0\" \"$@\"");
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx64m");
        command.add("-XX:ErrorFile=" + System.getProperty("java.io.tmpdir") + "/shmdma-child-hs_err_%p.log");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(List.of(mainArgs));
        process = new ProcessBuilder(command).start();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        drain(process.getInputStream(), stdout, true, "stdout");
        drain(process.getErrorStream(), stderr, false, "stderr");
    }

    private void drain(final InputStream in, final List<String> lines, final boolean isReplies, final String name)
    {
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader reader2 = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader2.readLine()) != null)
                {
                    synchronized (lines)
                    {
                        lines.add(line);
                    }
                    if (isReplies && !line.startsWith("EVENT "))
                    {
                        replies.add(line);
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the process ended
            }
        }, "child-" + process.pid() + "-" + name);
        reader.setDaemon(true);
        reader.start();
        readers.add(reader);
    }

    /** Sends one line on stdin. */
    void write(final String line) throws IOException
    {
        stdin.write(line + "\n");
        stdin.flush();
    }

    /** The next stdout line that is not an event, within the timeout. */
    String nextReply() throws InterruptedException
    {
        final String reply = replies.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (reply == null)
        {
            throw new AssertionError("child " + process.pid() + " did not answer in " + TIMEOUT_SECONDS +
                " s; stderr: " + stderr());
        }
        return reply;
    }

    /** Sends a command and returns its answer line. */
    String send(final String command) throws IOException, InterruptedException
    {
        write(command);
        return nextReply();
    }

    /** Sends a command that must succeed and returns what follows {@code OK }. */
    String ok(final String command) throws IOException, InterruptedException
    {
        final String reply = send(command);
        if (!reply.startsWith("OK"))
        {
            throw new AssertionError("'" + command.split(" ")[0] + "' failed: " + reply);
        }
        return reply.length() > 3 ? reply.substring(3) : "";
    }

    /** Waits for the process to end and returns its exit code. */
    int waitForExit() throws InterruptedException
    {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            throw new AssertionError("child " + process.pid() + " did not exit in " + TIMEOUT_SECONDS + " s");
        }
        for (final Thread reader : readers)
        {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }
        return process.exitValue();
    }

    long pid()
    {
        return process.pid();
    }

    List<String> stdout()
    {
        synchronized (stdout)
        {
            return new ArrayList<>(stdout);
        }
    }

    List<String> stderr()
    {
        synchronized (stderr)
        {
            return new ArrayList<>(stderr);
        }
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            try
            {
                stdin.close();
                if (!process.waitFor(10, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
            }
            catch (final IOException | InterruptedException ex)
            {
                process.destroyForcibly();
            }
        }
    }
}
