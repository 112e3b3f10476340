package io.shmdma.shm.registry;

import java.util.UUID;

/**
 * A member that departed from a group (left, was removed with its dead process, or was undone by a repair),
 * from the group's departure ring. Lets a listener hear of a membership that began and ended between two of
 * its snapshots.
 *
 * @param number          the departure's number in its group, 1, 2, ...
 * @param membershipToken the departed membership's token.
 * @param domainId        the departed domain.
 */
public record Departure(long number, long membershipToken, UUID domainId)
{
}
