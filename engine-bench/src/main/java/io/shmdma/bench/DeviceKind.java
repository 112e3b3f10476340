package io.shmdma.bench;

import io.shmdma.DmaDevice;
import io.shmdma.engine.EngineThreading;
import io.shmdma.inprocess.InProcessDmaDriver;
import io.shmdma.memory.DomainMemory;

/**
 * The device under test. Benchmarks take it as a parameter so that the inter-process device of
 * engine-shm can be measured by the same code once it exists (a constant here, and a
 * {@link BenchTarget} whose source and destination regions live in two domains).
 */
public enum DeviceKind
{
    /** {@link InProcessDmaDriver}: rings in direct memory, both ends in one domain of this JVM. */
    IN_PROCESS
    {
        @Override
        DmaDevice create(final String name, final DomainMemory memory, final EngineThreading threading)
        {
            return InProcessDmaDriver.create(name, memory, threading);
        }
    };

    /**
     * Registers a device of this kind.
     *
     * @param name      unique in this JVM.
     * @param memory    the domain its jobs address.
     * @param threading how its engine runs.
     * @return the registered, unconfigured device.
     */
    abstract DmaDevice create(String name, DomainMemory memory, EngineThreading threading);
}
