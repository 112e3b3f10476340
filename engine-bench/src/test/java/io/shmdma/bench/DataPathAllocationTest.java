package io.shmdma.bench;

import io.shmdma.Completion;
import io.shmdma.DmaDevice;
import io.shmdma.OpFlags;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmarks' data paths (device calls, engine, baselines) allocate nothing: measured with the JVM's
 * per-thread allocation counter, which unlike JMH's GC profiler does not depend on how fast the machine is.
 * The bound is below one byte per round: one allocated object per round (16 bytes or more) would exceed it
 * many times over, while the counter's own reads (a few hundred bytes in all) stay under it.
 */
class DataPathAllocationTest
{
    private static final int WARMUP = 200_000;
    private static final int MEASURED = 100_000;

    private static long allocatedBytes(final Thread thread)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        return threads.getThreadAllocatedBytes(thread.getId());
    }

    @Test
    void shouldNotAllocateOnInlineDataPath()
    {
        try (BenchTarget target = BenchTarget.open(DeviceKind.IN_PROCESS, EngineMode.INLINE, 16 << 20, 1024, 0))
        {
            final CopySlots slots = new CopySlots(target, 1024, 32);
            final SgSlots sgSlots = new SgSlots(target, 4096, 4, 1, 32);
            final DmaDevice device = target.device();
            final Completion completion = new Completion();
            final Runnable work = () ->
            {
                final int slot = slots.nextSlot();
                BenchTarget.checkEnqueued(device.copy(0, slots.srcIova(slot), slots.dstIova(slot), 1024, 0));
                BenchTarget.checkEnqueued(device.fill(0, FillBenchmark.PATTERN, slots.dstIova(slot), 1024, 0));
                final int sg = sgSlots.nextSlot();
                BenchTarget.checkEnqueued(device.copySg(0, sgSlots.srcSge(sg), sgSlots.dstSge(sg), 4, 1,
                    OpFlags.SUBMIT));
                target.awaitCompleted(3);
                device.completed(0, 32, completion);
                sgSlots.cpuCopy(sg);
                CpuBaselines.patternFill(slots.dstAddress(slot), 1024, FillBenchmark.PATTERN);
            };
            for (int i = 0; i < WARMUP; i++)
            {
                work.run();
            }
            final long before = allocatedBytes(Thread.currentThread());
            for (int i = 0; i < MEASURED; i++)
            {
                work.run();
            }
            final long allocated = allocatedBytes(Thread.currentThread()) - before;
            assertTrue(allocated < MEASURED,
                allocated + " bytes allocated by " + MEASURED + " rounds of copy, fill, copySg, completed");
        }
    }

    @Test
    void shouldNotAllocateOnEngineThreadOrCaller()
    {
        try (BenchTarget target = BenchTarget.open(DeviceKind.IN_PROCESS, EngineMode.BACKOFF, 1 << 20, 64, 0))
        {
            final CopySlots slots = new CopySlots(target, 64, 1);
            final DmaDevice device = target.device();
            final Thread engine = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().contains(device.name()))
                .findFirst().orElseThrow(() -> new AssertionError("engine thread not found"));
            for (int i = 0; i < WARMUP / 10; i++)
            {
                device.copy(0, slots.srcIova(0), slots.dstIova(0), 64, OpFlags.SUBMIT);
                target.awaitCompleted(1);
            }
            final long callerBefore = allocatedBytes(Thread.currentThread());
            final long engineBefore = allocatedBytes(engine);
            for (int i = 0; i < MEASURED / 10; i++)
            {
                device.copy(0, slots.srcIova(0), slots.dstIova(0), 64, OpFlags.SUBMIT);
                target.awaitCompleted(1);
            }
            final long caller = allocatedBytes(Thread.currentThread()) - callerBefore;
            final long engineBytes = allocatedBytes(engine) - engineBefore;
            assertTrue(caller < MEASURED / 10, caller + " bytes allocated by the caller thread");
            assertTrue(engineBytes < MEASURED / 10, engineBytes + " bytes allocated by the engine thread");
            assertTrue(slots.verify());
        }
    }

    @Test
    void shouldGatherBurstsWithoutAllocatingAndCountCallerTime()
    {
        try (BenchTarget target = BenchTarget.open(DeviceKind.IN_PROCESS, EngineMode.BACKOFF, 4 << 20, 64, 0))
        {
            final CopySlots slots = new CopySlots(target, 1024, 8);
            final DmaDevice device = target.device();
            final CallerCost cost = new CallerCost(target, false);
            final Runnable burst = () ->
            {
                final long start = System.nanoTime();
                for (int i = 0; i < 8; i++)
                {
                    final int slot = slots.nextSlot();
                    BenchTarget.checkEnqueued(device.copy(0, slots.srcIova(slot), slots.dstIova(slot), 1024, 0));
                }
                device.submit(0);
                cost.gather(start, 8);
            };
            for (int i = 0; i < WARMUP / 20; i++)
            {
                burst.run();
            }
            final long before = allocatedBytes(Thread.currentThread());
            double callerNs = 0;
            for (int i = 0; i < MEASURED / 20; i++)
            {
                final long start = System.nanoTime();
                for (int j = 0; j < 8; j++)
                {
                    final int slot = slots.nextSlot();
                    BenchTarget.checkEnqueued(device.copy(0, slots.srcIova(slot), slots.dstIova(slot), 1024, 0));
                }
                device.submit(0);
                callerNs += cost.gather(start, 8);
            }
            final long allocated = allocatedBytes(Thread.currentThread()) - before;
            assertTrue(allocated < MEASURED / 20, allocated + " bytes allocated by " + MEASURED / 20 + " bursts");
            assertTrue(callerNs > 0, "caller time " + callerNs);
            assertTrue(cost.gathersPerBurst() >= 1.0, "gathers per burst " + cost.gathersPerBurst());
            assertTrue(cost.waitNs() > 0, "the wait adapted to the engine: " + cost.waitNs());
            assertTrue(slots.verify());
        }
    }
}
