package io.shmdma.bench;

import io.shmdma.DmaDevice;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallerCostTest
{
    @Test
    void shouldGatherBurstOfJobsCompletingOneByOneInAboutOnePoll()
    {
        final int size = 1 << 20;
        final int kick = 8;
        try (BenchTarget target = BenchTarget.open(
            DeviceKind.IN_PROCESS, EngineMode.BACKOFF, CopySlots.domainBytes(size, kick), 64, 0))
        {
            final CopySlots slots = new CopySlots(target, size, kick);
            final CallerCost cost = new CallerCost(target, false);
            double callerNs = 0;
            for (int i = 0; i < 40; i++)
            {
                callerNs += BurstThroughputBenchmark.dmaBurst(target.device(), slots, kick, size, cost);
            }
            assertEquals(40, cost.bursts());
            assertTrue(cost.gathersPerBurst() < 2.0, "gathers per burst " + cost.gathersPerBurst());
            assertTrue(cost.waitNs() > 0, "the wait adapted to the engine: " + cost.waitNs());
            assertTrue(callerNs > 0, "caller time " + callerNs);
            assertTrue(slots.verify());
        }
    }

    @Test
    void shouldWarmUpThroughTheBurstCodeThenForgetStatisticsAndWait()
    {
        final int kick = 8;
        try (BenchTarget target = BenchTarget.open(
            DeviceKind.IN_PROCESS, EngineMode.INLINE, CopySlots.domainBytes(1024, kick), 64, 0))
        {
            final CopySlots slots = new CopySlots(target, 1024, kick);
            final DmaDevice device = target.device();
            final CallerCost cost = new CallerCost(target, false);
            final long[] bursts = new long[1];
            final String report = CallerCost.warmUp(cost, kick, () ->
            {
                BurstThroughputBenchmark.dmaBurst(device, slots, kick, CallerCost.WARM_UP_JOB_BYTES, cost);
                bursts[0]++;
            });
            final long expected = Math.max(CallerCost.WARM_UP_BURSTS, CallerCost.WARM_UP_JOBS / kick);
            assertEquals(expected, bursts[0]);
            assertTrue(report.startsWith("warm-up: " + expected + " bursts of 8 jobs in "), report);
            assertEquals(0, cost.bursts());
            assertEquals(0, cost.gathers());
            assertEquals(0, cost.waitNs());
        }
    }
}
