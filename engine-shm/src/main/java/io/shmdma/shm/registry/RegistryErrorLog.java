package io.shmdma.shm.registry;

import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.ERROR_LOG_CHUNK_LENGTH;

/**
 * This process's distinct error log in the control segment ({@link ErrorLogChunks}): a chunk claimed under the
 * registry lock on first use, released on close. A chunk found released (this process was reaped while paused) is
 * claimed again; when every chunk is owned by a live process, a private log that tools cannot see is used instead.
 * Claims run under this process's lock (as every locked operation), so a thread that records an error while it
 * holds the registry lock never waits for another.
 */
final class RegistryErrorLog
{
    private final RegistryLock lock;
    private final SegmentReader reader;
    private final OwnerStores ownerStores;
    private final long incarnation;
    private final long pid;
    private final Path path;
    private DistinctErrorLog errorLog;
    private int chunk = -1;

    RegistryErrorLog(
        final RegistryLock lock,
        final SegmentReader reader,
        final OwnerStores ownerStores,
        final long incarnation,
        final long pid,
        final Path path)
    {
        this.lock = lock;
        this.reader = reader;
        this.ownerStores = ownerStores;
        this.incarnation = incarnation;
        this.pid = pid;
        this.path = path;
    }

    /**
     * The log, claiming a chunk when this process has none (or lost it).
     *
     * @return the log.
     */
    DistinctErrorLog get()
    {
        return lock.exclusively(() ->
        {
            if (chunk >= 0 && !ErrorLogChunks.isOwnedBy(reader, chunk, incarnation))
            {
                errorLog = null;
                chunk = -1;
            }
            if (null == errorLog)
            {
                errorLog = lock.locked(RegistryOperation.ERROR_LOG, this::claim, rc -> null);
                if (null == errorLog)
                {
                    System.err.println("shmdma: no free error log chunk in " + path +
                        "; errors of this process are not visible to tools");
                    errorLog = new DistinctErrorLog(
                        new UnsafeBuffer(ByteBuffer.allocateDirect(ERROR_LOG_CHUNK_LENGTH)), SystemEpochClock.INSTANCE);
                }
            }
            return errorLog;
        });
    }

    /**
     * Records an error, claiming a chunk when needed (takes the lock).
     *
     * @param error the error.
     */
    void record(final Throwable error)
    {
        get().record(error);
    }

    /**
     * Records an error without taking the lock: in the chunk this process still owns, else on stderr.
     *
     * @param error the error.
     */
    void recordUnlocked(final Throwable error)
    {
        if (null != errorLog && (chunk < 0 || ErrorLogChunks.isOwnedBy(reader, chunk, incarnation)))
        {
            errorLog.record(error);
        }
        else
        {
            System.err.println("shmdma: " + error.getMessage());
        }
    }

    /**
     * Releases this process's chunk, if it still owns one; its content stays readable.
     */
    void release()
    {
        if (chunk >= 0)
        {
            lock.locked(RegistryOperation.ERROR_LOG, writer ->
            {
                if (ErrorLogChunks.isOwnedBy(reader, chunk, incarnation))
                {
                    ErrorLogChunks.release(writer, chunk);
                }
                return 0;
            });
        }
    }

    /**
     * Every distinct error recorded in the control segment by any process, dead ones included. Lock-free.
     *
     * @return the errors, by chunk then by first observation.
     */
    List<ErrorLogEntry> entries()
    {
        return ErrorLogChunks.read(reader, ownerStores);
    }

    private DistinctErrorLog claim(final FencedWriter writer)
    {
        writer.checkLockHeld();
        final int claimed = ErrorLogChunks.claim(writer, reader, incarnation, pid);
        if (claimed < 0)
        {
            return null;
        }
        chunk = claimed;
        return new DistinctErrorLog(ownerStores.errorLogChunk(claimed), SystemEpochClock.INSTANCE);
    }
}
