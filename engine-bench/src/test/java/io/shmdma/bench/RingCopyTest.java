package io.shmdma.bench;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RingCopyTest
{
    @Test
    void shouldCopyEveryJobThroughTheAgronaRingAndDrainWhenStopped() throws IOException, InterruptedException
    {
        final PerfCase perfCase = PerfConfig.parse(new StringReader(String.join("\n",
            "[case1]", "type=DMA_MEM_COPY", "mem_size=1", "buf_size=100", "dma_ring_size=64", "kick_batch=8", "")))
            .cases().get(0);
        try (BenchTarget target = BenchTarget.open(DeviceKind.IN_PROCESS, EngineMode.INLINE, 4 << 20, 64, 0))
        {
            final PerfWorkload workload = new PerfWorkload(target, perfCase, perfCase.scenarios().get(0), false);
            workload.clearDestination();
            assertNotNull(workload.verify(), "the destination starts cleared, unlike the source");

            final PerfWorker.RingCopy worker =
                new PerfWorker.RingCopy(workload, 64, 8, new BackoffIdleStrategy(1, 1, 1_000, 100_000));
            worker.start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (worker.completed.get() < 2L * workload.jobs && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            worker.stop = true;
            worker.join(TimeUnit.SECONDS.toMillis(30));

            assertFalse(worker.isAlive());
            assertNull(worker.error);
            assertTrue(worker.completed.get() >= 2L * workload.jobs, "every job copied at least twice");
            assertNull(workload.verify(), "every destination holds its source's bytes");
        }
    }
}
