package io.shmdma.shm.file;

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
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The one place where shmdma creates, opens, maps and deletes the files of its directory (control segment,
 * domain segments, rings), with owner-only or group-shared permissions. Failures are {@link DmaException}s
 * naming the file, with ENOSPC for a full file system.
 * <p>
 * No path is followed twice. A group-shared directory is writable by every member of its group, who can
 * replace any name in it at any moment, for example by a symbolic link or a hard link to a file of this user
 * outside the directory. So:
 * <ul>
 *     <li>a file is created with {@code O_CREAT|O_EXCL} ({@link StandardOpenOption#CREATE_NEW}, which never
 *     follows a link) and its permissions in the same call; everything after that (checking and completing the
 *     permissions, reserving the space, mapping, checking the size) goes through the open channel, never the
 *     name. The umask may have removed bits from the creation mode: they are set with a {@code chmod} of the
 *     channel's {@code /proc/self/fd} link (see {@link OpenFileDescriptor}), which acts on the open file, not on
 *     whatever the name now holds. Without that link, creation is refused when the umask would remove a bit;</li>
 *     <li>an existing file is opened with {@link LinkOption#NOFOLLOW_LINKS} (a symbolic link is refused), and
 *     what was opened must be a regular file owned by this user (or, in a root-owned sticky directory, by any
 *     user), checked on the open file;</li>
 *     <li>names are deleted only in the shmdma directory, which {@link #ensureDirectory} has checked is this
 *     user's (unlinking a name never follows it).</li>
 * </ul>
 * Why over 800 lines: it is the one place every shmdma file is created, opened, checked, mapped and deleted, so
 * that the rules above cannot differ between the control segment, domain segments, rings and the driver's file;
 * a quarter of it is Javadoc.
 */
public final class ShmFiles
{
    /** Permissions of an owner-only file. */
    public static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    /** Permissions of a group-shared file. */
    public static final Set<PosixFilePermission> GROUP_SHARED_FILE = PosixFilePermissions.fromString("rw-rw----");
    /** Permissions of an owner-only directory. */
    public static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    /** Permissions of a group-shared directory. */
    public static final Set<PosixFilePermission> GROUP_SHARED_DIRECTORY =
        PosixFilePermissions.fromString("rwxrwx---");

    private static final int RESERVE_BLOCK = 1 << 20;
    private static final int STICKY_BIT = 01000;
    private static final int ROOT_UID = 0;
    private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> READ_WRITE =
        Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> READ_ONLY = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

    private ShmFiles()
    {
    }

    /**
     * Creates the directory if absent (0700, or 0770 when group-shared, exactly, whatever the umask), then checks
     * it: a real directory (not a symbolic link), not writable by other users, not writable by its group unless
     * group-shared, and owned by this user, or, when group-shared, by root with the sticky bit set (mode 1770: the
     * way to share one directory between users, each of whom can then delete only their own files).
     * {@code /dev/shm} is writable by everyone, so another user could otherwise create {@code /dev/shm/shmdma-<user>}
     * first and then replace the files in it.
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
        final Set<PosixFilePermission> permissions = groupShared ? GROUP_SHARED_DIRECTORY : OWNER_ONLY_DIRECTORY;
        boolean created = false;
        try
        {
            final Path parent = dir.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent))
            {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(permissions));
            }
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(permissions));
            created = true;
        }
        catch (final FileAlreadyExistsException ex)
        {
            // checked below
        }
        catch (final IOException ex)
        {
            throw failure(ex, "cannot create shmdma directory " + dir);
        }
        checkDirectory(dir, groupShared, created ? permissions : null);
        return dir;
    }

    private static void checkDirectory(
        final Path dir, final boolean groupShared, final Set<PosixFilePermission> createdWith)
    {
        final Map<String, Object> named = unixAttributes(dir, null);
        if (Boolean.TRUE.equals(named.get("isSymbolicLink")))
        {
            throw new DmaException(Errno.EACCES, "shmdma directory " + dir + " is a symbolic link; give the real " +
                "path (a link in a shared place like /dev/shm may have been planted by another user)");
        }
        if (!Boolean.TRUE.equals(named.get("isDirectory")))
        {
            throw new DmaException(Errno.EINVAL, "shmdma directory " + dir + " exists and is not a directory");
        }
        Map<String, Object> opened;
        try (FileChannel channel = FileChannel.open(dir, READ_ONLY))
        {
            final Path descriptor = OpenFileDescriptor.of(channel);
            if (createdWith != null)
            {
                settlePermissions(descriptor, dir, createdWith);
            }
            opened = descriptor == null ? named : unixAttributes(descriptor, dir);
        }
        catch (final IOException ex)
        {
            throw failure(ex, "cannot check shmdma directory " + dir);
        }
        if (!Boolean.TRUE.equals(opened.get("isDirectory")) || !Objects.equals(opened.get("ino"), named.get("ino")))
        {
            throw new DmaException(Errno.EACCES, "shmdma directory " + dir + " was replaced while being checked");
        }
        final int mode = (Integer)opened.get("mode");
        final String shown = PosixFilePermissions.toString(permissions(mode)) + ((mode & STICKY_BIT) != 0 ? "+t" : "");
        final boolean othersWrite = (mode & 0002) != 0;
        if (othersWrite || (!groupShared && (mode & 0020) != 0))
        {
            throw new DmaException(Errno.EACCES, "shmdma directory " + dir + " is writable by " +
                (othersWrite ? "other users" : "its group") + " (" + shown + "): they could replace its files; " +
                "remove it or make it " + (groupShared ? "rwxrwx---" : "rwx------"));
        }
        final int ownerUid = (Integer)opened.get("uid");
        final int ownUid = currentUid();
        final boolean rootSticky = ownerUid == ROOT_UID && (mode & STICKY_BIT) != 0;
        if (ownerUid != ownUid && !(groupShared && rootSticky))
        {
            throw new DmaException(Errno.EACCES, "shmdma directory " + dir + " belongs to uid " + ownerUid + " (" +
                opened.get("owner") + "), not to this process (uid " + ownUid + ")" + (groupShared ?
                    (", and is not a root-owned directory with the sticky bit (" + shown + "): another member of " +
                    "the group could have planted it; use a directory of your own, or have root create a shared one " +
                    "with mode 1770 and the shared group") :
                    "; remove it, or use a directory of your own"));
        }
    }

    /**
     * Creates a new file (0600, or 0660 when group-shared) and reserves its space by writing zeros, so that a full
     * {@code /dev/shm} fails here with an exception rather than with a SIGBUS later; closes it. A file that cannot
     * be completed is removed.
     *
     * @param file        a file that must not exist.
     * @param length      bytes, 0 or more.
     * @param groupShared whether the group may use it.
     * @throws IllegalArgumentException for a null file or a negative length.
     * @throws DmaException             naming the file and the sizes: ENOSPC when the file system has not got
     *                                  the room (checked before writing, and again by writing), EEXIST when the
     *                                  name exists (a symbolic link included), EACCES without permission, EPERM
     *                                  when the permissions cannot be set race-free, EIO otherwise.
     */
    public static void createReserved(final Path file, final long length, final boolean groupShared)
    {
        closeQuietly(createReservedChannel(file, length, groupShared));
    }

    /**
     * Creates a new file as {@link #createReserved} does, maps all of it read-write through the channel it was
     * created with, and closes that channel (the mapping stays valid, even once the file is deleted).
     *
     * @param file        a file that must not exist.
     * @param length      bytes, 0..{@code Integer.MAX_VALUE}.
     * @param groupShared whether the group may use it.
     * @return the mapping of the file this call created, whatever its name holds by now.
     * @throws DmaException naming the file and the sizes, as {@link #createReserved}.
     */
    public static MappedByteBuffer createMapped(final Path file, final int length, final boolean groupShared)
    {
        final FileChannel channel = createReservedChannel(file, length, groupShared);
        try
        {
            return map(channel, file, 0, length);
        }
        catch (final RuntimeException ex)
        {
            deleteIfLinked(channel, file);
            throw ex;
        }
        finally
        {
            closeQuietly(channel);
        }
    }

    /**
     * Creates a new file as {@link #createReserved} does and returns its open channel: the caller maps, checks and
     * closes the file through it.
     *
     * @param file        a file that must not exist.
     * @param length      bytes, 0 or more.
     * @param groupShared whether the group may use it.
     * @return the open channel, read-write.
     * @throws DmaException naming the file and the sizes, as {@link #createReserved}.
     */
    public static FileChannel createReservedChannel(final Path file, final long length, final boolean groupShared)
    {
        checkRoom(file, length);
        FileChannel channel = null;
        try
        {
            channel = create(file, groupShared);
            reserve(channel, length);
            return channel;
        }
        catch (final IOException | RuntimeException ex)
        {
            throw abandon(channel, file, length, ex);
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
                if (isLinkedAt(channel, file))
                {
                    reserve(channel, length);
                    return channel;
                }
                channel.close();
                if (attempt == 2)
                {
                    throw new IOException("deleted or replaced by another process while being created");
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                throw abandon(channel, file, length, ex);
            }
        }
    }

    /**
     * Opens an existing file of the directory without following a symbolic link, and checks what was opened: a
     * regular file owned by this user (any user when read-only, or in a root-owned directory with the sticky bit,
     * where every member of the group owns files).
     *
     * @param file     the file.
     * @param readOnly open read-only instead of read-write.
     * @return the open channel; the caller closes it.
     * @throws DmaException naming the file: ENOENT when it does not exist, EACCES when it is a symbolic link, is
     *                      owned by another user or cannot be opened, EINVAL when it is not a regular file, EIO.
     */
    public static FileChannel openExisting(final Path file, final boolean readOnly)
    {
        Objects.requireNonNull(file, "file");
        final Map<String, Object> named = unixAttributes(file, null);
        if (Boolean.TRUE.equals(named.get("isSymbolicLink")))
        {
            throw new DmaException(Errno.EACCES, file + " is a symbolic link; shmdma never follows links to its " +
                "files (a link can point anywhere; it was not made by shmdma)");
        }
        if (!Boolean.TRUE.equals(named.get("isRegularFile")))
        {
            throw new DmaException(Errno.EINVAL, file + " is not a regular file");
        }
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(file, readOnly ? READ_ONLY : READ_WRITE);
            final Path descriptor = OpenFileDescriptor.of(channel);
            final Map<String, Object> opened = descriptor == null ? unixAttributes(file, null) :
                unixAttributes(descriptor, file);
            if (!Boolean.TRUE.equals(opened.get("isRegularFile")) ||
                (descriptor == null && !Objects.equals(opened.get("ino"), named.get("ino"))))
            {
                throw new DmaException(Errno.EINVAL, file + " is not a regular file (or was replaced while opened)");
            }
            final int ownerUid = (Integer)opened.get("uid");
            if (!readOnly && ownerUid != currentUid() && !admitsOtherOwners(file))
            {
                throw new DmaException(Errno.EACCES, file + " belongs to uid " + ownerUid + " (" + opened.get("owner") +
                    "), not to this process (uid " + currentUid() + "), and the directory is not a root-owned " +
                    "shared one (mode 1770): it was not made by a process of this user; remove it");
            }
            return channel;
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            if (Files.isSymbolicLink(file))
            {
                throw new DmaException(Errno.EACCES, file + " is a symbolic link; shmdma never follows links to " +
                    "its files", ex);
            }
            throw failure(ex, "cannot open " + file);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    /**
     * Whether a name still refers to the file a channel has open (same device and inode, the name not a link).
     *
     * @param channel the open channel.
     * @param file    the name.
     * @return false when the name is gone or now refers to something else.
     */
    public static boolean isLinkedAt(final FileChannel channel, final Path file)
    {
        try
        {
            final Object named = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
            final Path descriptor = OpenFileDescriptor.of(channel);
            if (descriptor == null)
            {
                return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
            }
            return named != null && named.equals(Files.readAttributes(descriptor, PosixFileAttributes.class).fileKey());
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * The attributes of the file a channel has open ({@code fstat}), not of whatever its name holds now.
     *
     * @param channel the open channel.
     * @param file    the file's name, for messages.
     * @return the attributes.
     * @throws DmaException EIO when they cannot be read through the channel on this system.
     */
    public static PosixFileAttributes attributes(final FileChannel channel, final Path file)
    {
        final Path descriptor = descriptorOf(channel, file, "the attributes");
        try
        {
            return Files.readAttributes(descriptor, PosixFileAttributes.class);
        }
        catch (final IOException ex)
        {
            throw failure(ex, "cannot read the attributes of open file " + file);
        }
    }

    /**
     * How many names the file a channel has open has ({@code fstat}'s link count): 1 for a file this process created
     * and named once; more when someone made a hard link to it, or swapped its name for a hard link to another file.
     *
     * @param channel the open channel.
     * @param file    the file's name, for messages.
     * @return the link count.
     * @throws DmaException EIO when it cannot be read through the channel on this system.
     */
    public static int linkCount(final FileChannel channel, final Path file)
    {
        final Path descriptor = descriptorOf(channel, file, "the link count");
        try
        {
            return (Integer)Files.getAttribute(descriptor, "unix:nlink");
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new DmaException(Errno.EIO, "cannot read the link count of open file " + file + ": " + ex, ex);
        }
    }

    /** The {@code /proc/self/fd} link of a channel, through which the open file (not its name) is read. */
    private static Path descriptorOf(final FileChannel channel, final Path file, final String what)
    {
        final Path descriptor = OpenFileDescriptor.of(channel);
        if (descriptor == null)
        {
            throw new DmaException(Errno.EIO, "cannot read " + what + " of open file " + file + " (no /proc/self/fd)");
        }
        return descriptor;
    }

    /**
     * Whether a live process holds the lock of a file ({@link #createLockedReserved}), checked with a shared lock on
     * a read-only channel, so nothing is written. A symbolic link is not followed.
     *
     * @param file the file.
     * @return true when a process (this one included) holds its lock; false when it is absent or unlocked.
     */
    public static boolean isLocked(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
        {
            final FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true);
            if (lock == null)
            {
                return true;
            }
            lock.release();
            return false;
        }
        catch (final OverlappingFileLockException ex)
        {
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * Deletes a file unless a live process holds its lock ({@link #createLockedReserved}); the file is deleted while
     * this process holds the lock, so its owner, had it just created it, sees it gone. A symbolic link is not
     * followed (and not deleted).
     *
     * @param file the file.
     * @return true when the file is absent or was deleted, false when a live process (this one included) holds it
     *         or it cannot be opened.
     */
    public static boolean deleteIfUnlocked(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, READ_WRITE))
        {
            final FileLock lock = channel.tryLock();
            if (lock == null)
            {
                return false;
            }
            try
            {
                if (isLinkedAt(channel, file))
                {
                    Files.deleteIfExists(file);
                }
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
     * Deletes a name if it still refers to the file a channel has open, ignoring errors.
     *
     * @param channel the open channel, may be null.
     * @param file    the name.
     */
    public static void deleteIfLinked(final FileChannel channel, final Path file)
    {
        if (channel != null && channel.isOpen() && isLinkedAt(channel, file))
        {
            deleteQuietly(file);
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
        final Set<PosixFilePermission> permissions = groupShared ? GROUP_SHARED_FILE : OWNER_ONLY_FILE;
        final FileChannel channel =
            FileChannel.open(file, CREATE_NEW, PosixFilePermissions.asFileAttribute(permissions));
        try
        {
            settlePermissions(OpenFileDescriptor.of(channel), file, permissions);
            return channel;
        }
        catch (final IOException | RuntimeException ex)
        {
            deleteIfLinked(channel, file);
            channel.close();
            throw ex;
        }
    }

    /**
     * Gives a file just created (and still open) exactly the permissions asked for, through its descriptor link: the
     * umask may have removed bits from the creation mode.
     */
    private static void settlePermissions(
        final Path descriptor, final Path file, final Set<PosixFilePermission> permissions) throws IOException
    {
        if (descriptor == null)
        {
            final int umask = OpenFileDescriptor.umask();
            if (umask < 0 || (umask & mode(permissions)) != 0)
            {
                throw new DmaException(Errno.EPERM, "cannot give " + file + " the permissions " +
                    PosixFilePermissions.toString(permissions) + " without a race: the umask (" +
                    (umask < 0 ? "unknown" : String.format("%04o", umask)) + ") removes some of them and the open " +
                    "file cannot be reached through /proc/self/fd here; run with umask 0007 (group-shared) or 0077");
            }
            return;
        }
        final PosixFileAttributes attributes = Files.readAttributes(descriptor, PosixFileAttributes.class);
        if (!attributes.permissions().equals(permissions))
        {
            Files.setPosixFilePermissions(descriptor, permissions); // chmod through the link: the open file
            final Set<PosixFilePermission> set =
                Files.readAttributes(descriptor, PosixFileAttributes.class).permissions();
            if (!set.equals(permissions))
            {
                throw new DmaException(Errno.EPERM, "cannot give " + file + " the permissions " +
                    PosixFilePermissions.toString(permissions) + ": it has " + PosixFilePermissions.toString(set));
            }
        }
    }

    /** Writes zeros over the whole length through the channel. */
    private static void reserve(final FileChannel channel, final long length) throws IOException
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

    /**
     * Undoes a creation that failed: deletes the file if the channel still names it, closes the channel.
     *
     * @return what to throw: the I/O error as {@link #cannotReserve}, any other exception as it is.
     */
    private static RuntimeException abandon(
        final FileChannel channel, final Path file, final long length, final Exception ex)
    {
        deleteIfLinked(channel, file);
        closeQuietly(channel);
        return ex instanceof IOException ? cannotReserve(file, length, (IOException)ex) : (RuntimeException)ex;
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
     * Maps a region of an existing file read-write, opened as {@link #openExisting} does (no symbolic link, a
     * regular file of this user). The file must already be long enough: a mapping is never allowed to extend a
     * file (which would leave it sparse, unreserved, and a SIGBUS waiting on a full tmpfs).
     *
     * @param file   the file.
     * @param offset first byte, 0 or more.
     * @param length bytes, 0..{@code Integer.MAX_VALUE}.
     * @return the mapping.
     * @throws IllegalArgumentException for a null file or an offset or length out of range.
     * @throws DmaException             naming the file: EINVAL when it is shorter than {@code offset + length} or
     *                                  not a regular file, ENOENT when it does not exist, EACCES for a symbolic link,
     *                                  another user's file or without permission, EIO otherwise.
     */
    public static MappedByteBuffer map(final Path file, final long offset, final long length)
    {
        checkRange(file, offset, length);
        final FileChannel channel = openExisting(file, false);
        try
        {
            return map(channel, file, offset, length);
        }
        finally
        {
            closeQuietly(channel);
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
            final long fileLength = channel.size();
            if (fileLength < offset + length)
            {
                throw new DmaException(Errno.EINVAL, "cannot map " + file + " [" + offset + ", " + (offset + length) +
                    "): the file has only " + fileLength + " bytes (truncated?)");
            }
            return channel.map(FileChannel.MapMode.READ_WRITE, offset, length);
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

    /**
     * The length of a file, without following a symbolic link.
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
            return Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
        }
        catch (final IOException | RuntimeException ex)
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
     * Deletes a name in the shmdma directory if present, ignoring errors. Unlinking never follows the name: a
     * symbolic link is deleted, not its target.
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

    /**
     * The uid of this process.
     *
     * @return the uid, from {@code /proc/self}.
     * @throws DmaException EACCES when it cannot be told (no {@code /proc}): the ownership checks would be blind.
     */
    public static int currentUid()
    {
        try
        {
            return (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new DmaException(Errno.EACCES, "cannot tell this process's uid from /proc/self, so cannot check " +
                "who owns the shmdma files: " + ex, ex);
        }
    }

    private static boolean admitsOtherOwners(final Path file)
    {
        final Path dir = file.toAbsolutePath().getParent();
        if (dir == null)
        {
            return false;
        }
        final Map<String, Object> attributes = unixAttributes(dir, null);
        return Integer.valueOf(ROOT_UID).equals(attributes.get("uid")) &&
            Boolean.TRUE.equals(attributes.get("isDirectory")) && (((Integer)attributes.get("mode")) & STICKY_BIT) != 0;
    }

    /** The unix attributes of a name without following it, or (given the name it stands for) of a descriptor link. */
    private static Map<String, Object> unixAttributes(final Path path, final Path shownAs)
    {
        try
        {
            return shownAs == null ?
                Files.readAttributes(path, "unix:mode,uid,owner,ino,isDirectory,isRegularFile,isSymbolicLink",
                    LinkOption.NOFOLLOW_LINKS) :
                Files.readAttributes(path, "unix:mode,uid,owner,ino,isDirectory,isRegularFile,isSymbolicLink");
        }
        catch (final UnsupportedOperationException | IllegalArgumentException ex)
        {
            throw new DmaException(Errno.EIO, "cannot check " + (shownAs == null ? path : shownAs) + ": not a POSIX " +
                "file system (shmdma needs one, like /dev/shm)", ex);
        }
        catch (final IOException ex)
        {
            throw failure(ex, "cannot check " + (shownAs == null ? path : shownAs));
        }
    }

    private static Set<PosixFilePermission> permissions(final int mode)
    {
        final Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
        final PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
        for (int i = 0; i < bits.length; i++)
        {
            if ((mode & (0400 >> i)) != 0)
            {
                result.add(bits[i]);
            }
        }
        return result;
    }

    private static int mode(final Set<PosixFilePermission> permissions)
    {
        int mode = 0;
        for (final PosixFilePermission permission : permissions)
        {
            mode |= 0400 >> permission.ordinal();
        }
        return mode;
    }

    private static DmaException failure(final IOException ex, final String message)
    {
        final int errno = ex instanceof NoSuchFileException ? Errno.ENOENT :
            ex instanceof AccessDeniedException ? Errno.EACCES : Errno.EIO;
        return new DmaException(errno, message + ": " + ex, ex);
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
}
