package io.shmdma.inprocess;

import io.shmdma.AbstractDmaApiConformanceTest;
import io.shmdma.DeviceUnderTest;

class InProcessDmaApiConformanceTest extends AbstractDmaApiConformanceTest
{
    @Override
    protected DeviceUnderTest newDeviceUnderTest()
    {
        return new InProcessDeviceUnderTest();
    }
}
