package io.shmdma.shm;

import org.agrona.IoUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creating, reserving, mapping and deleting the files of a shmdma directory, with owner-only or
 * group-shared permissions.
 */
public final class ShmFiles
{
    private static final int RESERVE_BLOCK = 1 << 20;

    private ShmFiles()
    {
    }

    /**
     * Creates the directory if absent (0700, or 0770 when group-shared).
     *
     * @param dir         the directory.
     * @param groupShared whether the group may use it.
     * @return the directory.
     */
    public static Path ensureDirectory(final Path dir, final boolean groupShared)
    {
        try
        {
            if (!Files.isDirectory(dir))
            {
                Files.createDirectories(dir, attribute(groupShared ? "rwxrwx---" : "rwx------"));
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(groupShared ? "rwxrwx---" : "rwx------"));
            }
            return dir;
        }
        catch (final FileAlreadyExistsException ex)
        {
            return dir;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create shmdma directory " + dir, ex);
        }
    }

    /**
     * Creates a new file (0600, or 0660 when group-shared) and reserves its space by writing zeros, so
     * that a full {@code /dev/shm} fails here with an exception rather than with a SIGBUS later.
     *
     * @param file        a file that must not exist.
     * @param length      bytes.
     * @param groupShared whether the group may use it.
     * @throws UncheckedIOException naming the file and the sizes when the space cannot be had.
     */
    public static void createReserved(final Path file, final long length, final boolean groupShared)
    {
        final String permissions = groupShared ? "rw-rw----" : "rw-------";
        try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE), attribute(permissions)))
        {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
            final ByteBuffer zeros = ByteBuffer.allocateDirect(RESERVE_BLOCK);
            long position = 0;
            while (position < length)
            {
                zeros.clear().limit((int)Math.min(RESERVE_BLOCK, length - position));
                position += channel.write(zeros, position);
            }
            channel.force(false);
        }
        catch (final IOException ex)
        {
            deleteQuietly(file);
            throw new UncheckedIOException("cannot reserve " + length + " bytes for " + file + " (free space there: " +
                usableSpace(file.getParent()) + " bytes): " + ex.getMessage(), ex);
        }
    }

    /**
     * Maps a region of an existing file read-write.
     *
     * @param file   the file.
     * @param offset first byte.
     * @param length bytes, at most {@code Integer.MAX_VALUE}.
     * @return the mapping.
     */
    public static MappedByteBuffer map(final Path file, final long offset, final long length)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            return channel.map(FileChannel.MapMode.READ_WRITE, offset, length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map " + file + " [" + offset + ", " + (offset + length) + ")", ex);
        }
    }

    /**
     * The length of a file.
     *
     * @param file the file.
     * @return bytes, or -1 when it cannot be read.
     */
    public static long length(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /**
     * Unmaps a mapping; the caller guarantees nothing uses it any more.
     *
     * @param buffer the mapping, may be null.
     */
    public static void unmap(final MappedByteBuffer buffer)
    {
        if (buffer != null)
        {
            IoUtil.unmap(buffer);
        }
    }

    /**
     * Deletes a file if present, ignoring errors.
     *
     * @param file the file.
     */
    public static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignore)
        {
            // best effort: a later clean removes it
        }
    }

    private static long usableSpace(final Path dir)
    {
        try
        {
            return Files.getFileStore(dir).getUsableSpace();
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(final String permissions)
    {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions));
    }
}
