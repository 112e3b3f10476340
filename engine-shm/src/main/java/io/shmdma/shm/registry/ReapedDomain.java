package io.shmdma.shm.registry;

import java.util.UUID;

/**
 * A domain removed by {@link Registry#reapDeadDomains(long)} because its heartbeat stopped; the caller deletes
 * its files and logs it.
 *
 * @param domainId        the dead domain's UUID.
 * @param slot            the slot it held (now free).
 * @param generation      the slot generation it held.
 * @param pid             its pid when it registered (informational).
 * @param heartbeatAgeNs  how old its last heartbeat was.
 * @param segmentFileName its domain segment's file name.
 * @param segmentSize     its domain segment's size.
 */
public record ReapedDomain(
    UUID domainId,
    int slot,
    long generation,
    long pid,
    long heartbeatAgeNs,
    String segmentFileName,
    long segmentSize)
{
}
