package io.shmdma.shm;

import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaException;
import io.shmdma.Errno;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DomainMemory;
import io.shmdma.shm.file.ShmFiles;
import io.shmdma.shm.registry.Registry;
import io.shmdma.shm.registry.RegistryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.shmdma.BadInputAssertions.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every public method of the shared-memory layer ({@link ShmContext}, {@link ShmDomain}, the shm device,
 * {@link Registry}, {@link DomainSegment}, {@link ShmFiles}) called with invalid arguments and after close:
 * DPDK's errno, a negative errno from the registry, or IllegalArgumentException / IllegalStateException with a
 * clear message; never an NPE, IndexOutOfBounds or a crash.
 */
class ShmBadInputTest
{
    private static final int[] BAD_GROUP_IDS = { -1, 0x8000, 0xFFFF, Integer.MIN_VALUE, Integer.MAX_VALUE };
    private static final int[] BAD_HANDLERS = { 0, -1, 0xFFFF, 0x10000, Integer.MIN_VALUE, Integer.MAX_VALUE };
    private static final int[] BAD_SLOTS = { -1, 256, 0xFFFF, Integer.MIN_VALUE, Integer.MAX_VALUE };

    private ShmTestDirectory dir;
    private ShmDomain domain;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
        domain = ShmDomain.open(context());
    }

    private ShmContext context()
    {
        return new ShmContext().dir(dir.path()).domainSegmentSize(1 << 20)
            .conductorIntervalNs(TimeUnit.MILLISECONDS.toNanos(10));
    }

    @AfterEach
    void tearDown() throws Exception
    {
        domain.close();
        try (var files = Files.list(dir.path()))
        {
            assertEquals(List.of(dir.path().resolve(ShmDomain.CONTROL_FILE_NAME)), files.toList(),
                "only the shared control segment may remain after close");
        }
        dir.close();
    }

    @Test
    void shouldRefuseBadContexts() throws Exception
    {
        assertDocumented(IllegalArgumentException.class, () -> ShmDomain.open(null), "null context");
        assertDocumented(IllegalArgumentException.class, () -> ShmDomain.open(context().dir(null)), "null dir");
        for (final long size : new long[]{ 0, -1, 4095, Long.MIN_VALUE, Long.MAX_VALUE, DomainMemory.MAX_SIZE + 1 })
        {
            assertDocumented(IllegalArgumentException.class, () -> ShmDomain.open(context().domainSegmentSize(size)),
                "segment size " + size);
        }
        for (final long ns : new long[]{ 0, -1, Long.MIN_VALUE })
        {
            assertDocumented(IllegalArgumentException.class, () -> ShmDomain.open(context().livenessTimeoutNs(ns)),
                "liveness timeout " + ns);
            assertDocumented(IllegalArgumentException.class, () -> ShmDomain.open(context().conductorIntervalNs(ns)),
                "conductor interval " + ns);
        }
        assertDocumented(IllegalArgumentException.class, () -> ShmDomain.open(context()
            .conductorIntervalNs(Long.MAX_VALUE)), "conductor interval that overflows twice over");
        assertDocumented(IllegalArgumentException.class, () -> ShmDomain.open(context()
            .livenessTimeoutNs(100).conductorIntervalNs(60)), "liveness below two intervals");
        final ShmContext used = context().domainSegmentSize(4096);
        used.conclude();
        assertDocumented(IllegalStateException.class, () -> ShmDomain.open(used), "context concluded twice");

        final Path plainFile = Files.createFile(dir.path().resolve("not-a-directory"));
        final DmaException notDirectory = assertErrno(Errno.EINVAL, () -> ShmDomain.open(context()
            .dir(plainFile)), "dir is a regular file");
        assertTrue(notDirectory.getMessage().contains(plainFile.toString()), notDirectory.getMessage());
        Files.delete(plainFile);
        final DmaException cannotCreate = assertThrows(DmaException.class,
            () -> ShmDomain.open(context().dir(Path.of("/proc/shmdma-bad-input"))));
        assertTrue(cannotCreate.getMessage().contains("/proc/shmdma-bad-input"), cannotCreate.getMessage());
    }

    @Test
    void shouldRefuseBadDeviceAndGroupArguments()
    {
        assertErrno(Errno.EINVAL, () -> domain.createDevice(null, EngineThreading.inline()), "null name");
        assertErrno(Errno.EINVAL, () -> domain.createDevice("shm-bad-null-threading", null), "null threading");
        final DmaDevice device = domain.createDevice("shm-bad-groups", EngineThreading.inline());
        assertErrno(Errno.EEXIST, () -> domain.createDevice("shm-bad-groups", EngineThreading.inline()), "name in use");
        final UUID self = domain.domainId();
        final UUID token = UUID.randomUUID();
        final UUID stranger = UUID.randomUUID();
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupCreate(null, token, null), "null domain");
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupCreate(self, null, null), "null token");
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupCreate(stranger, token, null), "foreign domain id");
        for (final int groupId : BAD_GROUP_IDS)
        {
            assertErrno(Errno.EINVAL, () -> device.accessPairGroupJoin(self, token, groupId, null), "join " + groupId);
            assertErrno(Errno.EINVAL, () -> device.accessPairGroupLeave(groupId), "leave " + groupId);
            assertErrno(Errno.EINVAL, () -> device.accessPairGroupDestroy(groupId), "destroy " + groupId);
            assertErrno(Errno.EINVAL, () -> device.accessPairGroupHandlerGet(groupId, self), "handler " + groupId);
        }
        final int absent = 12345;
        assertErrno(Errno.ENOENT, () -> device.accessPairGroupJoin(self, token, absent, null), "no such group");
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupJoin(stranger, token, absent, null), "foreign domain");
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupJoin(self, null, absent, null), "null token");
        assertErrno(Errno.ENOENT, () -> device.accessPairGroupLeave(absent), "leave a group never joined");
        assertErrno(Errno.ENOENT, () -> device.accessPairGroupDestroy(absent), "destroy a group that does not exist");
        assertErrno(Errno.EPERM, () -> device.accessPairGroupHandlerGet(absent, self), "handler of a foreign group");

        final int groupId = device.accessPairGroupCreate(self, token, null);
        assertErrno(Errno.ENOENT, () -> device.accessPairGroupHandlerGet(groupId, stranger), "random member");
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupHandlerGet(groupId, null), "null member");
        assertErrno(Errno.EEXIST, () -> device.accessPairGroupJoin(self, token, groupId, null), "join own group");
        assertErrno(Errno.EPERM, () -> device.accessPairGroupLeave(groupId), "creator leaves");
        final int handler = device.accessPairGroupHandlerGet(groupId, self);
        device.configure(new DmaConf(1, 0));
        for (final int bad : BAD_HANDLERS)
        {
            assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, VchanConf.interProcess(64, bad, handler)),
                "source handler " + bad);
            assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, VchanConf.interProcess(64, handler, bad)),
                "destination handler " + bad);
        }
        final int unused = handler == 0xFFFE ? 0xFFFD : handler + 1;
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, VchanConf.interProcess(64, unused, unused)),
            "in-range handler nobody holds");
        device.vchanSetup(0, VchanConf.interProcess(64, handler, handler));
        device.accessPairGroupDestroy(groupId);
    }

    @Test
    void shouldRefuseBadRegistryArguments()
    {
        final Registry registry = domain.registry();
        final int slot = registry.findDomain(domain.domainId());
        final UUID token = UUID.randomUUID();
        assertEquals(-Errno.EINVAL, registry.registerDomain(null, "x", 1));
        assertEquals(-Errno.EINVAL, registry.registerDomain(UUID.randomUUID(), null, 1));
        assertEquals(-Errno.EINVAL, registry.registerDomain(UUID.randomUUID(), "é".repeat(65), 1),
            "name over 128 bytes");
        assertEquals(-Errno.EINVAL, registry.registerDomain(UUID.randomUUID(), "x", -1));
        assertEquals(-Errno.EEXIST, registry.registerDomain(domain.domainId(), "x", 1), "live domain id");
        assertEquals(-Errno.ENOENT, registry.findDomain(null));
        assertEquals(-Errno.ENOENT, registry.findDomain(UUID.randomUUID()));
        for (final int bad : BAD_SLOTS)
        {
            assertEquals(-Errno.EINVAL, registry.unregisterDomain(bad), "unregister " + bad);
            assertFalse(registry.heartbeat(bad));
            assertTrue(registry.domain(bad).isEmpty());
            assertEquals(0, registry.domainGeneration(bad));
            assertEquals(-Errno.EINVAL, registry.createGroup(bad, token));
            assertEquals(-Errno.EINVAL, registry.allocateDeviceCounters(bad, 0, "x"));
        }
        assertEquals(-Errno.ENOENT, registry.unregisterDomain(255), "free slot");
        assertEquals(-Errno.EINVAL, registry.createGroup(255, token), "free slot");
        assertEquals(-Errno.EINVAL, registry.createGroup(slot, null));
        for (final int groupId : BAD_GROUP_IDS)
        {
            assertEquals(-Errno.EINVAL, registry.joinGroup(slot, token, groupId));
            assertEquals(-Errno.EINVAL, registry.leaveGroup(slot, groupId));
            assertEquals(-Errno.EINVAL, registry.destroyGroup(slot, groupId));
            assertEquals(-Errno.EINVAL, registry.handlerGet(slot, groupId, domain.domainId()));
            assertTrue(registry.group(groupId).isEmpty());
        }
        assertEquals(-Errno.EINVAL, registry.joinGroup(slot, null, 1));
        assertEquals(-Errno.EINVAL, registry.handlerGet(slot, 1, null));
        assertEquals(-Errno.EINVAL, registry.joinGroup(255, token, 1), "free slot joins");
        for (final int handler : BAD_HANDLERS)
        {
            assertEquals(0, registry.membershipToken(handler));
            assertEquals(-1, registry.handlerDomainSlot(handler));
            assertEquals(0, registry.handlerDomainGeneration(handler));
        }
        assertEquals(-Errno.EINVAL, registry.allocateDeviceCounters(slot, 0, null));
        final int counters = registry.allocateDeviceCounters(slot, 0, "n".repeat(1000));
        assertTrue(counters >= 0, "a long name is cut");
        assertEquals(0, registry.freeDeviceCounters(counters));
        assertEquals(-Errno.ENOENT, registry.freeDeviceCounters(counters), "freed twice");
        for (final int bad : new int[]{ -1, 64, Integer.MIN_VALUE, Integer.MAX_VALUE })
        {
            assertEquals(-Errno.EINVAL, registry.freeDeviceCounters(bad));
            assertDocumented(IllegalArgumentException.class, () -> registry.deviceCounters(bad), "counters " + bad);
        }
        assertTrue(registry.reapDeadDomains(Long.MIN_VALUE).isEmpty());
        assertTrue(registry.reapDeadDomains(Long.MAX_VALUE).isEmpty(), "this process's domain is never reaped");
        assertEquals(List.of(), registry.checkConsistency());

        final Path file = registry.path();
        assertDocumented(IllegalArgumentException.class, () -> Registry.openOrCreate(null, new RegistryConfig()),
            "null");
        assertDocumented(IllegalArgumentException.class, () -> Registry.openOrCreate(file, null), "null config");
        assertDocumented(IllegalArgumentException.class, () -> Registry.openExisting(null, new RegistryConfig()),
            "null");
        assertDocumented(IllegalArgumentException.class, () -> Registry.openOrCreate(file, new RegistryConfig()
            .livenessTimeoutNs(0)), "zero liveness timeout");
        assertDocumented(IllegalArgumentException.class, () -> Registry.openOrCreate(file, new RegistryConfig()
            .joinLockoutAttempts(-1)), "negative lockout attempts");
        assertErrno(Errno.ENOENT, () -> Registry.openExisting(dir.path().resolve("missing.shm"), new RegistryConfig()),
            "missing file");
    }

    @Test
    void shouldAnswerEveryRegistryCallAfterCloseWithoutTouchingTheUnmappedFile()
    {
        final Registry registry = Registry.openExisting(domain.registry().path(), new RegistryConfig());
        final int slot = registry.registerDomain(UUID.randomUUID(), "closed", 1);
        registry.close();
        registry.close();
        assertNotNull(registry.toString());
        assertNotNull(registry.path());
        assertFalse(registry.heartbeat(slot));
        assertEquals(0, registry.domainGeneration(slot));
        assertEquals(0, registry.membershipToken(1));
        assertEquals(-1, registry.handlerDomainSlot(1));
        assertEquals(0, registry.handlerDomainGeneration(1));
        final List<Runnable> calls = List.of(
            registry::buffer, () -> registry.reapDeadDomains(0), () -> registry.findDomain(UUID.randomUUID()),
            () -> registry.domain(0), registry::domains, registry::groups, () -> registry.group(0),
            registry::changeCount, () -> registry.deviceCounters(0), registry::deviceCountersViews,
            registry::errorLog, registry::errorLogEntries, registry::checkConsistency,
            () -> registry.registerDomain(UUID.randomUUID(), "x", 1), () -> registry.unregisterDomain(slot),
            () -> registry.createGroup(slot, UUID.randomUUID()), () -> registry.joinGroup(slot, UUID.randomUUID(), 1),
            () -> registry.leaveGroup(slot, 1), () -> registry.destroyGroup(slot, 1),
            () -> registry.handlerGet(slot, 1, UUID.randomUUID()), () -> registry.allocateDeviceCounters(slot, 0, "x"),
            () -> registry.freeDeviceCounters(0));
        for (int i = 0; i < calls.size(); i++)
        {
            final Runnable call = calls.get(i);
            final IllegalStateException ex = assertDocumented(IllegalStateException.class, call::run, "call " + i);
            assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
        }
        domain.registry().reapDeadDomains(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void shouldRefuseBadSegmentAndFileArguments() throws Exception
    {
        final Path path = dir.path();
        final UUID id = UUID.randomUUID();
        assertDocumented(IllegalArgumentException.class, () -> DomainSegment.create(null, id, 4096, false), "null dir");
        assertDocumented(IllegalArgumentException.class, () -> DomainSegment.create(path, null, 4096, false),
            "null id");
        for (final long length : new long[]{ 0, -1, Long.MIN_VALUE, Long.MAX_VALUE, DomainMemory.MAX_SIZE + 1 })
        {
            assertDocumented(IllegalArgumentException.class, () -> DomainSegment.create(path, id, length, false),
                "length " + length);
        }
        assertErrno(Errno.EEXIST, () -> DomainSegment.create(path, domain.domainId(), 4096, false), "existing file");
        assertDocumented(IllegalArgumentException.class, () -> DomainSegment.mapPeer(null, id), "null dir");
        assertDocumented(IllegalArgumentException.class, () -> DomainSegment.mapPeer(path, null), "null id");
        assertDocumented(IllegalStateException.class, () -> DomainSegment.mapPeer(path, id), "missing file");

        final Path file = path.resolve("bad-input.shm");
        assertDocumented(IllegalArgumentException.class, () -> ShmFiles.ensureDirectory(null, false), "null dir");
        assertDocumented(IllegalArgumentException.class, () -> ShmFiles.createReserved(null, 1, false), "null file");
        assertDocumented(IllegalArgumentException.class, () -> ShmFiles.createReserved(file, -1, false), "length -1");
        final long startNs = System.nanoTime();
        final DmaException huge = assertErrno(Errno.ENOSPC, () -> ShmFiles.createReserved(file, 1L << 50, false),
            "a petabyte");
        assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(2), "refused before writing anything");
        assertTrue(huge.getMessage().contains(file.toString()) && huge.getMessage().contains(Long.toString(1L << 50)),
            huge.getMessage());
        assertFalse(Files.exists(file));

        ShmFiles.createReserved(file, 4096, false);
        assertDocumented(IllegalArgumentException.class, () -> ShmFiles.map(null, 0, 1), "null file");
        assertDocumented(IllegalArgumentException.class, () -> ShmFiles.map(file, -1, 1), "negative offset");
        assertDocumented(IllegalArgumentException.class, () -> ShmFiles.map(file, 0, -1), "negative length");
        assertDocumented(IllegalArgumentException.class, () -> ShmFiles.map(file, 0, 1L << 31), "over 2 GiB");
        assertDocumented(IllegalArgumentException.class, () -> ShmFiles.map(file, Long.MAX_VALUE, 1), "overflow");
        final DmaException pastEnd = assertErrno(Errno.EINVAL, () -> ShmFiles.map(file, 0, 8192), "past EOF");
        assertTrue(pastEnd.getMessage().contains(file.toString()), pastEnd.getMessage());
        assertErrno(Errno.EINVAL, () -> ShmFiles.map(file, 4096, 1), "past EOF");
        assertEquals(4096, Files.size(file), "a refused mapping never extends the file");
        assertErrno(Errno.ENOENT, () -> ShmFiles.map(path.resolve("missing.shm"), 0, 1), "missing file");
        assertErrno(Errno.EEXIST, () -> ShmFiles.createReserved(file, 1, false), "existing file");
        assertEquals(-1, ShmFiles.length(null));
        assertEquals(-1, ShmFiles.length(path.resolve("missing.shm")));
        ShmFiles.unmap(null);
        ShmFiles.deleteQuietly(null);
        ShmFiles.deleteQuietly(file);
        assertDocumented(IllegalArgumentException.class, () -> DomainSegmentDescriptor.file(null, id), "null dir");
    }

    @Test
    void shouldRefuseUseOfAClosedDomain() throws Exception
    {
        final ShmDomain other = ShmDomain.open(context());
        final DmaDevice device = other.createDevice("shm-bad-closed", EngineThreading.inline());
        final DomainMemory memory = other.memory();
        other.close();
        other.close();
        assertFalse(device.isValid(), "closing the domain closed its devices");
        assertErrno(Errno.EINVAL, device::info, "info of a device of a closed domain");
        assertNegativeErrno(Errno.EINVAL, device.copy(0, 1, 2, 8, 0), "copy on a closed domain's device");
        assertErrno(Errno.EINVAL, () -> other.createDevice("shm-bad-closed-2", EngineThreading.inline()), "create");
        assertDocumented(IllegalStateException.class, other::memory, "memory of a closed domain");
        assertDocumented(IllegalStateException.class, () -> memory.allocate(64), "allocate in an unmapped segment");
        assertDocumented(IllegalStateException.class, () -> other.registry().groups(), "registry of a closed domain");
        assertFalse(Files.exists(DomainSegmentDescriptor.file(dir.path(), other.domainId())));
    }
}
