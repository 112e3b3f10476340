package io.shmdma.inprocess;

import io.shmdma.Completion;
import io.shmdma.DeviceDrivers;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaInfo;
import io.shmdma.DmaTestSupport;
import io.shmdma.VchanConf;
import io.shmdma.VchanStatus;
import io.shmdma.engine.EngineThreading;
import io.shmdma.engine.SoftwareDmaDriver;
import io.shmdma.memory.DmaRegion;
import org.agrona.concurrent.AgentInvoker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What is particular to the in-process device: its exact capabilities and limits, the inline invoker's
 * lifetime, and an engine on its own (backing-off) thread.
 */
class InProcessDeviceTest
{
    private InProcessDeviceUnderTest dut;

    @AfterEach
    void closeFixture()
    {
        if (dut != null)
        {
            dut.close();
        }
    }

    @Test
    void shouldReportSoftwareCapabilitiesAndLimits()
    {
        dut = new InProcessDeviceUnderTest();
        final DmaDevice device = dut.create(DmaTestSupport.uniqueName("inprocess"));
        final DmaInfo info = device.info();
        assertEquals(SoftwareDmaDriver.BASE_CAPABILITIES, info.devCapa);
        assertEquals(SoftwareDmaDriver.MAX_VCHANS, info.maxVchans);
        assertEquals(SoftwareDmaDriver.MIN_DESC, info.minDesc);
        assertEquals(SoftwareDmaDriver.MAX_DESC, info.maxDesc);
        assertEquals(SoftwareDmaDriver.MAX_SGES, info.maxSges);
        assertEquals(0, info.nbPriorities);
        assertEquals(-1, info.numaNode);
        assertTrue(DeviceDrivers.driverOf(device) instanceof InProcessDmaDriver);
        assertSame(dut.memory(), ((SoftwareDmaDriver)DeviceDrivers.driverOf(device)).localMemory());
    }

    @Test
    void shouldOfferTheInlineInvokerOnlyWhileStarted()
    {
        dut = new InProcessDeviceUnderTest();
        final DmaDevice device = dut.create(DmaTestSupport.uniqueName("inprocess"));
        assertNull(device.engineInvoker());
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, new VchanConf(32));
        assertNull(device.engineInvoker());
        device.start();
        final AgentInvoker invoker = device.engineInvoker();
        assertNotNull(invoker);
        assertTrue(invoker.isRunning());
        device.stop();
        assertNull(device.engineInvoker());
        assertFalse(invoker.isRunning());
        device.start();
        assertNotNull(device.engineInvoker());
        device.stop();
    }

    @Test
    void shouldCopyWithAnEngineOnItsOwnThread()
    {
        dut = new InProcessDeviceUnderTest(EngineThreading.backoff(), 4L << 20);
        final DmaDevice device = dut.create(DmaTestSupport.uniqueName("threaded"));
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, new VchanConf(256));
        device.start();
        assertNull(device.engineInvoker(), "no invoker for a dedicated engine");

        final int slots = 64;
        final DmaRegion src = dut.memory().allocate(slots * 64L);
        final DmaRegion dst = dut.memory().allocate(slots * 64L);
        final SplittableRandom random = new SplittableRandom(5);
        final Completion completion = new Completion();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        final int jobs = 20_000;
        int tail = 0;
        int head = 0;
        while (head < jobs)
        {
            final int burst = Math.min(jobs - tail, random.nextInt(65));
            for (int i = 0; i < burst && tail - head < slots; i++)
            {
                src.buffer().putLong((tail % slots) * 64, tail);
                assertEquals(tail & 0xFFFF, device.copy(0, src.iova((tail % slots) * 64L),
                    dst.iova((tail % slots) * 64L), 64, 0));
                tail++;
            }
            device.submit(0);
            final int gathered = device.completed(0, 256, completion);
            assertFalse(completion.hasError);
            for (int i = 0; i < gathered; i++)
            {
                final int seq = head + i;
                assertEquals(seq, dst.buffer().getLong((seq % slots) * 64), "job " + seq);
            }
            head += gathered;
            if (gathered == 0)
            {
                LockSupport.parkNanos(20_000);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail(head + " of " + jobs + " jobs completed in time");
            }
            assertTrue(tail - head <= slots, "slots are reused only after completion");
        }
        dut.awaitEngine(device);
        assertEquals(VchanStatus.IDLE, device.vchanStatus(0));
        assertEquals(jobs, device.stats(0).completed);
        final SoftwareDmaDriver driver = (SoftwareDmaDriver)DeviceDrivers.driverOf(device);
        assertEquals(0, driver.engineErrors());
        assertNull(driver.lastEngineError());
        device.stop();
        assertTrue(EngineThreading.backoff().toString().startsWith("dedicated("));
        assertEquals("inline", EngineThreading.inline().toString());
    }

    @Test
    void shouldStopADedicatedEngineWithJobsInFlight()
    {
        dut = new InProcessDeviceUnderTest(EngineThreading.backoff(), 4L << 20);
        final DmaDevice device = dut.create(DmaTestSupport.uniqueName("threaded"));
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, new VchanConf(1024));
        final DmaRegion src = dut.memory().allocate(1024 * 1024);
        final DmaRegion dst = dut.memory().allocate(1024 * 1024);
        src.buffer().setMemory(0, 1024 * 1024, (byte)9);
        for (int round = 0; round < 5; round++)
        {
            device.start();
            for (int i = 0; i < 1000; i++)
            {
                assertEquals(i, device.copy(0, src.iova(), dst.iova(), 1024 * 1024, 0));
            }
            device.submit(0);
            device.stop();
            assertEquals(VchanStatus.IDLE, device.vchanStatus(0), "stop finishes submitted jobs");
            assertEquals(1000L * (round + 1), device.stats(0).completed);
        }
        assertEquals(9, dst.buffer().getByte(1024 * 1024 - 1));
    }
}
