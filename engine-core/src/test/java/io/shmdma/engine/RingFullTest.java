package io.shmdma.engine;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaSge;
import io.shmdma.DmaStats;
import io.shmdma.DmaStatus;
import io.shmdma.Errno;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.inprocess.InProcessDmaDriver;
import io.shmdma.memory.DmaRegion;
import io.shmdma.memory.DomainMemory;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.shmdma.BadInputAssertions.assertNegativeErrno;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A full ring: enqueue returns -ENOSPC at once and loses nothing; and a stress run where a slow consumer keeps
 * the ring full while the engine (on its own backoff thread) executes millions of jobs, each carrying its
 * sequence number into a per-slot destination that the application checks at every completion.
 */
class RingFullTest
{
    private static final long BASE = 0x1000_0000L;
    /** Jobs in the stress run; {@code -Dshmdma.test.ringFullJobs=...} to change. */
    private static final long STRESS_JOBS = Long.getLong("shmdma.test.ringFullJobs", 10_000_000L);

    private DmaDevice device;

    @AfterEach
    void tearDown()
    {
        if (device != null && device.isValid())
        {
            device.stop();
            device.close();
        }
    }

    @Test
    void shouldRefuseWithEnospcAtOnceAndKeepEveryEarlierJob()
    {
        final DomainMemory memory = DomainMemory.allocateDirect(BASE, 1 << 20);
        device = InProcessDmaDriver.create("ring-full", memory, EngineThreading.inline());
        device.configure(new DmaConf(1, 0));
        final int nbDesc = 64;
        device.vchanSetup(0, new VchanConf(nbDesc));
        device.start();
        final DmaRegion dst = memory.allocate(8L * nbDesc);
        final DmaRegion src = memory.allocate(8);
        final DmaSge[] srcSge = { new DmaSge(src.iova(), 8) };
        final DmaSge[] dstSge = { new DmaSge(dst.iova(), 8) };
        final Completion completion = new Completion();
        long sequence = 0;
        long slowestRefusalsNs = 0;
        for (int round = 0; round < 1100; round++)
        {
            for (int i = 0; i < nbDesc; i++)
            {
                final int ringIdx = device.fill(0, sequence, dst.iova(8L * i), 8, 0);
                assertEquals((int)(sequence & 0xFFFF), ringIdx);
                sequence++;
            }
            assertEquals(0, device.burstCapacity(0));
            final long startNs = System.nanoTime();
            for (int i = 0; i < 1000; i++)
            {
                assertNegativeErrno(Errno.ENOSPC, device.copy(0, src.iova(), dst.iova(), 8, OpFlags.SUBMIT), "copy");
                assertNegativeErrno(Errno.ENOSPC, device.fill(0, -1, dst.iova(), 8, OpFlags.FENCE), "fill");
                assertNegativeErrno(Errno.ENOSPC, device.copySg(0, srcSge, dstSge, 1, 1, 0), "copySg");
            }
            final long refusedNs = System.nanoTime() - startNs;
            assertTrue(refusedNs < TimeUnit.SECONDS.toNanos(2), "3000 refusals took " + refusedNs + " ns");
            slowestRefusalsNs = Math.max(slowestRefusalsNs, refusedNs);
            assertEquals(0, device.stats(0).submitted - 64L * round, "refused jobs ring no doorbell");
            device.submit(0);
            device.engineInvoker().invoke();
            assertEquals(nbDesc, device.completed(0, 2 * nbDesc, completion), "every job before the refusals ran");
            assertFalse(completion.hasError);
            assertEquals((int)((sequence - 1) & 0xFFFF), completion.lastIdx);
            for (int i = 0; i < nbDesc; i++)
            {
                assertEquals(sequence - nbDesc + i, dst.buffer().getLong(8 * i, ByteOrder.LITTLE_ENDIAN));
            }
            assertEquals(nbDesc, device.burstCapacity(0));
        }
        assertTrue(sequence > 0x10000, "ring indices wrapped at least once");
        System.out.printf("ring full: 3,000 refused enqueues took at most %,d us over %,d rounds%n",
            slowestRefusalsNs / 1000, 1100);
        final DmaStats stats = device.stats(0);
        assertEquals(sequence, stats.submitted);
        assertEquals(sequence, stats.completed);
        assertEquals(0, stats.errors);
    }

    @Test
    @Tag("slow")
    void shouldNeverSkipOrRepeatAJobWhileASlowConsumerKeepsTheRingFull()
    {
        final int nbDesc = 1024;
        final int slots = nbDesc;
        final DomainMemory memory = DomainMemory.allocateDirect(BASE, 1 << 20);
        device = InProcessDmaDriver.create("ring-full-stress", memory, EngineThreading.backoff());
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, new VchanConf(nbDesc));
        device.start();
        final DmaRegion sources = memory.allocate(8L * slots);
        final DmaRegion destinations = memory.allocate(8L * slots);
        final UnsafeBuffer src = sources.buffer();
        final UnsafeBuffer dst = destinations.buffer();
        final Completion completion = new Completion();
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
        final SplittableRandom random = new SplittableRandom(7);
        long enqueued = 0;
        long checked = 0;
        long refusals = 0;
        long pauses = 0;
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(120);
        while (checked < STRESS_JOBS)
        {
            while (enqueued < STRESS_JOBS)
            {
                final int slot = (int)enqueued & (slots - 1);
                final long srcIova = sources.iova(8L * slot);
                final long dstIova = destinations.iova(8L * slot);
                if (enqueued - checked >= nbDesc)
                {
                    // full: the source slot still belongs to a job in flight, so it is not written
                    assertNegativeErrno(Errno.ENOSPC, (enqueued & 1) == 0 ? device.fill(0, enqueued, dstIova, 8, 0) :
                        device.copy(0, srcIova, dstIova, 8, 0), "enqueue on a full ring");
                    refusals++;
                    break;
                }
                final int ringIdx;
                if ((enqueued & 1) == 0)
                {
                    ringIdx = device.fill(0, enqueued, dstIova, 8, 0);
                }
                else
                {
                    src.putLong(8 * slot, enqueued, ByteOrder.LITTLE_ENDIAN);
                    ringIdx = device.copy(0, srcIova, dstIova, 8, 0);
                }
                if (ringIdx != (int)(enqueued & 0xFFFF))
                {
                    fail("job " + enqueued + " got ring index " + ringIdx + ": " + Errno.errorString(ringIdx));
                }
                enqueued++;
            }
            assertEquals(0, device.submit(0));
            if (random.nextInt(256) == 0)
            {
                pauses++;
                LockSupport.parkNanos(200_000);
            }
            final int gathered = device.completed(0, 1 + random.nextInt(64), completion);
            if (completion.hasError)
            {
                fail("job " + checked + " failed");
            }
            for (int i = 0; i < gathered; i++)
            {
                final long job = checked + i;
                final long value = dst.getLong(8 * ((int)job & (slots - 1)), ByteOrder.LITTLE_ENDIAN);
                if (value != job)
                {
                    fail("job " + job + " left " + value + " in its slot: a job was skipped or repeated");
                }
            }
            if (gathered > 0)
            {
                checked += gathered;
                if (completion.lastIdx != (int)((checked - 1) & 0xFFFF))
                {
                    fail("after job " + (checked - 1) + " last_idx was " + completion.lastIdx);
                }
                idle.reset();
            }
            else
            {
                idle.idle();
                if (System.nanoTime() - deadlineNs > 0)
                {
                    fail("only " + checked + " of " + STRESS_JOBS + " jobs completed in time");
                }
            }
        }
        final long elapsedNs = System.nanoTime() - startNs;
        assertEquals(0, device.completed(0, 64, completion), "no job completes twice");
        final DmaStats stats = device.stats(0);
        assertEquals(STRESS_JOBS, stats.submitted);
        assertEquals(STRESS_JOBS, stats.completed);
        assertEquals(0, stats.errors);
        assertTrue(refusals > 0, "the ring was full at least once");
        final DmaStatus[] none = new DmaStatus[1];
        assertEquals(0, device.completedStatus(0, 1, null, none));
        System.out.printf("ring full stress: %,d jobs in %.1f s, %,.0f jobs/s, ring full %,d times, %,d consumer " +
            "pauses%n",
            STRESS_JOBS, elapsedNs / 1e9, STRESS_JOBS * 1e9 / elapsedNs, refusals, pauses);
    }
}
