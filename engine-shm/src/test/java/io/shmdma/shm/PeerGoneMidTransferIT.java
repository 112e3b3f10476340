package io.shmdma.shm;

import io.shmdma.Completion;
import io.shmdma.DeviceDrivers;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaStatus;
import io.shmdma.GroupEventType;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.VchanStatus;
import io.shmdma.engine.EngineThreading;
import io.shmdma.engine.SoftwareDmaDriver;
import io.shmdma.memory.DmaRegion;
import io.shmdma.memory.DomainMemory;
import org.agrona.concurrent.AgentInvoker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The destination of queued jobs goes away: its member leaves the group, its process closes its domain, or it is
 * SIGKILLed. The device runs in this JVM (creator), the destination is a peer process (joiner). Every job
 * completes, SUCCESSFUL before the revocation and INVALID_DST_ADDR after, nothing waits forever, the vchan goes
 * back to IDLE, and nothing crashes although the dead peer's deleted file is still mapped here.
 */
class PeerGoneMidTransferIT
{
    private static final long LIVENESS_MS = 300;
    private static final int PEER_SEGMENT = 8 << 20;
    private static final int RING = 1024;
    private static final long DRAIN_TIMEOUT_MS = 20_000;

    private ShmTestDirectory dir;
    private ShmDomain domain;
    private PeerHandle peer;
    private DmaDevice device;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final List<DmaStatus> statuses = new ArrayList<>();
    private final Completion completion = new Completion();
    private final DmaStatus[] batch = new DmaStatus[RING];
    private int submitted;
    private UUID peerDomain;
    private DmaRegion source;
    private long target;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
        domain = ShmDomain.open(new ShmContext().dir(dir.path()).domainSegmentSize(4 << 20)
            .livenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(LIVENESS_MS))
            .conductorIntervalNs(TimeUnit.MILLISECONDS.toNanos(LIVENESS_MS / 10)));
        peer = new PeerHandle("destination");
        peerDomain = UUID.fromString(peer.ok("open " + dir + " " + LIVENESS_MS + " " + PEER_SEGMENT));
    }

    @AfterEach
    void tearDown() throws Exception
    {
        peer.close();
        domain.close();
        dir.close();
    }

    /**
     * The engine is driven here, a few bursts at a time, so jobs are still queued, deterministically, when the
     * destination goes.
     */
    @ParameterizedTest
    @ValueSource(strings = { "leave", "exit", "kill" })
    void shouldFailQueuedJobsOfAnInlineEngineOnceTheDestinationIsGone(final String how) throws Exception
    {
        setUpVchan(EngineThreading.inline(), 65536);
        final AgentInvoker engine = device.engineInvoker();
        for (int i = 0; i < 512; i++)
        {
            enqueue(65536);
        }
        engine.invoke();
        engine.invoke();
        assertEquals(VchanStatus.ACTIVE, device.vchanStatus(0), "jobs are queued");

        makeDestinationGo(how);
        assertEquals(VchanStatus.ACTIVE, device.vchanStatus(0), "still queued, not lost");
        for (int i = 0; i < 2 * 512 && device.vchanStatus(0) != VchanStatus.IDLE; i++)
        {
            engine.invoke();
        }
        gather(submitted);
        assertEquals(VchanStatus.IDLE, device.vchanStatus(0));
        final int successes = successesThenFailures();
        assertEquals(128, successes, "the two bursts run before the destination went: " + summary());
        assertEquals(0, ((SoftwareDmaDriver)DeviceDrivers.driverOf(device)).engineErrors());
        System.out.println("[faults] inline engine, destination " + how + ": " + summary());
    }

    /**
     * The engine runs on its own thread with a backoff idle strategy; jobs of 1 MiB keep it busy while the
     * destination goes, and the test keeps submitting until the revocation has been seen.
     */
    @ParameterizedTest
    @ValueSource(strings = { "leave", "kill" })
    void shouldFailQueuedJobsOfABackoffEngineOnceTheDestinationIsGone(final String how) throws Exception
    {
        setUpVchan(EngineThreading.backoff(), 1 << 20);
        for (int i = 0; i < RING / 2; i++)
        {
            enqueue(1 << 20);
        }
        final long goneAt = System.nanoTime();
        if (how.equals("kill"))
        {
            peer.kill();
        }
        else
        {
            peer.write("leave " + groupId);
        }
        final long deadlineNs = goneAt + TimeUnit.MILLISECONDS.toNanos(DRAIN_TIMEOUT_MS);
        int afterRevocation = 0;
        while (afterRevocation < 64)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "no revocation seen: " + summary());
            if (device.burstCapacity(0) > 0)
            {
                enqueue(1 << 20);
                if (!events.isEmpty())
                {
                    afterRevocation++;
                }
            }
            else
            {
                collect();
                LockSupport.parkNanos(100_000);
            }
        }
        final long revokedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - goneAt);
        gather(submitted);
        awaitIdle();
        final int successes = successesThenFailures();
        assertTrue(successes < submitted - 63, "the jobs submitted after MEMBER_LEFT failed: " + summary());
        assertEquals(0, ((SoftwareDmaDriver)DeviceDrivers.driverOf(device)).engineErrors());
        if (how.equals("kill"))
        {
            RegistryChecks.await(() -> !Files.exists(DomainSegmentDescriptor.file(dir.path(), peerDomain)), 5_000,
                "the dead peer's segment file to be deleted (it stays mapped here)");
            final DomainMemory deleted = domain.segmentOf(peerDomain).memory();
            final long offset = deleted.offsetOf(target, 1 << 20);
            deleted.fill(offset, 1 << 20, 0x5A5A5A5A5A5A5A5AL);
            DomainMemory.copy(deleted, offset, source.memory(), domain.memory().offsetOf(source.iova(), 1 << 20),
                1 << 20);
            assertEquals(0x5A5A5A5A5A5A5A5AL, source.buffer().getLong((1 << 20) - 8),
                "the deleted file's mapping is still memory");
        }
        System.out.println("[faults] backoff engine, destination " + how + ": " + summary() + ", revocation seen " +
            revokedMs + " ms after the destination went");
    }

    private int groupId;

    private void setUpVchan(final EngineThreading threading, final int jobLength) throws Exception
    {
        device = domain.createDevice("gone-" + UUID.randomUUID().toString().substring(0, 8), threading);
        final UUID token = UUID.randomUUID();
        groupId = device.accessPairGroupCreate(domain.domainId(), token,
            (devId, group, member, type) -> events.add(type + " " + group + " " + member));
        peer.ok("join " + groupId + " " + token);
        final int self = device.accessPairGroupHandlerGet(groupId, domain.domainId());
        final int destination = device.accessPairGroupHandlerGet(groupId, peerDomain);
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, VchanConf.interProcess(RING, self, destination));
        device.start();
        source = domain.memory().allocate(jobLength);
        target = Long.parseLong(peer.ok("alloc " + jobLength));
    }

    private void makeDestinationGo(final String how) throws Exception
    {
        switch (how)
        {
            case "leave":
                peer.ok("leave " + groupId);
                break;
            case "exit":
                peer.ok("exit");
                assertTrue(peer.process().waitFor(10, TimeUnit.SECONDS));
                break;
            default:
                peer.kill();
                break;
        }
        assertEquals(GroupEventType.MEMBER_LEFT + " " + groupId + " " + peerDomain,
            events.poll(10, TimeUnit.SECONDS), "the creator saw the destination go");
    }

    private void enqueue(final int length)
    {
        final int idx = device.copy(0, source.iova(), target, length, OpFlags.SUBMIT);
        assertTrue(idx >= 0, "enqueue failed: " + idx);
        submitted++;
    }

    private void collect()
    {
        final int n = device.completedStatus(0, RING, completion, batch);
        for (int i = 0; i < n; i++)
        {
            statuses.add(batch[i]);
        }
    }

    private void gather(final int count)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_TIMEOUT_MS);
        while (statuses.size() < count)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "jobs never completed: " + summary());
            final AgentInvoker invoker = device.engineInvoker();
            if (invoker != null)
            {
                invoker.invoke();
            }
            collect();
            LockSupport.parkNanos(100_000);
        }
    }

    private void awaitIdle()
    {
        RegistryChecks.await(() -> device.vchanStatus(0) == VchanStatus.IDLE, 5_000, "the vchan to become IDLE");
    }

    /** Checks that the statuses are a run of SUCCESSFUL then a run of INVALID_DST_ADDR; returns the first run. */
    private int successesThenFailures()
    {
        int successes = 0;
        while (successes < statuses.size() && statuses.get(successes) == DmaStatus.SUCCESSFUL)
        {
            successes++;
        }
        for (int i = successes; i < statuses.size(); i++)
        {
            assertEquals(DmaStatus.INVALID_DST_ADDR, statuses.get(i), "job " + i + ": " + summary());
        }
        return successes;
    }

    private String summary()
    {
        final long ok = statuses.stream().filter(status -> status == DmaStatus.SUCCESSFUL).count();
        return submitted + " submitted, " + statuses.size() + " completed (" + ok + " SUCCESSFUL, " +
            (statuses.size() - ok) + " failed)";
    }
}
