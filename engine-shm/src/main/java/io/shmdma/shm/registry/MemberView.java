package io.shmdma.shm.registry;

import java.util.UUID;

/**
 * A copy of one member of a group. Contains no token and no token hash.
 *
 * @param memberSlot       position in the group's member table; 0 is the creator.
 * @param domainId         the member domain's UUID.
 * @param domainSlot       the member domain's slot.
 * @param domainGeneration the member domain's generation when it joined.
 * @param handler          the member's handler, 1..65535.
 * @param membershipToken  unique to this membership and never reused; its disappearance means MEMBER_LEFT.
 * @param heartbeatAgeNs   age of the member domain's heartbeat when the snapshot was taken.
 * @param creator          whether this member created the group.
 * @param acknowledgedDepartures the last departure of the group this member's conductor has taken (the member's
 *                         acknowledged-departure cursor, clamped to the group's departure count); set to the
 *                         departure count when the member joined.
 */
public record MemberView(
    int memberSlot,
    UUID domainId,
    int domainSlot,
    long domainGeneration,
    int handler,
    long membershipToken,
    long heartbeatAgeNs,
    boolean creator,
    long acknowledgedDepartures)
{
}
