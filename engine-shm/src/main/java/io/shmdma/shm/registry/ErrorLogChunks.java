package io.shmdma.shm.registry;

import org.agrona.concurrent.errors.ErrorLogReader;

import java.util.ArrayList;
import java.util.List;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * The error log area of the control segment: {@link ControlSegmentDescriptor#ERROR_LOG_CHUNK_COUNT} chunks, each
 * an Agrona distinct error log written by one process (the log keeps its write position in the writing process,
 * so two processes must never share a chunk). A chunk is claimed under the registry lock, released when its owner
 * closes or is reaped, and keeps its content for operators until it is claimed again (oldest release first). The
 * directory is written only under the lock, through the {@link FencedWriter}.
 */
final class ErrorLogChunks
{
    private ErrorLogChunks()
    {
    }

    /**
     * Claims a free chunk, or else the one released longest ago, or else one whose owner process no longer exists
     * (a process that died before it registered a domain is never reaped, so nothing released its chunk), and
     * clears it.
     *
     * @param writer      the lock holder's writer.
     * @param reader      the segment.
     * @param incarnation the claiming process's incarnation id.
     * @param pid         the claiming process's pid.
     * @return the chunk index, or -1 when every chunk is owned.
     */
    static int claim(final FencedWriter writer, final SegmentReader reader, final long incarnation, final long pid)
    {
        int chosen = -1;
        long oldestReleaseMs = Long.MAX_VALUE;
        for (int chunk = 0; chunk < ERROR_LOG_CHUNK_COUNT; chunk++)
        {
            final int directoryOffset = errorLogDirectoryOffset(chunk);
            final int state = reader.getInt(directoryOffset + CHUNK_STATE_OFFSET);
            if (state == CHUNK_FREE)
            {
                chosen = chunk;
                break;
            }
            final long releasedMs = reader.getLong(directoryOffset + CHUNK_RELEASED_EPOCH_MS_OFFSET);
            if (state == CHUNK_RELEASED && releasedMs < oldestReleaseMs)
            {
                chosen = chunk;
                oldestReleaseMs = releasedMs;
            }
        }
        for (int chunk = 0; chunk < ERROR_LOG_CHUNK_COUNT && chosen < 0; chunk++)
        {
            final int directoryOffset = errorLogDirectoryOffset(chunk);
            if (reader.getInt(directoryOffset + CHUNK_STATE_OFFSET) == CHUNK_IN_USE &&
                !ProcessLiveness.isRunning(reader.getLong(directoryOffset + CHUNK_OWNER_PID_OFFSET)))
            {
                chosen = chunk;
            }
        }
        if (chosen >= 0)
        {
            final int directoryOffset = errorLogDirectoryOffset(chosen);
            writer.putIntRelease(directoryOffset + CHUNK_STATE_OFFSET, CHUNK_IN_USE);
            writer.clear(errorLogChunkOffset(chosen), ERROR_LOG_CHUNK_LENGTH);
            writer.putLong(directoryOffset + CHUNK_OWNER_INCARNATION_OFFSET, incarnation);
            writer.putLong(directoryOffset + CHUNK_OWNER_PID_OFFSET, pid);
            writer.putLong(directoryOffset + CHUNK_CLAIMED_EPOCH_MS_OFFSET, System.currentTimeMillis());
            writer.putLongRelease(directoryOffset + CHUNK_RELEASED_EPOCH_MS_OFFSET, 0);
        }
        return chosen;
    }

    /**
     * Whether a chunk is in use by a process: a process reaped while paused has had its chunk released.
     *
     * @param reader      the segment.
     * @param chunk       the chunk index.
     * @param incarnation the process's incarnation id.
     * @return true when that process owns the chunk.
     */
    static boolean isOwnedBy(final SegmentReader reader, final int chunk, final long incarnation)
    {
        final int directoryOffset = errorLogDirectoryOffset(chunk);
        return reader.getIntVolatile(directoryOffset + CHUNK_STATE_OFFSET) == CHUNK_IN_USE &&
            reader.getLongVolatile(directoryOffset + CHUNK_OWNER_INCARNATION_OFFSET) == incarnation;
    }

    /**
     * Releases a chunk; its content stays readable.
     *
     * @param writer the lock holder's writer.
     * @param chunk  the chunk index.
     */
    static void release(final FencedWriter writer, final int chunk)
    {
        final int directoryOffset = errorLogDirectoryOffset(chunk);
        writer.putLong(directoryOffset + CHUNK_RELEASED_EPOCH_MS_OFFSET, System.currentTimeMillis());
        writer.putIntRelease(directoryOffset + CHUNK_STATE_OFFSET, CHUNK_RELEASED);
    }

    /**
     * Releases every chunk a process owns.
     *
     * @param writer      the lock holder's writer.
     * @param reader      the segment.
     * @param incarnation the owner's incarnation id.
     */
    static void releaseOwnedBy(final FencedWriter writer, final SegmentReader reader, final long incarnation)
    {
        for (int chunk = 0; chunk < ERROR_LOG_CHUNK_COUNT; chunk++)
        {
            final int directoryOffset = errorLogDirectoryOffset(chunk);
            if (reader.getInt(directoryOffset + CHUNK_STATE_OFFSET) == CHUNK_IN_USE &&
                reader.getLong(directoryOffset + CHUNK_OWNER_INCARNATION_OFFSET) == incarnation)
            {
                release(writer, chunk);
            }
        }
    }

    /**
     * Reads every distinct error in every chunk that was ever claimed. Lock-free.
     *
     * @param reader the segment.
     * @param chunks buffers over the chunks.
     * @return the errors, by chunk then by first observation.
     */
    static List<ErrorLogEntry> read(final SegmentReader reader, final OwnerStores chunks)
    {
        final List<ErrorLogEntry> entries = new ArrayList<>();
        for (int chunk = 0; chunk < ERROR_LOG_CHUNK_COUNT; chunk++)
        {
            final int directoryOffset = errorLogDirectoryOffset(chunk);
            if (reader.getIntAcquire(directoryOffset + CHUNK_STATE_OFFSET) != CHUNK_FREE)
            {
                final long ownerPid = reader.getLong(directoryOffset + CHUNK_OWNER_PID_OFFSET);
                ErrorLogReader.read(chunks.errorLogChunk(chunk), (count, first, last, text) ->
                    entries.add(new ErrorLogEntry(ownerPid, count, first, last, text)));
            }
        }
        return entries;
    }
}
