package io.shmdma.shm.registry;

import io.shmdma.AgronaAccess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real child JVM running {@link RegistryChildMain}, driven line by line. Always {@link #close()} it.
 */
final class ChildJvm implements AutoCloseable
{
    private static final long REPLY_TIMEOUT_MS = 15_000;

    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

    ChildJvm() throws IOException
    {
        final String java = ProcessHandle.current().info().command()
            .orElse(System.getProperty("java.home") + "/bin/java");
        final List<String> command = new ArrayList<>(List.of(java));
        command.addAll(List.of(AgronaAccess.REQUIRED_JVM_OPTION.split(" ")));
        command.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "-cp", System.getProperty("java.class.path"), RegistryChildMain.class.getName()));
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    replies.add(line);
                }
            }
            catch (final IOException ignore)
            {
                // the child was killed
            }
        }, "child-" + process.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    long pid()
    {
        return process.pid();
    }

    void send(final String command)
    {
        try
        {
            commands.write(command + "\n");
            commands.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("child " + pid() + " gone", ex);
        }
    }

    String expect(final String prefix) throws InterruptedException
    {
        final String reply = replies.poll(REPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (null == reply)
        {
            fail("child " + pid() + " did not answer within " + REPLY_TIMEOUT_MS + " ms (alive=" +
                process.isAlive() + ")");
        }
        if (!reply.startsWith(prefix))
        {
            fail("child " + pid() + " answered '" + reply + "', expected '" + prefix + "...'");
        }
        return reply;
    }

    String call(final String command, final String replyPrefix) throws InterruptedException
    {
        send(command);
        return expect(replyPrefix);
    }

    int callForInt(final String command, final String replyPrefix) throws InterruptedException
    {
        final String reply = call(command, replyPrefix);
        return Integer.parseInt(reply.substring(replyPrefix.length()).trim());
    }

    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            fail("child " + pid() + " survived SIGKILL");
        }
    }

    public void close()
    {
        process.destroyForcibly();
        try
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
