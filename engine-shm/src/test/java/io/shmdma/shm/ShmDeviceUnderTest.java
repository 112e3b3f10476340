package io.shmdma.shm;

import io.shmdma.DeviceUnderTest;
import io.shmdma.DmaDevice;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DomainMemory;
import io.shmdma.shm.driver.DriverContext;
import io.shmdma.shm.driver.ShmDriver;
import org.agrona.CloseHelper;

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
    private final ShmDriver driver;
    private final List<DmaDevice> devices = new ArrayList<>();

    ShmDeviceUnderTest(final EngineThreading threading)
    {
        this(threading, false);
    }

    /**
     * @param threading how embedded engines run.
     * @param driverMode whether the domain runs in driver mode, served by a {@link ShmDriver} embedded in this JVM
     *                   (one engine thread, backing off when idle).
     */
    ShmDeviceUnderTest(final EngineThreading threading, final boolean driverMode)
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
        driver = driverMode ? ShmDriver.launch(new DriverContext().dir(dir.path()).engineThreads(1).idle("backoff")) :
            null;
        domain = ShmDomain.open(new ShmContext().dir(dir.path()).domainSegmentSize(MIN_MEMORY_BYTES)
            .engineMode(driverMode ? ShmContext.EngineMode.DRIVER : ShmContext.EngineMode.EMBEDDED));
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
        CloseHelper.quietClose(driver);
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
