package io.shmdma.shm;

import io.shmdma.AbstractDmadevConformanceTest;
import io.shmdma.DeviceUnderTest;
import io.shmdma.engine.EngineThreading;

/**
 * DPDK's test_dmadev.c mem-to-mem cases against the shared-memory device in driver mode: the jobs run on the engine
 * thread of a {@link io.shmdma.shm.driver.ShmDriver}, which maps the rings and the segment from their files.
 */
class ShmDriverDmadevConformanceTest extends AbstractDmadevConformanceTest
{
    @Override
    protected DeviceUnderTest newDeviceUnderTest()
    {
        return new ShmDeviceUnderTest(EngineThreading.inline(), true);
    }
}
