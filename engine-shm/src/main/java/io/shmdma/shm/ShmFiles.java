package io.shmdma.shm;

import io.shmdma.DmaException;
import io.shmdma.Errno;
import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creating, reserving, mapping and deleting the files of a shmdma directory, with owner-only or
 * group-shared permissions. Failures are {@link DmaException}s naming the file, with ENOSPC for a full file
 * system.
 */
public final class ShmFiles
{
    private static final int RESERVE_BLOCK = 1 << 20;

    private ShmFiles()
    {
    }

    /**
     * Creates the directory if absent (0700, or 0770 when group-shared), then checks it: it must be a real
     * directory (not a symbolic link), not writable by other users, not writable by the group unless
     * group-shared, and owned by this user unless group-shared. {@code /dev/shm} is writable by everyone, so
     * another user could otherwise create {@code /dev/shm/shmdma-<user>} first and then replace the files in it.
     *
     * @param dir         the directory.
     * @param groupShared whether the group may use it.
     * @return the directory.
     * @throws IllegalArgumentException when dir is null.
     * @throws DmaException             naming the path: EINVAL when it exists and is not a directory, EACCES when it
     *                                  is a symbolic link, owned by another user or writable by others, EIO otherwise.
     */
    public static Path ensureDirectory(final Path dir, final boolean groupShared)
    {
        if (dir == null)
        {
            throw new IllegalArgumentException("directory is required");
        }
        try
        {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(dir))
            {
                Files.createDirectories(dir, attribute(groupShared ? "rwxrwx---" : "rwx------"));
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(groupShared ? "rwxrwx---" : "rwx------"));
            }
        }
        catch (final FileAlreadyExistsException ex)
        {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(dir))
            {
                throw new DmaException(Errno.EINVAL, "shmdma directory " + dir + " exists and is not a directory", ex);
            }
        }
        catch (final IOException ex)
        {
            throw failure(ex, "cannot create shmdma directory " + dir);
        }
        checkDirectory(dir, groupShared);
        return dir;
    }

    private static void checkDirectory(final Path dir, final boolean groupShared)
    {
        try
        {
            final PosixFileAttributes attributes =
                Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink())
            {
                throw new DmaException(Errno.EACCES, "shmdma directory " + dir + " is a symbolic link; give the real " +
                    "path (a link in a shared place like /dev/shm may have been planted by another user)");
            }
            if (!attributes.isDirectory())
            {
                throw new DmaException(Errno.EINVAL, "shmdma directory " + dir + " exists and is not a directory");
            }
            final Set<PosixFilePermission> mode = attributes.permissions();
            final String shown = PosixFilePermissions.toString(mode);
            if (mode.contains(PosixFilePermission.OTHERS_WRITE) ||
                (!groupShared && mode.contains(PosixFilePermission.GROUP_WRITE)))
            {
                throw new DmaException(Errno.EACCES, "shmdma directory " + dir + " is writable by " +
                    (mode.contains(PosixFilePermission.OTHERS_WRITE) ? "other users" : "its group") + " (" + shown +
                    "): they could replace its files; remove it or make it " + (groupShared ? "rwxrwx---" : "rwx------"));
            }
            if (!groupShared)
            {
                final Object dirUid = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                final Object ownUid = currentUid();
                if (ownUid != null && !ownUid.equals(dirUid))
                {
                    throw new DmaException(Errno.EACCES, "shmdma directory " + dir + " belongs to uid " + dirUid +
                        ", not to this process (uid " + ownUid + "); remove it, or set groupShared to share it");
                }
            }
        }
        catch (final UnsupportedOperationException | IllegalArgumentException ex)
        {
            // not a POSIX file system: nothing more to check
        }
        catch (final IOException ex)
        {
            throw failure(ex, "cannot check shmdma directory " + dir);
        }
    }

    private static Object currentUid()
    {
        try
        {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    /**
     * Creates a new file (0600, or 0660 when group-shared) and reserves its space by writing zeros, so
     * that a full {@code /dev/shm} fails here with an exception rather than with a SIGBUS later. A file that
     * cannot be completed is removed.
     *
     * @param file        a file that must not exist.
     * @param length      bytes, 0 or more.
     * @param groupShared whether the group may use it.
     * @throws IllegalArgumentException for a null file or a negative length.
     * @throws DmaException             naming the file and the sizes: ENOSPC when the file system has not got
     *                                  the room (checked before writing, and again by writing), EEXIST when the
     *                                  file exists, EACCES without permission, EIO otherwise.
     */
    public static void createReserved(final Path file, final long length, final boolean groupShared)
    {
        checkRoom(file, length);
        try (FileChannel channel = create(file, groupShared))
        {
            reserve(channel, file, length);
        }
        catch (final IOException ex)
        {
            throw cannotReserve(file, length, ex);
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
     * @throws DmaException naming the file and the sizes, as {@link #createReserved}.
     */
    public static FileChannel createLockedReserved(final Path file, final long length, final boolean groupShared)
    {
        checkRoom(file, length);
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
                throw cannotReserve(file, length, ex);
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

    private static void checkRoom(final Path file, final long length)
    {
        if (file == null || length < 0)
        {
            throw new IllegalArgumentException("file and a non-negative length are required: " + file + ", " + length);
        }
        final long free = usableSpace(file.toAbsolutePath().getParent());
        if (free >= 0 && free < length)
        {
            throw new DmaException(Errno.ENOSPC, "cannot reserve " + length + " bytes for " + file +
                ": only " + free + " bytes free there");
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

    /** Writes zeros over the whole length; on failure the file is deleted. */
    private static void reserve(final FileChannel channel, final Path file, final long length) throws IOException
    {
        try
        {
            final ByteBuffer zeros = ByteBuffer.allocateDirect((int)Math.min(RESERVE_BLOCK, Math.max(1, length)));
            long position = 0;
            while (position < length)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), length - position));
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

    private static DmaException cannotReserve(final Path file, final long length, final IOException ex)
    {
        if (ex instanceof FileAlreadyExistsException)
        {
            return new DmaException(Errno.EEXIST, "cannot create " + file + ": it exists", ex);
        }
        final String reason = String.valueOf(ex.getMessage());
        final int errno = reason.contains("No space left") ? Errno.ENOSPC :
            ex instanceof AccessDeniedException ? Errno.EACCES : Errno.EIO;
        return new DmaException(errno, "cannot reserve " + length + " bytes for " + file + " (free space there now: " +
            usableSpace(file.toAbsolutePath().getParent()) + " bytes): " + reason, ex);
    }

    /**
     * Maps a region of an existing file read-write. The file must already be long enough: a mapping is never
     * allowed to extend a file (which would leave it sparse, unreserved, and a SIGBUS waiting on a full tmpfs).
     *
     * @param file   the file.
     * @param offset first byte, 0 or more.
     * @param length bytes, 0..{@code Integer.MAX_VALUE}.
     * @return the mapping.
     * @throws IllegalArgumentException for a null file or an offset or length out of range.
     * @throws DmaException             naming the file: EINVAL when it is shorter than {@code offset + length},
     *                                  ENOENT when it does not exist, EACCES without permission, EIO otherwise.
     */
    public static MappedByteBuffer map(final Path file, final long offset, final long length)
    {
        checkRange(file, offset, length);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            return mapChecked(channel, file, offset, length);
        }
        catch (final IOException ex)
        {
            throw failure(ex, "cannot map " + file + " [" + offset + ", " + (offset + length) + ")");
        }
    }

    /**
     * Maps a region of a file through a channel this process keeps open (and may hold a lock through), read-write,
     * under the same rules as {@link #map(Path, long, long)}.
     *
     * @param channel the open channel.
     * @param file    the file, for messages.
     * @param offset  first byte, 0 or more.
     * @param length  bytes, 0..{@code Integer.MAX_VALUE}.
     * @return the mapping.
     */
    public static MappedByteBuffer map(final FileChannel channel, final Path file, final long offset, final long length)
    {
        checkRange(file, offset, length);
        try
        {
            return mapChecked(channel, file, offset, length);
        }
        catch (final IOException ex)
        {
            throw failure(ex, "cannot map " + file + " [" + offset + ", " + (offset + length) + ")");
        }
    }

    private static void checkRange(final Path file, final long offset, final long length)
    {
        if (file == null || offset < 0 || length < 0 || length > Integer.MAX_VALUE || offset > Long.MAX_VALUE - length)
        {
            throw new IllegalArgumentException("cannot map " + file + " [" + offset + ", +" + length + ")");
        }
    }

    private static MappedByteBuffer mapChecked(
        final FileChannel channel, final Path file, final long offset, final long length) throws IOException
    {
        final long fileLength = channel.size();
        if (fileLength < offset + length)
        {
            throw new DmaException(Errno.EINVAL, "cannot map " + file + " [" + offset + ", " + (offset + length) +
                "): the file has only " + fileLength + " bytes (truncated?)");
        }
        return channel.map(FileChannel.MapMode.READ_WRITE, offset, length);
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

    private static DmaException failure(final IOException ex, final String message)
    {
        final int errno = ex instanceof NoSuchFileException ? Errno.ENOENT :
            ex instanceof AccessDeniedException ? Errno.EACCES : Errno.EIO;
        return new DmaException(errno, message + ": " + ex, ex);
    }

    /**
     * The length of a file.
     *
     * @param file the file.
     * @return bytes, or -1 when it cannot be read.
     */
    public static long length(final Path file)
    {
        if (file == null)
        {
            return -1;
        }
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
        if (file == null)
        {
            return;
        }
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
        if (dir == null)
        {
            return -1;
        }
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
