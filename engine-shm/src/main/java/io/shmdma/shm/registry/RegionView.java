package io.shmdma.shm.registry;

import java.util.UUID;

/**
 * A copy of one named region published in the control segment: a block of a domain's memory that its owner
 * allocated under a name, so that a peer in a shared access pair group finds its IOVA without being told.
 *
 * @param regionSlot       the slot in the region table.
 * @param domainId         the owning domain's UUID.
 * @param domainSlot       the owning domain's slot.
 * @param domainGeneration the owning domain's generation when it published the region.
 * @param name             the name, 1..{@link ControlSegmentDescriptor#MAX_NAME_LENGTH} UTF-8 bytes.
 * @param iova             IOVA of the first byte, in the owning domain's address space.
 * @param length           bytes.
 * @param publishedEpochMs publication time, epoch milliseconds.
 */
public record RegionView(
    int regionSlot,
    UUID domainId,
    int domainSlot,
    long domainGeneration,
    String name,
    long iova,
    long length,
    long publishedEpochMs)
{
}
