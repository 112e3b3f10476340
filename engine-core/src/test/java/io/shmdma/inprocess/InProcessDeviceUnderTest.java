package io.shmdma.inprocess;

import io.shmdma.DeviceUnderTest;
import io.shmdma.DmaDevice;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DomainMemory;

import java.util.ArrayList;
import java.util.List;

/**
 * In-process devices over one direct-memory domain, with an inline engine unless told otherwise.
 */
final class InProcessDeviceUnderTest implements DeviceUnderTest
{
    /** IOVA of the first byte of the domain; not 0 so that IOVA 0 is never valid. */
    static final long IOVA_BASE = 0x1_0000_0000L;

    private final EngineThreading threading;
    private final DomainMemory memory;
    private final List<DmaDevice> devices = new ArrayList<>();

    InProcessDeviceUnderTest()
    {
        this(EngineThreading.inline(), MIN_MEMORY_BYTES);
    }

    InProcessDeviceUnderTest(final EngineThreading threading, final long memoryBytes)
    {
        this.threading = threading;
        this.memory = DomainMemory.allocateDirect(IOVA_BASE, memoryBytes);
    }

    @Override
    public DmaDevice create(final String name)
    {
        final DmaDevice device = InProcessDmaDriver.create(name, memory, threading);
        devices.add(device);
        return device;
    }

    @Override
    public DomainMemory memory()
    {
        return memory;
    }

    @Override
    public void close()
    {
        for (final DmaDevice device : devices)
        {
            if (device.isValid())
            {
                device.stop();
                device.close();
            }
        }
        devices.clear();
    }
}
