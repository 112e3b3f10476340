package io.shmdma.shm;

import org.agrona.IoUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
        try (FileChannel channel = create(file, groupShared))
        {
            reserve(channel, file, length);
        }
        catch (final IOException ex)
        {
            throw cannotCreate(file, length, ex);
        }
    }

    /**
     * Creates a new file as {@link #createReserved} does, holding an exclusive lock on it from the moment it
     * exists: the lock tells {@link #deleteIfUnlocked(Path)} in other processes that a live process owns the file,
     * and the kernel drops it when the process dies. Keep the channel open for the owner's lifetime, map through
     * it, and never open and close the file through another channel in this process (that drops the lock).
     *
     * @param file        a file that must not exist.
     * @param length      bytes.
     * @param groupShared whether the group may use it.
     * @return the open, locked channel.
     * @throws UncheckedIOException naming the file and the sizes when the space cannot be had.
     */
    public static FileChannel createLockedReserved(final Path file, final long length, final boolean groupShared)
    {
        for (int attempt = 0; ; attempt++)
        {
            FileChannel channel = null;
            try
            {
                channel = create(file, groupShared);
                channel.lock();
                if (Files.exists(file))
                {
                    reserve(channel, file, length);
                    return channel;
                }
                channel.close();
                if (attempt == 2)
                {
                    throw new IOException("deleted by another process while being created");
                }
            }
            catch (final IOException ex)
            {
                closeQuietly(channel);
                throw cannotCreate(file, length, ex);
            }
        }
    }

    /**
     * Deletes a file unless a live process holds its lock ({@link #createLockedReserved}); the file is deleted while
     * this process holds the lock, so its owner, had it just created it, sees it gone.
     *
     * @param file the file.
     * @return true when the file is absent or was deleted, false when a live process (this one included) holds it
     *         or it cannot be opened.
     */
    public static boolean deleteIfUnlocked(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final FileLock lock = channel.tryLock();
            if (lock == null)
            {
                return false;
            }
            try
            {
                Files.deleteIfExists(file);
            }
            finally
            {
                lock.release();
            }
            return true;
        }
        catch (final NoSuchFileException ex)
        {
            return true;
        }
        catch (final IOException | OverlappingFileLockException ex)
        {
            return false;
        }
    }

    /**
     * Maps a region of a file through an open channel, read-write.
     *
     * @param channel the channel.
     * @param file    the file, for the message.
     * @param offset  first byte.
     * @param length  bytes, at most {@code Integer.MAX_VALUE}.
     * @return the mapping.
     */
    public static MappedByteBuffer map(final FileChannel channel, final Path file, final long offset, final long length)
    {
        try
        {
            return channel.map(FileChannel.MapMode.READ_WRITE, offset, length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map " + file + " [" + offset + ", " + (offset + length) + ")", ex);
        }
    }

    /**
     * Closes a channel, ignoring errors.
     *
     * @param channel the channel, may be null.
     */
    public static void closeQuietly(final FileChannel channel)
    {
        try
        {
            if (channel != null)
            {
                channel.close();
            }
        }
        catch (final IOException ignore)
        {
            // nothing more to release
        }
    }

    private static FileChannel create(final Path file, final boolean groupShared) throws IOException
    {
        final String permissions = groupShared ? "rw-rw----" : "rw-------";
        final FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE), attribute(permissions));
        try
        {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
            return channel;
        }
        catch (final IOException ex)
        {
            channel.close();
            deleteQuietly(file);
            throw ex;
        }
    }

    private static void reserve(final FileChannel channel, final Path file, final long length) throws IOException
    {
        try
        {
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
            throw ex;
        }
    }

    private static UncheckedIOException cannotCreate(final Path file, final long length, final IOException ex)
    {
        return new UncheckedIOException("cannot reserve " + length + " bytes for " + file + " (free space there: " +
            usableSpace(file.getParent()) + " bytes): " + ex.getMessage(), ex);
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
