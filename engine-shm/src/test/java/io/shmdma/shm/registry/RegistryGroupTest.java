package io.shmdma.shm.registry;

import io.shmdma.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;
import static io.shmdma.shm.registry.RegistryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class RegistryGroupTest
{
    private final UUID token = UUID.randomUUID();
    private final UUID creatorId = UUID.randomUUID();
    private final UUID joinerId = UUID.randomUUID();
    private Path directory;
    private Registry creatorProcess;
    private Registry joinerProcess;
    private int creator;
    private int joiner;

    @BeforeEach
    void setUp()
    {
        directory = newTempDirectory();
        creatorProcess = Registry.openOrCreate(directory.resolve("control.shm"), testConfig());
        joinerProcess = Registry.openOrCreate(directory.resolve("control.shm"), testConfig());
        creator = register(creatorProcess, creatorId);
        joiner = register(joinerProcess, joinerId);
    }

    @AfterEach
    void tearDown()
    {
        joinerProcess.close();
        creatorProcess.close();
        deleteRecursively(directory);
    }

    @Test
    void shouldCreateGroupWithCreatorAsMemberZero()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        assertTrue(groupId >= 0 && groupId <= MAX_GROUP_ID);
        final GroupView group = joinerProcess.group(groupId).orElseThrow();
        assertEquals(groupId, group.groupId());
        assertEquals(creatorId, group.creatorDomainId());
        assertEquals(creator, group.creatorDomainSlot());
        assertTrue(group.generation() > 0);
        assertEquals(1, group.members().size());
        final MemberView member = group.members().get(0);
        assertTrue(member.creator());
        assertEquals(0, member.memberSlot());
        assertEquals(creatorId, member.domainId());
        assertEquals(creator, member.domainSlot());
        assertTrue(member.handler() >= 1 && member.handler() <= MAX_HANDLER);
        assertEquals(member.membershipToken(), creatorProcess.membershipToken(member.handler()));
        assertEquals(member.handler(), creatorProcess.handlerGet(creator, groupId, creatorId));
        assertEquals(List.of(groupId), creatorProcess.groups().stream().map(GroupView::groupId).toList());
    }

    @Test
    void shouldRefuseCreateWithBadArgumentsOrWhenFull()
    {
        assertEquals(-Errno.EINVAL, creatorProcess.createGroup(creator, null));
        assertEquals(-Errno.EINVAL, creatorProcess.createGroup(joiner, token), "another process's domain");
        assertEquals(-Errno.EINVAL, creatorProcess.createGroup(-1, token));
        assertEquals(-Errno.EINVAL, creatorProcess.createGroup(DOMAIN_CAPACITY, token));
        final Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < GROUP_CAPACITY; i++)
        {
            final int groupId = creatorProcess.createGroup(creator, token);
            assertTrue(groupId >= 0, "rc " + groupId);
            assertTrue(ids.add(groupId));
        }
        assertEquals(-Errno.ENOSPC, creatorProcess.createGroup(creator, token));
        assertEquals(List.of(), creatorProcess.checkConsistency());
    }

    @Test
    void shouldJoinWithTheRightToken()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        final long changeCount = creatorProcess.changeCount();
        assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
        assertEquals(changeCount + 2, creatorProcess.changeCount());
        final GroupView group = creatorProcess.group(groupId).orElseThrow();
        assertEquals(2, group.members().size());
        final MemberView member = group.member(joinerId).orElseThrow();
        assertFalse(member.creator());
        assertEquals(joiner, member.domainSlot());
        assertEquals(member.handler(), creatorProcess.handlerGet(creator, groupId, joinerId));
        assertEquals(member.handler(), joinerProcess.handlerGet(joiner, groupId, joinerId));
        assertEquals(joiner, creatorProcess.handlerDomainSlot(member.handler()));
        assertEquals(1, creatorProcess.handlerDomainGeneration(member.handler()));
        assertEquals(creator, joinerProcess.handlerDomainSlot(joinerProcess.handlerGet(joiner, groupId, creatorId)));
    }

    @Test
    void shouldRefuseJoinByUpstreamRules()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        assertEquals(-Errno.EINVAL, joinerProcess.joinGroup(joiner, token, -1));
        assertEquals(-Errno.EINVAL, joinerProcess.joinGroup(joiner, token, MAX_GROUP_ID + 1));
        assertEquals(-Errno.EINVAL, joinerProcess.joinGroup(joiner, null, groupId));
        assertEquals(-Errno.EINVAL, joinerProcess.joinGroup(creator, token, groupId), "another process's domain");
        assertEquals(-Errno.ENOENT, joinerProcess.joinGroup(joiner, token, groupId == 1 ? 2 : 1));
        assertEquals(-Errno.ENOENT, joinerProcess.joinGroup(joiner, token, groupId + GROUP_CAPACITY),
            "same slot, other id epoch");
        assertEquals(-Errno.EACCES, joinerProcess.joinGroup(joiner, UUID.randomUUID(), groupId));
        assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
        assertEquals(-Errno.EEXIST, joinerProcess.joinGroup(joiner, token, groupId));
        assertEquals(-Errno.EEXIST, creatorProcess.joinGroup(creator, token, groupId), "the creator is a member");
    }

    @Test
    void shouldRefuseJoinWhenGroupIsFull()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        for (int i = 1; i < MEMBERS_PER_GROUP; i++)
        {
            assertEquals(0, joinerProcess.joinGroup(register(joinerProcess, UUID.randomUUID()), token, groupId));
        }
        assertEquals(-Errno.ENOSPC, joinerProcess.joinGroup(joiner, token, groupId));
        assertEquals(MEMBERS_PER_GROUP, creatorProcess.group(groupId).orElseThrow().members().size());
    }

    @Test
    void shouldLockOutJoinsAfterRepeatedWrongTokens()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        final int attempts = creatorProcess.config().joinLockoutAttempts();
        for (int i = 0; i < attempts; i++)
        {
            assertEquals(-Errno.EACCES, joinerProcess.joinGroup(joiner, UUID.randomUUID(), groupId));
        }
        assertEquals(-Errno.EACCES, joinerProcess.joinGroup(joiner, token, groupId), "right token refused");
        final int other = register(creatorProcess, UUID.randomUUID());
        assertEquals(-Errno.EACCES, creatorProcess.joinGroup(other, token, groupId), "for every domain");
        final int otherGroup = creatorProcess.createGroup(creator, token);
        assertEquals(0, joinerProcess.joinGroup(joiner, token, otherGroup), "other groups are not affected");

        awaitTrue(() -> joinerProcess.joinGroup(joiner, token, groupId) == 0, 5_000, "lockout to end");
        assertTrue(joinerProcess.errorLogEntries().stream()
            .anyMatch(entry -> entry.encodedError().contains("group " + groupId + " locked out")));
    }

    @Test
    void shouldResetWrongTokenCountOnSuccess()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        final int attempts = creatorProcess.config().joinLockoutAttempts();
        for (int i = 0; i < attempts - 1; i++)
        {
            assertEquals(-Errno.EACCES, joinerProcess.joinGroup(joiner, UUID.randomUUID(), groupId));
        }
        assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
        final int second = register(joinerProcess, UUID.randomUUID());
        for (int i = 0; i < attempts - 1; i++)
        {
            assertEquals(-Errno.EACCES, joinerProcess.joinGroup(second, UUID.randomUUID(), groupId));
        }
        assertEquals(0, joinerProcess.joinGroup(second, token, groupId));
    }

    @Test
    void shouldLeaveByUpstreamRules()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        assertEquals(-Errno.ENOENT, joinerProcess.leaveGroup(joiner, groupId), "not a member");
        assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
        final int handler = joinerProcess.handlerGet(joiner, groupId, joinerId);
        final long membership = joinerProcess.membershipToken(handler);
        assertTrue(membership != 0);
        assertEquals(-Errno.EPERM, creatorProcess.leaveGroup(creator, groupId), "the creator cannot leave");
        assertEquals(-Errno.EINVAL, joinerProcess.leaveGroup(joiner, -1));
        assertEquals(-Errno.EINVAL, joinerProcess.leaveGroup(creator, groupId), "another process's domain");
        assertEquals(-Errno.ENOENT, joinerProcess.leaveGroup(joiner, groupId + GROUP_CAPACITY), "no such group");
        assertEquals(0, joinerProcess.leaveGroup(joiner, groupId));
        assertEquals(0, creatorProcess.membershipToken(handler), "handler revoked");
        assertEquals(-1, creatorProcess.handlerDomainSlot(handler));
        assertEquals(0, creatorProcess.handlerDomainGeneration(handler));
        assertEquals(-Errno.ENOENT, joinerProcess.leaveGroup(joiner, groupId));
        assertEquals(-Errno.ENOENT, creatorProcess.handlerGet(creator, groupId, joinerId));
        assertEquals(1, creatorProcess.group(groupId).orElseThrow().members().size());
    }

    @Test
    void shouldDestroyByUpstreamRules()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
        assertEquals(-Errno.EPERM, joinerProcess.destroyGroup(joiner, groupId), "not the creator");
        assertEquals(-Errno.EBUSY, creatorProcess.destroyGroup(creator, groupId), "a joiner remains");
        assertEquals(-Errno.ENOENT, creatorProcess.destroyGroup(creator, groupId + GROUP_CAPACITY));
        assertEquals(-Errno.EINVAL, creatorProcess.destroyGroup(creator, MAX_GROUP_ID + 1));
        assertEquals(-Errno.EINVAL, creatorProcess.destroyGroup(joiner, groupId), "another process's domain");
        final int creatorHandler = creatorProcess.handlerGet(creator, groupId, creatorId);
        assertEquals(0, joinerProcess.leaveGroup(joiner, groupId));
        assertEquals(-Errno.EAGAIN, creatorProcess.destroyGroup(creator, groupId),
            "the creator has not taken the joiner's departure");
        acknowledgeAll(creatorProcess, creator, groupId);
        assertEquals(0, creatorProcess.destroyGroup(creator, groupId));
        assertEquals(0, creatorProcess.membershipToken(creatorHandler));
        assertTrue(creatorProcess.group(groupId).isEmpty());
        assertEquals(-Errno.ENOENT, creatorProcess.destroyGroup(creator, groupId));
        assertEquals(-Errno.ENOENT, joinerProcess.joinGroup(joiner, token, groupId));
        assertEquals(List.of(), creatorProcess.checkConsistency());
    }

    @Test
    void shouldGetHandlersByUpstreamRules()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        assertEquals(-Errno.EPERM, joinerProcess.handlerGet(joiner, groupId, creatorId), "requester not a member");
        assertEquals(-Errno.ENOENT, creatorProcess.handlerGet(creator, groupId, joinerId), "target not a member");
        assertEquals(-Errno.ENOENT, creatorProcess.handlerGet(creator, groupId + GROUP_CAPACITY, creatorId));
        assertEquals(-Errno.EINVAL, creatorProcess.handlerGet(creator, groupId, null));
        assertEquals(-Errno.EINVAL, creatorProcess.handlerGet(creator, -1, creatorId));
        assertEquals(-Errno.EINVAL, creatorProcess.handlerGet(joiner, groupId, creatorId), "another process's domain");
        assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
        final int creatorHandler = joinerProcess.handlerGet(joiner, groupId, creatorId);
        final int joinerHandler = creatorProcess.handlerGet(creator, groupId, joinerId);
        assertTrue(creatorHandler > 0 && joinerHandler > 0 && creatorHandler != joinerHandler);
    }

    @Test
    void shouldHandOutHandlersFromAMonotonicCounterAndNotReuseRevokedOnes()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        int previous = creatorProcess.handlerGet(creator, groupId, creatorId);
        final Set<Integer> seen = new HashSet<>(Set.of(previous));
        for (int i = 0; i < 200; i++)
        {
            assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
            final int handler = joinerProcess.handlerGet(joiner, groupId, joinerId);
            assertTrue(handler > previous, handler + " after " + previous);
            assertTrue(seen.add(handler));
            previous = handler;
            assertEquals(0, joinerProcess.leaveGroup(joiner, groupId));
            acknowledgeAll(creatorProcess, creator, groupId);
        }
    }

    @Test
    void shouldWrapHandlersSkippingZeroAndValuesInUse()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        final int creatorHandler = creatorProcess.handlerGet(creator, groupId, creatorId);
        assertEquals(1, creatorHandler, "the counter starts at handler 1");
        creatorProcess.buffer().putLongVolatile(HANDLER_COUNTER_OFFSET, MAX_HANDLER - 2);
        final int[] expected = {MAX_HANDLER - 1, MAX_HANDLER, 2, 3};
        for (final int handler : expected)
        {
            final int domain = register(joinerProcess, UUID.randomUUID());
            assertEquals(0, joinerProcess.joinGroup(domain, token, groupId));
            assertEquals(handler, joinerProcess.handlerGet(domain, groupId,
                joinerProcess.domain(domain).orElseThrow().domainId()), "handler 1 is in use, 0 is never used");
        }
    }

    @Test
    void shouldGiveEveryMembershipANewTokenAndNeverResolveAStaleHandler()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
        final MemberView first = creatorProcess.group(groupId).orElseThrow().member(joinerId).orElseThrow();
        assertEquals(0, joinerProcess.unregisterDomain(joiner));
        assertEquals(0, creatorProcess.membershipToken(first.handler()));

        final UUID nextId = UUID.randomUUID();
        final int next = register(joinerProcess, nextId);
        assertEquals(joiner, next, "the slot is reused");
        assertEquals(first.domainGeneration() + 1, joinerProcess.domainGeneration(next));
        assertEquals(0, joinerProcess.joinGroup(next, token, groupId));
        final MemberView second = creatorProcess.group(groupId).orElseThrow().member(nextId).orElseThrow();
        assertEquals(first.memberSlot(), second.memberSlot(), "the member slot is reused");
        assertNotEquals(first.membershipToken(), second.membershipToken());
        assertNotEquals(first.handler(), second.handler());
        assertEquals(0, creatorProcess.membershipToken(first.handler()));
        assertEquals(second.membershipToken(), creatorProcess.membershipToken(second.handler()));
    }

    @Test
    void shouldAnswerZeroForHandlersOutOfRange()
    {
        for (final int handler : new int[] {Integer.MIN_VALUE, -1, 0, MAX_HANDLER, MAX_HANDLER + 1, Integer.MAX_VALUE})
        {
            assertEquals(0, creatorProcess.membershipToken(handler));
            assertEquals(-1, creatorProcess.handlerDomainSlot(handler));
        }
        assertEquals(0, creatorProcess.domainGeneration(-1));
        assertEquals(0, creatorProcess.domainGeneration(DOMAIN_CAPACITY));
    }

    @Test
    void shouldChangeGroupIdAndGenerationWhenSlotIsReused()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        final long generation = creatorProcess.group(groupId).orElseThrow().generation();
        assertEquals(0, creatorProcess.destroyGroup(creator, groupId));
        final int nextId = creatorProcess.createGroup(creator, token);
        assertEquals(groupSlot(groupId), groupSlot(nextId));
        assertNotEquals(groupId, nextId);
        assertTrue(creatorProcess.group(nextId).orElseThrow().generation() > generation);
        assertEquals(-Errno.ENOENT, joinerProcess.joinGroup(joiner, token, groupId), "the stale id names nothing");
    }

    @Test
    void shouldDestroyCreatedGroupsAndLeaveJoinedOnesOnUnregister()
    {
        final int created = creatorProcess.createGroup(creator, token);
        final UUID otherToken = UUID.randomUUID();
        final int joined = joinerProcess.createGroup(joiner, otherToken);
        assertEquals(0, joinerProcess.joinGroup(joiner, token, created));
        assertEquals(0, creatorProcess.joinGroup(creator, otherToken, joined));

        assertEquals(0, creatorProcess.unregisterDomain(creator));

        assertTrue(joinerProcess.group(created).isEmpty(), "created group destroyed despite the joiner");
        final GroupView remaining = joinerProcess.group(joined).orElseThrow();
        assertEquals(List.of(joinerId), remaining.members().stream().map(MemberView::domainId).toList());
        assertEquals(List.of(), joinerProcess.checkConsistency());
    }

    @Test
    void shouldHandTheJoinerItsStartingCursorUnderTheLock()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        final int other = register(joinerProcess, UUID.randomUUID());
        assertEquals(0, joinerProcess.joinGroup(other, token, groupId));
        assertEquals(0, joinerProcess.leaveGroup(other, groupId));
        final GroupView[] joined = new GroupView[1];
        assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId, group -> joined[0] = group));
        final MemberView self = joined[0].member(joinerId).orElseThrow();
        assertEquals(1, joined[0].departureCount());
        assertEquals(1, self.acknowledgedDepartures(), "a joiner starts after the departures before it");
        assertEquals(0, joined[0].member(creatorId).orElseThrow().acknowledgedDepartures());
        assertEquals(self.membershipToken(), creatorProcess.membershipToken(self.handler()));
    }

    @Test
    void shouldHoldALeaveBackWhileALiveMemberIsARingBehindAndLetItThroughOnceAcknowledged()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        for (int i = 0; i < DEPARTURE_RING_CAPACITY; i++)
        {
            assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
            assertEquals(0, joinerProcess.leaveGroup(joiner, groupId), "departure " + (i + 1) + " fits");
            creatorProcess.heartbeat(creator);
        }
        assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
        final AtomicInteger nudges = new AtomicInteger();
        joinerProcess.onBackPressure(() ->
        {
            nudges.incrementAndGet();
            creatorProcess.heartbeat(creator); // alive, but its listener takes nothing
        });
        final long startNs = System.nanoTime();
        assertEquals(-Errno.EAGAIN, joinerProcess.leaveGroup(joiner, groupId), "the creator has not taken departure 1");
        final long waitedNs = System.nanoTime() - startNs;
        assertTrue(waitedNs >= joinerProcess.backPressureTimeoutNs(), "waited " + waitedNs + " ns");
        assertTrue(nudges.get() > 0);
        assertTrue(joinerProcess.group(groupId).orElseThrow().member(joinerId).isPresent(), "still a member");

        final GroupView group = creatorProcess.group(groupId).orElseThrow();
        assertEquals(DEPARTURE_RING_CAPACITY, group.departures().size());
        assertEquals(1, group.departures().get(0).number());
        assertTrue(creatorProcess.acknowledgeDepartures(creator, groupId,
            group.member(creatorId).orElseThrow().membershipToken(), 1));
        assertEquals(0, joinerProcess.leaveGroup(joiner, groupId), "departure 1 was taken: its entry may be reused");
        final GroupView after = creatorProcess.group(groupId).orElseThrow();
        assertEquals(DEPARTURE_RING_CAPACITY + 1, after.departureCount());
        assertEquals(2, after.departures().get(0).number());
        assertEquals(DEPARTURE_RING_CAPACITY + 1, after.departures().get(DEPARTURE_RING_CAPACITY - 1).number());
        assertEquals(List.of(), creatorProcess.checkConsistency());
    }

    @Test
    void shouldNeverWaitForADeadMember()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        sleepMs(TimeUnit.NANOSECONDS.toMillis(TEST_LIVENESS_TIMEOUT_NS) + 50); // the creator stops heartbeating
        final long startNs = System.nanoTime();
        for (int i = 0; i < 3 * DEPARTURE_RING_CAPACITY; i++)
        {
            assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
            assertEquals(0, joinerProcess.leaveGroup(joiner, groupId));
        }
        assertTrue(System.nanoTime() - startNs < joinerProcess.backPressureTimeoutNs(), "no leave waited");
    }

    @Test
    void shouldLetALeaveThroughOnlyOnceTheLeaverTookEveryDepartureBeforeIt()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        final GroupView[] joined = new GroupView[1];
        assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId, group -> joined[0] = group));
        final long ownToken = joined[0].member(joinerId).orElseThrow().membershipToken();
        final int other = register(joinerProcess, UUID.randomUUID());
        assertEquals(0, joinerProcess.joinGroup(other, token, groupId));
        assertEquals(0, joinerProcess.leaveGroup(other, groupId));
        acknowledgeAll(creatorProcess, creator, groupId);
        assertEquals(-Errno.EAGAIN, joinerProcess.leaveGroup(joiner, groupId), "it has not taken the other's leave");
        joinerProcess.onBackPressure(() -> joinerProcess.acknowledgeDepartures(joiner, groupId, ownToken, 1));
        assertEquals(0, joinerProcess.leaveGroup(joiner, groupId), "taken while it waited");
        assertFalse(joinerProcess.acknowledgeDepartures(joiner, groupId, ownToken, 2), "the membership is gone");
    }

    @Test
    void shouldDeferReapingADeadMemberWhileItsDepartureDoesNotFit()
    {
        final int groupId = creatorProcess.createGroup(creator, token);
        final int other = register(joinerProcess, UUID.randomUUID());
        for (int i = 0; i < DEPARTURE_RING_CAPACITY; i++)
        {
            assertEquals(0, joinerProcess.joinGroup(other, token, groupId));
            assertEquals(0, joinerProcess.leaveGroup(other, groupId));
            creatorProcess.heartbeat(creator);
        }
        final Registry doomed = Registry.openOrCreate(directory.resolve("control.shm"), testConfig());
        final UUID doomedId = UUID.randomUUID();
        final int doomedSlot = register(doomed, doomedId);
        assertEquals(0, doomed.joinGroup(doomedSlot, token, groupId));
        doomed.close(); // gone without unregistering: its heartbeat ages

        final long deadAtNs = System.nanoTime() + TEST_LIVENESS_TIMEOUT_NS;
        while (System.nanoTime() - deadAtNs < 0)
        {
            creatorProcess.heartbeat(creator);
            joinerProcess.heartbeat(joiner);
            joinerProcess.heartbeat(other);
            sleepMs(10);
        }
        creatorProcess.heartbeat(creator);
        joinerProcess.heartbeat(joiner);
        joinerProcess.heartbeat(other);
        assertEquals(List.of(), creatorProcess.reapDeadDomains(System.nanoTime()), "deferred: the ring is full");
        assertTrue(creatorProcess.group(groupId).orElseThrow().member(doomedId).isPresent());
        acknowledgeAll(creatorProcess, creator, groupId);
        final List<ReapedDomain> reaped = creatorProcess.reapDeadDomains(System.nanoTime());
        assertEquals(List.of(doomedId), reaped.stream().map(ReapedDomain::domainId).toList());
        final GroupView group = creatorProcess.group(groupId).orElseThrow();
        assertEquals(DEPARTURE_RING_CAPACITY + 1, group.departureCount());
        assertEquals(doomedId, group.departures().get(DEPARTURE_RING_CAPACITY - 1).domainId());
    }

    private static void acknowledgeAll(final Registry registry, final int domainSlot, final int groupId)
    {
        final GroupView group = registry.group(groupId).orElseThrow();
        final UUID self = registry.domain(domainSlot).orElseThrow().domainId();
        assertTrue(registry.acknowledgeDepartures(
            domainSlot, groupId, group.member(self).orElseThrow().membershipToken(), group.departureCount()));
    }
}
