package io.shmdma.shm.registry;

import io.shmdma.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;
import static io.shmdma.shm.registry.RegistryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class RegistryRegionTest
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
    void shouldPublishAndLetAGroupMemberLookUpAndListAPeersRegions()
    {
        final int groupId = creatorProcess.createGroup(creator, token, "quotes", null);
        assertTrue(groupId >= 0);
        assertEquals(groupId, joinerProcess.findGroup("quotes"));
        assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
        assertTrue(creatorProcess.publishRegion(creator, "prices", 0x1000, 4096) >= 0);
        assertTrue(creatorProcess.publishRegion(creator, "orders-\u00e9", 0x3000, 100) >= 0);

        final AtomicReference<RegionView> found = new AtomicReference<>();
        assertEquals(0, joinerProcess.lookupRegion(joiner, creatorId, "prices", found::set));
        final RegionView prices = found.get();
        assertEquals(creatorId, prices.domainId());
        assertEquals("prices", prices.name());
        assertEquals(0x1000, prices.iova());
        assertEquals(4096, prices.length());

        final List<RegionView> listed = new ArrayList<>();
        assertEquals(0, joinerProcess.listRegions(joiner, creatorId, listed));
        assertEquals(List.of("prices", "orders-\u00e9"), listed.stream().map(RegionView::name).toList());
        assertEquals(-Errno.ENOENT, joinerProcess.lookupRegion(joiner, creatorId, "absent", null));
        assertEquals(2, joinerProcess.regions().size(), "the CLI view sees every region");
        assertEquals("quotes", joinerProcess.group(groupId).orElseThrow().name());
    }

    @Test
    void shouldRefuseLookupWithoutASharedGroup()
    {
        assertTrue(creatorProcess.publishRegion(creator, "prices", 0x1000, 64) >= 0);
        assertEquals(-Errno.EPERM, joinerProcess.lookupRegion(joiner, creatorId, "prices", null));
        assertEquals(-Errno.EPERM, joinerProcess.listRegions(joiner, creatorId, new ArrayList<>()));
        assertEquals(0, creatorProcess.lookupRegion(creator, creatorId, "prices", null), "its own, always");
        assertEquals(-Errno.ENOENT, joinerProcess.lookupRegion(joiner, UUID.randomUUID(), "prices", null));

        final int groupId = creatorProcess.createGroup(creator, token);
        assertEquals(0, joinerProcess.joinGroup(joiner, token, groupId));
        assertEquals(0, joinerProcess.lookupRegion(joiner, creatorId, "prices", null));
        assertEquals(0, joinerProcess.leaveGroup(joiner, groupId));
        assertEquals(-Errno.EPERM, joinerProcess.lookupRegion(joiner, creatorId, "prices", null), "left: refused");
    }

    @Test
    void shouldRemoveAFreedRegion()
    {
        assertTrue(creatorProcess.publishRegion(creator, "prices", 0x1000, 64) >= 0);
        assertEquals(0, creatorProcess.unpublishRegion(creator, "prices"));
        assertEquals(-Errno.ENOENT, creatorProcess.lookupRegion(creator, creatorId, "prices", null));
        assertEquals(-Errno.ENOENT, creatorProcess.unpublishRegion(creator, "prices"));
        assertEquals(List.of(), creatorProcess.regions());
        assertTrue(creatorProcess.publishRegion(creator, "prices", 0x2000, 64) >= 0, "the name can be reused");
    }

    @Test
    void shouldRemoveTheRegionsOfAnUnregisteredDomain()
    {
        assertTrue(joinerProcess.publishRegion(joiner, "a", 0x1000, 64) >= 0);
        assertTrue(creatorProcess.publishRegion(creator, "b", 0x1000, 64) >= 0);
        assertEquals(0, joinerProcess.unregisterDomain(joiner));
        assertEquals(List.of("b"), creatorProcess.regions().stream().map(RegionView::name).toList());
    }

    @Test
    void shouldRemoveTheRegionsOfAReapedDomain()
    {
        assertTrue(joinerProcess.publishRegion(joiner, "a", 0x1000, 64) >= 0);
        final long later = System.nanoTime() + TEST_LIVENESS_TIMEOUT_NS + 1;
        creatorProcess.heartbeat(creator);
        final List<ReapedDomain> reaped = creatorProcess.reapDeadDomains(later);
        assertEquals(List.of(joinerId), reaped.stream().map(ReapedDomain::domainId).toList());
        assertEquals(List.of(), creatorProcess.regions());
        final List<String> problems = new ArrayList<>();
        creatorProcess.checkTables(problems);
        assertEquals(List.of(), problems);
    }

    @Test
    void shouldRefuseBadNamesDuplicatesAndAFullTable()
    {
        final String longest = "x".repeat(MAX_NAME_LENGTH);
        assertTrue(creatorProcess.publishRegion(creator, longest, 0, 1) >= 0);
        assertEquals(-Errno.EINVAL, creatorProcess.publishRegion(creator, longest + "y", 0, 1));
        assertEquals(-Errno.EINVAL, creatorProcess.publishRegion(creator, "\u00e9".repeat(33), 0, 1), "66 bytes");
        assertEquals(-Errno.EINVAL, creatorProcess.publishRegion(creator, "", 0, 1));
        assertEquals(-Errno.EINVAL, creatorProcess.publishRegion(creator, "zero", 0, 0));
        assertEquals(-Errno.EINVAL, joinerProcess.publishRegion(creator, "not-mine", 0, 1));
        assertEquals(-Errno.EEXIST, creatorProcess.publishRegion(creator, longest, 64, 1));
        assertTrue(joinerProcess.publishRegion(joiner, longest, 0, 1) >= 0, "names are per domain");

        for (int i = 2; i < REGION_CAPACITY; i++)
        {
            assertTrue(creatorProcess.publishRegion(creator, "r" + i, i * 64L, 64) >= 0, "entry " + i);
        }
        assertEquals(-Errno.ENOSPC, creatorProcess.publishRegion(creator, "one-too-many", 0, 64));
        assertEquals(0, creatorProcess.unpublishRegion(creator, "r2"));
        assertTrue(creatorProcess.publishRegion(creator, "one-too-many", 0, 64) >= 0);
    }

    @Test
    void shouldRefuseADuplicateGroupNameAmongLiveGroupsOnly()
    {
        final int first = creatorProcess.createGroup(creator, token, "quotes", null);
        assertTrue(first >= 0);
        assertEquals(-Errno.EEXIST, joinerProcess.createGroup(joiner, UUID.randomUUID(), "quotes", null));
        assertEquals(-Errno.EINVAL, creatorProcess.createGroup(creator, token, "g".repeat(65), null));
        assertEquals(-Errno.ENOENT, joinerProcess.findGroup("other"));
        assertEquals(-Errno.EINVAL, joinerProcess.findGroup(""));
        final int unnamed = creatorProcess.createGroup(creator, UUID.randomUUID());
        assertEquals("", creatorProcess.group(unnamed).orElseThrow().name());
        assertEquals(0, creatorProcess.destroyGroup(creator, first));
        assertEquals(-Errno.ENOENT, joinerProcess.findGroup("quotes"));
        final int second = joinerProcess.createGroup(joiner, UUID.randomUUID(), "quotes", null);
        assertTrue(second >= 0, "the name is free again once the group is gone");
        assertEquals(second, creatorProcess.findGroup("quotes"));
    }

    @Test
    void shouldReadACorruptNameSafely()
    {
        final int slot = creatorProcess.publishRegion(creator, "prices", 0x1000, 64);
        final int offset = regionOffset(slot);
        creatorProcess.buffer().putInt(offset + REGION_NAME_LENGTH_OFFSET, Integer.MAX_VALUE);
        creatorProcess.buffer().putBytes(offset + REGION_NAME_OFFSET, new byte[]{ (byte)0xC3, (byte)0x28 });
        final RegionView region = creatorProcess.regions().get(0);
        assertEquals("\ufffd(ices" + "\0".repeat(MAX_NAME_LENGTH - 6), region.name(), "clamped to 64, decoded safely");
        creatorProcess.buffer().putInt(offset + REGION_NAME_LENGTH_OFFSET, -5);
        assertEquals("", creatorProcess.regions().get(0).name());
    }

    @Test
    void shouldReportARegionLeftBehindByAHalfDoneTeardown()
    {
        final int slot = joinerProcess.publishRegion(joiner, "a", 0x1000, 64);
        final int offset = regionOffset(slot);
        creatorProcess.buffer().putLong(offset + REGION_DOMAIN_GENERATION_OFFSET,
            creatorProcess.domainGeneration(joiner) + 1);
        assertEquals(List.of("named region " + slot + " belongs to no domain (state 1)"),
            creatorProcess.checkConsistency());
        assertEquals(List.of(), joinerProcess.regions(), "a reader skips it too: the generation is not current");
    }
}
