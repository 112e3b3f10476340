package io.shmdma.shm.file;

import org.agrona.UnsafeApi;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reaches the file an open {@link FileChannel} refers to without looking its name up again: through
 * {@code /proc/self/fd/<n>}, a "magic link" that the kernel resolves to the open file itself, whatever has
 * since been renamed, unlinked or planted under the file's name. A {@code chmod} or {@code stat} of that path is
 * therefore an {@code fchmod} or {@code fstat} of the channel, which Java has no API for.
 * <p>
 * The descriptor number is read from the JDK's {@code FileChannelImpl.fd} and {@code FileDescriptor.fd} fields
 * with {@link UnsafeApi} (no {@code setAccessible}, no extra {@code --add-opens}: shmdma already needs the
 * {@code jdk.internal.misc} export for Agrona). Both fields have had these names since Java 1.4 and still do
 * in Java 25; when they cannot be read (another JDK, no {@code /proc}) {@link #of(FileChannel)} answers null and
 * callers fall back to what can be proved without it (see {@link ShmFiles}).
 */
final class OpenFileDescriptor
{
    private static final String PROC_SELF_FD = "/proc/self/fd/";
    private static final Class<?> CHANNEL_CLASS;
    private static final long CHANNEL_FD_OFFSET;
    private static final long DESCRIPTOR_FD_OFFSET;

    static
    {
        Class<?> channelClass = null;
        long channelFdOffset = -1;
        long descriptorFdOffset = -1;
        try
        {
            channelClass = Class.forName("sun.nio.ch.FileChannelImpl");
            channelFdOffset = UnsafeApi.objectFieldOffset(channelClass, "fd");
            descriptorFdOffset = UnsafeApi.objectFieldOffset(FileDescriptor.class, "fd");
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError | InternalError ex)
        {
            channelClass = null;
        }
        CHANNEL_CLASS = channelClass;
        CHANNEL_FD_OFFSET = channelFdOffset;
        DESCRIPTOR_FD_OFFSET = descriptorFdOffset;
    }

    private OpenFileDescriptor()
    {
    }

    /**
     * The {@code /proc/self/fd} path of an open channel, checked to exist and to hold a file of the channel's
     * size. Valid only while the channel stays open.
     *
     * @param channel an open channel from {@link FileChannel#open}.
     * @return the path, or null when it cannot be reached on this JDK or system.
     */
    static Path of(final FileChannel channel)
    {
        if (CHANNEL_CLASS == null || channel == null || channel.getClass() != CHANNEL_CLASS || !channel.isOpen())
        {
            return null;
        }
        final Object descriptor = UnsafeApi.getReference(channel, CHANNEL_FD_OFFSET);
        if (!(descriptor instanceof FileDescriptor))
        {
            return null;
        }
        final int fd = UnsafeApi.getInt(descriptor, DESCRIPTOR_FD_OFFSET);
        if (fd < 0)
        {
            return null;
        }
        final Path path = Path.of(PROC_SELF_FD + fd);
        try
        {
            return Files.size(path) == channel.size() ? path : null;
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    /**
     * This process's umask, from {@code /proc/self/status} (Linux 4.7 and later).
     *
     * @return the umask bits, or -1 when unknown.
     */
    static int umask()
    {
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/self/status"), StandardCharsets.US_ASCII))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                if (line.startsWith("Umask:"))
                {
                    return Integer.parseInt(line.substring("Umask:".length()).trim(), 8);
                }
            }
            return -1;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }
}
