package io.shmdma.shm;

import io.shmdma.memory.DomainMemory;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A domain's memory mapped from its segment file: this process's own (created and deleted by it) or a
 * peer's (mapped read-write so the engine can copy into it). Mappings are kept until the process closes its
 * domain, so an engine never touches unmapped memory; a peer's file that is deleted stays valid memory.
 * The owner holds an exclusive file lock on its segment for as long as it lives, so a process opening the
 * directory can tell a segment left by a dead process that never registered it from one being opened.
 */
public final class DomainSegment implements AutoCloseable
{
    private final Path file;
    private final UUID domainId;
    private final MappedByteBuffer header;
    private final MappedByteBuffer[] chunks;
    private final DomainMemory memory;
    private final FileChannel ownerChannel;

    private DomainSegment(
        final Path file, final UUID domainId, final MappedByteBuffer header, final MappedByteBuffer[] chunks,
        final FileChannel ownerChannel)
    {
        this.file = file;
        this.domainId = domainId;
        this.header = header;
        this.chunks = chunks;
        this.memory = new DomainMemory(DomainSegmentDescriptor.IOVA_BASE, chunks);
        this.ownerChannel = ownerChannel;
    }

    /**
     * Creates this process's segment, reserving its space.
     *
     * @param dir         the shmdma directory.
     * @param domainId    this process's domain.
     * @param dataLength  DMA-able bytes.
     * @param groupShared whether the group may use the file.
     * @return the segment.
     */
    public static DomainSegment create(
        final Path dir, final UUID domainId, final long dataLength, final boolean groupShared)
    {
        final Path file = DomainSegmentDescriptor.file(dir, domainId);
        final FileChannel channel = ShmFiles.createLockedReserved(
            file, DomainSegmentDescriptor.HEADER_LENGTH + dataLength, groupShared);
        try
        {
            final MappedByteBuffer header = ShmFiles.map(channel, file, 0, DomainSegmentDescriptor.HEADER_LENGTH);
            final MappedByteBuffer[] chunks = mapChunks(channel, file, dataLength);
            DomainSegmentDescriptor.fillHeader(new UnsafeBuffer(header), domainId, dataLength);
            return new DomainSegment(file, domainId, header, chunks, channel);
        }
        catch (final RuntimeException ex)
        {
            ShmFiles.deleteQuietly(file);
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
     * @throws IllegalStateException when the file is missing, foreign, truncated or of another version.
     */
    public static DomainSegment mapPeer(final Path dir, final UUID domainId)
    {
        final Path file = DomainSegmentDescriptor.file(dir, domainId);
        final long fileLength = ShmFiles.length(file);
        if (fileLength < DomainSegmentDescriptor.HEADER_LENGTH)
        {
            throw new IllegalStateException("domain segment " + file + " is missing or shorter than its header (" +
                fileLength + " bytes)");
        }
        final MappedByteBuffer header = ShmFiles.map(file, 0, DomainSegmentDescriptor.HEADER_LENGTH);
        final long dataLength;
        try
        {
            dataLength = DomainSegmentDescriptor.validate(new UnsafeBuffer(header), file, fileLength, domainId);
        }
        catch (final IllegalStateException ex)
        {
            ShmFiles.unmap(header);
            throw ex;
        }
        return new DomainSegment(file, domainId, header, mapChunks(null, file, dataLength), null);
    }

    private static MappedByteBuffer[] mapChunks(final FileChannel channel, final Path file, final long dataLength)
    {
        final int count = (int)((dataLength + DomainMemory.CHUNK_SIZE - 1) / DomainMemory.CHUNK_SIZE);
        final MappedByteBuffer[] chunks = new MappedByteBuffer[count];
        for (int i = 0; i < count; i++)
        {
            final long offset = DomainSegmentDescriptor.HEADER_LENGTH + (long)i * DomainMemory.CHUNK_SIZE;
            final long length = Math.min(DomainMemory.CHUNK_SIZE, dataLength - (long)i * DomainMemory.CHUNK_SIZE);
            chunks[i] = channel != null ? ShmFiles.map(channel, file, offset, length) : ShmFiles.map(file, offset, length);
        }
        return chunks;
    }

    /**
     * The domain's memory.
     *
     * @return the memory; IOVAs start at {@link DomainSegmentDescriptor#IOVA_BASE}.
     */
    public DomainMemory memory()
    {
        return memory;
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

    /** Unmaps the segment and, for this process's own, deletes the file. Only when no engine uses it. */
    @Override
    public void close()
    {
        ShmFiles.unmap(header);
        for (final MappedByteBuffer chunk : chunks)
        {
            ShmFiles.unmap(chunk);
        }
        if (ownerChannel != null)
        {
            ShmFiles.deleteQuietly(file);
            ShmFiles.closeQuietly(ownerChannel);
        }
    }
}
