package io.shmdma.engine;

import io.shmdma.Completion;
import io.shmdma.DmaSge;
import io.shmdma.DmaStatus;
import io.shmdma.OpFlags;
import io.shmdma.memory.DomainEndpoint;
import io.shmdma.memory.DomainMemory;
import io.shmdma.ring.DescriptorRing;
import io.shmdma.ring.RingDescriptor;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The engine's exact semantics, which the conformance suites only bound: a FENCE after a failed job in the same
 * doorbell batch makes it and the rest of the batch NOT_ATTEMPTED; the next doorbell starts afresh.
 */
class CopyEngineTest
{
    private static final long BASE = 0x3000_0000L;
    private static final int MAX_SGES = 4;
    private static final DmaStatus S = DmaStatus.SUCCESSFUL;
    private static final DmaStatus NA = DmaStatus.NOT_ATTEMPTED;
    private static final DmaStatus BAD_SRC = DmaStatus.INVALID_SRC_ADDR;
    private static final DmaStatus BAD_DST = DmaStatus.INVALID_DST_ADDR;

    private final DomainMemory memory = DomainMemory.allocateDirect(BASE, 64 * 1024);
    private final UnsafeBuffer domain = new UnsafeBuffer(memory.address(0), (int)memory.size());
    private final AtomicReference<DomainMemory> source = new AtomicReference<>(memory);
    private final AtomicReference<DomainMemory> destination = new AtomicReference<>(memory);
    private final DescriptorRing ring = ring(256);
    private final CopyEngine engine = new CopyEngine("engine-test");

    CopyEngineTest()
    {
        engine.addVchan(ring.buffer(), source::get, destination::get);
    }

    @Test
    void shouldNotAttemptAFencedJobOrAnyLaterOneOfTheBatchAfterAFailure()
    {
        copy(0, true, 0);
        copy(1, false, 0);
        copy(2, true, 0);
        copy(3, true, OpFlags.FENCE);
        copy(4, true, 0);
        ring.submit();
        engine.doWork();
        assertStatuses(S, BAD_SRC, S, NA, NA);
        assertCopied(true, false, true, false, false);
        assertEquals(3, ring.buffer().getLong(RingDescriptor.ERROR_COUNT_OFFSET), "not attempted jobs are errors");
    }

    @Test
    void shouldAttemptEveryJobAfterAFailureWithoutFence()
    {
        copy(0, false, 0);
        copy(1, true, 0);
        copy(2, true, OpFlags.LLC);
        ring.submit();
        engine.doWork();
        assertStatuses(BAD_SRC, S, S);
        assertCopied(false, true, true);
    }

    @Test
    void shouldIgnoreAFenceBeforeTheFailure()
    {
        copy(0, true, OpFlags.FENCE);
        copy(1, false, 0);
        copy(2, true, 0);
        ring.submit();
        engine.doWork();
        assertStatuses(S, BAD_SRC, S);
    }

    @Test
    void shouldStartEachDoorbellBatchAfresh()
    {
        copy(0, false, 0);
        ring.submit();
        copy(1, true, OpFlags.FENCE);
        copy(2, false, OpFlags.SUBMIT);
        copy(3, true, OpFlags.FENCE | OpFlags.SUBMIT);
        engine.doWork();
        assertStatuses(BAD_SRC, S, BAD_SRC, S);
    }

    @Test
    void shouldKeepSkippingAcrossEngineCallsWithinOneBatch()
    {
        final int jobs = 200;
        for (int i = 0; i < jobs; i++)
        {
            assertEquals(i, ring.fill(i, i == 10 ? 0 : BASE + i * 8L, 8, i == 150 ? OpFlags.FENCE : 0));
        }
        ring.submit();
        int calls = 0;
        while (engine.doWork() > 0)
        {
            calls++;
        }
        assertEquals(4, calls, "64 jobs per call");
        final DmaStatus[] status = new DmaStatus[jobs];
        assertEquals(jobs, ring.completedStatus(jobs, null, status));
        for (int i = 0; i < jobs; i++)
        {
            final DmaStatus expected = i == 10 ? BAD_DST : i >= 150 ? NA : S;
            assertEquals(expected, status[i], "job " + i);
        }
    }

    @Test
    void shouldFailAnUnknownOpcode()
    {
        assertEquals(0, ring.copy(BASE, BASE + 64, 8, 0));
        ring.buffer().putInt(RingDescriptor.descriptorOffset(0) + RingDescriptor.OPCODE_OFFSET, 99);
        copy(1, true, OpFlags.SUBMIT);
        engine.doWork();
        assertStatuses(DmaStatus.INVALID_OPCODE, S);
    }

    @Test
    void shouldCheckEveryScatterGatherEntryAndTheTotals()
    {
        final DmaSge[] src = { new DmaSge(BASE, 8), new DmaSge(BASE + 64, 8) };
        final DmaSge[] dst = { new DmaSge(BASE + 1024, 16) };
        assertEquals(0, ring.copySg(src, dst, 2, 1, 0));
        src[1].length = 16;
        assertEquals(1, ring.copySg(src, dst, 2, 1, 0));
        src[1].length = 0;
        assertEquals(2, ring.copySg(src, dst, 2, 1, 0));
        src[1].length = 8;
        dst[0].addr = BASE + memory.size() - 8;
        assertEquals(3, ring.copySg(src, dst, 2, 1, 0));
        dst[0].addr = BASE + 1024;
        assertEquals(4, ring.copySg(src, dst, 2, 1, 0));
        ring.buffer().putInt(RingDescriptor.descriptorOffset(4) + RingDescriptor.LENGTH_OFFSET, MAX_SGES + 1);
        ring.submit();
        engine.doWork();
        assertStatuses(S, DmaStatus.INVALID_LENGTH, BAD_SRC, BAD_DST, DmaStatus.INVALID_OPCODE);
    }

    @Test
    void shouldFailJobsOfAnEndpointWhoseDomainIsGone()
    {
        destination.set(null);
        copy(0, true, 0);
        assertEquals(1, ring.fill(7, BASE, 8, 0));
        assertEquals(2, ring.copySg(oneEntry(BASE, 8), oneEntry(BASE + 64, 8), 1, 1, 0));
        ring.submit();
        engine.doWork();
        source.set(null);
        destination.set(memory);
        copy(3, true, 0);
        assertEquals(4, ring.copySg(oneEntry(BASE, 8), oneEntry(BASE + 64, 8), 1, 1, 0));
        assertEquals(5, ring.fill(7, BASE, 8, 0));
        ring.submit();
        engine.doWork();
        assertStatuses(BAD_DST, BAD_DST, BAD_DST, BAD_SRC, BAD_SRC, S);
    }

    @Test
    void shouldServeEveryVchanInTurn()
    {
        final DescriptorRing other = ring(256);
        final DomainEndpoint local = () -> memory;
        engine.addVchan(other.buffer(), local, local);
        for (int i = 0; i < 100; i++)
        {
            ring.fill(i, BASE + 8, 8, 0);
            other.fill(i, BASE + 16, 8, 0);
        }
        ring.submit();
        other.submit();
        assertEquals(2 * CopyEngine.VCHAN_BURST, engine.doWork());
        assertEquals(CopyEngine.VCHAN_BURST, ring.buffer().getLong(RingDescriptor.COMPLETED_INDEX_OFFSET));
        assertEquals(CopyEngine.VCHAN_BURST, other.buffer().getLong(RingDescriptor.COMPLETED_INDEX_OFFSET));
        assertEquals(2 * (100 - CopyEngine.VCHAN_BURST), engine.doWork());
        assertEquals(0, engine.doWork());
    }

    @Test
    void shouldResumeFromTheCompletedIndexOfAnExistingRing()
    {
        for (int i = 0; i < 10; i++)
        {
            copy(i, true, OpFlags.SUBMIT);
        }
        engine.doWork();
        ring.completed(10, null);
        ring.restart();

        final CopyEngine restarted = new CopyEngine("restarted");
        restarted.addVchan(ring.buffer(), () -> memory, () -> memory);
        assertEquals(0, ring.fill(0x77, BASE + 2048, 8, OpFlags.SUBMIT));
        assertEquals(1, restarted.doWork());
        final Completion completion = new Completion();
        assertEquals(1, ring.completed(4, completion));
        assertEquals(0, completion.lastIdx);
        assertEquals(0x77, domain.getLong(2048));
    }

    /** Job {@code i} copies 8 bytes of value {@code 100 + i} from slot i to slot 64 + i; or reads IOVA 0. */
    private void copy(final int i, final boolean valid, final long flags)
    {
        domain.putLong(i * 8, 100 + i);
        domain.putLong((64 + i) * 8, 0);
        assertEquals(i, ring.copy(valid ? BASE + i * 8L : 0, BASE + (64 + i) * 8L, 8, flags));
    }

    private void assertCopied(final boolean... copied)
    {
        for (int i = 0; i < copied.length; i++)
        {
            assertEquals(copied[i] ? 100 + i : 0, domain.getLong((64 + i) * 8), "job " + i);
        }
    }

    private void assertStatuses(final DmaStatus... expected)
    {
        final DmaStatus[] status = new DmaStatus[expected.length];
        assertEquals(expected.length, ring.completedStatus(expected.length, null, status));
        assertArrayEquals(expected, status);
    }

    private static DmaSge[] oneEntry(final long iova, final int length)
    {
        return new DmaSge[]{ new DmaSge(iova, length) };
    }

    private static DescriptorRing ring(final int nbDesc)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(RingDescriptor.ringLength(nbDesc, MAX_SGES), 128));
        return new DescriptorRing(buffer, nbDesc, MAX_SGES, false, false);
    }
}
