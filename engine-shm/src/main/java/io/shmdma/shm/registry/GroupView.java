package io.shmdma.shm.registry;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A copy of one active access pair group, for the conductor (which takes MEMBER_LEFT from the departures and
 * GROUP_DESTROYED from a group gone or of another generation) and the CLI. Contains no token and no token hash.
 *
 * @param groupId           the group id, 0..32767.
 * @param generation        unique for each group ever created; a different generation under the same id
 *                          means the group seen before was destroyed.
 * @param creatorDomainId   the creator's domain UUID.
 * @param creatorDomainSlot the creator's domain slot.
 * @param createdEpochMs    creation time, epoch milliseconds.
 * @param members           the members, creator first.
 * @param departureCount    how many members have departed since the group was created.
 * @param departures        the last departures still in the group's ring (at most
 *                          {@link ControlSegmentDescriptor#DEPARTURE_RING_CAPACITY}), oldest first; every departure
 *                          a live member has not acknowledged is among them.
 * @param name              the group's name, empty for an unnamed group (unique among live groups).
 */
public record GroupView(
    int groupId,
    long generation,
    UUID creatorDomainId,
    int creatorDomainSlot,
    long createdEpochMs,
    List<MemberView> members,
    long departureCount,
    List<Departure> departures,
    String name)
{
    /**
     * The member for a domain.
     *
     * @param domainId the member domain's UUID.
     * @return the member, or empty when that domain is not a member.
     */
    public Optional<MemberView> member(final UUID domainId)
    {
        for (final MemberView member : members)
        {
            if (member.domainId().equals(domainId))
            {
                return Optional.of(member);
            }
        }
        return Optional.empty();
    }

    /**
     * The member with a membership token.
     *
     * @param membershipToken a membership token from an earlier snapshot.
     * @return the member, or empty when that membership is gone.
     */
    public Optional<MemberView> memberByToken(final long membershipToken)
    {
        for (final MemberView member : members)
        {
            if (member.membershipToken() == membershipToken)
            {
                return Optional.of(member);
            }
        }
        return Optional.empty();
    }
}
