package io.shmdma.shm.registry;

import io.shmdma.memory.SharedMemory;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;

import java.util.ArrayList;
import java.util.List;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * The error log area of the control segment: {@link ControlSegmentDescriptor#ERROR_LOG_CHUNK_COUNT} chunks, each
 * an Agrona distinct error log written by one process (the log keeps its write position in the writing process,
 * so two processes must never share a chunk). A chunk is claimed under the registry lock, released when its owner
 * closes or is reaped, and keeps its content for operators until it is claimed again (oldest release first).
 */
final class ErrorLogChunks
{
    private ErrorLogChunks()
    {
    }

    /**
     * Claims a free chunk, or else the one released longest ago, or else one whose owner process no longer exists
     * (a process that died before it registered a domain is never reaped, so nothing released its chunk), and
     * clears it. Call under the registry lock.
     *
     * @param buffer      the control segment.
     * @param incarnation the claiming process's incarnation id.
     * @param pid         the claiming process's pid.
     * @return the chunk index, or -1 when every chunk is owned.
     */
    static int claim(final AtomicBuffer buffer, final long incarnation, final long pid)
    {
        int chosen = -1;
        long oldestReleaseMs = Long.MAX_VALUE;
        for (int chunk = 0; chunk < ERROR_LOG_CHUNK_COUNT; chunk++)
        {
            final int directoryOffset = errorLogDirectoryOffset(chunk);
            final int state = buffer.getInt(directoryOffset + CHUNK_STATE_OFFSET);
            if (state == CHUNK_FREE)
            {
                chosen = chunk;
                break;
            }
            final long releasedMs = buffer.getLong(directoryOffset + CHUNK_RELEASED_EPOCH_MS_OFFSET);
            if (state == CHUNK_RELEASED && releasedMs < oldestReleaseMs)
            {
                chosen = chunk;
                oldestReleaseMs = releasedMs;
            }
        }
        for (int chunk = 0; chunk < ERROR_LOG_CHUNK_COUNT && chosen < 0; chunk++)
        {
            final int directoryOffset = errorLogDirectoryOffset(chunk);
            if (buffer.getInt(directoryOffset + CHUNK_STATE_OFFSET) == CHUNK_IN_USE &&
                !ProcessHandle.of(buffer.getLong(directoryOffset + CHUNK_OWNER_PID_OFFSET))
                    .map(ProcessHandle::isAlive).orElse(false))
            {
                chosen = chunk;
            }
        }
        if (chosen >= 0)
        {
            final int directoryOffset = errorLogDirectoryOffset(chosen);
            buffer.putIntRelease(directoryOffset + CHUNK_STATE_OFFSET, CHUNK_IN_USE);
            SharedMemory.clear(buffer, errorLogChunkOffset(chosen), ERROR_LOG_CHUNK_LENGTH);
            buffer.putLong(directoryOffset + CHUNK_OWNER_INCARNATION_OFFSET, incarnation);
            buffer.putLong(directoryOffset + CHUNK_OWNER_PID_OFFSET, pid);
            buffer.putLong(directoryOffset + CHUNK_CLAIMED_EPOCH_MS_OFFSET, System.currentTimeMillis());
            buffer.putLongRelease(directoryOffset + CHUNK_RELEASED_EPOCH_MS_OFFSET, 0);
        }
        return chosen;
    }

    /**
     * Releases a chunk; its content stays readable. Call under the registry lock.
     *
     * @param buffer the control segment.
     * @param chunk  the chunk index.
     */
    static void release(final AtomicBuffer buffer, final int chunk)
    {
        final int directoryOffset = errorLogDirectoryOffset(chunk);
        buffer.putLong(directoryOffset + CHUNK_RELEASED_EPOCH_MS_OFFSET, System.currentTimeMillis());
        buffer.putIntRelease(directoryOffset + CHUNK_STATE_OFFSET, CHUNK_RELEASED);
    }

    /**
     * Releases every chunk a process owns. Call under the registry lock.
     *
     * @param buffer      the control segment.
     * @param incarnation the owner's incarnation id.
     */
    static void releaseOwnedBy(final AtomicBuffer buffer, final long incarnation)
    {
        for (int chunk = 0; chunk < ERROR_LOG_CHUNK_COUNT; chunk++)
        {
            final int directoryOffset = errorLogDirectoryOffset(chunk);
            if (buffer.getInt(directoryOffset + CHUNK_STATE_OFFSET) == CHUNK_IN_USE &&
                buffer.getLong(directoryOffset + CHUNK_OWNER_INCARNATION_OFFSET) == incarnation)
            {
                release(buffer, chunk);
            }
        }
    }

    /**
     * A buffer over one chunk, for a {@link org.agrona.concurrent.errors.DistinctErrorLog}.
     *
     * @param buffer the control segment.
     * @param chunk  the chunk index.
     * @return a buffer over the chunk.
     */
    static AtomicBuffer chunkBuffer(final AtomicBuffer buffer, final int chunk)
    {
        return new UnsafeBuffer(buffer, errorLogChunkOffset(chunk), ERROR_LOG_CHUNK_LENGTH);
    }

    /**
     * Reads every distinct error in every chunk that was ever claimed. Lock-free.
     *
     * @param buffer the control segment.
     * @return the errors, by chunk then by first observation.
     */
    static List<ErrorLogEntry> read(final AtomicBuffer buffer)
    {
        final List<ErrorLogEntry> entries = new ArrayList<>();
        for (int chunk = 0; chunk < ERROR_LOG_CHUNK_COUNT; chunk++)
        {
            final int directoryOffset = errorLogDirectoryOffset(chunk);
            if (buffer.getIntAcquire(directoryOffset + CHUNK_STATE_OFFSET) != CHUNK_FREE)
            {
                final long ownerPid = buffer.getLong(directoryOffset + CHUNK_OWNER_PID_OFFSET);
                ErrorLogReader.read(chunkBuffer(buffer, chunk), (count, first, last, text) ->
                    entries.add(new ErrorLogEntry(ownerPid, count, first, last, text)));
            }
        }
        return entries;
    }
}
