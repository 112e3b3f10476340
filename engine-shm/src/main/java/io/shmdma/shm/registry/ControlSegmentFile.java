package io.shmdma.shm.registry;

import io.shmdma.DmaException;
import io.shmdma.Errno;
import io.shmdma.shm.file.ShmFiles;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * Creates, validates and maps the control segment file. A new file is built under a temporary name in the
 * same directory (every page written, so tmpfs space is reserved and a full {@code /dev/shm} is an exception
 * here rather than a SIGBUS later), its version written last, and then published with a hard link, which
 * fails if the name exists: when two processes race on a fresh directory, exactly one file wins and the
 * loser maps it. An existing file is checked (length, marker, ready version, layout) before it is mapped,
 * and is never truncated or written before it is accepted. Files are created, opened and checked by
 * {@link ShmFiles} (no symbolic link followed, exact permissions, space reserved); this class reads sizes and maps
 * only through the channel it created or opened, and checks that the published name is the file it built.
 */
final class ControlSegmentFile implements AutoCloseable
{
    private static final String TEMPORARY_SUFFIX = ".tmp";
    private static final long ABANDONED_TEMPORARY_AGE_MS = TimeUnit.MINUTES.toMillis(1);

    private final Path path;
    private final MappedByteBuffer mappedBuffer;
    private final AtomicBuffer buffer;
    private final boolean created;
    private final FileChannel sizeChannel;

    private ControlSegmentFile(
        final Path path, final MappedByteBuffer mappedBuffer, final boolean created, final FileChannel sizeChannel)
    {
        this.path = path;
        this.mappedBuffer = mappedBuffer;
        this.buffer = new UnsafeBuffer(mappedBuffer);
        this.created = created;
        this.sizeChannel = sizeChannel;
    }

    /**
     * Whether the file still covers the whole mapping, checked through the open file (fstat). shmdma never
     * truncates it; a process with write access to it can, and an access past the end would then raise SIGBUS.
     *
     * @return false when the file is shorter than the layout.
     */
    boolean isIntact()
    {
        try
        {
            return sizeChannel == null || sizeChannel.size() >= TOTAL_LENGTH;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /**
     * The current length of the file.
     *
     * @return bytes, or -1 when unknown.
     */
    long fileLength()
    {
        try
        {
            return sizeChannel == null ? -1 : sizeChannel.size();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /**
     * Maps the file, creating it when absent.
     *
     * @param file   the control segment file.
     * @param config settings (permissions, open timeout).
     * @return the mapped file.
     * @throws DmaException naming the file when it cannot be created or is not a valid control segment.
     */
    static ControlSegmentFile openOrCreate(final Path file, final RegistryConfig config)
    {
        final Path absolute = file.toAbsolutePath();
        ShmFiles.ensureDirectory(absolute.getParent(), config.groupShared());
        for (int attempt = 0; attempt < 3; attempt++)
        {
            if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS))
            {
                final ControlSegmentFile created = tryCreate(absolute, config);
                if (null != created)
                {
                    return created;
                }
            }
            try
            {
                return openExisting(absolute, config, false);
            }
            catch (final DmaException ex)
            {
                if (ex.errno() != Errno.ENOENT)
                {
                    throw ex;
                }
                // deleted between the two checks: try again
            }
        }
        throw new DmaException(Errno.EAGAIN, "control segment " + absolute + " kept appearing and disappearing");
    }

    /**
     * Maps an existing file after checking it.
     *
     * @param file     the control segment file.
     * @param config   settings (open timeout).
     * @param readOnly open and map read-only (tools); writing through the buffer then crashes the JVM, so only
     *                 a read-only {@link Registry} may hold such a file.
     * @return the mapped file.
     * @throws DmaException ENOENT when absent, EINVAL when not a valid control segment, ETIMEDOUT when its
     *                      version never becomes non-zero.
     */
    static ControlSegmentFile openExisting(final Path file, final RegistryConfig config, final boolean readOnly)
    {
        final Path absolute = file.toAbsolutePath();
        final FileChannel channel;
        try
        {
            channel = ShmFiles.openExisting(absolute, readOnly);
        }
        catch (final DmaException ex)
        {
            if (ex.errno() == Errno.ENOENT)
            {
                throw new DmaException(Errno.ENOENT, "control segment " + absolute + " does not exist", ex);
            }
            if (ex.errno() == Errno.EACCES && ex.getCause() instanceof java.nio.file.AccessDeniedException)
            {
                throw new DmaException(Errno.EACCES, "no permission to read and write control segment " + absolute +
                    " (owned by another user? see shmdma.group.shared)", ex);
            }
            throw new DmaException(ex.errno(), "cannot open control segment " + absolute + ": " + ex.getMessage(), ex);
        }
        try
        {
            final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(HEADER_LENGTH));
            final long deadlineNs = System.nanoTime() + config.openTimeoutNs();
            long fileLength = channel.size();
            if (!isHeaderLengthSufficient(fileLength))
            {
                throw new DmaException(Errno.EINVAL, "control segment " + absolute + " is truncated: " +
                    fileLength + " bytes, the header alone needs " + HEADER_LENGTH);
            }
            readHeader(channel, header);
            checkMarker(header, absolute);
            long sleepMs = 1;
            while (0 == header.getIntVolatile(LAYOUT_VERSION_OFFSET))
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new DmaException(Errno.ETIMEDOUT, "control segment " + absolute + " did not become ready " +
                        "(layout version still 0) within " + TimeUnit.NANOSECONDS.toMillis(config.openTimeoutNs()) +
                        " ms; its creator may have died: remove the file if no shmdma process is running");
                }
                sleepQuietly(sleepMs);
                sleepMs = Math.min(sleepMs * 2, 50);
                readHeader(channel, header);
            }
            fileLength = channel.size();
            checkHeader(header, fileLength, absolute);
            final MappedByteBuffer mapped = channel.map(
                readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE, 0, TOTAL_LENGTH);
            return new ControlSegmentFile(absolute, mapped, false, channel);
        }
        catch (final IOException ex)
        {
            ShmFiles.closeQuietly(channel);
            throw new DmaException(Errno.EIO, "cannot open control segment " + absolute + ": " + ex, ex);
        }
        catch (final RuntimeException ex)
        {
            ShmFiles.closeQuietly(channel);
            throw ex;
        }
    }

    /**
     * The file.
     *
     * @return the absolute path.
     */
    Path path()
    {
        return path;
    }

    /**
     * The whole mapped file.
     *
     * @return the buffer over the mapping.
     */
    AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * Whether this process created the file.
     *
     * @return true when created here.
     */
    boolean created()
    {
        return created;
    }

    /**
     * Unmaps the file; the buffer must not be used afterwards.
     */
    public void close()
    {
        IoUtil.unmap(mappedBuffer);
        if (sizeChannel != null)
        {
            try
            {
                sizeChannel.close();
            }
            catch (final IOException ignore)
            {
                // nothing to release
            }
        }
    }

    private static ControlSegmentFile tryCreate(final Path file, final RegistryConfig config)
    {
        final Path directory = file.getParent();
        final String temporaryPrefix = "." + file.getFileName() + ".";
        deleteAbandonedTemporaryFiles(directory, temporaryPrefix);
        final Path temporary = directory.resolve(temporaryPrefix + ProcessHandle.current().pid() +
            "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMPORARY_SUFFIX);
        FileChannel channel = null;
        MappedByteBuffer mapped = null;
        try
        {
            channel = createTemporary(file, temporary, config);
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, TOTAL_LENGTH);
            writeHeader(new UnsafeBuffer(mapped));
            if (!ShmFiles.isLinkedAt(channel, temporary))
            {
                throw new DmaException(Errno.EACCES, "cannot create control segment " + file + ": its temporary " +
                    "file " + temporary + " was replaced while being built (another process writes to " + directory +
                    ")");
            }
            try
            {
                Files.createLink(file, temporary); // fails if the name exists; never follows either name
            }
            catch (final FileAlreadyExistsException lostRace)
            {
                return null;
            }
            if (!ShmFiles.isLinkedAt(channel, file))
            {
                ShmFiles.deleteQuietly(file); // the name this call just made holds something it did not build
                throw new DmaException(Errno.EACCES, "cannot create control segment " + file + ": its temporary " +
                    "file was replaced while being published (another process writes to " + directory + ")");
            }
            final ControlSegmentFile result = new ControlSegmentFile(file, mapped, true, channel);
            mapped = null;
            channel = null;
            return result;
        }
        catch (final IOException ex)
        {
            throw new DmaException(Errno.EIO, "cannot create control segment " + file + ": " + ex, ex);
        }
        finally
        {
            if (null != mapped)
            {
                IoUtil.unmap(mapped);
            }
            ShmFiles.closeQuietly(channel);
            ShmFiles.deleteQuietly(temporary);
        }
    }

    private static FileChannel createTemporary(final Path file, final Path temporary, final RegistryConfig config)
    {
        try
        {
            return ShmFiles.createReservedChannel(temporary, TOTAL_LENGTH, config.groupShared());
        }
        catch (final DmaException ex)
        {
            throw new DmaException(ex.errno(), "cannot create control segment " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static void writeHeader(final AtomicBuffer buffer)
    {
        final byte[] marker = markerBytes();
        buffer.putBytes(MARKER_OFFSET, marker);
        buffer.putInt(HEADER_LENGTH_FIELD_OFFSET, HEADER_LENGTH);
        buffer.putLong(TOTAL_LENGTH_FIELD_OFFSET, TOTAL_LENGTH);
        buffer.putInt(DOMAIN_CAPACITY_FIELD_OFFSET, DOMAIN_CAPACITY);
        buffer.putInt(GROUP_CAPACITY_FIELD_OFFSET, GROUP_CAPACITY);
        buffer.putInt(MEMBERS_PER_GROUP_FIELD_OFFSET, MEMBERS_PER_GROUP);
        buffer.putInt(HANDLER_CAPACITY_FIELD_OFFSET, HANDLER_TABLE_CAPACITY);
        buffer.putInt(DEVICE_COUNTERS_CAPACITY_FIELD_OFFSET, DEVICE_COUNTERS_CAPACITY);
        buffer.putInt(ERROR_LOG_CHUNK_COUNT_FIELD_OFFSET, ERROR_LOG_CHUNK_COUNT);
        buffer.putInt(ERROR_LOG_CHUNK_LENGTH_FIELD_OFFSET, ERROR_LOG_CHUNK_LENGTH);
        buffer.putInt(REGION_CAPACITY_FIELD_OFFSET, REGION_CAPACITY);
        buffer.putLong(CREATION_EPOCH_MS_OFFSET, System.currentTimeMillis());
        buffer.putLong(CREATOR_PID_OFFSET, ProcessHandle.current().pid());
        buffer.putIntRelease(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
    }

    private static void readHeader(final FileChannel channel, final UnsafeBuffer header) throws IOException
    {
        final ByteBuffer byteBuffer = header.byteBuffer();
        byteBuffer.clear();
        while (byteBuffer.hasRemaining())
        {
            if (channel.read(byteBuffer, byteBuffer.position()) < 0)
            {
                break;
            }
        }
    }

    /**
     * Deletes temporary files left by creators that died before publishing; a live creator finishes within
     * milliseconds, so a minute-old temporary file is abandoned.
     */
    private static void deleteAbandonedTemporaryFiles(final Path directory, final String prefix)
    {
        final long cutoffMs = System.currentTimeMillis() - ABANDONED_TEMPORARY_AGE_MS;
        final DirectoryStream.Filter<Path> isTemporary = path ->
        {
            final String name = path.getFileName().toString();
            return name.startsWith(prefix) && name.endsWith(TEMPORARY_SUFFIX);
        };
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, isTemporary))
        {
            for (final Path file : files)
            {
                if (Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis() < cutoffMs)
                {
                    ShmFiles.deleteQuietly(file);
                }
            }
        }
        catch (final IOException ignore)
        {
            // best effort
        }
    }

    private static void sleepQuietly(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new DmaException(Errno.EAGAIN, "interrupted while waiting for the control segment", ex);
        }
    }
}
