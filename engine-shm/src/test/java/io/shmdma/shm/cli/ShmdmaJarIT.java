package io.shmdma.shm.cli;

import io.shmdma.shm.ShmContext;
import io.shmdma.shm.ShmDomain;
import io.shmdma.shm.ShmTestDirectory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The shaded jar run as a user runs it, {@code java -jar target/shmdma.jar ...}, with no JVM flags: its manifest
 * must carry the main class and the {@code Add-Exports} Agrona needs.
 */
class ShmdmaJarIT
{
    private static final Path JAR = Path.of("target", "shmdma.jar");

    @Test
    void shouldPrintHelp() throws Exception
    {
        final Result result = java("-jar", JAR.toString(), "--help");
        assertEquals(0, result.exitCode, result.stderr);
        assertTrue(result.stdout.startsWith("Usage: shmdma <command> [options]"), result.stdout);
        assertEquals("", result.stderr);
    }

    @Test
    void shouldListADomainWithoutAnyJvmFlag() throws Exception
    {
        try (ShmTestDirectory dir = new ShmTestDirectory();
            ShmDomain domain = ShmDomain.open(new ShmContext().dir(dir.path()).domainSegmentSize(1 << 20)))
        {
            final Result result = java("-jar", JAR.toString(), "list", "--dir", dir.toString());
            assertEquals(0, result.exitCode, result.stderr);
            assertTrue(result.stdout.contains(domain.domainId().toString()), result.stdout);
            assertEquals("", result.stderr, "no warning about the Unsafe access");
        }
    }

    @Test
    void shouldSayInOneLineThatTheDirectoryIsMissing() throws Exception
    {
        final Result result = java("-jar", JAR.toString(), "stats", "--dir", "/dev/shm/shmdma-no-such-directory");
        assertEquals(2, result.exitCode);
        assertEquals("", result.stdout);
        assertEquals(1, result.stderr.lines().count(), result.stderr);
        assertTrue(result.stderr.startsWith("shmdma: directory /dev/shm/shmdma-no-such-directory does not exist"),
            result.stderr);
    }

    private static Result java(final String... args) throws IOException, InterruptedException
    {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " is built by the package phase");
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of(args));
        final Path stdout = Files.createTempFile("shmdma-jar-", ".out");
        final Path stderr = Files.createTempFile("shmdma-jar-", ".err");
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        final Process process = builder.start();
        try
        {
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                fail("java -jar did not finish in 60 s");
            }
            return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
        }
        finally
        {
            if (process.isAlive())
            {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static final class Result
    {
        final int exitCode;
        final String stdout;
        final String stderr;

        Result(final int exitCode, final String stdout, final String stderr)
        {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }
    }
}
