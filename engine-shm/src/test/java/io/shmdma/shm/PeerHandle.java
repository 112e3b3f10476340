package io.shmdma.shm;

import java.io.BufferedReader;
import java.io.IOException;
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
 * A {@link PeerProcess} started by a test: sends commands, waits for answers with a timeout, collects
 * events, and ends the process it started (and only that one) on close. Public so that tests in other packages
 * (the CLI's) can start members.
 */
public final class PeerHandle implements AutoCloseable
{
    /** Longest wait for an answer. */
    public static final long TIMEOUT_SECONDS = 30;

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> pauses = new LinkedBlockingQueue<>();
    private final List<String> transcript = new ArrayList<>();
    private final Thread reader;
    private volatile boolean stopped;

    public PeerHandle(final String name) throws IOException
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final ProcessBuilder builder = new ProcessBuilder(java,
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-Xshare:auto",
            "-cp", System.getProperty("java.class.path"),
            PeerProcess.class.getName());
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        process = builder.start();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        reader = new Thread(this::readLines, "peer-" + name + "-reader");
        reader.setDaemon(true);
        reader.start();
        expectOk("READY");
    }

    private void readLines()
    {
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = out.readLine()) != null)
            {
                synchronized (transcript)
                {
                    transcript.add(line);
                }
                (line.startsWith("EVENT ") ? events : line.startsWith("PAUSED ") ? pauses : replies).add(line);
            }
        }
        catch (final IOException ignore)
        {
            // the process ended
        }
    }

    /**
     * Sends a command and returns its answer line.
     */
    public String send(final String command) throws IOException, InterruptedException
    {
        write(command);
        return awaitReply(command);
    }

    /**
     * Sends a command without waiting, for racing several processes; collect with {@link #awaitReply}.
     */
    public void write(final String command) throws IOException
    {
        stdin.write(command + "\n");
        stdin.flush();
    }

    /**
     * Waits for the answer to a command sent with {@link #write}.
     */
    public String awaitReply(final String command) throws InterruptedException
    {
        final String reply = replies.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (reply == null)
        {
            throw new AssertionError("no answer to '" + command.split(" ")[0] + "' in " + TIMEOUT_SECONDS + " s");
        }
        return reply;
    }

    /**
     * Sends a command that must succeed and returns what follows {@code OK }.
     */
    public String ok(final String command) throws IOException, InterruptedException
    {
        final String reply = send(command);
        if (!reply.startsWith("OK"))
        {
            throw new AssertionError("'" + command.split(" ")[0] + "' failed: " + reply);
        }
        return reply.length() > 3 ? reply.substring(3) : "";
    }

    /**
     * Sends a command that must fail and returns its errno.
     */
    public int err(final String command) throws IOException, InterruptedException
    {
        final String reply = send(command);
        if (!reply.startsWith("ERR "))
        {
            throw new AssertionError("'" + command.split(" ")[0] + "' should have failed: " + reply);
        }
        return Integer.parseInt(reply.split(" ")[1]);
    }

    private void expectOk(final String first) throws IOException
    {
        try
        {
            final String line = replies.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!first.equals(line))
            {
                throw new IOException("peer did not start: " + line);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException(ex);
        }
    }

    /**
     * Waits for the next event line.
     */
    public String nextEvent(final long timeoutMs) throws InterruptedException
    {
        return events.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Everything the process printed.
     */
    public List<String> transcript()
    {
        synchronized (transcript)
        {
            return new ArrayList<>(transcript);
        }
    }

    public Process process()
    {
        return process;
    }

    long pid()
    {
        return process.pid();
    }

    /**
     * Waits for an answer without failing.
     *
     * @return the line, or null after the timeout.
     */
    String pollReply(final long timeoutMs) throws InterruptedException
    {
        return replies.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Waits for the {@code PAUSED <point> <thread>} line of an armed {@code pause-at}.
     *
     * @return the line, or null after the timeout.
     */
    String awaitPaused(final long timeoutMs) throws InterruptedException
    {
        return pauses.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** The {@code EVENT} lines printed so far, in order. */
    List<String> eventLines()
    {
        final List<String> lines = new ArrayList<>();
        for (final String line : transcript())
        {
            if (line.startsWith("EVENT "))
            {
                lines.add(line);
            }
        }
        return lines;
    }

    /** SIGSTOP to this process (and only it), as a long pause. */
    void sigstop() throws IOException, InterruptedException
    {
        signal("STOP");
        stopped = true;
    }

    /** SIGCONT after {@link #sigstop()}. */
    void sigcont() throws IOException, InterruptedException
    {
        signal("CONT");
        stopped = false;
    }

    private void signal(final String name) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
            .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** SIGKILL, as a crash. */
    public void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * SIGKILL, then waits until everything the process printed before dying has been read.
     */
    void killAndDrain() throws InterruptedException
    {
        kill();
        reader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    }

    /** Asks the process to exit, then makes sure it has. */
    @Override
    public void close()
    {
        try
        {
            end();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void end() throws InterruptedException
    {
        if (stopped)
        {
            try
            {
                sigcont();
            }
            catch (final IOException ignore)
            {
                // ended by force below
            }
        }
        if (process.isAlive())
        {
            try
            {
                send("exit");
            }
            catch (final IOException | AssertionError ignore)
            {
                // fall through to the forced end
            }
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }
}
