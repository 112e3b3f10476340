package io.shmdma;

import io.shmdma.memory.DomainMemory;
import org.agrona.concurrent.AgentInvoker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A kind of device the conformance suites run against: {@link AbstractDmaApiConformanceTest} and
 * {@link AbstractDmadevConformanceTest} take one per test through their {@code newDeviceUnderTest()}.
 * engine-core implements it for the in-process device; engine-shm does for its shared-memory device.
 * <p>
 * Jobs of a device created here address {@link #memory()}: both ends of a local vchan resolve in it.
 */
public interface DeviceUnderTest extends AutoCloseable
{
    /** Longest a test waits for an engine that runs on its own thread. */
    long ENGINE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** Fewest bytes {@link #memory()} must hold for the suites. */
    long MIN_MEMORY_BYTES = 8L << 20;

    /**
     * Registers a new, unconfigured device.
     *
     * @param name unique device name, shorter than {@link DmaDevices#NAME_MAX_LENGTH}.
     * @return the device.
     */
    DmaDevice create(String name);

    /**
     * The domain where the devices' local addresses resolve; the suites allocate their buffers here
     * and need at least {@link #MIN_MEMORY_BYTES}.
     *
     * @return the domain memory.
     */
    DomainMemory memory();

    /**
     * Returns once every job submitted to a started device has been executed: drives an inline engine
     * until it has no more work, or waits (without spinning) for a dedicated engine thread.
     *
     * @param device a device created by {@link #create(String)}.
     */
    default void awaitEngine(final DmaDevice device)
    {
        final AgentInvoker invoker = device.engineInvoker();
        if (invoker != null)
        {
            for (int i = 0; invoker.invoke() > 0; i++)
            {
                if (i > 100_000_000)
                {
                    throw new AssertionError("inline engine of " + device + " never runs out of work");
                }
            }
            return;
        }
        if (!device.isStarted())
        {
            return;
        }
        final int nbVchans = device.conf().nbVchans;
        final long deadlineNs = System.nanoTime() + ENGINE_TIMEOUT_NS;
        for (int vchan = 0; vchan < nbVchans; vchan++)
        {
            while (device.vchanStatus(vchan) == VchanStatus.ACTIVE)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new AssertionError("engine of " + device + " vchan " + vchan + " still active after " +
                        TimeUnit.NANOSECONDS.toMillis(ENGINE_TIMEOUT_NS) + " ms");
                }
                LockSupport.parkNanos(50_000);
            }
        }
    }

    /** Stops and closes every device this fixture created that is still valid, and releases the memory. */
    @Override
    void close();
}
