package io.shmdma.shm;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaException;
import io.shmdma.Errno;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.shm.registry.DeviceCountersView;
import io.shmdma.shm.registry.DeviceInfoView;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class ShmDomainTest
{
    private ShmTestDirectory dir;
    private ShmDomain domain;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
        domain = ShmDomain.open(new ShmContext().dir(dir.path()).domainSegmentSize(1 << 20)
            .conductorIntervalNs(TimeUnit.MILLISECONDS.toNanos(10)));
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
    void shouldAdvertiseInterProcessDomainAndRefuseAForeignDomainId()
    {
        final DmaDevice device = domain.createDevice("shm-info", EngineThreading.inline());
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        device.dump(new PrintStream(out, true, StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("inter_process_domain"));
        final DmaException ex = assertThrows(DmaException.class,
            () -> device.accessPairGroupCreate(UUID.randomUUID(), UUID.randomUUID(), null));
        assertEquals(Errno.EINVAL, ex.errno());
    }

    @Test
    void shouldPublishNamedRegionsToGroupPeersAndWithdrawThemOnClose() throws Exception
    {
        try (ShmDomain peer = ShmDomain.open(new ShmContext().dir(dir.path()).domainSegmentSize(1 << 20)
            .conductorIntervalNs(TimeUnit.MILLISECONDS.toNanos(10))))
        {
            final DmaDevice device = domain.createDevice("shm-named", EngineThreading.inline());
            final DmaDevice peerDevice = peer.createDevice("shm-named-peer", EngineThreading.inline());
            final DmaRegion prices = domain.allocateNamed("prices", 1000);
            assertEquals("prices", prices.name());
            assertEquals(Errno.EEXIST, assertThrows(DmaException.class, () -> domain.allocateNamed("prices", 64))
                .errno());
            assertEquals(prices.iova(), domain.lookupRegion(domain.domainId(), "prices").iova());
            assertEquals(Errno.EPERM, assertThrows(DmaException.class,
                () -> peer.lookupRegion(domain.domainId(), "prices")).errno(), "no shared group yet");

            final UUID token = UUID.randomUUID();
            final int groupId = domain.accessPairGroupCreate(device, "quotes", token, null);
            assertEquals(Errno.EPERM, assertThrows(DmaException.class, () -> peer.groupMembers(groupId)).errno());
            assertEquals(Errno.EEXIST, assertThrows(DmaException.class,
                () -> peer.accessPairGroupCreate(peerDevice, "quotes", UUID.randomUUID(), null)).errno());
            peerDevice.accessPairGroupJoin(peer.domainId(), token, peer.groupIdByName("quotes"), null);
            assertEquals(groupId, peer.groupIdByName("quotes"));
            assertEquals(List.of(domain.domainId(), peer.domainId()), peer.groupMembers(groupId), "creator first");

            final var found = peer.lookupRegion(domain.domainId(), "prices");
            assertEquals(prices.iova(), found.iova());
            assertEquals(1000, found.length());
            assertEquals(List.of("prices"), peer.regions(domain.domainId()).stream().map(r -> r.name()).toList());

            prices.close();
            assertEquals(Errno.ENOENT, assertThrows(DmaException.class,
                () -> peer.lookupRegion(domain.domainId(), "prices")).errno(), "freed: withdrawn");
            final DmaRegion again = domain.allocateNamed("prices", 64);
            assertEquals(1, peer.regions(domain.domainId()).size());
            final long freeBytes = domain.memory().freeBytes();
            assertEquals(Errno.EINVAL, assertThrows(DmaException.class, () -> domain.allocateNamed("p".repeat(65), 8))
                .errno());
            assertEquals(1, peer.regions(domain.domainId()).size(), "a refused name leaves nothing behind");
            assertEquals(freeBytes, domain.memory().freeBytes(), "and its memory is returned");
            peerDevice.accessPairGroupLeave(groupId);
            device.accessPairGroupDestroy(groupId);
            assertEquals(Errno.ENOENT, assertThrows(DmaException.class, () -> peer.groupIdByName("quotes")).errno());
            again.close();
            peerDevice.close();
            device.close();
        }
    }

    @Test
    void shouldCopyThroughTheLocalHandlerAndPublishCounters() throws Exception
    {
        final DmaDevice device = domain.createDevice("shm-local", EngineThreading.inline());
        final int groupId = device.accessPairGroupCreate(domain.domainId(), UUID.randomUUID(), null);
        final int self = device.accessPairGroupHandlerGet(groupId, domain.domainId());
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, VchanConf.interProcess(64, self, self));
        device.start();
        final DmaRegion src = domain.memory().allocate(256);
        final DmaRegion dst = domain.memory().allocate(256);
        src.buffer().setMemory(0, 256, (byte)0x5A);
        assertEquals(0, device.copy(0, src.iova(), dst.iova(), 256, OpFlags.SUBMIT));
        assertEquals(1, device.copy(0, 0, dst.iova(), 256, OpFlags.SUBMIT));
        device.engineInvoker().invoke();
        final Completion completion = new Completion();
        assertEquals(1, device.completed(0, 8, completion));
        assertTrue(completion.hasError);
        assertEquals(0x5A, dst.buffer().getByte(255));

        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        DeviceCountersView view = null;
        while (System.nanoTime() - deadline < 0)
        {
            view = domain.registry().deviceCountersViews().stream()
                .filter(counters -> counters.name().equals("shm-local")).findFirst().orElse(null);
            if (view != null && view.completed() == 2)
            {
                break;
            }
            Thread.sleep(10);
        }
        assertNotNull(view);
        assertEquals(2, view.submitted());
        assertEquals(2, view.completed());
        assertEquals(1, view.errors());
        final int counterId = view.counterId();
        final DeviceInfoView info = domain.registry().deviceInfo(counterId).orElseThrow();
        assertTrue(info.published() && info.started(), info.toString());
        assertEquals(1, info.nbVchans());
        assertEquals(device.info().maxDesc, info.maxDesc());
        assertEquals(device.info().devCapa, info.capabilities());
        device.stop();
        final long stoppedDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (domain.registry().deviceInfo(counterId).orElseThrow().started() &&
            System.nanoTime() - stoppedDeadline < 0)
        {
            Thread.sleep(10);
        }
        assertFalse(domain.registry().deviceInfo(counterId).orElseThrow().started(), "stop is published");
        device.accessPairGroupDestroy(groupId);
    }

    @Test
    void shouldRecordAFlightRecorderEventPerGroupOperationWithoutTheToken() throws Exception
    {
        final Path jfr = dir.path().resolve("group-ops.jfr");
        final UUID token = UUID.randomUUID();
        try (Recording recording = new Recording())
        {
            recording.enable("io.shmdma.AccessPairGroupOperation");
            recording.start();
            final DmaDevice device = domain.createDevice("shm-jfr", EngineThreading.inline());
            final int groupId = device.accessPairGroupCreate(domain.domainId(), token, null);
            device.accessPairGroupHandlerGet(groupId, domain.domainId());
            assertThrows(DmaException.class, () -> device.accessPairGroupJoin(domain.domainId(), token, groupId, null));
            assertThrows(DmaException.class, () -> device.accessPairGroupLeave(groupId));
            device.accessPairGroupDestroy(groupId);
            recording.stop();
            recording.dump(jfr);
        }
        final List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        final List<String> seen = events.stream()
            .map(event -> event.getString("operation") + ":" + event.getInt("result")).toList();
        assertEquals(List.of("create:0", "handler_get:1", "join:-" + Errno.EEXIST, "leave:-" + Errno.EPERM,
            "destroy:0").size(), seen.size(), seen.toString());
        assertEquals("create", seen.get(0).split(":")[0]);
        assertEquals("join:-" + Errno.EEXIST, seen.get(2));
        assertEquals("leave:-" + Errno.EPERM, seen.get(3));
        assertEquals("destroy:0", seen.get(4));
        for (final RecordedEvent event : events)
        {
            assertEquals(domain.domainId().toString(), event.getString("domainId"));
        }
        final String raw = new String(Files.readAllBytes(jfr), StandardCharsets.ISO_8859_1);
        assertFalse(raw.contains(token.toString()), "the token must not be recorded");
        Files.delete(jfr);
    }
}
