package io.shmdma.inprocess;

import io.shmdma.AbstractDmadevConformanceTest;
import io.shmdma.DeviceUnderTest;
import io.shmdma.engine.EngineThreading;

/**
 * The dmadev suite with the engine on its own thread, backing off when idle: every completion crosses threads.
 */
class InProcessThreadedDmadevConformanceTest extends AbstractDmadevConformanceTest
{
    @Override
    protected DeviceUnderTest newDeviceUnderTest()
    {
        return new InProcessDeviceUnderTest(EngineThreading.backoff(), DeviceUnderTest.MIN_MEMORY_BYTES);
    }
}
