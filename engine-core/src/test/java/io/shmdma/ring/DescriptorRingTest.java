package io.shmdma.ring;

import io.shmdma.Completion;
import io.shmdma.DmaOp;
import io.shmdma.DmaSge;
import io.shmdma.DmaStats;
import io.shmdma.DmaStatus;
import io.shmdma.Errno;
import io.shmdma.OpFlags;
import io.shmdma.VchanStatus;
import io.shmdma.engine.CopyEngine;
import io.shmdma.memory.DomainMemory;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.shmdma.ring.RingDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class DescriptorRingTest
{
    private static final int MAX_SGES = 4;
    private static final long BASE = 0x2000_0000L;
    private static final int SLOTS = 512;

    private final DomainMemory memory = DomainMemory.allocateDirect(BASE, 64 * 1024);
    private final UnsafeBuffer domain = new UnsafeBuffer(memory.address(0), (int)memory.size());

    @Test
    void shouldGiveEachIndexWrittenByAnotherThreadItsOwnTwoCacheLines()
    {
        assertEquals(0, SUBMITTED_INDEX_OFFSET);
        assertEquals(128, COMPLETED_INDEX_OFFSET);
        assertEquals(256, ERROR_COUNT_OFFSET);
        assertEquals(384, CAPACITY_OFFSET);
        assertEquals(512, HEADER_LENGTH);
        assertEquals(0, HEADER_LENGTH % PADDING);
        assertTrue(NB_DESC_OFFSET + 4 <= HEADER_LENGTH);
        assertEquals(32, DESCRIPTOR_LENGTH, "two descriptors to a cache line");
        assertEquals(0, SRC_OFFSET % 8);
        assertEquals(0, DST_OFFSET % 8);
        assertEquals(DST_OFFSET, NB_DST_OFFSET, "a scatter-gather job's destination word is its SGE count");
        assertEquals(FLAGS_OFFSET + 4, STAMP_OFFSET, "flags and stamp share the last 8 bytes");
        assertEquals(DESCRIPTOR_LENGTH, STAMP_OFFSET + 4);

        final int capacity = 64;
        assertEquals(HEADER_LENGTH + capacity * DESCRIPTOR_LENGTH + capacity * COMPLETION_LENGTH +
            capacity * MAX_SGES * 2 * SGE_LENGTH, ringLength(capacity, MAX_SGES));
        assertEquals(HEADER_LENGTH + (capacity - 1) * DESCRIPTOR_LENGTH, descriptorOffset(capacity - 1));
        assertEquals(descriptorOffset(capacity), completionOffset(capacity, 0), "completion words follow descriptors");
        assertEquals(0, completionOffset(capacity, 0) % 64, "completion words start a cache line");
        assertEquals(completionOffset(capacity, capacity - 1) + COMPLETION_LENGTH,
            sgeOffset(capacity, MAX_SGES, 0, false, 0), "SGE entries follow the completion words");
        assertEquals(0, sgeOffset(2, MAX_SGES, 0, false, 0) % 64, "completion words of a small ring fill a line");
        assertEquals(0, OPCODE_OFFSET);
        assertEquals(OPCODE_OFFSET + 4, LENGTH_OFFSET, "opcode and length are written as one 64-bit word");
        assertEquals(0, STAMP_OFFSET % 4);
        assertEquals(0, completionOffset(1, 0) % 64, "a one-slot ring's completion word has a line of its own");
        assertEquals(0x0000_0008_0000_0003L, completionWord(7, 3), "tag index + 1 above the status");
        assertEquals(0x0000_0001_FFFF_FFFFL, completionWord(0, -1));
        assertEquals(ringLength(capacity, MAX_SGES),
            sgeOffset(capacity, MAX_SGES, capacity - 1, true, MAX_SGES - 1) + SGE_LENGTH, "the last SGE ends the ring");
        assertEquals(sgeOffset(capacity, MAX_SGES, 0, false, MAX_SGES - 1) + SGE_LENGTH,
            sgeOffset(capacity, MAX_SGES, 0, true, 0), "destination entries follow source entries");
        assertEquals(sgeOffset(capacity, MAX_SGES, 0, true, MAX_SGES - 1) + SGE_LENGTH,
            sgeOffset(capacity, MAX_SGES, 1, false, 0), "slots do not overlap");
    }

    @Test
    void shouldRefuseTooSmallOrMisalignedBuffers()
    {
        final int length = ringLength(32, MAX_SGES);
        assertThrows(IllegalArgumentException.class,
            () -> new DescriptorRing(new UnsafeBuffer(BufferUtil.allocateDirectAligned(length - 8, 128)), 32, MAX_SGES,
                false, false));
        final ByteBuffer aligned = BufferUtil.allocateDirectAligned(length + 128, 128);
        assertThrows(IllegalStateException.class,
            () -> new DescriptorRing(new UnsafeBuffer(aligned, 4, length), 32, MAX_SGES, false, false));
    }

    @Test
    void shouldRoundCapacityUpButAdmitOnlyNbDescJobs()
    {
        final DescriptorRing ring = ring(100, false, false);
        assertEquals(128, ring.capacity());
        assertEquals(MAX_SGES, ring.maxSges());
        assertEquals(128, ring.buffer().getInt(CAPACITY_OFFSET));
        assertEquals(100, ring.buffer().getInt(NB_DESC_OFFSET));
        assertEquals(100, ring.burstCapacity());
        for (int i = 0; i < 100; i++)
        {
            assertEquals(i, ring.fill(i, BASE, 8, 0));
            assertEquals(99 - i, ring.burstCapacity());
        }
        assertEquals(-Errno.ENOSPC, ring.fill(0, BASE, 8, OpFlags.SUBMIT));
        assertEquals(-Errno.ENOSPC, ring.copy(BASE, BASE + 64, 8, 0));
        assertEquals(0, ring.buffer().getLong(SUBMITTED_INDEX_OFFSET), "a refused SUBMIT rings no doorbell");
    }

    @Test
    void shouldNeverLoseJobsWhenTheRingIsFull()
    {
        final int nbDesc = 100;
        final DescriptorRing ring = ring(nbDesc, false, false);
        final CopyEngine engine = engine(ring);
        final SplittableRandom random = new SplittableRandom(11);
        final Completion completion = new Completion();
        long tail = 0;
        long submitted = 0;
        long head = 0;
        int fullSeen = 0;

        while (head < 150_000)
        {
            final int enqueue = random.nextInt(nbDesc + 20);
            for (int i = 0; i < enqueue; i++)
            {
                final long flags = random.nextInt(8) == 0 ? OpFlags.SUBMIT : 0;
                final int result = ring.fill(tail, BASE + (tail % SLOTS) * 8, 8, flags);
                if (tail - head == nbDesc)
                {
                    assertEquals(-Errno.ENOSPC, result, "full at " + tail);
                    fullSeen++;
                    break;
                }
                assertEquals(tail & 0xFFFF, result);
                tail++;
            }
            assertEquals(nbDesc - (tail - head), ring.burstCapacity());
            if (random.nextBoolean())
            {
                ring.submit();
            }
            submitted = ring.buffer().getLong(SUBMITTED_INDEX_OFFSET);
            final int steps = random.nextInt(3);
            for (int i = 0; i < steps; i++)
            {
                engine.doWork();
            }
            final int gathered = ring.completed(1 + random.nextInt(nbDesc), completion);
            assertFalse(completion.hasError);
            for (int i = 0; i < gathered; i++)
            {
                final long seq = head + i;
                assertEquals(seq, domain.getLong((int)(seq % SLOTS) * 8), "job " + seq);
            }
            head += gathered;
            assertTrue(head <= submitted, "gathered a job never submitted");
            if (gathered > 0)
            {
                assertEquals((head - 1) & 0xFFFF, completion.lastIdx);
            }
        }
        ring.submit();
        while (engine.doWork() > 0)
        {
            Thread.onSpinWait();
        }
        head += ring.completed(nbDesc, completion);
        assertEquals(tail, head, "every accepted job completed exactly once");
        assertTrue(fullSeen > 100, "the ring was full " + fullSeen + " times");
        final DmaStats stats = new DmaStats();
        ring.addStats(stats);
        assertEquals(tail, stats.submitted);
        assertEquals(tail, stats.completed);
        assertEquals(0, stats.errors);
    }

    @Test
    void shouldRestartIndicesAndDropUnsubmittedJobs()
    {
        final DescriptorRing ring = ring(32, false, false);
        final CopyEngine engine = engine(ring);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(i, ring.fill(0x11, BASE + i * 8L, 8, 0));
        }
        ring.submit();
        assertEquals(3, ring.fill(0x22, BASE + 3 * 8L, 8, 0));
        assertFalse(ring.drained());
        engine.doWork();
        assertTrue(ring.drained(), "the unsubmitted job is not the engine's");

        ring.restart();
        final Completion completion = new Completion();
        assertEquals(0, ring.completed(32, completion));
        assertEquals(0xFFFF, completion.lastIdx);
        assertEquals(32, ring.burstCapacity());
        assertEquals(0, ring.fill(0x33, BASE + 4 * 8L, 8, OpFlags.SUBMIT));
        engine.doWork();
        assertEquals(1, ring.completed(32, completion));
        assertEquals(0, completion.lastIdx);
        assertEquals(0x11, domain.getLong(16));
        assertEquals(0, domain.getLong(24), "dropped at restart");
        assertEquals(0x33, domain.getLong(32));
    }

    @Test
    void shouldReportIdleActiveAndHalted()
    {
        final DescriptorRing ring = ring(32, false, false);
        final CopyEngine engine = engine(ring);
        assertEquals(VchanStatus.IDLE, ring.status(true));
        assertEquals(0, ring.copy(BASE, BASE + 64, 64, 0));
        assertEquals(VchanStatus.IDLE, ring.status(true), "not submitted");
        ring.submit();
        assertEquals(VchanStatus.ACTIVE, ring.status(true));
        assertEquals(VchanStatus.HALTED_ERROR, ring.status(false));
        engine.doWork();
        assertEquals(VchanStatus.IDLE, ring.status(false));
    }

    @Test
    void shouldCountStatsSinceTheLastReset()
    {
        final DescriptorRing ring = ring(32, false, false);
        final CopyEngine engine = engine(ring);
        assertEquals(0, ring.copy(0, BASE, 8, 0));
        assertEquals(1, ring.copy(BASE, BASE + 64, 8, OpFlags.SUBMIT));
        engine.doWork();
        final DmaStats stats = new DmaStats();
        ring.addStats(stats);
        assertEquals("DmaStats{submitted=2, completed=2, errors=1}", stats.toString());
        ring.addStats(stats);
        assertEquals("DmaStats{submitted=4, completed=4, errors=2}", stats.toString(), "adds, for ALL_VCHAN");

        ring.resetStats();
        stats.clear();
        ring.addStats(stats);
        assertEquals("DmaStats{submitted=0, completed=0, errors=0}", stats.toString());
        assertEquals(2, ring.fill(1, 0, 8, OpFlags.SUBMIT));
        engine.doWork();
        ring.addStats(stats);
        assertEquals("DmaStats{submitted=1, completed=1, errors=1}", stats.toString());
    }

    @Test
    void shouldReportNothingButFreeTheRingInSilentMode()
    {
        final DescriptorRing ring = ring(32, true, false);
        final CopyEngine engine = engine(ring);
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < 32; i++)
            {
                assertEquals((round * 32 + i) & 0xFFFF, ring.fill(round, BASE + i * 8L, 8, 0));
            }
            assertEquals(0, ring.burstCapacity());
            ring.submit();
            engine.doWork();
            assertEquals(0, ring.completed(32, null));
            assertEquals(0, ring.completedStatus(32, null, new DmaStatus[32]));
            assertEquals(32, ring.burstCapacity());
            assertEquals(round, domain.getLong(31 * 8));
        }
    }

    @Test
    void shouldReuseCompletedSlotsInSilentModeWithoutAskingForCapacity()
    {
        final DescriptorRing ring = ring(32, true, false);
        final CopyEngine engine = engine(ring);
        for (long seq = 0; seq < 10 * 32; seq++)
        {
            int result = ring.fill(seq, BASE + (seq % 32) * 8, 8, OpFlags.SUBMIT);
            if (result == -Errno.ENOSPC)
            {
                engine.doWork();
                result = ring.fill(seq, BASE + (seq % 32) * 8, 8, OpFlags.SUBMIT);
            }
            assertEquals(seq & 0xFFFF, result, "silent mode never needs completed() or burstCapacity()");
        }
        engine.doWork();
        assertEquals(10 * 32 - 1, domain.getLong(31 * 8));

        final DescriptorRing stalled = ring(32, true, false);
        for (int i = 0; i < 32; i++)
        {
            assertEquals(i, stalled.fill(0, BASE, 8, OpFlags.SUBMIT));
        }
        assertEquals(-Errno.ENOSPC, stalled.fill(0, BASE, 8, OpFlags.SUBMIT), "full while the engine has not run");
    }

    @Test
    void shouldEnqueueOpsUntilTheRingIsFullOrAnOpIsMalformed()
    {
        final DescriptorRing burstRing = ring(32, false, false);
        assertEquals(0, burstRing.enqueueOps(new DmaOp[]{ new DmaOp(1).copy(BASE, BASE + 64, 8) }, 1));
        assertEquals(0, burstRing.dequeueOps(new DmaOp[1], 1));

        final DescriptorRing ring = ring(32, false, true);
        final CopyEngine engine = engine(ring);
        assertEquals(0, ring.enqueueOps(null, 1));
        assertEquals(0, ring.dequeueOps(null, 1));

        final DmaOp[] ops = new DmaOp[40];
        for (int i = 0; i < ops.length; i++)
        {
            ops[i] = new DmaOp(2).copy(BASE + i * 8L, BASE + 1024 + i * 8L, 8);
            ops[i].userMeta = i;
            domain.putLong(i * 8, 1000 + i);
        }
        ops[3].copy(0, BASE + 1024 + 3 * 8, 8);
        assertEquals(32, ring.enqueueOps(ops, ops.length), "as many as fit");
        assertEquals(0, ring.enqueueOps(ops, 1), "full");
        engine.doWork();

        final DmaOp[] out = new DmaOp[8];
        assertEquals(8, ring.dequeueOps(out, 100), "limited by the array");
        for (int i = 0; i < 8; i++)
        {
            assertSame(ops[i], out[i]);
            assertEquals(i == 3 ? DmaStatus.INVALID_SRC_ADDR : DmaStatus.SUCCESSFUL, out[i].status);
        }
        assertEquals(1001, domain.getLong(1024 + 8));
        assertEquals(3, ring.dequeueOps(out, 3));
        assertEquals(21, ring.dequeueOps(new DmaOp[32], 32));

        final DmaOp malformed = new DmaOp(1).copy(BASE, BASE + 64, 0);
        assertEquals(1, ring.enqueueOps(new DmaOp[]{ ops[0], malformed, ops[1] }, 3), "stops at a zero length");
        assertEquals(1, ring.enqueueOps(new DmaOp[]{ ops[2], null, ops[3] }, 3), "stops at a null op");
        final DmaOp mismatched = new DmaOp(1).copy(BASE, BASE + 64, 16);
        mismatched.dst[0].length = 8;
        assertEquals(1, ring.enqueueOps(new DmaOp[]{ mismatched }, 1));
        engine.doWork();
        assertEquals(3, ring.dequeueOps(out, 8));
        assertEquals(DmaStatus.INVALID_LENGTH, out[2].status, "unequal lengths make a scatter-gather copy");
    }

    @Test
    void shouldRefuseMalformedOpsWithoutThrowing()
    {
        final DescriptorRing ring = ring(32, false, true);
        final DmaOp empty = new DmaOp(0);
        empty.nbSrc = 1;
        empty.nbDst = 1;
        assertEquals(0, ring.enqueueOps(new DmaOp[]{ empty }, 1), "entries claimed but not there");
        final DmaOp nullEntry = new DmaOp(1).copy(BASE, BASE + 64, 8);
        nullEntry.src[0] = null;
        assertEquals(0, ring.enqueueOps(new DmaOp[]{ nullEntry }, 1), "null source entry");
        final DmaOp nullDestination = new DmaOp(1).copy(BASE, BASE + 64, 8);
        nullDestination.dst[0] = null;
        assertEquals(0, ring.enqueueOps(new DmaOp[]{ nullDestination }, 1), "null destination entry");
        final DmaOp tooMany = new DmaOp(MAX_SGES + 1).copy(BASE, BASE + 64, 8);
        tooMany.nbSrc = MAX_SGES + 1;
        assertEquals(0, ring.enqueueOps(new DmaOp[]{ tooMany }, 1));
        final DmaOp badFlags = new DmaOp(1).copy(BASE, BASE + 64, 8);
        badFlags.flags = OpFlags.AUTO_FREE;
        assertEquals(0, ring.enqueueOps(new DmaOp[]{ badFlags }, 1));
        assertEquals(0, ring.enqueueOps(new DmaOp[]{ badFlags }, -1));
        assertEquals(32, ring.burstCapacity(), "nothing was taken");
        assertEquals(0, ring.buffer().getLong(SUBMITTED_INDEX_OFFSET), "nothing was submitted");
    }

    @Test
    void shouldPublishJobsAndCompletionsSafelyBetweenThreads()
    {
        final int nbDesc = 256;
        final long jobs = 200_000;
        final DescriptorRing ring = ring(nbDesc, false, false);
        final CopyEngine engine = engine(ring);
        final AtomicReference<Throwable> engineError = new AtomicReference<>();
        final AgentRunner runner = new AgentRunner(
            new BackoffIdleStrategy(10, 20, 1_000, 100_000), engineError::set, null, engine);
        AgentRunner.startOnThread(runner);
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
        final SplittableRandom random = new SplittableRandom(3);
        final Completion completion = new Completion();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long tail = 0;
        long head = 0;
        try
        {
            while (head < jobs)
            {
                int work = 0;
                final int burst = 1 + random.nextInt(64);
                for (int i = 0; i < burst && tail < jobs; i++)
                {
                    final int result = ring.fill(tail, BASE + (tail % SLOTS) * 8, 8, 0);
                    if (result == -Errno.ENOSPC)
                    {
                        break;
                    }
                    assertEquals(tail & 0xFFFF, result);
                    tail++;
                    work++;
                }
                ring.submit();
                final int gathered = ring.completed(nbDesc, completion);
                for (int i = 0; i < gathered; i++)
                {
                    final long seq = head + i;
                    final long seen = domain.getLong((int)(seq % SLOTS) * 8);
                    if (seen != seq)
                    {
                        fail("job " + seq + " completed before its bytes were visible: " + seen);
                    }
                }
                head += gathered;
                work += gathered;
                idle.idle(work);
                if (System.nanoTime() - deadlineNs > 0)
                {
                    fail("only " + head + " of " + jobs + " jobs completed in time");
                }
            }
        }
        finally
        {
            runner.close();
        }
        assertNull(engineError.get());
        assertFalse(completion.hasError);
        assertEquals(jobs, head);
    }

    @Test
    void shouldLeaveDescriptorsToTheApplicationAndCompletionWordsToTheEngine()
    {
        final DescriptorRing ring = ring(16, false, false);
        final CopyEngine engine = engine(ring);
        final UnsafeBuffer buffer = (UnsafeBuffer)ring.buffer();
        final int capacity = ring.capacity();
        final int descriptors = descriptorOffset(0);
        final int completions = completionOffset(capacity, 0);
        final int completionsEnd = sgeOffset(capacity, MAX_SGES, 0, false, 0);
        final DmaStatus[] status = new DmaStatus[capacity];
        long job = 0;
        for (int lap = 0; lap < 3; lap++)
        {
            final byte[] completionsBefore = bytes(buffer, completions, completionsEnd);
            for (int i = 0; i < capacity; i++, job++)
            {
                final int slot = (int)job & (capacity - 1);
                if (i % 3 == 0)
                {
                    assertTrue(ring.copy(BASE + slot * 8L, BASE + 1024 + slot * 8L, 8, 0) >= 0);
                }
                else if (i % 3 == 1)
                {
                    assertTrue(ring.fill(job, BASE + 1024 + slot * 8L, 8, 0) >= 0);
                }
                else
                {
                    final DmaSge[] src = { new DmaSge(BASE + slot * 8L, 8) };
                    final DmaSge[] dst = { new DmaSge(BASE + 1024 + slot * 8L, 8) };
                    assertTrue(ring.copySg(src, dst, 1, 1, 0) >= 0);
                }
            }
            assertEquals(0, ring.submit());
            assertArrayEquals(completionsBefore, bytes(buffer, completions, completionsEnd),
                "the application wrote no completion word");
            final byte[] descriptorsBefore = bytes(buffer, descriptors, completions);
            while (engine.doWork() > 0)
            {
                Thread.onSpinWait();
            }
            assertArrayEquals(descriptorsBefore, bytes(buffer, descriptors, completions),
                "the engine wrote no descriptor");
            assertEquals(capacity, ring.completedStatus(capacity, null, status));
            for (int i = 0; i < capacity; i++)
            {
                assertSame(DmaStatus.SUCCESSFUL, status[i], "job " + i + " of lap " + lap);
                final long word = buffer.getLong(completionOffset(capacity, i));
                assertEquals(completionWord(lap * (long)capacity + i, 0), word, "tagged with its index");
            }
        }
    }

    private static byte[] bytes(final UnsafeBuffer buffer, final int from, final int to)
    {
        final byte[] bytes = new byte[to - from];
        buffer.getBytes(from, bytes);
        return bytes;
    }

    private static DescriptorRing ring(final int nbDesc, final boolean silent, final boolean opsMode)
    {
        final int capacity = org.agrona.BitUtil.findNextPositivePowerOfTwo(nbDesc);
        final UnsafeBuffer buffer =
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(ringLength(capacity, MAX_SGES), 128));
        buffer.setMemory(0, buffer.capacity(), (byte)0x5A);
        return new DescriptorRing(buffer, nbDesc, MAX_SGES, silent, opsMode);
    }

    private CopyEngine engine(final DescriptorRing ring)
    {
        final CopyEngine engine = new CopyEngine("ring-test");
        engine.addVchan(ring.buffer(), () -> memory, () -> memory);
        assertEquals("ring-test", engine.roleName());
        return engine;
    }
}
