package io.shmdma.examples;

import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.VchanConf;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the two-JVM examples share: starting the second JVM, reading its lines, setting up a vchan and
 * removing the temporary directory.
 */
public final class ExampleSupport
{
    private ExampleSupport()
    {
    }

    /**
     * Starts a JVM running {@code mainClass} from this JVM's class path with the flag Agrona needs; its
     * standard error goes to ours.
     *
     * @param mainClass the class to run.
     * @param args      its arguments.
     * @return the process.
     * @throws IOException when it cannot start.
     */
    public static Process startJvm(final Class<?> mainClass, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            mainClass.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /**
     * Reads lines from the other JVM, echoing its narration, until one starts with {@code word}.
     *
     * @param in   the other JVM's standard output.
     * @param word the expected first word.
     * @return the rest of that line.
     * @throws IOException when the other JVM ends first.
     */
    public static String expect(final BufferedReader in, final String word) throws IOException
    {
        String line;
        while ((line = in.readLine()) != null)
        {
            if (line.equals(word) || line.startsWith(word + " "))
            {
                return line.length() > word.length() ? line.substring(word.length() + 1) : "";
            }
            System.out.println(line);
            System.out.flush();
        }
        throw new IOException("the other JVM ended before saying " + word);
    }

    /**
     * (Re)configures a device with one inter-process vchan and starts it.
     *
     * @param device     the device.
     * @param srcHandler handler of the source domain.
     * @param dstHandler handler of the destination domain.
     */
    public static void interProcessVchan(final DmaDevice device, final int srcHandler, final int dstHandler)
    {
        device.stop();
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, VchanConf.interProcess(1024, srcHandler, dstHandler));
        device.start();
    }

    /**
     * Deletes a directory and everything in it.
     *
     * @param dir the directory.
     * @throws IOException when it cannot be listed.
     */
    public static void deleteRecursively(final Path dir) throws IOException
    {
        if (Files.exists(dir))
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    /**
     * Prints one narration line, prefixed with the speaker.
     *
     * @param role who speaks.
     * @param text what happened.
     */
    public static void say(final String role, final String text)
    {
        System.out.printf("[%-8s] %s%n", role, text);
        System.out.flush();
    }
}
