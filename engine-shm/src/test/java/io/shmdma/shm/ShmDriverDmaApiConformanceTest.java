package io.shmdma.shm;

import io.shmdma.AbstractDmaApiConformanceTest;
import io.shmdma.DeviceUnderTest;
import io.shmdma.engine.EngineThreading;

/**
 * DPDK's test_dmadev_api.c cases against the shared-memory device in driver mode.
 */
class ShmDriverDmaApiConformanceTest extends AbstractDmaApiConformanceTest
{
    @Override
    protected DeviceUnderTest newDeviceUnderTest()
    {
        return new ShmDeviceUnderTest(EngineThreading.inline(), true);
    }
}
