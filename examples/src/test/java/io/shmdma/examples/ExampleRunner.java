package io.shmdma.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the shaded examples jar the way a user does, collecting its output and exit code, and ending the
 * process it started if it overruns.
 */
final class ExampleRunner
{
    static final Path JAR = Path.of("target", "shmdma-examples.jar");

    private ExampleRunner()
    {
    }

    static Result run(final long timeoutSeconds, final String... command) throws IOException, InterruptedException
    {
        final List<String> full = new ArrayList<>();
        full.add(ProcessHandle.current().info().command().orElse("java"));
        full.addAll(List.of(command));
        final Path output = Files.createTempFile("shmdma-example-", ".log");
        final Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile())
            .start();
        try
        {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("did not finish in " + timeoutSeconds + " s:\n" +
                    Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        }
        finally
        {
            if (process.isAlive())
            {
                process.destroyForcibly();
            }
            Files.deleteIfExists(output);
        }
    }

    static List<Path> shmEntries(final String prefix) throws IOException
    {
        try (Stream<Path> entries = Files.list(Path.of("/dev/shm")))
        {
            return entries.filter(path -> path.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    static final class Result
    {
        final int exitCode;
        final String output;

        Result(final int exitCode, final String output)
        {
            this.exitCode = exitCode;
            this.output = output;
        }
    }
}
