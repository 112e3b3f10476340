package io.shmdma.shm.driver;

import io.shmdma.DmaException;
import io.shmdma.Errno;
import io.shmdma.shm.file.ShmFiles;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.shmdma.shm.driver.DriverFileDescriptor.*;

/**
 * A mapping of {@code driver.shm} ({@link DriverFileDescriptor}): created and owned by the driver process, which
 * holds an exclusive lock on it for as long as it lives (so a file left by a dead driver is told from a live one's),
 * or mapped by a client that found a live driver there.
 */
public final class DriverFile implements AutoCloseable
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final MappedByteBuffer mapping;
    private final AtomicBuffer buffer;
    private final FileChannel ownerChannel;
    private final long incarnation;
    private boolean closed;

    private DriverFile(
        final Path file, final MappedByteBuffer mapping, final FileChannel ownerChannel, final long incarnation)
    {
        this.file = file;
        this.mapping = mapping;
        this.buffer = new UnsafeBuffer(mapping);
        this.ownerChannel = ownerChannel;
        this.incarnation = incarnation;
    }

    /**
     * Creates the driver's file, replacing one left by a dead driver; refuses when a live driver holds it.
     *
     * @param dir               the shmdma directory (created when absent).
     * @param groupShared       whether the group may use it.
     * @param engineThreads     engine threads, for people.
     * @param livenessTimeoutNs the driver's liveness timeout, for people.
     * @return the owner's mapping, version written.
     * @throws DmaException naming the file: EEXIST when a live driver serves the directory, ENOSPC, EACCES, EIO.
     */
    public static DriverFile create(
        final Path dir, final boolean groupShared, final int engineThreads, final long livenessTimeoutNs)
    {
        ShmFiles.ensureDirectory(dir, groupShared);
        final Path file = DriverFileDescriptor.file(dir);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !ShmFiles.deleteIfUnlocked(file))
        {
            throw new DmaException(Errno.EEXIST, "a live shmdma driver already serves " + dir + " (" + file +
                " is held by a running process); run one driver per directory");
        }
        final FileChannel channel = ShmFiles.createLockedReserved(file, TOTAL_LENGTH, groupShared);
        try
        {
            final MappedByteBuffer mapping = ShmFiles.map(channel, file, 0, TOTAL_LENGTH);
            long incarnation;
            do
            {
                incarnation = RANDOM.nextLong();
            }
            while (incarnation == 0);
            final DriverFile driverFile = new DriverFile(file, mapping, channel, incarnation);
            driverFile.fill(engineThreads, livenessTimeoutNs);
            return driverFile;
        }
        catch (final RuntimeException ex)
        {
            ShmFiles.deleteIfLinked(channel, file);
            ShmFiles.closeQuietly(channel);
            throw ex;
        }
    }

    private void fill(final int engineThreads, final long livenessTimeoutNs)
    {
        buffer.putBytes(MARKER_OFFSET, MARKER);
        buffer.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        buffer.putLong(TOTAL_LENGTH_OFFSET, TOTAL_LENGTH);
        buffer.putInt(SLOT_COUNT_OFFSET, SLOT_COUNT);
        buffer.putInt(SLOT_LENGTH_OFFSET, SLOT_LENGTH);
        buffer.putLong(CREATION_TIME_OFFSET, System.currentTimeMillis());
        buffer.putLong(PID_OFFSET, ProcessHandle.current().pid());
        buffer.putInt(ENGINE_THREADS_OFFSET, engineThreads);
        buffer.putLong(LIVENESS_TIMEOUT_OFFSET, livenessTimeoutNs);
        buffer.putLong(INCARNATION_OFFSET, incarnation);
        buffer.putLongRelease(HEARTBEAT_OFFSET, System.nanoTime());
        buffer.putIntRelease(VERSION_OFFSET, LAYOUT_VERSION);
    }

    /**
     * Maps the file of a live driver, waiting for one to appear until a deadline.
     *
     * @param dir               the shmdma directory.
     * @param livenessTimeoutNs a heartbeat older than this is a dead driver's.
     * @param timeoutNs         longest wait.
     * @return the client's mapping.
     * @throws DmaException ETIMEDOUT naming the directory when no live driver is found in time; EACCES or EINVAL for a
     *                      file that is a link, foreign, or not a driver file of this layout.
     */
    public static DriverFile openLive(final Path dir, final long livenessTimeoutNs, final long timeoutNs)
    {
        final Path file = DriverFileDescriptor.file(dir);
        final long deadlineNs = System.nanoTime() + timeoutNs;
        String last = "no " + FILE_NAME;
        while (true)
        {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(file))
            {
                final DriverFile mapped = mapExisting(file);
                if (mapped != null)
                {
                    final long ageNs = System.nanoTime() - mapped.lvHeartbeatNs();
                    if (ageNs <= livenessTimeoutNs)
                    {
                        return mapped;
                    }
                    last = FILE_NAME + " of a dead driver (heartbeat " + TimeUnit.NANOSECONDS.toMillis(ageNs) +
                        " ms old)";
                    ShmFiles.unmap(mapped.mapping); // never handed out
                }
                else
                {
                    last = FILE_NAME + " not ready";
                }
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new DmaException(Errno.ETIMEDOUT, "no live shmdma driver serves " + dir + " (" + last +
                    " after " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms): start one with " +
                    "'./shmdma driver --dir " + dir + "', or open the domain in embedded engine mode");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Maps an existing file after checking it; null while its version is not written yet. */
    private static DriverFile mapExisting(final Path file)
    {
        final FileChannel channel = ShmFiles.openExisting(file, false);
        try
        {
            final long length = channel.size();
            if (length < TOTAL_LENGTH)
            {
                return null; // being created (its space is reserved before the version is written)
            }
            final MappedByteBuffer mapping = ShmFiles.map(channel, file, 0, TOTAL_LENGTH);
            final UnsafeBuffer buffer = new UnsafeBuffer(mapping);
            final int version = buffer.getIntAcquire(VERSION_OFFSET);
            if (version == 0)
            {
                ShmFiles.unmap(mapping);
                return null;
            }
            final byte[] marker = new byte[MARKER.length];
            buffer.getBytes(MARKER_OFFSET, marker);
            if (version != LAYOUT_VERSION || !java.util.Arrays.equals(marker, MARKER) ||
                buffer.getInt(HEADER_LENGTH_OFFSET) != HEADER_LENGTH ||
                buffer.getLong(TOTAL_LENGTH_OFFSET) != TOTAL_LENGTH ||
                buffer.getInt(SLOT_COUNT_OFFSET) != SLOT_COUNT || buffer.getInt(SLOT_LENGTH_OFFSET) != SLOT_LENGTH)
            {
                ShmFiles.unmap(mapping);
                throw new DmaException(Errno.EINVAL, file + " is not a shmdma driver file of layout version " +
                    LAYOUT_VERSION + " (version " + version + "): a driver of another shmdma release serves it?");
            }
            return new DriverFile(file, mapping, null, buffer.getLong(INCARNATION_OFFSET));
        }
        catch (final IOException ex)
        {
            throw new DmaException(Errno.EIO, "cannot read " + file + ": " + ex, ex);
        }
        finally
        {
            ShmFiles.closeQuietly(channel);
        }
    }

    /**
     * The mapped file.
     *
     * @return the buffer.
     */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * The file.
     *
     * @return the path.
     */
    public Path file()
    {
        return file;
    }

    /**
     * The incarnation of the driver, read once when the file was mapped (a client compares it to the one in the
     * file to tell that the driver it found is the one still there).
     *
     * @return the incarnation.
     */
    public long incarnation()
    {
        return incarnation;
    }

    /**
     * The driver's heartbeat (acquire).
     *
     * @return {@link System#nanoTime()} of the last heartbeat, 0 after a clean shutdown.
     */
    public long lvHeartbeatNs()
    {
        return buffer.getLongAcquire(HEARTBEAT_OFFSET);
    }

    /**
     * Whether the driver that was found when mapping is still alive: same incarnation, fresh heartbeat.
     *
     * @param nowNs             {@link System#nanoTime()}.
     * @param livenessTimeoutNs a heartbeat older than this is dead.
     * @return true while alive.
     */
    public boolean isAlive(final long nowNs, final long livenessTimeoutNs)
    {
        return buffer.getLongAcquire(INCARNATION_OFFSET) == incarnation &&
            nowNs - lvHeartbeatNs() <= livenessTimeoutNs;
    }

    /** The owner's heartbeat: a release store of {@link System#nanoTime()}. */
    void heartbeat()
    {
        buffer.putLongRelease(HEARTBEAT_OFFSET, System.nanoTime());
    }

    /**
     * The owner stops its heartbeat (clients see a dead driver at once), deletes the file and unmaps it. A client's
     * mapping is left to the garbage collector, which unmaps it once nothing refers to it, so a thread that still
     * checks a driver's liveness through it never touches unmapped memory.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (ownerChannel != null)
        {
            buffer.putLongRelease(HEARTBEAT_OFFSET, 0);
            ShmFiles.deleteIfLinked(ownerChannel, file);
            ShmFiles.closeQuietly(ownerChannel);
            ShmFiles.unmap(mapping);
        }
    }
}
