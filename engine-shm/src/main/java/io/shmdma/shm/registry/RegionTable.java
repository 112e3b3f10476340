package io.shmdma.shm.registry;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * Typed access to the named region entries of the control segment ({@link ControlSegmentDescriptor}, "REGION
 * TABLE"): each published region is (owning domain slot and generation, name, IOVA, length). Readers take a
 * {@link SegmentReader} and read each field once; writers take the {@link FencedWriter} of the lock holder. A region
 * slot argument must be in 0..{@link ControlSegmentDescriptor#REGION_CAPACITY} - 1.
 */
final class RegionTable
{
    private RegionTable()
    {
    }

    /**
     * The state, acquire load.
     *
     * @param reader     the segment.
     * @param regionSlot the region slot.
     * @return {@link ControlSegmentDescriptor#REGION_FREE}, {@link ControlSegmentDescriptor#REGION_PUBLISHED}, or
     *         anything when corrupt.
     */
    static int state(final SegmentReader reader, final int regionSlot)
    {
        return reader.getIntAcquire(regionOffset(regionSlot) + REGION_STATE_OFFSET);
    }

    /**
     * The owning domain's slot.
     *
     * @param reader     the segment.
     * @param regionSlot the region slot.
     * @return the slot, unchecked.
     */
    static int domainSlot(final SegmentReader reader, final int regionSlot)
    {
        return reader.getInt(regionOffset(regionSlot) + REGION_DOMAIN_SLOT_OFFSET);
    }

    /**
     * The owning domain's generation.
     *
     * @param reader     the segment.
     * @param regionSlot the region slot.
     * @return the generation.
     */
    static long domainGeneration(final SegmentReader reader, final int regionSlot)
    {
        return reader.getLong(regionOffset(regionSlot) + REGION_DOMAIN_GENERATION_OFFSET);
    }

    /**
     * The IOVA of the region's first byte.
     *
     * @param reader     the segment.
     * @param regionSlot the region slot.
     * @return the IOVA, unchecked.
     */
    static long iova(final SegmentReader reader, final int regionSlot)
    {
        return reader.getLong(regionOffset(regionSlot) + REGION_IOVA_OFFSET);
    }

    /**
     * The region's length.
     *
     * @param reader     the segment.
     * @param regionSlot the region slot.
     * @return bytes, unchecked.
     */
    static long length(final SegmentReader reader, final int regionSlot)
    {
        return reader.getLong(regionOffset(regionSlot) + REGION_LENGTH_OFFSET);
    }

    /**
     * The publication time.
     *
     * @param reader     the segment.
     * @param regionSlot the region slot.
     * @return epoch milliseconds.
     */
    static long publishedEpochMs(final SegmentReader reader, final int regionSlot)
    {
        return reader.getLong(regionOffset(regionSlot) + REGION_PUBLISHED_EPOCH_MS_OFFSET);
    }

    /**
     * The name: its length read once and clamped to 0..{@link ControlSegmentDescriptor#MAX_NAME_LENGTH}, decoded as
     * UTF-8 (malformed bytes become U+FFFD).
     *
     * @param reader     the segment.
     * @param regionSlot the region slot.
     * @return a new string.
     */
    static String name(final SegmentReader reader, final int regionSlot)
    {
        final int offset = regionOffset(regionSlot);
        return reader.getString(offset + REGION_NAME_OFFSET, offset + REGION_NAME_LENGTH_OFFSET, MAX_NAME_LENGTH);
    }

    /**
     * Whether a slot holds a region published by a domain in a given generation.
     *
     * @param reader           the segment.
     * @param regionSlot       the region slot.
     * @param domainSlot       the domain slot.
     * @param domainGeneration its generation.
     * @return true when published by that domain.
     */
    static boolean isOwnedBy(
        final SegmentReader reader, final int regionSlot, final int domainSlot, final long domainGeneration)
    {
        return state(reader, regionSlot) == REGION_PUBLISHED && domainSlot(reader, regionSlot) == domainSlot &&
            domainGeneration(reader, regionSlot) == domainGeneration;
    }

    /**
     * The slot of a region a domain published under a name.
     *
     * @param reader           the segment.
     * @param domainSlot       the domain slot.
     * @param domainGeneration its generation.
     * @param name             the name.
     * @return the region slot, or -1 when there is none.
     */
    static int find(final SegmentReader reader, final int domainSlot, final long domainGeneration, final String name)
    {
        for (int regionSlot = 0; regionSlot < REGION_CAPACITY; regionSlot++)
        {
            if (isOwnedBy(reader, regionSlot, domainSlot, domainGeneration) && name.equals(name(reader, regionSlot)))
            {
                return regionSlot;
            }
        }
        return -1;
    }

    /**
     * The first free region slot.
     *
     * @param reader the segment.
     * @return the slot, or -1 when the table is full.
     */
    static int findFree(final SegmentReader reader)
    {
        for (int regionSlot = 0; regionSlot < REGION_CAPACITY; regionSlot++)
        {
            if (state(reader, regionSlot) == REGION_FREE)
            {
                return regionSlot;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- writers (lock held)

    /**
     * Publishes a region: its fields, then the state PUBLISHED (release store).
     *
     * @param writer           the lock holder's writer.
     * @param regionSlot       a free region slot.
     * @param domainSlot       the owning domain's slot.
     * @param domainGeneration its generation.
     * @param name             UTF-8 name bytes, 1..{@link ControlSegmentDescriptor#MAX_NAME_LENGTH}.
     * @param iova             IOVA of the first byte.
     * @param length           bytes.
     */
    static void publish(
        final FencedWriter writer,
        final int regionSlot,
        final int domainSlot,
        final long domainGeneration,
        final byte[] name,
        final long iova,
        final long length)
    {
        final int offset = regionOffset(regionSlot);
        writer.putInt(offset + REGION_DOMAIN_SLOT_OFFSET, domainSlot);
        writer.putLong(offset + REGION_DOMAIN_GENERATION_OFFSET, domainGeneration);
        writer.putLong(offset + REGION_IOVA_OFFSET, iova);
        writer.putLong(offset + REGION_LENGTH_OFFSET, length);
        writer.putLong(offset + REGION_PUBLISHED_EPOCH_MS_OFFSET, System.currentTimeMillis());
        writer.clear(offset + REGION_NAME_OFFSET, MAX_NAME_LENGTH);
        writer.putBytes(offset + REGION_NAME_OFFSET, name);
        writer.putInt(offset + REGION_NAME_LENGTH_OFFSET, name.length);
        writer.putIntRelease(offset + REGION_STATE_OFFSET, REGION_PUBLISHED);
    }

    /**
     * Frees a region slot (release store of the state FREE).
     *
     * @param writer     the lock holder's writer.
     * @param regionSlot the region slot.
     */
    static void free(final FencedWriter writer, final int regionSlot)
    {
        writer.putIntRelease(regionOffset(regionSlot) + REGION_STATE_OFFSET, REGION_FREE);
    }

    /**
     * Frees every region a domain published in a given generation (its teardown).
     *
     * @param writer           the lock holder's writer.
     * @param reader           the segment.
     * @param domainSlot       the domain slot.
     * @param domainGeneration its generation.
     * @return how many were freed.
     */
    static int freeOwnedBy(
        final FencedWriter writer, final SegmentReader reader, final int domainSlot, final long domainGeneration)
    {
        int freed = 0;
        for (int regionSlot = 0; regionSlot < REGION_CAPACITY; regionSlot++)
        {
            if (isOwnedBy(reader, regionSlot, domainSlot, domainGeneration))
            {
                free(writer, regionSlot);
                freed++;
            }
        }
        return freed;
    }
}
