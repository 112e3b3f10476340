package io.shmdma.shm;

import io.shmdma.AbstractDmadevConformanceTest;
import io.shmdma.DeviceUnderTest;
import io.shmdma.engine.EngineThreading;

/**
 * DPDK's test_dmadev.c mem-to-mem cases against the shared-memory device, rings in mapped files.
 */
class ShmDmadevConformanceTest extends AbstractDmadevConformanceTest
{
    @Override
    protected DeviceUnderTest newDeviceUnderTest()
    {
        return new ShmDeviceUnderTest(EngineThreading.inline());
    }
}
