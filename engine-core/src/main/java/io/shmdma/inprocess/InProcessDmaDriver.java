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
     * @throws io.shmdma.DmaException EINVAL for a null memory or threading or a bad name, EEXIST or ENOSPC as
     *                                {@link DmaDevices#register}.
     */
    public static DmaDevice create(final String name, final DomainMemory memory, final EngineThreading threading)
    {
        if (memory == null || threading == null)
        {
            throw new io.shmdma.DmaException(io.shmdma.Errno.EINVAL, "memory and threading are required");
        }
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
