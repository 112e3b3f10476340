package io.shmdma.shm.registry;

import io.shmdma.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.DOMAIN_CAPACITY;
import static io.shmdma.shm.registry.RegistryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class RegistryDomainTest
{
    private Path directory;
    private Registry registry;
    private Registry peer;

    @BeforeEach
    void setUp()
    {
        directory = newTempDirectory();
        registry = Registry.openOrCreate(directory.resolve("control.shm"), testConfig());
        peer = Registry.openOrCreate(directory.resolve("control.shm"), testConfig());
    }

    @AfterEach
    void tearDown()
    {
        peer.close();
        registry.close();
        deleteRecursively(directory);
    }

    @Test
    void shouldRegisterDomainWithItsIdentity()
    {
        final UUID domainId = UUID.randomUUID();
        final long beforeNs = System.nanoTime();
        final int slot = registry.registerDomain(domainId, "domain-a.shm", 4096);
        assertTrue(slot >= 0);
        final DomainView view = peer.domain(slot).orElseThrow();
        assertEquals(domainId, view.domainId());
        assertEquals(DomainState.ACTIVE, view.state());
        assertEquals(1, view.generation());
        assertEquals(registry.incarnation(), view.incarnation());
        assertEquals(ProcessHandle.current().pid(), view.pid());
        assertEquals("domain-a.shm", view.segmentFileName());
        assertEquals(4096, view.segmentSize());
        assertTrue(view.heartbeatNs() - beforeNs >= 0);
        assertEquals(slot, peer.findDomain(domainId));
        assertEquals(1, registry.domainGeneration(slot));
        assertEquals(List.of(view.domainId()), peer.domains().stream().map(DomainView::domainId).toList());
    }

    @Test
    void shouldRefuseBadArguments()
    {
        assertEquals(-Errno.EINVAL, registry.registerDomain(null, "x", 1));
        assertEquals(-Errno.EINVAL, registry.registerDomain(UUID.randomUUID(), null, 1));
        assertEquals(-Errno.EINVAL, registry.registerDomain(UUID.randomUUID(), "x", -1));
        assertEquals(-Errno.EINVAL, registry.registerDomain(UUID.randomUUID(), "x".repeat(129), 1));
        assertTrue(registry.registerDomain(UUID.randomUUID(), "x".repeat(128), 1) >= 0);
        assertEquals(-Errno.EINVAL, registry.unregisterDomain(-1));
        assertEquals(-Errno.EINVAL, registry.unregisterDomain(DOMAIN_CAPACITY));
    }

    @Test
    void shouldRefuseUuidRegisteredByLiveProcess()
    {
        final UUID domainId = UUID.randomUUID();
        register(registry, domainId);
        assertEquals(-Errno.EEXIST, registry.registerDomain(domainId, "again.shm", 1));
        assertEquals(-Errno.EEXIST, peer.registerDomain(domainId, "again.shm", 1));
    }

    @Test
    void shouldReplaceUuidRegisteredByDeadProcess()
    {
        final UUID domainId = UUID.randomUUID();
        final int deadSlot = register(peer, domainId);
        final int group = peer.createGroup(deadSlot, UUID.randomUUID());
        sleepMs(TimeUnit.NANOSECONDS.toMillis(TEST_LIVENESS_TIMEOUT_NS) + 100);
        final int slot = registry.registerDomain(domainId, "new.shm", 1);
        assertTrue(slot >= 0, "rc " + slot);
        assertEquals(registry.incarnation(), registry.domain(slot).orElseThrow().incarnation());
        assertTrue(registry.group(group).isEmpty(), "the dead registration's group is destroyed");
        assertEquals(List.of(), registry.checkConsistency());
    }

    @Test
    void shouldRefuseWhenDomainTableIsFull()
    {
        for (int i = 0; i < DOMAIN_CAPACITY; i++)
        {
            assertEquals(i, registry.registerDomain(UUID.randomUUID(), "d" + i, 1));
        }
        assertEquals(-Errno.ENOSPC, registry.registerDomain(UUID.randomUUID(), "one-too-many", 1));
        assertEquals(0, registry.unregisterDomain(17));
        assertEquals(17, peer.registerDomain(UUID.randomUUID(), "reused", 1));
    }

    @Test
    void shouldFreeSlotOnUnregisterAndBumpGenerationOnReuse()
    {
        final UUID domainId = UUID.randomUUID();
        final int slot = register(registry, domainId);
        final long generation = registry.domainGeneration(slot);
        assertEquals(-Errno.ENOENT, peer.unregisterDomain(slot), "another process's domain");
        assertEquals(0, registry.unregisterDomain(slot));
        assertEquals(-Errno.ENOENT, registry.unregisterDomain(slot));
        assertEquals(0, registry.domainGeneration(slot));
        assertTrue(registry.domain(slot).isEmpty());
        assertEquals(-Errno.ENOENT, registry.findDomain(domainId));
        assertFalse(registry.heartbeat(slot), "no heartbeat for a freed slot");

        assertEquals(slot, register(peer, UUID.randomUUID()));
        assertEquals(generation + 1, peer.domainGeneration(slot));
        assertFalse(registry.heartbeat(slot), "no heartbeat for another process's domain");
    }

    @Test
    void shouldHeartbeatWithMonotonicTime()
    {
        final int slot = register(registry, UUID.randomUUID());
        final long first = registry.domain(slot).orElseThrow().heartbeatNs();
        sleepMs(2);
        assertTrue(registry.heartbeat(slot));
        assertTrue(registry.domain(slot).orElseThrow().heartbeatNs() - first > 0);
        assertFalse(registry.heartbeat(-1));
        assertFalse(registry.heartbeat(DOMAIN_CAPACITY));
    }

    @Test
    void shouldReapDomainWhoseHeartbeatStoppedWithItsGroupsAndMemberships()
    {
        final int creator = register(registry, UUID.randomUUID());
        final UUID deadId = UUID.randomUUID();
        final int dead = peer.registerDomain(deadId, "dead.shm", 8192);
        final UUID token = UUID.randomUUID();
        final int survivingGroup = registry.createGroup(creator, token);
        assertEquals(0, peer.joinGroup(dead, token, survivingGroup));
        final UUID deadToken = UUID.randomUUID();
        final int deadGroup = peer.createGroup(dead, deadToken);
        assertEquals(0, registry.joinGroup(creator, deadToken, deadGroup));
        final int deadHandler = registry.handlerGet(creator, survivingGroup, deadId);
        final int creatorHandlerInDeadGroup = registry.handlerGet(creator, deadGroup, registry.domain(creator)
            .orElseThrow().domainId());
        final int counters = peer.allocateDeviceCounters(dead, 0, "dma0");

        final long nowNs = System.nanoTime();
        assertEquals(List.of(), registry.reapDeadDomains(nowNs), "heartbeat still fresh");
        final long later = nowNs + TEST_LIVENESS_TIMEOUT_NS + 1;
        registry.heartbeat(creator);
        final List<ReapedDomain> reaped = registry.reapDeadDomains(later);

        assertEquals(1, reaped.size());
        final ReapedDomain domain = reaped.get(0);
        assertEquals(deadId, domain.domainId());
        assertEquals(dead, domain.slot());
        assertEquals("dead.shm", domain.segmentFileName());
        assertEquals(8192, domain.segmentSize());
        assertEquals(1, domain.generation());
        assertTrue(domain.heartbeatAgeNs() > TEST_LIVENESS_TIMEOUT_NS);

        assertTrue(registry.domain(dead).isEmpty());
        assertEquals(1, registry.group(survivingGroup).orElseThrow().members().size());
        assertEquals(0, registry.membershipToken(deadHandler));
        assertTrue(registry.group(deadGroup).isEmpty());
        assertEquals(0, registry.membershipToken(creatorHandlerInDeadGroup));
        assertTrue(registry.deviceCountersViews().stream().noneMatch(view -> view.counterId() == counters));
        assertEquals(List.of(), registry.checkConsistency());
        assertEquals(List.of(), registry.reapDeadDomains(later), "nothing left to reap");
    }

    @Test
    void shouldNeverReapOwnDomains()
    {
        final int slot = register(registry, UUID.randomUUID());
        final long farFuture = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        assertEquals(List.of(), registry.reapDeadDomains(farFuture));
        assertEquals(1, peer.reapDeadDomains(farFuture).size());
        assertTrue(registry.domain(slot).isEmpty());
        assertFalse(registry.heartbeat(slot), "the reaped process learns it was declared dead");
    }

    @Test
    void shouldNotTakeTheLockWhenNothingIsDead()
    {
        register(registry, UUID.randomUUID());
        final long changeCount = registry.changeCount();
        assertEquals(List.of(), peer.reapDeadDomains(System.nanoTime()));
        assertEquals(changeCount, registry.changeCount());
    }
}
