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
    private final List<String> transcript = new ArrayList<>();
    private final Thread reader;

    public PeerHandle(final String name) throws IOException
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final ProcessBuilder builder = new ProcessBuilder(java,
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
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
                (line.startsWith("EVENT ") ? events : replies).add(line);
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

    /** SIGKILL, as a crash. */
    public void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
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
