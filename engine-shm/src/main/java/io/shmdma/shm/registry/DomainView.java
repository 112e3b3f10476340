package io.shmdma.shm.registry;

import java.util.UUID;

/**
 * A copy of one domain slot, for the conductor and the CLI.
 *
 * @param slot              the domain slot.
 * @param domainId          the domain's UUID.
 * @param state             ACTIVE, or DEAD while its teardown is unfinished.
 * @param generation        bumped each time the slot is taken; a (slot, generation) pair is never reused.
 * @param incarnation       random id of the owning process, stable across PID reuse and namespaces.
 * @param pid               pid of the owner when it registered (informational only).
 * @param heartbeatNs       the owner's last heartbeat, {@link System#nanoTime()} (host-wide CLOCK_MONOTONIC).
 * @param heartbeatAgeNs    how old the heartbeat was when the snapshot was taken.
 * @param segmentFileName   the domain segment's file name.
 * @param segmentSize       the domain segment's size in bytes.
 * @param registeredEpochMs registration time, epoch milliseconds.
 */
public record DomainView(
    int slot,
    UUID domainId,
    DomainState state,
    long generation,
    long incarnation,
    long pid,
    long heartbeatNs,
    long heartbeatAgeNs,
    String segmentFileName,
    long segmentSize,
    long registeredEpochMs)
{
}
