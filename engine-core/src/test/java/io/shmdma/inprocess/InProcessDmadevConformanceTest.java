package io.shmdma.inprocess;

import io.shmdma.AbstractDmadevConformanceTest;
import io.shmdma.DeviceUnderTest;

class InProcessDmadevConformanceTest extends AbstractDmadevConformanceTest
{
    @Override
    protected DeviceUnderTest newDeviceUnderTest()
    {
        return new InProcessDeviceUnderTest();
    }
}
