package io.shmdma.ring;

import io.shmdma.Completion;
import io.shmdma.DmaOp;
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

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongUnaryOperator;

import static io.shmdma.ring.RingDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A process that can write a ring file forges its header and status words: the application side never throws,
 * never reports a job that did not run as done, never counts more than was submitted, and halts the vchan once.
 */
class DescriptorRingForgeryTest
{
    private static final int MAX_SGES = 4;
    private static final long BASE = 0x2000_0000L;
    private static final int SLOTS = 512;

    private final DomainMemory memory = DomainMemory.allocateDirect(BASE, 64 * 1024);
    private final UnsafeBuffer domain = new UnsafeBuffer(memory.address(0), (int)memory.size());

    @Test
    void shouldMapEveryGarbageStatusCodeWithoutThrowing()
    {
        final int[] garbage = { -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 15, 0xFF, 0x101, -0x100 };
        for (final int code : garbage)
        {
            assertSame(DmaStatus.ERROR_UNKNOWN, DmaStatus.of(code), "code " + code);
        }
        for (final DmaStatus status : DmaStatus.values())
        {
            assertSame(status, DmaStatus.of(status.code()));
        }
        assertSame(DmaStatus.ERROR_UNKNOWN, DmaStatus.of(DescriptorRing.STATUS_NOT_EXECUTED));
    }

    @Test
    void shouldNotReportJobsThatNeverRanWhenTheCompletedIndexIsForgedToTheSubmittedCount()
    {
        final DescriptorRing ring = ring(32, false, false);
        for (int i = 0; i < 5; i++)
        {
            assertEquals(i, ring.fill(i, BASE + i * 8L, 8, 0));
        }
        ring.submit();
        ring.buffer().putLongRelease(COMPLETED_INDEX_OFFSET, 5); // no engine has run

        final Completion completion = new Completion();
        assertEquals(0, ring.completed(32, completion), "nothing ran, nothing completes");
        assertFalse(completion.hasError);
        assertEquals(0, ring.completedStatus(32, completion, new DmaStatus[32]));

        assertEquals(VchanStatus.HALTED_ERROR, ring.status(true));
        assertEquals(DescriptorRing.HALT_NOT_EXECUTED, ring.haltReason());
        final String report = ring.takeHaltReport();
        assertNotNull(report);
        assertTrue(report.contains("job 4") && report.contains("never ran"), report);
        assertNull(ring.takeHaltReport(), "reported once");

        assertEquals(0, ring.completed(32, completion));
        assertTrue(completion.hasError, "the jobs left are failures now");
        final DmaStatus[] status = new DmaStatus[32];
        assertEquals(5, ring.completedStatus(32, completion, status));
        for (int i = 0; i < 5; i++)
        {
            assertSame(DmaStatus.ERROR_UNKNOWN, status[i], "job " + i);
        }
        assertEquals(4, completion.lastIdx);
        assertEquals(0, ring.completedStatus(32, completion, status), "each job reported once");
        assertEquals(0, ring.burstCapacity());
        assertEquals(-Errno.EIO, ring.copy(BASE, BASE + 64, 8, OpFlags.SUBMIT));
        assertEquals(-Errno.EIO, ring.submit());
        assertEquals(0, domain.getLong(0), "the forgery ran nothing");

        ring.restart();
        final CopyEngine engine = engine(ring);
        assertFalse(ring.isHalted());
        assertEquals(VchanStatus.IDLE, ring.status(true));
        assertEquals(0, ring.fill(0x77, BASE, 8, OpFlags.SUBMIT));
        engine.doWork();
        assertEquals(1, ring.completed(32, completion));
        assertFalse(completion.hasError);
        assertEquals(0x77, domain.getLong(0));
        assertEquals(VchanStatus.IDLE, ring.status(true));
    }

    @Test
    void shouldClampAndHaltOnEveryImpossibleCompletedIndex()
    {
        final long[] forged = { Long.MAX_VALUE, Long.MIN_VALUE, -1, 1L << 40, 11, 1L << 32 | 6, 2 };
        for (final long value : forged)
        {
            final DescriptorRing ring = ring(32, false, false);
            final CopyEngine engine = engine(ring);
            final int executed = runSomeJobs(ring, engine);
            assertEquals(VchanStatus.ACTIVE, ring.status(true), "4 submitted jobs have not run");
            final Completion completion = new Completion();
            assertEquals(3, ring.completed(3, completion));

            ring.buffer().putLongRelease(COMPLETED_INDEX_OFFSET, value);
            assertEquals(VchanStatus.HALTED_ERROR, ring.status(true), "forged " + value);
            assertEquals(DescriptorRing.HALT_COMPLETED_INDEX, ring.haltReason());
            assertFalse(ring.drained());
            final DmaStats stats = new DmaStats();
            ring.addStats(stats);
            assertEquals(10, stats.submitted, "forged " + value);
            assertTrue(stats.completed >= executed && stats.completed <= 10, "forged " + value + ": " + stats);
            assertTrue(stats.errors >= 0 && stats.errors <= stats.completed, "forged " + value + ": " + stats);

            assertEquals(0, ring.completed(32, completion));
            assertTrue(completion.hasError);
            final DmaStatus[] status = new DmaStatus[32];
            assertEquals(7, ring.completedStatus(32, completion, status), "forged " + value + ": the jobs left");
            assertTrue(Arrays.stream(status, 0, 7).allMatch(s -> s == DmaStatus.ERROR_UNKNOWN));
            assertEquals(9, completion.lastIdx);
            assertEquals(0, ring.burstCapacity());
            assertNotNull(ring.takeHaltReport());
            assertNull(ring.takeHaltReport());
            assertEquals(value, ring.buffer().getLong(COMPLETED_INDEX_OFFSET), "this side never writes the index");
        }
    }

    @Test
    void shouldClampAndHaltOnEveryImpossibleErrorCount()
    {
        final LongUnaryOperator[] forged = {
            completed -> -1, completed -> Long.MIN_VALUE, completed -> Long.MAX_VALUE, completed -> completed + 1 };
        for (final LongUnaryOperator forgery : forged)
        {
            final DescriptorRing ring = ring(32, false, false);
            final CopyEngine engine = engine(ring);
            runSomeJobs(ring, engine);
            final long completed = ring.buffer().getLong(COMPLETED_INDEX_OFFSET);
            final long value = forgery.applyAsLong(completed);
            ring.buffer().putLongRelease(ERROR_COUNT_OFFSET, value);
            final DmaStats stats = new DmaStats();
            ring.addStats(stats);
            assertEquals(DescriptorRing.HALT_ERROR_COUNT, ring.haltReason(), "forged " + value);
            assertEquals(10, stats.submitted);
            assertEquals(completed, stats.completed);
            assertTrue(stats.errors >= 0 && stats.errors <= stats.completed, "forged " + value + ": " + stats);
            assertEquals(VchanStatus.HALTED_ERROR, ring.status(true));
            assertNotNull(ring.takeHaltReport());
            assertNull(ring.takeHaltReport());
        }

        final DescriptorRing ring = ring(32, false, false);
        final CopyEngine engine = engine(ring);
        assertEquals(0, ring.copy(0, BASE, 8, OpFlags.SUBMIT));
        assertEquals(1, ring.copy(0, BASE, 8, OpFlags.SUBMIT));
        engine.doWork();
        final DmaStats stats = new DmaStats();
        ring.addStats(stats);
        assertEquals(2, stats.errors);
        assertFalse(ring.isHalted());
        ring.buffer().putLongRelease(ERROR_COUNT_OFFSET, 1);
        stats.clear();
        ring.addStats(stats);
        assertEquals(DescriptorRing.HALT_ERROR_COUNT, ring.haltReason(), "going backwards");
        assertEquals(2, stats.errors, "never below what was seen");
    }

    @Test
    void shouldHaltOnAStatusWordNoEngineWritesAndReportTheRestAsFailed()
    {
        final int[] garbage = { Integer.MIN_VALUE, Integer.MAX_VALUE, 15, 0x101, -2 };
        for (final int code : garbage)
        {
            final DescriptorRing ring = ring(32, false, false);
            final CopyEngine engine = engine(ring);
            runSomeJobs(ring, engine);
            ring.buffer().putInt(statusOffset(ring.capacity(), 4), code);
            final Completion completion = new Completion();
            assertEquals(4, ring.completed(32, completion), "code " + code);
            assertTrue(completion.hasError);
            assertEquals(DescriptorRing.HALT_STATUS_WORD, ring.haltReason());
            assertEquals(VchanStatus.HALTED_ERROR, ring.status(true));
            final DmaStatus[] status = new DmaStatus[32];
            assertEquals(6, ring.completedStatus(32, completion, status));
            assertTrue(Arrays.stream(status, 0, 6).allMatch(s -> s == DmaStatus.ERROR_UNKNOWN));
            final String report = ring.takeHaltReport();
            assertTrue(report.contains("job 4 has status word " + code), report);
        }

        final DescriptorRing ring = ring(32, false, false);
        final CopyEngine engine = engine(ring);
        runSomeJobs(ring, engine);
        ring.buffer().putInt(statusOffset(ring.capacity(), 1), 0x7ABC);
        final DmaStatus[] status = new DmaStatus[32];
        assertEquals(10, ring.completedStatus(32, null, status));
        assertSame(DmaStatus.SUCCESSFUL, status[0]);
        assertTrue(Arrays.stream(status, 1, 10).allMatch(s -> s == DmaStatus.ERROR_UNKNOWN),
            "after the garbage word, nothing in the ring is trusted");
    }

    @Test
    void shouldHaltOnACompletionWordTaggedWithAJobNotSubmittedYet()
    {
        final DescriptorRing ring = ring(32, false, false);
        final CopyEngine engine = engine(ring);
        runSomeJobs(ring, engine);
        // job 6 is submitted but not executed; its slot claims the successful completion of job 6 + 32
        ring.buffer().putLongRelease(completionOffset(ring.capacity(), 6), completionWord(6 + 32, 0));
        final Completion completion = new Completion();
        assertEquals(6, ring.completed(32, completion), "jobs 0-5 ran");
        assertTrue(completion.hasError);
        assertEquals(DescriptorRing.HALT_STATUS_WORD, ring.haltReason());
        final String report = ring.takeHaltReport();
        assertTrue(report.contains("job 6 has status word " + completionWord(6 + 32, 0)), report);
        assertEquals(0, ring.completed(32, completion));
    }

    @Test
    void shouldTakeAnEarlierJobsCompletionWordAsNotExecuted()
    {
        final DescriptorRing ring = ring(4, false, false);
        final CopyEngine engine = engine(ring);
        for (int i = 0; i < 4; i++)
        {
            assertEquals(i, ring.fill(i, BASE + i * 8L, 8, OpFlags.SUBMIT));
        }
        engine.doWork();
        assertEquals(4, ring.completed(4, null));
        assertEquals(4, ring.fill(4, BASE + 4 * 8L, 8, OpFlags.SUBMIT));
        assertEquals(0, ring.completed(4, null), "slot 0 still holds job 0's successful completion");
        final DmaStatus[] status = new DmaStatus[4];
        assertEquals(0, ring.completedStatus(4, null, status));
        assertFalse(ring.isHalted());
        assertEquals(VchanStatus.ACTIVE, ring.status(true));
        engine.doWork();
        assertEquals(1, ring.completed(4, null));
        assertEquals(4, domain.getLong(4 * 8));
    }

    @Test
    void shouldDequeueEveryOpOnceWithoutThrowingWhateverTheHeaderHolds()
    {
        final long[] forged = { Long.MAX_VALUE, Long.MIN_VALUE, -1, 10, 1L << 40 };
        for (final long value : forged)
        {
            final DescriptorRing ring = ring(32, false, true);
            final CopyEngine engine = engine(ring);
            final DmaOp[] ops = new DmaOp[10];
            for (int i = 0; i < ops.length; i++)
            {
                ops[i] = new DmaOp(1).copy(BASE + i * 8L, BASE + 1024 + i * 8L, 8);
            }
            assertEquals(6, ring.enqueueOps(ops, 6));
            engine.doWork();
            assertEquals(4, ring.enqueueOps(Arrays.copyOfRange(ops, 6, 10), 4));
            ring.buffer().putLongRelease(COMPLETED_INDEX_OFFSET, value);

            final DmaOp[] out = new DmaOp[32];
            assertEquals(6, ring.dequeueOps(out, 32), "forged " + value + ": only the jobs that ran");
            for (int i = 0; i < 6; i++)
            {
                assertSame(ops[i], out[i]);
                assertSame(DmaStatus.SUCCESSFUL, out[i].status);
            }
            assertEquals(VchanStatus.HALTED_ERROR, ring.status(true), "forged " + value);
            Arrays.fill(out, null);
            assertEquals(4, ring.dequeueOps(out, 32));
            for (int i = 0; i < 4; i++)
            {
                assertSame(ops[6 + i], out[i]);
                assertSame(DmaStatus.ERROR_UNKNOWN, out[i].status, "never ran, never reported done");
            }
            assertEquals(0, ring.dequeueOps(out, 32));
            assertEquals(0, ring.enqueueOps(ops, 1), "a halted ring takes no more work");
        }
    }

    @Test
    void shouldHaltASilentRingInsteadOfReusingSlotsOfJobsThatNeverRan()
    {
        final long[] forged = { 32, 33, Long.MAX_VALUE, -5 };
        for (final long value : forged)
        {
            final DescriptorRing ring = ring(32, true, false);
            for (int i = 0; i < 32; i++)
            {
                assertEquals(i, ring.fill(i, BASE + i * 8L, 8, OpFlags.SUBMIT));
            }
            ring.buffer().putLongRelease(COMPLETED_INDEX_OFFSET, value);
            assertEquals(-Errno.ENOSPC, ring.fill(0, BASE, 8, OpFlags.SUBMIT), "forged " + value);
            assertTrue(ring.isHalted(), "forged " + value);
            assertEquals(0, ring.burstCapacity());
            assertEquals(-Errno.EIO, ring.fill(0, BASE, 8, OpFlags.SUBMIT));
            assertEquals(VchanStatus.HALTED_ERROR, ring.status(true));
            assertNotNull(ring.takeHaltReport());
            assertNull(ring.takeHaltReport());
        }
    }

    @Test
    void shouldNeverHaltAnHonestRingWhileAnotherThreadReadsStatsAndStatus() throws Exception
    {
        for (final boolean silent : new boolean[]{ false, true })
        {
            final DescriptorRing ring = ring(256, silent, false);
            final CopyEngine engine = engine(ring);
            final AtomicReference<Throwable> engineError = new AtomicReference<>();
            final AgentRunner runner = new AgentRunner(
                new BackoffIdleStrategy(10, 20, 1_000, 100_000), engineError::set, null, engine);
            AgentRunner.startOnThread(runner);
            final AtomicBoolean running = new AtomicBoolean(true);
            final AtomicReference<Throwable> readerError = new AtomicReference<>();
            final AtomicLong reads = new AtomicLong();
            final Thread reader = new Thread(() ->
            {
                final DmaStats stats = new DmaStats();
                try
                {
                    while (running.get())
                    {
                        stats.clear();
                        ring.addStats(stats);
                        ring.status(true);
                        ring.drained();
                        reads.incrementAndGet();
                        Thread.yield();
                    }
                }
                catch (final Throwable ex)
                {
                    readerError.set(ex);
                }
            });
            reader.start();
            final long batch = 20_000;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long jobs = 0;
            long gathered = 0;
            try
            {
                while (jobs < 200_000 || (reads.get() < 2_000 && System.nanoTime() - deadlineNs < 0))
                {
                    gathered += runJobs(ring, jobs, batch, silent);
                    jobs += batch;
                }
            }
            finally
            {
                running.set(false);
                reader.join();
                runner.close();
            }
            assertNull(engineError.get());
            assertNull(readerError.get());
            assertFalse(ring.isHalted(), "silent " + silent + ": " + ring.takeHaltReport());
            assertEquals(silent ? 0 : jobs, gathered);
            assertTrue(jobs >= 200_000);
            assertTrue(reads.get() >= 2_000, "reads " + reads.get());
        }
    }

    @Test
    void shouldSurviveAWriterForgingTheHeaderAndStatusWordsWhileJobsRun() throws Exception
    {
        final int nbDesc = 64;
        final DescriptorRing ring = ring(nbDesc, false, false);
        final ReentrantLock forgeryLock = new ReentrantLock();
        final AtomicBoolean forging = new AtomicBoolean(false);
        final AtomicBoolean stop = new AtomicBoolean(false);
        final AtomicLong forgeries = new AtomicLong();
        final Thread forger = startForger(ring, forgeryLock, forging, stop, forgeries);

        final SplittableRandom random = new SplittableRandom(5);
        final Completion completion = new Completion();
        final DmaStatus[] status = new DmaStatus[nbDesc];
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
        final int rounds = 40;
        int halts = 0;
        int reports = 0;
        long successes = 0;
        long failed = 0;
        long seq = 0;
        long head = 0;
        long submitted = 0;
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                final CopyEngine engine = engine(ring);
                final AgentRunner runner = new AgentRunner(
                    new BackoffIdleStrategy(10, 20, 1_000, 100_000), Throwable::printStackTrace, null, engine);
                AgentRunner.startOnThread(runner);
                forging.set(true);
                final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20 + random.nextInt(40));
                while (System.nanoTime() - deadlineNs < 0 && !ring.isHalted())
                {
                    int work = 0;
                    for (int i = random.nextInt(16); i >= 0; i--)
                    {
                        final int result = ring.fill(seq, BASE + (seq % SLOTS) * 8, 8, 0);
                        if (result < 0)
                        {
                            assertTrue(result == -Errno.ENOSPC || result == -Errno.EIO, "result " + result);
                            break;
                        }
                        seq++;
                        work++;
                    }
                    if (ring.submit() == 0)
                    {
                        submitted = seq;
                    }
                    final int done = gather(ring, random.nextBoolean(), head, completion, status);
                    final int ok = countSuccessful(status, done);
                    successes += ok;
                    failed += done - ok;
                    head += done;
                    assertTrue(head <= submitted, "gathered " + head + " of " + submitted + " submitted");
                    ring.burstCapacity();
                    if (random.nextInt(8) == 0)
                    {
                        final DmaStats stats = new DmaStats();
                        ring.addStats(stats);
                        assertTrue(stats.errors >= 0 && stats.errors <= stats.completed &&
                            stats.completed <= stats.submitted && stats.submitted == submitted, stats.toString());
                        ring.status(true);
                    }
                    idle.idle(work + done);
                }
                forging.set(false);
                forgeryLock.lock(); // no forgery in progress from here on
                forgeryLock.unlock();
                runner.close();
                while (engine.doWork() > 0)
                {
                    Thread.onSpinWait();
                }
                if (ring.isHalted())
                {
                    assertEquals(VchanStatus.HALTED_ERROR, ring.status(true));
                    assertEquals(0, ring.completed(nbDesc, completion));
                }
                int done;
                while ((done = gather(ring, false, head, completion, status)) > 0)
                {
                    final int ok = countSuccessful(status, done);
                    assertTrue(ok == done || ring.isHalted(), "an honest leftover job fails only on a halted ring");
                    successes += ok;
                    failed += done - ok;
                    head += done;
                }
                assertEquals(submitted, head, "every submitted job reported once, as failed when unknown");
                if (ring.isHalted())
                {
                    halts++;
                }
                while (ring.takeHaltReport() != null)
                {
                    reports++;
                }
                ring.restart();
                seq = submitted;
            }
        }
        finally
        {
            stop.set(true);
            forger.join();
        }
        System.out.printf("ring forgery race: %d rounds, %d halted (%d reports), %,d forgeries, %,d jobs successful " +
            "(bytes checked), %,d failed as ERROR_UNKNOWN%n", rounds, halts, reports, forgeries.get(), successes,
            failed);
        assertEquals(halts, reports, "each halt reported exactly once");
        assertTrue(halts >= rounds / 2, "the forger halted only " + halts + " of " + rounds + " rounds");
        // how many forgeries fit in a round depends on how much CPU the forger thread gets (on 2 cores it shares them
        // with the engine and this thread); the halts above are what shows the forgeries landed
        assertTrue(forgeries.get() > 100, "forgeries " + forgeries.get());
        assertTrue(successes > 0 && failed > 0, "successes " + successes + ", failed " + failed);

        final CopyEngine engine = engine(ring);
        assertFalse(ring.isHalted());
        assertEquals(0, ring.fill(0x42, BASE, 8, OpFlags.SUBMIT));
        engine.doWork();
        assertEquals(1, ring.completed(nbDesc, completion), "the ring runs again after a restart");
        assertFalse(completion.hasError);
        assertEquals(VchanStatus.IDLE, ring.status(true));
    }

    /**
     * Starts a thread that forges the ring's header and status words while {@code forging} is set, each forgery under
     * {@code forgeryLock}, until {@code stop} is set.
     */
    private static Thread startForger(
        final DescriptorRing ring,
        final ReentrantLock forgeryLock,
        final AtomicBoolean forging,
        final AtomicBoolean stop,
        final AtomicLong forgeries)
    {
        final Thread forger = new Thread(() ->
        {
            final SplittableRandom random = new SplittableRandom(97);
            final IdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 50_000);
            while (!stop.get())
            {
                boolean forged = false;
                forgeryLock.lock();
                try
                {
                    if (forging.get())
                    {
                        forge(ring, random);
                        forged = true;
                    }
                }
                finally
                {
                    forgeryLock.unlock();
                }
                if (forged)
                {
                    forgeries.incrementAndGet();
                    idle.reset();
                    Thread.yield();
                }
                else
                {
                    idle.idle(0);
                }
            }
        });
        forger.start();
        return forger;
    }

    /**
     * Gathers with completed or completedStatus; checks that every job reported successful ran (its bytes are
     * there) and every other one is ERROR_UNKNOWN. Leaves the statuses in {@code status}.
     */
    private int gather(
        final DescriptorRing ring, final boolean burst, final long head, final Completion completion,
        final DmaStatus[] status)
    {
        final int done;
        if (burst)
        {
            done = ring.completed(status.length, completion);
            Arrays.fill(status, 0, done, DmaStatus.SUCCESSFUL);
        }
        else
        {
            done = ring.completedStatus(status.length, completion, status);
        }
        for (int i = 0; i < done; i++)
        {
            if (status[i] == DmaStatus.SUCCESSFUL)
            {
                checkSuccessful(head + i, 1);
            }
            else
            {
                assertSame(DmaStatus.ERROR_UNKNOWN, status[i], "a fill in range fails only so");
            }
        }
        return done;
    }

    private static int countSuccessful(final DmaStatus[] status, final int done)
    {
        int successful = 0;
        for (int i = 0; i < done; i++)
        {
            successful += status[i] == DmaStatus.SUCCESSFUL ? 1 : 0;
        }
        return successful;
    }

    /**
     * One forgery: mostly a completed index that looks possible (between the engine's and the doorbell's), which
     * the engine soon overwrites; one in 100 something impossible: an index ahead of the doorbell, negative or
     * backwards, an error count out of range, a status word with a code no engine writes, or a completion word
     * tagged with a job not submitted yet.
     */
    private static void forge(final DescriptorRing ring, final SplittableRandom random)
    {
        final UnsafeBuffer buffer = (UnsafeBuffer)ring.buffer();
        final long completed = buffer.getLongVolatile(COMPLETED_INDEX_OFFSET);
        final long doorbell = buffer.getLongVolatile(SUBMITTED_INDEX_OFFSET);
        if (random.nextInt(100) != 0)
        {
            if (doorbell >= completed && completed >= 0)
            {
                buffer.putLongRelease(COMPLETED_INDEX_OFFSET, completed + random.nextLong(doorbell - completed + 1));
            }
            return;
        }
        switch (random.nextInt(6))
        {
            case 0:
                buffer.putLongRelease(COMPLETED_INDEX_OFFSET, doorbell + 1 + random.nextInt(100));
                break;
            case 1:
                buffer.putLongRelease(COMPLETED_INDEX_OFFSET, random.nextBoolean() ? Long.MIN_VALUE : -1);
                break;
            case 2:
                buffer.putLongRelease(COMPLETED_INDEX_OFFSET, Math.max(0, completed - 1 - random.nextInt(50)));
                break;
            case 3:
                buffer.putLongRelease(ERROR_COUNT_OFFSET, random.nextBoolean() ? Long.MAX_VALUE : doorbell + 5);
                break;
            case 4:
                buffer.putLongRelease(ERROR_COUNT_OFFSET, -1 - random.nextInt(10));
                break;
            default:
                final int slot = random.nextInt(ring.capacity());
                if (random.nextBoolean())
                {
                    final int code = random.nextInt() | 0x4000_0000;
                    buffer.putIntRelease(statusOffset(ring.capacity(), slot),
                        code == DescriptorRing.STATUS_NOT_EXECUTED ? 0x4000_0001 : code);
                }
                else
                {
                    // a successful completion of a job not submitted yet: a later job's tag
                    buffer.putLongRelease(completionOffset(ring.capacity(), slot),
                        completionWord(doorbell + ring.capacity() + slot, 0));
                }
                break;
        }
    }

    /** Each job a fill of its sequence number into its own word: reported successful only if its bytes are there. */
    private void checkSuccessful(final long first, final int count)
    {
        for (long job = first; job < first + count; job++)
        {
            final long seen = domain.getLong((int)(job % SLOTS) * 8);
            if (seen != job)
            {
                fail("job " + job + " reported successful but its bytes hold " + seen);
            }
        }
    }

    /** Submits 6 jobs the engine runs and 4 it does not: 10 submitted, 6 executed, none gathered. */
    private int runSomeJobs(final DescriptorRing ring, final CopyEngine engine)
    {
        for (int i = 0; i < 6; i++)
        {
            assertEquals(i, ring.fill(i, BASE + i * 8L, 8, 0));
        }
        ring.submit();
        engine.doWork();
        for (int i = 6; i < 10; i++)
        {
            assertEquals(i, ring.fill(i, BASE + i * 8L, 8, 0));
        }
        ring.submit();
        return 6;
    }

    /** Runs jobs {@code first} to {@code first + jobs - 1} through the ring; returns how many were gathered. */
    private long runJobs(final DescriptorRing ring, final long first, final long jobs, final boolean silent)
    {
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
        final Completion completion = new Completion();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        final long end = first + jobs;
        long tail = first;
        long head = first;
        while (silent ? tail < end || !ring.drained() : head < end)
        {
            int work = 0;
            for (int i = 0; i < 32 && tail < end; i++)
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
            final int gathered = ring.completed(256, completion);
            assertFalse(completion.hasError);
            checkSuccessful(head, gathered);
            head += gathered;
            idle.idle(work + gathered);
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("only " + (head - first) + " of " + jobs + " jobs in time (silent " + silent + ", halted " +
                    ring.isHalted() + ")");
            }
        }
        return head - first;
    }

    private static DescriptorRing ring(final int nbDesc, final boolean silent, final boolean opsMode)
    {
        final int capacity = org.agrona.BitUtil.findNextPositivePowerOfTwo(nbDesc);
        final UnsafeBuffer buffer =
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(ringLength(capacity, MAX_SGES), 128));
        return new DescriptorRing(buffer, nbDesc, MAX_SGES, silent, opsMode);
    }

    private CopyEngine engine(final DescriptorRing ring)
    {
        final CopyEngine engine = new CopyEngine("ring-forgery-test");
        engine.addVchan(ring.buffer(), () -> memory, () -> memory);
        return engine;
    }
}
