package io.shmdma;

import io.shmdma.memory.DmaRegion;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;

import static io.shmdma.DmaTestSupport.assertAllBytes;
import static io.shmdma.DmaTestSupport.assertErrno;
import static io.shmdma.DmaTestSupport.assertSameBytes;
import static io.shmdma.DmaTestSupport.randomize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The memory-to-memory cases of DPDK's {@code app/test/test_dmadev.c} ({@code test_dmadev_instance}): copies
 * with ring index checks, stop/start, scatter-gather, burst capacity across wrap-around, failure handling with
 * and without fences, fill, the enqueue/dequeue-ops mode, vchan status, stats, and a data path that does not
 * allocate. A subclass names the kind of device by {@link #newDeviceUnderTest()}.
 */
public abstract class AbstractDmadevConformanceTest
{
    /** Descriptors of the test vchan, {@code TEST_RINGSIZE}. */
    private static final int RING_SIZE = 512;
    /** Bytes per copy, {@code COPY_LEN}. */
    private static final int COPY_LEN = 2048;
    /** Buffers of each side in the pool. */
    private static final int POOL_SIZE = 64;
    /** Jobs per failure-handling burst, {@code COMP_BURST_SZ}. */
    private static final int COMP_BURST_SZ = 16;
    /** Jobs per burst of the capacity test, {@code CAP_TEST_BURST_SIZE}. */
    private static final int CAP_TEST_BURST_SIZE = 64;
    /** The job given a FENCE when fencing, as DPDK's {@code OPT_FENCE}. */
    private static final int FENCE_INDEX = 8;
    /** Jobs that fail in the failure-handling tests. */
    private static final int[] FAIL = { 0, 7, 14, 15 };
    /** Fill lengths of {@code test_enqueue_fill}. */
    private static final int[] FILL_LENGTHS = { 8, 64, 1024, 50, 100, 89 };
    /** Fill pattern of {@code test_enqueue_fill}. */
    private static final long FILL_PATTERN = 0xfedcba9876543210L;
    /** The vchan under test. */
    private static final int VCHAN = 0;
    /** Ring indices are uint16. */
    private static final int IDX_MASK = 0xFFFF;
    /** Most measured windows of an allocation test; see {@link #shouldNotAllocateOnTheDataPath()}. */
    private static final int ALLOCATION_WINDOWS = 5;

    /** The fixture of this test. */
    protected DeviceUnderTest dut;
    /** A started device with one vchan of {@link #RING_SIZE} descriptors. */
    protected DmaDevice device;
    /** The device information after configuration. */
    protected DmaInfo info;

    private final Completion completion = new Completion();
    private final SplittableRandom random = new SplittableRandom(0x5EED_D4A1L);
    private DmaRegion[] srcs;
    private DmaRegion[] dsts;
    /** The ring index the next job is expected to get, {@code id_count}. */
    private int idCount;

    /**
     * A new fixture for one test.
     *
     * @return the fixture.
     */
    protected abstract DeviceUnderTest newDeviceUnderTest();

    @BeforeEach
    void setUpDevice()
    {
        dut = newDeviceUnderTest();
        device = dut.create(DmaTestSupport.uniqueName("dmadev"));
        info = device.info();
        assertTrue(info.maxVchans >= 1, info::toString);
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(VCHAN, new VchanConf(ringSize(RING_SIZE)));
        info = device.info();
        assertEquals(1, info.nbVchans);
        device.start();

        final DmaStats stats = device.stats(VCHAN);
        assertEquals(0, stats.submitted);
        assertEquals(0, stats.completed);
        assertEquals(0, stats.errors);
        assertTrue(device.burstCapacity(VCHAN) >= 32, "burst capacity");
        idCount = 0;

        srcs = new DmaRegion[POOL_SIZE];
        dsts = new DmaRegion[POOL_SIZE];
        for (int i = 0; i < POOL_SIZE; i++)
        {
            srcs[i] = dut.memory().allocate(COPY_LEN);
            dsts[i] = dut.memory().allocate(COPY_LEN);
        }
    }

    @AfterEach
    void closeFixture()
    {
        if (dut != null)
        {
            dut.close();
        }
    }

    @Test
    void shouldCopySingleJob()
    {
        runTest(1, true, this::singleCopy);
    }

    @Test
    void shouldRunCopyTests640Times()
    {
        runTest(640, true, this::enqueueCopies);
        assertEquals((640 * (1 + 4 + 4 * 32)) & IDX_MASK, idCount, "indices wrapped during the run");
    }

    @Test
    void shouldRestartRingIndicesAfterStopStart()
    {
        runTest(3, true, this::singleCopy);
        assertEquals(3, idCount);

        device.stop();
        device.start();
        device.stop();
        device.start();

        final DmaStatus[] status = { DmaStatus.SUCCESSFUL };
        completion.lastIdx = 0;
        assertEquals(0, device.completedStatus(VCHAN, 1, completion, status));
        assertEquals(IDX_MASK, completion.lastIdx, "no job yet since start");
        assertEquals(0, (completion.lastIdx + 1) & IDX_MASK, "the next job is 0");
        assertEquals(0, device.completed(VCHAN, 1, completion));
        assertEquals(IDX_MASK, completion.lastIdx);

        idCount = 0;
        runTest(2, true, this::singleCopy);
    }

    @Test
    void shouldFinishSubmittedJobsOnStopAndDropUnsubmittedOnes()
    {
        final DmaRegion src = srcs[0];
        randomize(src, COPY_LEN, random);
        dsts[0].buffer().setMemory(0, COPY_LEN, (byte)0);
        dsts[1].buffer().setMemory(0, COPY_LEN, (byte)0);
        final int capacity = device.burstCapacity(VCHAN);

        assertEquals(0, device.copy(VCHAN, src.iova(), dsts[0].iova(), COPY_LEN, OpFlags.SUBMIT));
        assertEquals(1, device.copy(VCHAN, src.iova(), dsts[1].iova(), COPY_LEN, 0));
        device.stop();
        assertSameBytes("submitted before stop", src.buffer(), 0, dsts[0].buffer(), 0, COPY_LEN);
        assertAllBytes("never submitted", dsts[1].buffer(), 0, COPY_LEN, (byte)0);
        assertEquals(1, device.stats(VCHAN).submitted);
        assertEquals(1, device.stats(VCHAN).completed);

        device.start();
        assertEquals(capacity, device.burstCapacity(VCHAN));
        assertEquals(0, device.completed(VCHAN, 4, completion));
        assertEquals(IDX_MASK, completion.lastIdx);
        assertEquals(VchanStatus.IDLE, device.vchanStatus(VCHAN));
        idCount = 0;
        singleCopy();
    }

    @Test
    void shouldCopyScatterGatherForEverySegmentCount()
    {
        assumeTrue((info.devCapa & DmaCapability.OPS_COPY_SG) != 0);
        assertTrue(info.maxSges >= 2, "the test needs at least 2 SG entries");
        assertTrue(info.maxSges <= POOL_SIZE);
        runTest(1, true, this::enqueueSgCopies);
    }

    @Test
    void shouldTrackBurstCapacityAcrossRingAndIndexWrapAround()
    {
        assumeTrue(device.burstCapacity(VCHAN) >= CAP_TEST_BURST_SIZE, "burst capacity of 64 required");
        runTest(1, true, this::burstCapacity);
        assertEquals(0, device.stats(VCHAN).errors);
    }

    @Test
    void shouldHandleFailuresWithoutFence()
    {
        assumeTrue((info.devCapa & DmaCapability.HANDLES_ERRORS) != 0);
        runTest(1, false, () -> completionStatus(false));
    }

    @Test
    void shouldHandleFailuresWithFence()
    {
        assumeTrue((info.devCapa & DmaCapability.HANDLES_ERRORS) != 0);
        runTest(1, false, () -> completionStatus(true));
    }

    @Test
    void shouldFillWithLittleEndianPattern()
    {
        assumeTrue((info.devCapa & DmaCapability.OPS_FILL) != 0);
        runTest(1, true, this::enqueueFill);
    }

    @Test
    void shouldEnqueueAndDequeueOps()
    {
        assumeTrue((info.devCapa & DmaCapability.OPS_ENQ_DEQ) != 0);
        final int burst = 16;
        final int length = 64;
        final int rounds = 3;

        device.stop();
        device.configure(new DmaConf(1, ConfFlags.ENQ_DEQ));
        device.vchanSetup(VCHAN, new VchanConf(info.maxDesc));
        device.start();
        final int max = info.maxDesc - burst;
        final DmaRegion srcBlock = dut.memory().allocate((long)max * length);
        final DmaRegion dstBlock = dut.memory().allocate((long)max * length);
        final DmaOp[] pool = new DmaOp[max];
        for (int i = 0; i < max; i++)
        {
            pool[i] = new DmaOp(2);
        }

        assertEquals(-Errno.EINVAL, device.copy(VCHAN, srcBlock.iova(), dstBlock.iova(), length, OpFlags.SUBMIT),
            "the burst API is not available in ops mode");
        assertEquals(0, device.completed(VCHAN, 1, completion));

        final DmaOp[] ops = new DmaOp[burst];
        long failures = 0;
        for (int round = 0; round < rounds; round++)
        {
            randomize(srcBlock.buffer(), max * length, random);
            dstBlock.buffer().setMemory(0, max * length, (byte)0);
            for (int i = 0; i < max; i++)
            {
                final boolean failing = round == 1 && i % 97 == 5;
                failures += failing ? 1 : 0;
                final DmaOp op = pool[i].copy(failing ? 0 : srcBlock.iova((long)i * length),
                    dstBlock.iova((long)i * length), length);
                op.userMeta = (long)round * max + i;
                op.status = DmaStatus.ERROR_UNKNOWN;
                op.flags = round == 2 && i % 5 == 0 ? OpFlags.FENCE : 0;
            }

            for (int n = 0; n < max; n += burst)
            {
                System.arraycopy(pool, n, ops, 0, burst);
                assertEquals(burst, device.enqueueOps(VCHAN, ops, burst), "enqueued at " + n);
            }
            assertEquals(info.maxDesc - max, device.burstCapacity(VCHAN));
            dut.awaitEngine(device);

            for (int n = 0; n < max; n += burst)
            {
                Arrays.fill(ops, null);
                assertEquals(burst, device.dequeueOps(VCHAN, ops, burst), "dequeued at " + n);
                for (int j = 0; j < burst; j++)
                {
                    final int i = n + j;
                    final DmaOp op = ops[j];
                    assertSame(pool[i], op, "op order");
                    assertEquals((long)round * max + i, op.userMeta);
                    final boolean failing = round == 1 && i % 97 == 5;
                    if (failing)
                    {
                        assertEquals(DmaStatus.INVALID_SRC_ADDR, op.status, "op " + i);
                        assertAllBytes("failed op " + i, dstBlock.buffer(), i * length, length, (byte)0);
                    }
                    else
                    {
                        assertEquals(DmaStatus.SUCCESSFUL, op.status, "op " + i);
                        assertSameBytes(
                            "op " + i, srcBlock.buffer(), i * length, dstBlock.buffer(), i * length, length);
                    }
                }
            }
            assertEquals(0, device.dequeueOps(VCHAN, ops, burst));
            assertEquals(info.maxDesc, device.burstCapacity(VCHAN));
        }

        final DmaStats stats = device.stats(VCHAN);
        assertEquals((long)rounds * max, stats.submitted);
        assertEquals((long)rounds * max, stats.completed);
        assertEquals(failures, stats.errors);
    }

    @Test
    void shouldReportVchanStatus()
    {
        assertErrno(Errno.EINVAL, () -> device.vchanStatus(-1));
        assertErrno(Errno.EINVAL, () -> device.vchanStatus(1));
        assertEquals(VchanStatus.IDLE, device.vchanStatus(VCHAN));

        assertEquals(0, device.copy(VCHAN, srcs[0].iova(), dsts[0].iova(), COPY_LEN, 0));
        assertEquals(VchanStatus.IDLE, device.vchanStatus(VCHAN), "nothing submitted yet");
        assertEquals(0, device.submit(VCHAN));
        final VchanStatus submitted = device.vchanStatus(VCHAN);
        if (device.engineInvoker() != null)
        {
            assertEquals(VchanStatus.ACTIVE, submitted, "inline engine not yet invoked");
        }
        else
        {
            assertNotEquals(VchanStatus.HALTED_ERROR, submitted);
        }
        dut.awaitEngine(device);
        assertEquals(VchanStatus.IDLE, device.vchanStatus(VCHAN));
        assertEquals(1, device.completed(VCHAN, 1, completion));

        assertEquals(1, device.copy(VCHAN, 0, dsts[0].iova(), COPY_LEN, OpFlags.SUBMIT));
        dut.awaitEngine(device);
        assertEquals(VchanStatus.IDLE, device.vchanStatus(VCHAN), "a failed job leaves the vchan idle");
        device.stop();
        assertEquals(VchanStatus.IDLE, device.vchanStatus(VCHAN));
    }

    @Test
    void shouldCountSubmittedAtSubmitAndCompletedAtCompletion()
    {
        device.statsReset(VCHAN);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(i, device.copy(VCHAN, srcs[i].iova(), dsts[i].iova(), COPY_LEN, 0));
        }
        assertStats(0, 0, 0, device.stats(VCHAN));

        assertEquals(0, device.submit(VCHAN));
        assertEquals(3, device.stats(VCHAN).submitted);
        if (device.engineInvoker() != null)
        {
            assertStats(3, 0, 0, device.stats(VCHAN));
        }
        dut.awaitEngine(device);
        assertStats(3, 3, 0, device.stats(VCHAN));

        assertEquals(3, device.copy(VCHAN, 0, dsts[3].iova(), COPY_LEN, OpFlags.SUBMIT));
        assertEquals(4, device.stats(VCHAN).submitted);
        dut.awaitEngine(device);
        assertStats(4, 4, 1, device.stats(VCHAN));
        assertEquals(3, device.completed(VCHAN, 8, completion), "stats do not depend on gathering");
        assertStats(4, 4, 1, device.stats(VCHAN));
        final DmaStatus[] status = new DmaStatus[8];
        assertEquals(1, device.completedStatus(VCHAN, 8, completion, status));
        assertEquals(DmaStatus.INVALID_SRC_ADDR, status[0]);
        assertStats(4, 4, 1, device.stats(VCHAN));

        assertEquals(0, device.submit(VCHAN));
        assertEquals(4, device.stats(VCHAN).submitted, "an empty doorbell counts nothing");

        device.statsReset(VCHAN);
        assertStats(0, 0, 0, device.stats(VCHAN));
        assertEquals(4, device.copy(VCHAN, srcs[0].iova(), dsts[0].iova(), COPY_LEN, OpFlags.SUBMIT));
        dut.awaitEngine(device);
        assertStats(1, 1, 0, device.stats(VCHAN));
        device.statsReset(DmaDevice.ALL_VCHAN);
        assertStats(0, 0, 0, device.stats(DmaDevice.ALL_VCHAN));
    }

    @Test
    void shouldSumStatsOfAllVchans()
    {
        assumeTrue(info.maxVchans >= 2, "two vchans required");
        device.stop();
        device.configure(new DmaConf(2, 0));
        device.vchanSetup(0, new VchanConf(ringSize(RING_SIZE)));
        device.vchanSetup(1, new VchanConf(ringSize(RING_SIZE)));
        device.start();

        for (int i = 0; i < 5; i++)
        {
            assertEquals(i, device.copy(0, i == 2 ? 0 : srcs[i].iova(), dsts[i].iova(), COPY_LEN, 0));
        }
        for (int i = 0; i < 3; i++)
        {
            assertEquals(i, device.copy(1, srcs[10 + i].iova(), dsts[10 + i].iova(), COPY_LEN, 0),
                "ring indices are per vchan");
        }
        assertEquals(0, device.submit(0));
        assertEquals(0, device.submit(1));
        dut.awaitEngine(device);

        assertStats(5, 5, 1, device.stats(0));
        assertStats(3, 3, 0, device.stats(1));
        assertStats(8, 8, 1, device.stats(DmaDevice.ALL_VCHAN));

        device.statsReset(1);
        assertStats(5, 5, 1, device.stats(DmaDevice.ALL_VCHAN));
        device.statsReset(DmaDevice.ALL_VCHAN);
        assertStats(0, 0, 0, device.stats(DmaDevice.ALL_VCHAN));
        assertStats(0, 0, 0, device.stats(0));
    }

    @Test
    void shouldReportNoCompletionsInSilentMode()
    {
        assumeTrue((info.devCapa & DmaCapability.SILENT) != 0);
        device.stop();
        device.configure(new DmaConf(1, ConfFlags.SILENT));
        device.vchanSetup(VCHAN, new VchanConf(info.minDesc));
        device.start();
        final int capacity = device.burstCapacity(VCHAN);
        assertEquals(info.minDesc, capacity);

        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < capacity; i++)
            {
                randomize(srcs[i], COPY_LEN, random);
                assertEquals((round * capacity + i) & IDX_MASK,
                    device.copy(VCHAN, srcs[i].iova(), dsts[i].iova(), COPY_LEN, 0));
            }
            assertEquals(0, device.burstCapacity(VCHAN));
            assertEquals(0, device.submit(VCHAN));
            dut.awaitEngine(device);
            assertEquals(0, device.completed(VCHAN, capacity, completion));
            assertEquals(0, device.completedStatus(VCHAN, capacity, completion, new DmaStatus[capacity]));
            assertEquals(capacity, device.burstCapacity(VCHAN), "capacity comes back without gathering");
            for (int i = 0; i < capacity; i++)
            {
                assertSameBytes("silent copy " + i, srcs[i].buffer(), 0, dsts[i].buffer(), 0, COPY_LEN);
            }
        }
        assertStats(3L * capacity, 3L * capacity, 0, device.stats(VCHAN));

        int idx = (3 * capacity) & IDX_MASK;
        for (int i = 0; i < 4 * capacity; i++)
        {
            int result = device.copy(VCHAN, srcs[i % capacity].iova(), dsts[i % capacity].iova(), COPY_LEN,
                OpFlags.SUBMIT);
            if (result == -Errno.ENOSPC)
            {
                dut.awaitEngine(device);
                result = device.copy(VCHAN, srcs[i % capacity].iova(), dsts[i % capacity].iova(), COPY_LEN,
                    OpFlags.SUBMIT);
            }
            assertEquals(idx, result, "a silent application never gathers, yet the ring frees up");
            idx = (idx + 1) & IDX_MASK;
        }
        dut.awaitEngine(device);
        assertStats(7L * capacity, 7L * capacity, 0, device.stats(VCHAN));
    }

    /**
     * 100,000 cycles of copy (SUBMIT), engine, completed allocate nothing on the application thread (which is
     * also the engine thread when the engine is inline).
     * <p>
     * HotSpot itself allocates on the measured thread when that thread is the one that asks for a method's
     * first C2 compilation: before compiling, {@code CompileBroker::compile_method} resolves every String
     * constant of the method's class ({@code ConstantPool::resolve_string_constants}), one String per literal,
     * here mostly the exception messages of DmaDevice and DomainMemory. When that happens is up to the
     * background compiler on a shared machine, so a window may catch it even after a long warm-up (seen as
     * 56 to 3120 bytes, never with {@code -XX:TieredStopAtLevel=1}). The data path itself must allocate
     * nothing: a window of 100,000 cycles must come out at exactly 0 bytes, and an allocation per job would
     * make every window allocate.
     */
    @Test
    void shouldNotAllocateOnTheDataPath()
    {
        final com.sun.management.ThreadMXBean threads = allocationCounter();
        final DataPathLoop loop = new DataPathLoop(device, srcs, dsts);
        final int cycles = crossThreadScaled(100_000);
        for (int i = 0; i < 10; i++)
        {
            loop.run(cycles / 5);
        }

        final String allocated = bytesAllocatedUntilACleanWindow(threads, () -> loop.run(cycles));
        assertEquals("", allocated, "bytes allocated in each window of " + cycles + " data path cycles");
        assertEquals(0, device.stats(VCHAN).errors);
        assertSameBytes("last copy", srcs[0].buffer(), 0, dsts[0].buffer(), 0, 64);
    }

    @Test
    void shouldNotAllocateInOpsMode()
    {
        assumeTrue((info.devCapa & DmaCapability.OPS_ENQ_DEQ) != 0);
        final com.sun.management.ThreadMXBean threads = allocationCounter();
        device.stop();
        device.configure(new DmaConf(1, ConfFlags.ENQ_DEQ));
        device.vchanSetup(VCHAN, new VchanConf(ringSize(RING_SIZE)));
        device.start();

        final DmaOp[] ops = new DmaOp[4];
        for (int i = 0; i < ops.length; i++)
        {
            ops[i] = new DmaOp(2).copy(srcs[i].iova(), dsts[i].iova(), 64);
        }
        ops[3].src[1].set(srcs[3].iova(64), 64);
        ops[3].nbSrc = 2;
        ops[3].dst[0].length = 128;
        final DmaOp[] dequeued = new DmaOp[ops.length];
        final AgentInvoker invoker = device.engineInvoker();
        final int cycles = crossThreadScaled(50_000);
        for (int i = 0; i < 5; i++)
        {
            opsCycles(ops, dequeued, invoker, cycles / 2);
        }

        final String allocated =
            bytesAllocatedUntilACleanWindow(threads, () -> opsCycles(ops, dequeued, invoker, cycles));
        assertEquals("", allocated, "bytes allocated in each window of " + cycles + " enqueue/dequeue cycles");
        for (final DmaOp op : ops)
        {
            assertEquals(DmaStatus.SUCCESSFUL, op.status);
        }
    }

    /**
     * Cycles for an allocation test: all of them with an inline engine; a fifth when every cycle is a round trip
     * to an engine thread that backs off, to keep the suite short on a shared machine.
     */
    private int crossThreadScaled(final int cycles)
    {
        return device.engineInvoker() != null ? cycles : cycles / 5;
    }

    private static com.sun.management.ThreadMXBean allocationCounter()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        return threads;
    }

    /**
     * Runs measured windows until one allocates nothing, at most {@link #ALLOCATION_WINDOWS}.
     *
     * @return "" when a window allocated 0 bytes, else the bytes of each window.
     */
    private static String bytesAllocatedUntilACleanWindow(
        final com.sun.management.ThreadMXBean threads, final Runnable window)
    {
        final long[] bytes = new long[ALLOCATION_WINDOWS];
        for (int i = 0; i < ALLOCATION_WINDOWS; i++)
        {
            final long start = threads.getCurrentThreadAllocatedBytes();
            window.run();
            bytes[i] = threads.getCurrentThreadAllocatedBytes() - start;
            if (bytes[i] == 0)
            {
                if (i > 0)
                {
                    System.out.println("clean after " + i + " window(s) that caught JIT allocations: " +
                        Arrays.toString(Arrays.copyOf(bytes, i)));
                }
                return "";
            }
        }
        return Arrays.toString(bytes);
    }

    private void opsCycles(final DmaOp[] ops, final DmaOp[] dequeued, final AgentInvoker invoker, final int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            if (device.enqueueOps(VCHAN, ops, ops.length) != ops.length)
            {
                throw new AssertionError("enqueue refused");
            }
            int gathered = 0;
            while (gathered < ops.length)
            {
                if (invoker != null)
                {
                    invoker.invoke();
                }
                else
                {
                    Thread.onSpinWait();
                }
                gathered += device.dequeueOps(VCHAN, dequeued, ops.length - gathered);
            }
        }
    }

    /**
     * The measured loop of {@link #shouldNotAllocateOnTheDataPath()}: copy with SUBMIT, engine, completed, in
     * a method of its own so that it is compiled; every fourth cycle adds a fill and a scatter-gather copy
     * and gathers by status.
     */
    private static final class DataPathLoop
    {
        private final DmaDevice device;
        private final AgentInvoker invoker;
        private final long src;
        private final long dst;
        private final long fillDst;
        private final DmaSge[] srcSges;
        private final DmaSge[] dstSges;
        private final Completion completion = new Completion();
        private final DmaStatus[] status = new DmaStatus[8];
        private final boolean scatterGather;
        private final boolean fill;

        DataPathLoop(final DmaDevice device, final DmaRegion[] srcs, final DmaRegion[] dsts)
        {
            this.device = device;
            this.invoker = device.engineInvoker();
            final DmaInfo info = device.info();
            this.scatterGather = (info.devCapa & DmaCapability.OPS_COPY_SG) != 0;
            this.fill = (info.devCapa & DmaCapability.OPS_FILL) != 0;
            this.src = srcs[0].iova();
            this.dst = dsts[0].iova();
            this.fillDst = dsts[1].iova();
            this.srcSges = new DmaSge[]{ new DmaSge(srcs[2].iova(), 32), new DmaSge(srcs[2].iova(64), 32) };
            this.dstSges = new DmaSge[]{ new DmaSge(dsts[2].iova(), 64) };
        }

        long run(final int cycles)
        {
            long jobs = 0;
            for (int i = 0; i < cycles; i++)
            {
                if (device.copy(VCHAN, src, dst, 64, OpFlags.SUBMIT) < 0)
                {
                    throw new AssertionError("copy refused");
                }
                jobs++;
                final boolean extra = (i & 3) == 0;
                if (extra)
                {
                    if (fill && device.fill(VCHAN, 0x0102030405060708L, fillDst, 100, 0) < 0)
                    {
                        throw new AssertionError("fill refused");
                    }
                    if (scatterGather && device.copySg(VCHAN, srcSges, dstSges, 2, 1, OpFlags.FENCE) < 0)
                    {
                        throw new AssertionError("copySg refused");
                    }
                    device.submit(VCHAN);
                    jobs += (fill ? 1 : 0) + (scatterGather ? 1 : 0);
                }
                final int expected = extra ? 1 + (fill ? 1 : 0) + (scatterGather ? 1 : 0) : 1;
                int gathered = 0;
                while (gathered < expected)
                {
                    if (invoker != null)
                    {
                        invoker.invoke();
                    }
                    else
                    {
                        Thread.onSpinWait();
                    }
                    gathered += extra ?
                        device.completedStatus(VCHAN, status.length, completion, status) :
                        device.completed(VCHAN, 8, completion);
                }
                if (gathered != expected || completion.hasError)
                {
                    throw new AssertionError("gathered " + gathered + " of " + expected);
                }
            }
            return jobs;
        }
    }

    private void runTest(final int iterations, final boolean checkErrorStats, final Runnable test)
    {
        device.statsReset(VCHAN);
        final DmaStats stats = new DmaStats();
        for (int i = 0; i < iterations; i++)
        {
            test.run();
            device.stats(VCHAN, stats);
            assertEquals(stats.submitted, stats.completed, "not all submitted jobs are reported as completed");
            if (checkErrorStats)
            {
                assertEquals(0, stats.errors, "errors reported during op processing");
            }
        }
    }

    private void singleCopy()
    {
        final DmaRegion src = srcs[0];
        final DmaRegion dst = dsts[0];
        randomize(src, COPY_LEN, random);
        dst.buffer().setMemory(0, COPY_LEN, (byte)0);

        final int id = device.copy(VCHAN, src.iova(), dst.iova(), COPY_LEN, OpFlags.SUBMIT);
        assertEquals(idCount, id, "rte_dma_copy ring index");
        dut.awaitEngine(device);
        assertSameBytes("single copy", src.buffer(), 0, dst.buffer(), 0, COPY_LEN);

        completion.lastIdx = ~id & IDX_MASK;
        assertEquals(1, device.completed(VCHAN, 1, completion));
        assertEquals(idCount, completion.lastIdx, "completed job id");

        completion.lastIdx = ~idCount & IDX_MASK;
        assertEquals(0, device.completed(VCHAN, 1, completion), "completed when no job done");
        assertEquals(idCount, completion.lastIdx, "job id when no job done");

        completion.lastIdx = ~idCount & IDX_MASK;
        assertEquals(0, device.completedStatus(VCHAN, 1, completion, new DmaStatus[1]));
        assertEquals(idCount, completion.lastIdx, "job id from completed_status when no job done");

        assertEquals(0, device.completed(VCHAN, 1, null), "empty check");
        idCount = (idCount + 1) & IDX_MASK;
    }

    private void enqueueCopies()
    {
        singleCopy();

        final int maxOps = 4;
        final DmaRegion src = srcs[1];
        final DmaRegion dst = dsts[1];
        randomize(src, COPY_LEN, random);
        dst.buffer().setMemory(0, COPY_LEN, (byte)0);
        for (int i = 0; i < maxOps; i++)
        {
            assertEquals(idCount, device.copy(VCHAN, src.iova(), dst.iova(), COPY_LEN, OpFlags.SUBMIT));
            idCount = (idCount + 1) & IDX_MASK;
        }
        dut.awaitEngine(device);
        assertEquals(maxOps, device.completed(VCHAN, maxOps * 2, completion));
        assertEquals((idCount - 1) & IDX_MASK, completion.lastIdx);
        assertSameBytes("repeated copy", src.buffer(), 0, dst.buffer(), 0, COPY_LEN);

        multiCopies(false, false, false);
        multiCopies(true, false, false);
        multiCopies(false, true, false);
        multiCopies(false, false, true);
    }

    private void multiCopies(
        final boolean splitBatches, final boolean splitCompletions, final boolean useCompletedStatus)
    {
        final int count = 32;
        final DmaStatus[] status = new DmaStatus[count];
        for (int i = 0; i < count; i++)
        {
            if (splitBatches && i == count / 2)
            {
                assertEquals(0, device.submit(VCHAN));
            }
            randomize(srcs[i], COPY_LEN, random);
            dsts[i].buffer().setMemory(0, COPY_LEN, (byte)0);
            assertEquals(idCount, device.copy(VCHAN, srcs[i].iova(), dsts[i].iova(), COPY_LEN, 0), "copy " + i);
            idCount = (idCount + 1) & IDX_MASK;
        }
        assertEquals(0, device.submit(VCHAN));
        dut.awaitEngine(device);

        if (splitCompletions)
        {
            assertEquals(count / 2, device.completed(VCHAN, count / 2, completion), "first half");
            assertFalse(completion.hasError);
            assertEquals(count / 2, device.completed(VCHAN, count / 2, completion), "second half");
            assertFalse(completion.hasError);
        }
        else if (!useCompletedStatus)
        {
            assertEquals(count, device.completed(VCHAN, count, completion));
            assertFalse(completion.hasError);
        }
        else
        {
            assertEquals(count, device.completedStatus(VCHAN, count, completion, status));
            for (int j = 0; j < count; j++)
            {
                assertEquals(DmaStatus.SUCCESSFUL, status[j], "job " + j);
            }
        }
        assertEquals((idCount - 1) & IDX_MASK, completion.lastIdx);

        final int more = useCompletedStatus ?
            device.completedStatus(VCHAN, count, completion, status) :
            device.completed(VCHAN, count, completion);
        assertEquals(0, more, "ops unexpectedly returned");

        for (int i = 0; i < count; i++)
        {
            assertSameBytes("packet " + i, srcs[i].buffer(), 0, dsts[i].buffer(), 0, COPY_LEN);
        }
    }

    private void enqueueSgCopies()
    {
        final int nbSge = info.maxSges;
        final DmaSge[] sgSrc = new DmaSge[nbSge];
        final DmaSge[] sgDst = new DmaSge[nbSge];
        for (int i = 0; i < nbSge; i++)
        {
            sgSrc[i] = new DmaSge();
            sgDst[i] = new DmaSge();
        }
        final UnsafeBuffer origSrc = new UnsafeBuffer(new byte[COPY_LEN]);
        final DmaStatus[] status = new DmaStatus[1];

        for (int nbSrc = 1; nbSrc <= nbSge; nbSrc++)
        {
            for (int nbDst = 1; nbDst <= nbSge; nbDst++)
            {
                final int len = COPY_LEN - COPY_LEN % (nbSrc * nbDst);
                final int dstLen = len / nbDst;
                final int srcLen = len / nbSrc;
                final String what = "src segs " + nbSrc + " [" + srcLen + "] dst segs " + nbDst + " [" + dstLen + "]";

                randomize(origSrc, len, random);
                for (int i = 0; i < nbSrc; i++)
                {
                    sgSrc[i].set(srcs[i].iova(), srcLen);
                    srcs[i].buffer().putBytes(0, origSrc, i * srcLen, srcLen);
                }
                for (int k = 0; k < nbDst; k++)
                {
                    sgDst[k].set(dsts[k].iova(), dstLen);
                    dsts[k].buffer().setMemory(0, COPY_LEN, (byte)0);
                }

                final int id = device.copySg(VCHAN, sgSrc, sgDst, nbSrc, nbDst, OpFlags.SUBMIT);
                assertEquals(idCount, id, what);
                dut.awaitEngine(device);

                for (int k = 0; k < nbDst; k++)
                {
                    assertSameBytes(what + " dst seg " + k, origSrc, k * dstLen, dsts[k].buffer(), 0, dstLen);
                    assertAllBytes(what + " past dst seg " + k, dsts[k].buffer(), dstLen, COPY_LEN - dstLen, (byte)0);
                }

                completion.lastIdx = ~id & IDX_MASK;
                assertEquals(1, device.completed(VCHAN, 1, completion), what);
                assertEquals(idCount, completion.lastIdx, what);
                completion.lastIdx = ~id & IDX_MASK;
                assertEquals(0, device.completed(VCHAN, 1, completion), what);
                assertEquals(idCount, completion.lastIdx, what);
                completion.lastIdx = ~id & IDX_MASK;
                assertEquals(0, device.completedStatus(VCHAN, 1, completion, status), what);
                assertEquals(idCount, completion.lastIdx, what);
                assertEquals(0, device.completed(VCHAN, 1, null), what);
                idCount = (idCount + 1) & IDX_MASK;
            }
        }
    }

    private void burstCapacity()
    {
        final int ringSpace = device.burstCapacity(VCHAN);
        final DmaRegion src = srcs[0];
        final DmaRegion dst = dsts[0];
        final int bursts = ringSpace / (2 * CAP_TEST_BURST_SIZE) + 1;
        final int iterations = 2 * ((IDX_MASK + 1) / ringSpace);
        assertTrue((long)iterations * bursts * CAP_TEST_BURST_SIZE > IDX_MASK + 1, "the run wraps ring indices");

        for (int iter = 0; iter < iterations; iter++)
        {
            for (int i = 0; i < bursts; i++)
            {
                final int cap = device.burstCapacity(VCHAN);
                for (int j = 0; j < CAP_TEST_BURST_SIZE; j++)
                {
                    final int ret = device.copy(VCHAN, src.iova(), dst.iova(), COPY_LEN, 0);
                    if (ret != idCount)
                    {
                        fail("copy returned " + ret + ", expected " + idCount + " (iter " + iter + ")");
                    }
                    idCount = (idCount + 1) & IDX_MASK;
                    if (device.burstCapacity(VCHAN) != cap - (j + 1))
                    {
                        fail("ring capacity did not change as expected: " + device.burstCapacity(VCHAN) + " not " +
                            (cap - (j + 1)));
                    }
                }
                assertEquals(0, device.submit(VCHAN));
                assertTrue(cap >= device.burstCapacity(VCHAN), "capacity has gone up, not down");
            }
            dut.awaitEngine(device);

            for (int i = 0; i < bursts; i++)
            {
                final int ret = device.completed(VCHAN, CAP_TEST_BURST_SIZE, completion);
                if (ret != CAP_TEST_BURST_SIZE || completion.hasError)
                {
                    final DmaStatus[] status = new DmaStatus[1];
                    device.completedStatus(VCHAN, 1, null, status);
                    fail("completed " + ret + ", hasError " + completion.hasError + ", i " + i + ", iter " + iter +
                        ", status " + status[0]);
                }
            }
            assertEquals((idCount - 1) & IDX_MASK, completion.lastIdx);
            assertEquals(ringSpace, device.burstCapacity(VCHAN), "ring capacity has not reset to original value");
        }
    }

    private void completionStatus(final boolean fence)
    {
        for (final int failIdx : FAIL)
        {
            failureInFullBurst(fence, failIdx);
            individualStatusQueryWithFailure(fence, failIdx);
            singleItemStatusQueryWithFailure(failIdx);
        }
        multiFailure(FAIL);
    }

    /** Enqueues a burst of 16 copies; the jobs at {@code fails} read from IOVA 0. */
    private int enqueueBurst(final boolean fence, final int... fails)
    {
        int invalidAddrId = -1;
        for (int i = 0; i < COMP_BURST_SZ; i++)
        {
            randomize(srcs[i], COPY_LEN, random);
            dsts[i].buffer().setMemory(0, COPY_LEN, (byte)0);
            boolean failing = false;
            for (final int f : fails)
            {
                failing |= f == i;
            }
            final long flags = fence && i == FENCE_INDEX ? OpFlags.FENCE : 0;
            final int id = device.copy(VCHAN, failing ? 0 : srcs[i].iova(), dsts[i].iova(), COPY_LEN, flags);
            assertEquals(idCount, id, "copy " + i);
            idCount = (idCount + 1) & IDX_MASK;
            if (failing && invalidAddrId < 0)
            {
                invalidAddrId = id;
            }
        }
        return invalidAddrId;
    }

    /** Checks each job's data against its status: copied when successful, untouched otherwise. */
    private void verifyBurst(final DmaStatus[] jobStatus, final int... fails)
    {
        for (int i = 0; i < COMP_BURST_SZ; i++)
        {
            boolean failing = false;
            for (final int f : fails)
            {
                failing |= f == i;
            }
            if (failing)
            {
                assertEquals(DmaStatus.INVALID_SRC_ADDR, jobStatus[i], "job " + i + " read IOVA 0");
            }
            else
            {
                assertTrue(jobStatus[i] == DmaStatus.SUCCESSFUL || jobStatus[i] == DmaStatus.NOT_ATTEMPTED,
                    "job " + i + " after a failure: " + jobStatus[i]);
            }
            if (jobStatus[i] == DmaStatus.SUCCESSFUL)
            {
                assertSameBytes("job " + i, srcs[i].buffer(), 0, dsts[i].buffer(), 0, COPY_LEN);
            }
            else
            {
                assertAllBytes("failed job " + i, dsts[i].buffer(), 0, COPY_LEN, (byte)0);
            }
        }
    }

    private void failureInFullBurst(final boolean fence, final int failIdx)
    {
        final DmaStats baseline = device.stats(VCHAN);
        final int invalidAddrId = enqueueBurst(fence, failIdx);
        assertEquals(0, device.submit(VCHAN));
        assertEquals(baseline.submitted + COMP_BURST_SZ, device.stats(VCHAN).submitted, "submitted stats");
        dut.awaitEngine(device);

        final int count = device.completed(VCHAN, COMP_BURST_SZ, completion);
        assertEquals(failIdx, count, "completed for fail idx " + failIdx);
        assertTrue(completion.hasError, "has_error for fail idx " + failIdx);
        assertEquals((invalidAddrId - 1) & IDX_MASK, completion.lastIdx, "last idx for fail idx " + failIdx);

        for (int i = 0; i < 10; i++)
        {
            assertEquals(0, device.completed(VCHAN, COMP_BURST_SZ, completion), "follow-up completed");
            assertTrue(completion.hasError, "follow-up has_error");
            assertEquals((invalidAddrId - 1) & IDX_MASK, completion.lastIdx, "follow-up last idx");
        }

        final DmaStatus[] status = new DmaStatus[COMP_BURST_SZ];
        int statusCount = device.completedStatus(VCHAN, COMP_BURST_SZ, completion, status);
        if (statusCount == 1)
        {
            dut.awaitEngine(device);
            final DmaStatus[] rest = new DmaStatus[COMP_BURST_SZ - 1];
            final int more = device.completedStatus(VCHAN, COMP_BURST_SZ - 1, completion, rest);
            System.arraycopy(rest, 0, status, 1, more);
            statusCount += more;
        }
        assertEquals(COMP_BURST_SZ - count, statusCount, "completed_status for fail idx " + failIdx);
        assertNotEquals(DmaStatus.SUCCESSFUL, status[0], "first status is the failure");
        assertEquals((idCount - 1) & IDX_MASK, completion.lastIdx);

        final DmaStatus[] jobStatus = new DmaStatus[COMP_BURST_SZ];
        Arrays.fill(jobStatus, 0, count, DmaStatus.SUCCESSFUL);
        System.arraycopy(status, 0, jobStatus, count, statusCount);
        verifyBurst(jobStatus, failIdx);

        final DmaStats stats = device.stats(VCHAN);
        assertEquals(baseline.completed + COMP_BURST_SZ, stats.completed, "completed stats");
        int errors = 0;
        for (int i = 0; i < statusCount; i++)
        {
            errors += status[i] != DmaStatus.SUCCESSFUL ? 1 : 0;
        }
        assertEquals(baseline.errors + errors, stats.errors, "errors stats");
    }

    private void individualStatusQueryWithFailure(final boolean fence, final int failIdx)
    {
        final int invalidAddrId = enqueueBurst(fence, failIdx);
        assertEquals(0, device.submit(VCHAN));
        dut.awaitEngine(device);

        int count = 0;
        completion.hasError = false;
        while (!completion.hasError)
        {
            final int n = device.completed(VCHAN, 1, completion);
            count += n;
            assertTrue(n <= 1 && count < COMP_BURST_SZ, "too many completions");
            assertFalse(n == 0 && !completion.hasError, "zero completions after " + count);
        }
        assertEquals(failIdx, count);
        assertEquals((invalidAddrId - 1) & IDX_MASK, completion.lastIdx, "last successful index");

        final DmaStatus[] status = new DmaStatus[COMP_BURST_SZ];
        final DmaStatus[] one = new DmaStatus[1];
        int statusCount = 0;
        while (count + statusCount < COMP_BURST_SZ)
        {
            final int n = device.completedStatus(VCHAN, 1, completion, one);
            dut.awaitEngine(device);
            assertEquals(1, n, "completions per completed_status(1)");
            status[statusCount] = one[0];
            statusCount += n;
            assertEquals((invalidAddrId + statusCount - 1) & IDX_MASK, completion.lastIdx);
        }
        assertNotEquals(DmaStatus.SUCCESSFUL, status[0], "unexpected successful job");

        final DmaStatus[] jobStatus = new DmaStatus[COMP_BURST_SZ];
        Arrays.fill(jobStatus, 0, count, DmaStatus.SUCCESSFUL);
        System.arraycopy(status, 0, jobStatus, count, statusCount);
        verifyBurst(jobStatus, failIdx);
    }

    private void singleItemStatusQueryWithFailure(final int failIdx)
    {
        final int invalidAddrId = enqueueBurst(false, failIdx);
        assertEquals(0, device.submit(VCHAN));
        dut.awaitEngine(device);

        final int count = device.completed(VCHAN, COMP_BURST_SZ, completion);
        assertEquals(failIdx, count);
        assertTrue(completion.hasError);
        assertEquals((invalidAddrId - 1) & IDX_MASK, completion.lastIdx);

        final DmaStatus[] status = new DmaStatus[1];
        assertEquals(1, device.completedStatus(VCHAN, 1, completion, status));
        assertNotEquals(DmaStatus.SUCCESSFUL, status[0]);
        assertEquals(invalidAddrId, completion.lastIdx);
        dut.awaitEngine(device);

        final int count2 = device.completed(VCHAN, COMP_BURST_SZ, completion);
        assertFalse(completion.hasError, "further errors after completed_status");
        assertEquals(COMP_BURST_SZ, count + 1 + count2, "completions received");
        assertEquals((idCount - 1) & IDX_MASK, completion.lastIdx);

        final DmaStatus[] jobStatus = new DmaStatus[COMP_BURST_SZ];
        Arrays.fill(jobStatus, DmaStatus.SUCCESSFUL);
        jobStatus[failIdx] = status[0];
        verifyBurst(jobStatus, failIdx);
    }

    private void multiFailure(final int[] fails)
    {
        enqueueBurst(false, fails);
        assertEquals(0, device.submit(VCHAN));
        dut.awaitEngine(device);

        final DmaStatus[] status = new DmaStatus[COMP_BURST_SZ];
        int count = device.completedStatus(VCHAN, COMP_BURST_SZ, null, status);
        while (count < COMP_BURST_SZ)
        {
            dut.awaitEngine(device);
            final DmaStatus[] rest = new DmaStatus[COMP_BURST_SZ - count];
            final int n = device.completedStatus(VCHAN, COMP_BURST_SZ - count, null, rest);
            assertTrue(n > 0, "got " + count + " of " + COMP_BURST_SZ + " completions");
            System.arraycopy(rest, 0, status, count, n);
            count += n;
        }
        int errors = 0;
        for (int i = 0; i < count; i++)
        {
            errors += status[i] != DmaStatus.SUCCESSFUL ? 1 : 0;
        }
        assertEquals(fails.length, errors, "failed completions");
        verifyBurst(status, fails);

        enqueueBurst(false, fails);
        assertEquals(0, device.submit(VCHAN));
        dut.awaitEngine(device);
        count = 0;
        errors = 0;
        final DmaStatus[] one = new DmaStatus[1];
        while (count + errors < COMP_BURST_SZ)
        {
            count += device.completed(VCHAN, COMP_BURST_SZ, completion);
            if (completion.hasError)
            {
                assertEquals(1, device.completedStatus(VCHAN, 1, null, one), "error status");
                assertEquals(DmaStatus.INVALID_SRC_ADDR, one[0]);
                errors++;
                dut.awaitEngine(device);
            }
        }
        assertEquals(fails.length, errors, "failed completions one at a time");
        assertEquals(COMP_BURST_SZ - fails.length, count);
    }

    private void enqueueFill()
    {
        final DmaRegion dst = dsts[0];
        for (final int length : FILL_LENGTHS)
        {
            for (final int offset : new int[]{ 0, 3 })
            {
                dst.buffer().setMemory(0, COPY_LEN, (byte)0);
                final int id = device.fill(VCHAN, FILL_PATTERN, dst.iova(offset), length, OpFlags.SUBMIT);
                assertEquals(idCount, id, "fill ring index");
                idCount = (idCount + 1) & IDX_MASK;
                dut.awaitEngine(device);
                assertEquals(1, device.completed(VCHAN, 1, null), "fill failed, length " + length);

                assertAllBytes("before the fill", dst.buffer(), 0, offset, (byte)0);
                for (int j = 0; j < length; j++)
                {
                    final byte expected = (byte)(FILL_PATTERN >>> ((j % 8) * 8));
                    assertEquals(expected, dst.buffer().getByte(offset + j), "length " + length + " byte " + j);
                }
                assertAllBytes("fill wrote too far, length " + length, dst.buffer(), offset + length,
                    COPY_LEN - offset - length, (byte)0);
            }
        }
    }

    private int ringSize(final int wanted)
    {
        return Math.max(info.minDesc, Math.min(info.maxDesc, wanted));
    }

    private static void assertStats(final long submitted, final long completed, final long errors, final DmaStats stats)
    {
        assertEquals(submitted, stats.submitted, () -> "submitted in " + stats);
        assertEquals(completed, stats.completed, () -> "completed in " + stats);
        assertEquals(errors, stats.errors, () -> "errors in " + stats);
    }
}
