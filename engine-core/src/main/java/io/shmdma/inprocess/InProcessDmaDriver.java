package io.shmdma.inprocess;

import io.shmdma.DmaDevice;
import io.shmdma.DmaDevices;
import io.shmdma.engine.EngineThreading;
import io.shmdma.engine.SoftwareDmaDriver;
import io.shmdma.memory.DomainMemory;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A software copy-offload device inside one JVM: rings in direct memory, both ends of every vchan in the
 * local {@link DomainMemory}.
 */
public final class InProcessDmaDriver extends SoftwareDmaDriver
{
    private InProcessDmaDriver(final DomainMemory memory, final EngineThreading threading)
    {
        super(memory, threading);
    }

    /**
     * Registers an in-process device.
     *
     * @param name      unique device name.
     * @param memory    the domain memory its jobs address.
     * @param threading how the engine runs.
     * @return the device.
     */
    public static DmaDevice create(final String name, final DomainMemory memory, final EngineThreading threading)
    {
        final InProcessDmaDriver driver = new InProcessDmaDriver(memory, threading);
        driver.name(name);
        return DmaDevices.register(name, driver);
    }

    @Override
    protected long extraCapabilities()
    {
        return 0;
    }

    @Override
    protected AtomicBuffer ringBuffer(final int vchan, final int length)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, 128));
    }
}
