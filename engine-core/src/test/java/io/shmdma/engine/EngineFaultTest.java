package io.shmdma.engine;

import io.shmdma.DmaStatus;
import io.shmdma.OpFlags;
import io.shmdma.memory.DomainMemory;
import io.shmdma.ring.DescriptorRing;
import io.shmdma.ring.RingDescriptor;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A job that throws while it executes ends with an error status; the engine moves past it: each job runs exactly
 * once, the completed index advances once per job, the next jobs run, and nothing leaves the engine (the
 * invoker's error handler is never called).
 */
class EngineFaultTest
{
    private static final long BASE = 0x5000_0000L;
    private static final int JOBS = 8;

    private final DomainMemory memory = DomainMemory.allocateDirect(BASE, 64 * 1024);
    private final UnsafeBuffer domain = new UnsafeBuffer(memory.address(0), (int)memory.size());
    private final List<Throwable> faults = new ArrayList<>();
    private final List<Throwable> escaped = new ArrayList<>();
    private int sourceCalls;
    private int throwOnCall = -1;
    private Supplier<Throwable> toThrow;

    @AfterEach
    void noThrowableLeftTheEngine()
    {
        assertEquals(List.of(), escaped, "the invoker's error handler was called");
    }

    @Test
    void shouldFailAJobWhoseEndpointThrowsAndRunEachOtherJobOnce()
    {
        final DescriptorRing ring = ring(new UnsafeBuffer(ringMemory()));
        final CopyEngine engine = engine(ring);
        final AgentInvoker invoker = invoker(engine);
        throwOnCall = 1;
        toThrow = () -> new IllegalStateException("endpoint failure");
        for (int i = 0; i < JOBS; i++)
        {
            enqueueCopy(ring, i, 0);
        }
        ring.submit();
        assertEquals(JOBS, invoker.invoke());
        assertEquals(1, sourceCalls, "the endpoint is asked once per pass");
        for (int i = JOBS; i < 2 * JOBS; i++)
        {
            enqueueCopy(ring, i, 0);
        }
        ring.submit();
        assertEquals(JOBS, invoker.invoke(), "the next pass: its first job's ask throws");
        assertEquals(0, invoker.invoke());

        final DmaStatus[] status = statuses(ring, 2 * JOBS);
        for (int i = 0; i < 2 * JOBS; i++)
        {
            assertEquals(i == JOBS ? DmaStatus.ERROR_UNKNOWN : DmaStatus.SUCCESSFUL, status[i], "job " + i);
            assertEquals(i == JOBS ? 0 : 100 + i, domain.getLong((64 + i) * 8), "job " + i + " copied");
        }
        assertEquals(3, sourceCalls, "asked once per pass, and again by the job after the one whose ask threw");
        assertEquals(2 * JOBS, ring.buffer().getLongVolatile(RingDescriptor.COMPLETED_INDEX_OFFSET));
        assertEquals(1, ring.buffer().getLongVolatile(RingDescriptor.ERROR_COUNT_OFFSET));
        assertEquals(1, engine.faults());
        assertEquals(1, faults.size());
        assertEquals("endpoint failure", faults.get(0).getMessage());
    }

    @Test
    void shouldNotAttemptAFencedJobAfterAJobThatThrew()
    {
        final DescriptorRing ring = ring(new UnsafeBuffer(ringMemory()));
        final AgentInvoker invoker = invoker(engine(ring));
        throwOnCall = 0;
        toThrow = () -> new IllegalStateException("endpoint failure");
        assertTrue(ring.fill(0x55, BASE + 128 * 8, 8, 0) >= 0); // a fill asks no source
        enqueueCopy(ring, 1, 0);
        enqueueCopy(ring, 2, OpFlags.FENCE);
        enqueueCopy(ring, 3, 0);
        ring.submit();
        assertEquals(4, invoker.invoke());
        assertArrayEquals(new DmaStatus[]{ DmaStatus.SUCCESSFUL, DmaStatus.ERROR_UNKNOWN, DmaStatus.NOT_ATTEMPTED,
            DmaStatus.NOT_ATTEMPTED }, statuses(ring, 4));
        assertEquals(0x55, domain.getLong(128 * 8));
        assertEquals(1, sourceCalls, "fenced jobs not attempted ask nothing");

        enqueueCopy(ring, 4, OpFlags.FENCE | OpFlags.SUBMIT);
        assertEquals(1, invoker.invoke());
        assertArrayEquals(new DmaStatus[]{ DmaStatus.SUCCESSFUL }, statuses(ring, 1), "a new doorbell starts afresh");
    }

    @Test
    void shouldNotResolveAnEndpointRevokedBeforeAJobWasSubmitted()
    {
        final DescriptorRing ring = ring(new UnsafeBuffer(ringMemory()));
        final boolean[] revoked = new boolean[1];
        final CopyEngine engine = new CopyEngine("revoke-test", faults::add);
        engine.addVchan(ring.buffer(), () -> revoked[0] ? null : memory, () -> memory);
        final AgentInvoker invoker = invoker(engine);
        enqueueCopy(ring, 0, OpFlags.SUBMIT);
        assertEquals(1, invoker.invoke());
        revoked[0] = true;
        enqueueCopy(ring, 1, 0);
        enqueueCopy(ring, 2, OpFlags.SUBMIT);
        assertEquals(2, invoker.invoke());
        assertArrayEquals(new DmaStatus[]{ DmaStatus.SUCCESSFUL, DmaStatus.INVALID_SRC_ADDR,
            DmaStatus.INVALID_SRC_ADDR }, statuses(ring, 3));
        assertEquals(0, domain.getLong((64 + 1) * 8));
    }

    @ParameterizedTest
    @ValueSource(strings = { "InternalError", "OutOfMemoryError", "StackOverflowError", "AssertionError",
        "ArrayIndexOutOfBoundsException" })
    void shouldEndAJobWithAnErrorStatusWhateverItThrows(final String kind)
    {
        final DescriptorRing ring = ring(new UnsafeBuffer(ringMemory()));
        final CopyEngine engine = engine(ring);
        final AgentInvoker invoker = invoker(engine);
        throwOnCall = 0;
        toThrow = () -> throwable(kind);
        enqueueCopy(ring, 0, 0);
        enqueueCopy(ring, 1, OpFlags.SUBMIT);
        assertEquals(2, invoker.invoke());
        final DmaStatus expected = kind.equals("InternalError") ? DmaStatus.BUS_ERROR : DmaStatus.ERROR_UNKNOWN;
        assertArrayEquals(new DmaStatus[]{ expected, DmaStatus.SUCCESSFUL }, statuses(ring, 2));
        assertEquals(1, engine.faults());
        assertTrue(invoker.isRunning());
    }

    @Test
    void shouldPublishACompletionWhosePublicationFaultedOnTheNextPassWithoutRunningTheJobAgain()
    {
        final FaultyRingBuffer buffer = new FaultyRingBuffer(ringMemory());
        final DescriptorRing ring = ring(buffer);
        final CopyEngine engine = engine(ring);
        final AgentInvoker invoker = invoker(engine);
        enqueueCopy(ring, 0, OpFlags.SUBMIT);
        buffer.failedCompletions = 1;
        assertEquals(1, invoker.invoke(), "the job ran");
        assertEquals(0, buffer.getLongVolatile(RingDescriptor.COMPLETED_INDEX_OFFSET), "its completion faulted");
        assertEquals(1, engine.faults());
        assertEquals(0, invoker.invoke(), "not run again");
        assertEquals(1, buffer.getLongVolatile(RingDescriptor.COMPLETED_INDEX_OFFSET), "published on the next pass");
        assertEquals(1, sourceCalls);
        assertArrayEquals(new DmaStatus[]{ DmaStatus.SUCCESSFUL }, statuses(ring, 1));
        assertEquals(100, domain.getLong(64 * 8));
    }

    @Test
    void shouldCompleteJobsWhoseCompletionsWereInterruptedByALateErrorAsFailedBeforePublishingThem()
    {
        final FaultyRingBuffer buffer = new FaultyRingBuffer(ringMemory());
        final DescriptorRing ring = ring(buffer);
        final CopyEngine engine = engine(ring);
        final AgentInvoker invoker = invoker(engine);
        enqueueCopy(ring, 0, 0);
        enqueueCopy(ring, 1, 0);
        enqueueCopy(ring, 2, 0);
        assertTrue(ring.copy(BASE + 3 * 8L, BASE - 4096, 8, OpFlags.SUBMIT) >= 0, "a job that fails by itself");
        // Java 17 delivers a SIGBUS of a copy late, at a safepoint poll: here, while job 1's completion is written
        // at the end of the pass; it may belong to any job whose word was not written yet
        buffer.failWriteAt = RingDescriptor.completionOffset(ring.capacity(), 1);
        assertEquals(4, invoker.invoke(), "the pass ran its four jobs before writing their completions");
        assertEquals(4, buffer.getLongVolatile(RingDescriptor.COMPLETED_INDEX_OFFSET));
        assertFalse(ring.isHalted(), "no completed index over a job without its completion word");
        assertArrayEquals(new DmaStatus[]{ DmaStatus.SUCCESSFUL, DmaStatus.BUS_ERROR, DmaStatus.BUS_ERROR,
            DmaStatus.INVALID_DST_ADDR }, statuses(ring, 4), "a job that had failed keeps its own status");
        assertEquals(3, buffer.getLongVolatile(RingDescriptor.ERROR_COUNT_OFFSET));
        assertFalse(ring.isHalted());
        assertEquals(1, engine.faults());
        assertEquals(0, invoker.invoke(), "no job runs again");
        for (int i = 0; i < 3; i++)
        {
            assertEquals(100 + i, domain.getLong((64 + i) * 8), "job " + i + " copied");
        }
    }

    @Test
    void shouldFailAJobWhoseDescriptorCannotBeReadAndGoOn()
    {
        final FaultyRingBuffer buffer = new FaultyRingBuffer(ringMemory());
        final DescriptorRing ring = ring(buffer);
        final CopyEngine engine = engine(ring);
        final AgentInvoker invoker = invoker(engine);
        enqueueCopy(ring, 0, 0);
        enqueueCopy(ring, 1, OpFlags.SUBMIT);
        buffer.failReadAt = RingDescriptor.descriptorOffset(0) + RingDescriptor.OPCODE_OFFSET;
        assertEquals(2, invoker.invoke());
        assertArrayEquals(new DmaStatus[]{ DmaStatus.DESCRIPTOR_READ_ERROR, DmaStatus.SUCCESSFUL }, statuses(ring, 2));
        assertEquals(1, sourceCalls, "the unreadable job never reached its endpoint");
        assertEquals(1, engine.faults());
    }

    private CopyEngine engine(final DescriptorRing ring)
    {
        final CopyEngine engine = new CopyEngine("fault-test", faults::add);
        engine.addVchan(ring.buffer(), this::countingSource, () -> memory);
        return engine;
    }

    private AgentInvoker invoker(final CopyEngine engine)
    {
        final AgentInvoker invoker = new AgentInvoker(escaped::add, null, engine);
        invoker.start();
        return invoker;
    }

    private DomainMemory countingSource()
    {
        final int call = sourceCalls++;
        if (call == throwOnCall)
        {
            final Throwable ex = toThrow.get();
            if (ex instanceof Error)
            {
                throw (Error)ex;
            }
            throw (RuntimeException)ex;
        }
        return memory;
    }

    private static Throwable throwable(final String kind)
    {
        switch (kind)
        {
            case "InternalError":
                return new InternalError("a fault occurred in an unsafe memory access operation");
            case "OutOfMemoryError":
                return new OutOfMemoryError("test");
            case "StackOverflowError":
                return new StackOverflowError("test");
            case "AssertionError":
                return new AssertionError("test");
            default:
                return new ArrayIndexOutOfBoundsException("test");
        }
    }

    /** Job {@code i} copies 8 bytes of value {@code 100 + i} from slot i to slot 64 + i. */
    private void enqueueCopy(final DescriptorRing ring, final int i, final long flags)
    {
        domain.putLong(i * 8, 100 + i);
        domain.putLong((64 + i) * 8, 0);
        assertTrue(ring.copy(BASE + i * 8L, BASE + (64 + i) * 8L, 8, flags) >= 0);
    }

    private static DmaStatus[] statuses(final DescriptorRing ring, final int count)
    {
        final DmaStatus[] status = new DmaStatus[count];
        assertEquals(count, ring.completedStatus(count, null, status));
        return status;
    }

    private static java.nio.ByteBuffer ringMemory()
    {
        return BufferUtil.allocateDirectAligned(RingDescriptor.ringLength(16, 2), 128);
    }

    private static DescriptorRing ring(final UnsafeBuffer buffer)
    {
        return new DescriptorRing(buffer, 16, 2, false, false);
    }

    /** A ring buffer whose accesses fault on demand, as a truncated mapping's would (SIGBUS -> InternalError). */
    private static final class FaultyRingBuffer extends UnsafeBuffer
    {
        int failedCompletions;
        int failReadAt = -1;
        int failWriteAt = -1;

        FaultyRingBuffer(final java.nio.ByteBuffer memory)
        {
            super(memory);
        }

        @Override
        public void putLongRelease(final int index, final long value)
        {
            if (index == RingDescriptor.COMPLETED_INDEX_OFFSET && failedCompletions > 0)
            {
                failedCompletions--;
                throw new InternalError("a fault occurred in an unsafe memory access operation");
            }
            if (index == failWriteAt)
            {
                failWriteAt = -1;
                throw new InternalError("a fault occurred in a recent unsafe memory access operation");
            }
            super.putLongRelease(index, value);
        }

        @Override
        public int getInt(final int index)
        {
            if (index == failReadAt)
            {
                failReadAt = -1;
                throw new InternalError("a fault occurred in an unsafe memory access operation");
            }
            return super.getInt(index);
        }
    }
}
