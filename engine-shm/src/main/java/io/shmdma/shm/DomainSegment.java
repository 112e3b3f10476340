package io.shmdma.shm;

import io.shmdma.memory.DomainMemory;
import io.shmdma.shm.file.ShmFiles;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A domain's memory mapped from its segment file: this process's own (created and deleted by it) or a
 * peer's (mapped read-write so the engine can copy into it). Mappings are kept until the process closes its
 * domain, so an engine never touches unmapped memory; a peer's file that is deleted stays valid memory.
 * <p>
 * A file truncated after it was mapped (shmdma never does that; a process with write permission on the file
 * can) would raise SIGBUS on access. The conductor calls {@link #checkIntact()} every duty cycle: once the file
 * is found shorter than the mapping the segment is marked broken and inter-process jobs addressing it fail
 * with INVALID_SRC/DST_ADDR instead of touching it (see docs/security.md).
 * <p>
 * The owner holds an exclusive file lock on its segment for as long as it lives, so a process opening the
 * directory can tell a segment left by a dead process that never registered it from one being opened.
 * <p>
 * Every file is reached once by name ({@link ShmFiles}: created with {@code O_EXCL}, or opened without following a
 * link and checked); sizes, mappings and the truncation check then go through that open channel only.
 */
public final class DomainSegment implements AutoCloseable
{
    private final Path file;
    private final UUID domainId;
    private final MappedByteBuffer header;
    private final MappedByteBuffer[] chunks;
    private final DomainMemory memory;
    private final long mappedLength;
    /** The owner's locked channel, or null for a peer's segment. */
    private final FileChannel ownerChannel;
    /** Where the file's size is read: the owner's channel, or the one the peer's segment was mapped through. */
    private final FileChannel sizeChannel;
    private volatile boolean intact = true;
    private volatile boolean closed;

    private DomainSegment(
        final Path file, final UUID domainId, final MappedByteBuffer header, final MappedByteBuffer[] chunks,
        final FileChannel ownerChannel, final FileChannel sizeChannel, final long dataLength)
    {
        this.file = file;
        this.domainId = domainId;
        this.header = header;
        this.chunks = chunks;
        this.memory = new DomainMemory(DomainSegmentDescriptor.IOVA_BASE, chunks);
        this.ownerChannel = ownerChannel;
        this.mappedLength = DomainSegmentDescriptor.HEADER_LENGTH + dataLength;
        this.sizeChannel = sizeChannel;
    }

    /**
     * Creates this process's segment, reserving its space.
     *
     * @param dir         the shmdma directory.
     * @param domainId    this process's domain.
     * @param dataLength  DMA-able bytes, 1..{@link DomainSegmentDescriptor#MAX_DATA_LENGTH}.
     * @param groupShared whether the group may use the file.
     * @return the segment.
     * @throws IllegalArgumentException for a null dir or id or a length out of range.
     * @throws io.shmdma.DmaException    naming the file and sizes: ENOSPC when it does not fit, EEXIST, EIO.
     */
    public static DomainSegment create(
        final Path dir, final UUID domainId, final long dataLength, final boolean groupShared)
    {
        if (dataLength <= 0 || dataLength > DomainSegmentDescriptor.MAX_DATA_LENGTH)
        {
            throw new IllegalArgumentException("domain segment data length must be in 1.." +
                DomainSegmentDescriptor.MAX_DATA_LENGTH + ": " + dataLength);
        }
        final Path file = DomainSegmentDescriptor.file(dir, domainId);
        final FileChannel channel = ShmFiles.createLockedReserved(
            file, DomainSegmentDescriptor.HEADER_LENGTH + dataLength, groupShared);
        MappedByteBuffer header = null;
        MappedByteBuffer[] chunks = null;
        try
        {
            header = ShmFiles.map(channel, file, 0, DomainSegmentDescriptor.HEADER_LENGTH);
            chunks = mapChunks(channel, file, dataLength);
            DomainSegmentDescriptor.fillHeader(new UnsafeBuffer(header), domainId, dataLength);
            return new DomainSegment(file, domainId, header, chunks, channel, channel, dataLength);
        }
        catch (final RuntimeException ex)
        {
            unmapAll(header, chunks);
            ShmFiles.deleteIfLinked(channel, file);
            ShmFiles.closeQuietly(channel);
            throw ex;
        }
    }

    /**
     * Maps a peer's segment after checking its header and length.
     *
     * @param dir      the shmdma directory.
     * @param domainId the peer's domain.
     * @return the segment.
     * @throws IllegalArgumentException for a null dir or id.
     * @throws IllegalStateException    naming the file when it is missing, a symbolic link, not a regular file,
     *                                  foreign, truncated, corrupt or of another version.
     */
    public static DomainSegment mapPeer(final Path dir, final UUID domainId)
    {
        final Path file = DomainSegmentDescriptor.file(dir, domainId);
        MappedByteBuffer header = null;
        MappedByteBuffer[] chunks = null;
        FileChannel channel = null;
        try
        {
            channel = ShmFiles.openExisting(file, false);
            final long fileLength = channel.size();
            if (fileLength < DomainSegmentDescriptor.HEADER_LENGTH)
            {
                throw new IllegalStateException("domain segment " + file + " is shorter than its header (" +
                    fileLength + " bytes)");
            }
            header = ShmFiles.map(channel, file, 0, DomainSegmentDescriptor.HEADER_LENGTH);
            final long dataLength =
                DomainSegmentDescriptor.validate(new UnsafeBuffer(header), file, fileLength, domainId);
            chunks = mapChunks(channel, file, dataLength);
            return new DomainSegment(file, domainId, header, chunks, null, channel, dataLength);
        }
        catch (final io.shmdma.DmaException ex)
        {
            unmapAll(header, chunks);
            ShmFiles.closeQuietly(channel);
            throw new IllegalStateException("cannot map domain segment " + file + ": " + ex.getMessage(), ex);
        }
        catch (final IOException ex)
        {
            unmapAll(header, chunks);
            ShmFiles.closeQuietly(channel);
            throw new IllegalStateException("cannot map domain segment " + file + ": " + ex, ex);
        }
        catch (final RuntimeException ex)
        {
            unmapAll(header, chunks);
            ShmFiles.closeQuietly(channel);
            throw ex;
        }
    }

    /** Maps the data through the channel the file was created or opened with, never by name again. */
    private static MappedByteBuffer[] mapChunks(final FileChannel channel, final Path file, final long dataLength)
    {
        final int count = (int)((dataLength + DomainMemory.CHUNK_SIZE - 1) / DomainMemory.CHUNK_SIZE);
        final MappedByteBuffer[] chunks = new MappedByteBuffer[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                final long offset = (long)i * DomainMemory.CHUNK_SIZE;
                final long length = Math.min(DomainMemory.CHUNK_SIZE, dataLength - offset);
                chunks[i] = ShmFiles.map(channel, file, DomainSegmentDescriptor.HEADER_LENGTH + offset, length);
            }
            return chunks;
        }
        catch (final RuntimeException ex)
        {
            unmapAll(null, chunks);
            throw ex;
        }
    }

    private static void unmapAll(final MappedByteBuffer header, final MappedByteBuffer[] chunks)
    {
        ShmFiles.unmap(header);
        if (chunks != null)
        {
            for (final MappedByteBuffer chunk : chunks)
            {
                ShmFiles.unmap(chunk);
            }
        }
    }

    /**
     * The domain's memory.
     *
     * @return the memory; IOVAs start at {@link DomainSegmentDescriptor#IOVA_BASE}.
     * @throws IllegalStateException after {@link #close()}.
     */
    public DomainMemory memory()
    {
        if (closed)
        {
            throw new IllegalStateException("domain segment " + file + " is closed");
        }
        return memory;
    }

    /**
     * Whether the file still covers the whole mapping, as of the last {@link #checkIntact()}. Lock-free, for the
     * data path.
     *
     * @return false once the file was found truncated.
     */
    public boolean isIntact()
    {
        return intact;
    }

    /**
     * Checks, through the open file (so a file replaced under the same name is not confused with it), that the
     * file still covers the mapping; marks the segment broken for good when it does not.
     *
     * @return true while intact.
     */
    public boolean checkIntact()
    {
        if (intact && sizeChannel != null && !closed)
        {
            try
            {
                if (sizeChannel.size() < mappedLength)
                {
                    intact = false;
                }
            }
            catch (final IOException ignore)
            {
                // the channel was closed by close(): nothing to check any more
            }
        }
        return intact;
    }

    /**
     * Bytes of the file that are mapped, header included.
     *
     * @return the mapped length.
     */
    public long mappedLength()
    {
        return mappedLength;
    }

    /**
     * The current length of the file behind the mapping.
     *
     * @return bytes, or -1 when it cannot be read.
     */
    public long fileLength()
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
     * The domain.
     *
     * @return the domain id.
     */
    public UUID domainId()
    {
        return domainId;
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
     * Unmaps the segment and, for this process's own, deletes the file. Only when no engine uses it; regions of
     * its memory must not be used afterwards. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        memory.close();
        unmapAll(header, chunks);
        if (ownerChannel != null)
        {
            ShmFiles.deleteIfLinked(ownerChannel, file);
        }
        ShmFiles.closeQuietly(sizeChannel);
    }
}
