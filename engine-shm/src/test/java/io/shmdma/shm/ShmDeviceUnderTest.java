package io.shmdma.shm;

import io.shmdma.DeviceUnderTest;
import io.shmdma.DmaDevice;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DomainMemory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared-memory devices of one {@link ShmDomain} in a fresh directory under /dev/shm: rings in mapped files,
 * local addresses in the domain segment. The engine conformance suites of engine-core run against it.
 */
final class ShmDeviceUnderTest implements DeviceUnderTest
{
    private final EngineThreading threading;
    private final ShmTestDirectory dir;
    private final ShmDomain domain;
    private final List<DmaDevice> devices = new ArrayList<>();

    ShmDeviceUnderTest(final EngineThreading threading)
    {
        this.threading = threading;
        try
        {
            dir = new ShmTestDirectory();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        domain = ShmDomain.open(new ShmContext().dir(dir.path()).domainSegmentSize(MIN_MEMORY_BYTES));
    }

    @Override
    public DmaDevice create(final String name)
    {
        final DmaDevice device = domain.createDevice(name, threading);
        devices.add(device);
        return device;
    }

    @Override
    public DomainMemory memory()
    {
        return domain.memory();
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
        domain.close();
        try
        {
            dir.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
