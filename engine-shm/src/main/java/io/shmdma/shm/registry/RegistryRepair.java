package io.shmdma.shm.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * The invariants of the registry's tables, and the repair of what a holder that died under the lock left half
 * done. Each rule below finishes (rolls forward) or undoes (rolls back) one step of a write order of
 * {@link DomainMutations} or {@link GroupMutations}:
 * <ul>
 *   <li>a domain slot with an invalid state is freed; a DEAD domain is left for the next reap;</li>
 *   <li>a group left CREATING is rolled back and one left DESTROYING rolled forward (both destroyed), as is a group
 *       whose creator is not its live, linked member 0;</li>
 *   <li>a member whose domain is dead or whose handler entry does not point back at it, or one half written, is
 *       removed (with its departure); a free group slot's leftovers are cleared;</li>
 *   <li>a handler entry that names no live member is revoked; device counters of no domain are freed.</li>
 * </ul>
 */
final class RegistryRepair
{
    private final SegmentReader reader;
    private final GroupMutations groupMutations;
    private final Consumer<Throwable> errors;

    RegistryRepair(final SegmentReader reader, final GroupMutations groupMutations, final Consumer<Throwable> errors)
    {
        this.reader = reader;
        this.groupMutations = groupMutations;
        this.errors = errors;
    }

    /**
     * Checks every invariant; when repairing, finishes or undoes what a dead holder left half done.
     *
     * @param writer   the lock holder's writer, to repair what is found; null to only check.
     * @param problems receives a description of each violation.
     */
    void checkTables(final FencedWriter writer, final List<String> problems)
    {
        for (int slot = 0; slot < DOMAIN_CAPACITY; slot++)
        {
            final int state = DomainTable.state(reader, slot);
            if (null == DomainState.of(state))
            {
                problems.add("domain slot " + slot + " has invalid state " + state);
                if (null != writer)
                {
                    DomainTable.state(writer, slot, DomainTable.FREE);
                }
            }
        }

        for (int groupSlot = 0; groupSlot < GROUP_CAPACITY; groupSlot++)
        {
            checkGroup(writer, groupSlot, problems);
        }

        for (int handler = 0; handler <= MAX_HANDLER; handler++)
        {
            final int entry = HandlerTable.entry(reader, handler);
            if (0 != entry && !isHandlerEntryValid(handler, entry))
            {
                problems.add("handler " + handler + " names no live member");
                if (null != writer)
                {
                    HandlerTable.entry(writer, handler, 0);
                }
            }
        }

        for (int counterId = 0; counterId < DEVICE_COUNTERS_CAPACITY; counterId++)
        {
            if (DeviceCounterTable.state(reader, counterId) == COUNTERS_IN_USE)
            {
                final int slot = DeviceCounterTable.domainSlot(reader, counterId);
                if (!DomainTable.isSlot(slot) || DomainTable.state(reader, slot) == DomainTable.FREE ||
                    DomainTable.generation(reader, slot) != DeviceCounterTable.domainGeneration(reader, counterId))
                {
                    problems.add("device counters " + counterId + " belong to no domain");
                    if (null != writer)
                    {
                        DeviceCounterTable.state(writer, counterId, COUNTERS_FREE);
                    }
                }
            }
        }

        for (int regionSlot = 0; regionSlot < REGION_CAPACITY; regionSlot++)
        {
            final int state = RegionTable.state(reader, regionSlot);
            if (state == REGION_FREE)
            {
                continue;
            }
            final int slot = RegionTable.domainSlot(reader, regionSlot);
            if (state != REGION_PUBLISHED || !DomainTable.isSlot(slot) ||
                DomainTable.state(reader, slot) == DomainTable.FREE ||
                DomainTable.generation(reader, slot) != RegionTable.domainGeneration(reader, regionSlot))
            {
                problems.add("named region " + regionSlot + " belongs to no domain (state " + state + ")");
                if (null != writer)
                {
                    RegionTable.free(writer, regionSlot);
                }
            }
        }
    }

    private void checkGroup(final FencedWriter writer, final int groupSlot, final List<String> problems)
    {
        final int state = GroupTable.state(reader, groupSlot);
        if (state == GroupTable.FREE)
        {
            for (int memberSlot = 0; memberSlot < MEMBERS_PER_GROUP; memberSlot++)
            {
                if (MemberTable.token(reader, groupSlot, memberSlot) != 0 ||
                    MemberTable.handler(reader, groupSlot, memberSlot) != 0)
                {
                    problems.add("free group slot " + groupSlot + " has member " + memberSlot);
                    if (null != writer)
                    {
                        groupMutations.removeMember(writer, groupSlot, memberSlot, false);
                    }
                }
            }
            return;
        }
        if (state != GroupTable.ACTIVE)
        {
            problems.add("group slot " + groupSlot + " left in state " + GroupState.of(state) + " (" + state + ")");
            if (null != writer)
            {
                groupMutations.destroySlot(writer, groupSlot);
            }
            return;
        }

        final int creatorSlot = GroupTable.creatorSlot(reader, groupSlot);
        final long creatorGeneration = GroupTable.creatorGeneration(reader, groupSlot);
        if (!DomainTable.isCurrent(reader, creatorSlot, creatorGeneration) ||
            MemberTable.domainSlot(reader, groupSlot, 0) != creatorSlot ||
            MemberTable.domainGeneration(reader, groupSlot, 0) != creatorGeneration ||
            !MemberTable.isLinked(reader, groupSlot, 0))
        {
            problems.add("group " + GroupTable.groupId(reader, groupSlot) + " has no live creator");
            if (null != writer)
            {
                groupMutations.destroySlot(writer, groupSlot);
            }
            return;
        }
        for (int memberSlot = 1; memberSlot < MEMBERS_PER_GROUP; memberSlot++)
        {
            final boolean used = MemberTable.token(reader, groupSlot, memberSlot) != 0;
            if (used ? !(MemberTable.isDomainCurrent(reader, groupSlot, memberSlot) &&
                MemberTable.isLinked(reader, groupSlot, memberSlot)) :
                MemberTable.handler(reader, groupSlot, memberSlot) != 0)
            {
                problems.add("group " + GroupTable.groupId(reader, groupSlot) + " member " + memberSlot +
                    (used ? " is dead or has no handler" : " is half written"));
                if (null != writer)
                {
                    groupMutations.removeMember(writer, groupSlot, memberSlot, true);
                }
            }
        }
    }

    private boolean isHandlerEntryValid(final int handler, final int entry)
    {
        final int groupSlot = handlerEntryGroupSlot(entry);
        final int memberSlot = handlerEntryMemberSlot(entry);
        if (handler == 0 || groupSlot < 0 || groupSlot >= GROUP_CAPACITY || memberSlot >= MEMBERS_PER_GROUP)
        {
            return false;
        }
        return GroupTable.state(reader, groupSlot) == GroupTable.ACTIVE &&
            MemberTable.token(reader, groupSlot, memberSlot) != 0 &&
            MemberTable.handler(reader, groupSlot, memberSlot) == handler;
    }

    /**
     * Repairs the tables after the lock was taken over from a dead holder, and records the takeover.
     *
     * @param writer        the new holder's writer.
     * @param deadHolder    the dead holder's incarnation id.
     * @param deadPid       its pid.
     * @param deadOperation the code of the operation it was doing.
     */
    void afterTakeover(
        final FencedWriter writer, final long deadHolder, final long deadPid, final int deadOperation)
    {
        final List<String> repairs = new ArrayList<>();
        writer.beginChange();
        checkTables(writer, repairs);
        writer.endChange();
        errors.accept(new IllegalStateException("registry lock taken over from dead holder pid " + deadPid +
            " (incarnation " + Long.toHexString(deadHolder) + ") during " + RegistryOperation.labelOf(deadOperation) +
            "; repaired " + repairs.size() + " inconsistencies" + (repairs.isEmpty() ? "" : ": " + repairs)));
    }
}
