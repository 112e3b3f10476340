package io.shmdma.shm;

import org.agrona.concurrent.AtomicBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Layout of a domain segment, {@code domain-<uuid>.shm}: one header page, then the domain's DMA-able memory.
 * The owner fills the header with plain puts and writes the layout version last with a release store;
 * readers treat a zero version as "not ready". A reader checks the file's length against the header before
 * mapping the data ({@link #validate}); the owner never truncates the file, and deletes it only when it closes
 * its domain (mappings of a deleted file stay valid).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Marker "SHMDMADM" (8 bytes)                   |  0
 *  +---------------------------------------------------------------+
 *  |        Layout Version         |        Header Length          |  8
 *  +---------------------------------------------------------------+
 *  |                        Data Length                            |  16
 *  +---------------------------------------------------------------+
 *  |                  Domain UUID (most significant)               |  24
 *  +---------------------------------------------------------------+
 *  |                  Domain UUID (least significant)              |  32
 *  +---------------------------------------------------------------+
 *  |                        IOVA Base                              |  40
 *  +---------------------------------------------------------------+
 *  |                   Creation Time (epoch ms)                    |  48
 *  +---------------------------------------------------------------+
 *  |                     unused up to 4096                        ...
 *  +---------------------------------------------------------------+
 *  |                     Data (DMA-able memory)                   ...  4096
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class DomainSegmentDescriptor
{
    /** The marker bytes at offset 0. */
    public static final byte[] MARKER = "SHMDMADM".getBytes(StandardCharsets.US_ASCII);
    /** The current layout version; 0 means not ready. */
    public static final int LAYOUT_VERSION = 1;
    /** Offset of the marker. */
    public static final int MARKER_OFFSET = 0;
    /** Offset of the layout version. */
    public static final int VERSION_OFFSET = MARKER_OFFSET + 8;
    /** Offset of the header length. */
    public static final int HEADER_LENGTH_OFFSET = VERSION_OFFSET + 4;
    /** Offset of the data length. */
    public static final int DATA_LENGTH_OFFSET = HEADER_LENGTH_OFFSET + 4;
    /** Offset of the high half of the domain UUID. */
    public static final int DOMAIN_MSB_OFFSET = DATA_LENGTH_OFFSET + 8;
    /** Offset of the low half of the domain UUID. */
    public static final int DOMAIN_LSB_OFFSET = DOMAIN_MSB_OFFSET + 8;
    /** Offset of the IOVA of the first data byte. */
    public static final int IOVA_BASE_OFFSET = DOMAIN_LSB_OFFSET + 8;
    /** Offset of the creation time. */
    public static final int CREATION_TIME_OFFSET = IOVA_BASE_OFFSET + 8;
    /** Length of the header: one page, so the data is page aligned. */
    public static final int HEADER_LENGTH = 4096;
    /** The IOVA of a domain's first data byte: non-zero, so IOVA 0 is never valid. */
    public static final long IOVA_BASE = 1L << 32;
    /** Largest data length a header may declare. */
    public static final long MAX_DATA_LENGTH = io.shmdma.memory.DomainMemory.MAX_SIZE;

    private DomainSegmentDescriptor()
    {
    }

    /**
     * The file of a domain.
     *
     * @param dir      the shmdma directory.
     * @param domainId the domain.
     * @return the path.
     */
    public static Path file(final Path dir, final UUID domainId)
    {
        if (dir == null || domainId == null)
        {
            throw new IllegalArgumentException("directory and domain id are required");
        }
        return dir.resolve("domain-" + domainId + ".shm");
    }

    /**
     * Fills a new header; the version is written last.
     *
     * @param header     the mapped header page.
     * @param domainId   the domain.
     * @param dataLength bytes of data.
     */
    public static void fillHeader(final AtomicBuffer header, final UUID domainId, final long dataLength)
    {
        header.putBytes(MARKER_OFFSET, MARKER);
        header.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        header.putLong(DATA_LENGTH_OFFSET, dataLength);
        header.putLong(DOMAIN_MSB_OFFSET, domainId.getMostSignificantBits());
        header.putLong(DOMAIN_LSB_OFFSET, domainId.getLeastSignificantBits());
        header.putLong(IOVA_BASE_OFFSET, IOVA_BASE);
        header.putLong(CREATION_TIME_OFFSET, System.currentTimeMillis());
        header.putIntRelease(VERSION_OFFSET, LAYOUT_VERSION);
    }

    /**
     * Checks a mapped header against the file it came from.
     *
     * @param header     the mapped header page.
     * @param file       the file, for messages.
     * @param fileLength the file's length.
     * @param domainId   the domain the file should belong to.
     * @return the data length.
     * @throws IllegalStateException naming the file when it is not a valid segment of this domain.
     */
    public static long validate(final AtomicBuffer header, final Path file, final long fileLength, final UUID domainId)
    {
        if (header.capacity() < CREATION_TIME_OFFSET + Long.BYTES || fileLength < HEADER_LENGTH)
        {
            throw new IllegalStateException(file + " is shorter than a domain segment header: " + fileLength +
                " bytes");
        }
        final byte[] marker = new byte[MARKER.length];
        header.getBytes(MARKER_OFFSET, marker);
        if (!java.util.Arrays.equals(marker, MARKER))
        {
            throw new IllegalStateException(file + " is not a shmdma domain segment (wrong marker)");
        }
        final int version = header.getIntAcquire(VERSION_OFFSET);
        if (version != LAYOUT_VERSION)
        {
            throw new IllegalStateException(file + " has layout version " + version + ", this build reads " +
                LAYOUT_VERSION + (version == 0 ? " (not ready yet)" : ""));
        }
        final long dataLength = header.getLong(DATA_LENGTH_OFFSET);
        if (header.getInt(HEADER_LENGTH_OFFSET) != HEADER_LENGTH || dataLength <= 0 ||
            dataLength > MAX_DATA_LENGTH || dataLength > fileLength - HEADER_LENGTH)
        {
            throw new IllegalStateException(file + " is truncated or corrupt: length " + fileLength +
                ", header says " + HEADER_LENGTH + " + " + dataLength);
        }
        final UUID owner = new UUID(header.getLong(DOMAIN_MSB_OFFSET), header.getLong(DOMAIN_LSB_OFFSET));
        if (!owner.equals(domainId))
        {
            throw new IllegalStateException(file + " belongs to domain " + owner + ", not " + domainId);
        }
        if (header.getLong(IOVA_BASE_OFFSET) != IOVA_BASE)
        {
            throw new IllegalStateException(file + " has an unexpected IOVA base");
        }
        return dataLength;
    }
}
