package io.shmdma.bench;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaStatus;
import io.shmdma.VchanConf;
import io.shmdma.memory.DmaRegion;
import io.shmdma.memory.DomainMemory;
import org.agrona.concurrent.AgentInvoker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A started device with one vchan and the domain memory its jobs address, as every benchmark needs it.
 * Call {@link #close()} in teardown: it stops the engine and frees the device name.
 */
public final class BenchTarget implements AutoCloseable
{
    /** IOVA of the first byte of the benchmark domain; never 0. */
    public static final long IOVA_BASE = 0x1_0000_0000L;
    /** The one vchan used. */
    public static final int VCHAN = 0;

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final DomainMemory memory;
    private final DmaDevice device;
    private final AgentInvoker invoker;
    private final EngineMode engineMode;
    private final Completion completion = new Completion();

    private BenchTarget(final DomainMemory memory, final DmaDevice device, final EngineMode engineMode)
    {
        this.memory = memory;
        this.device = device;
        this.engineMode = engineMode;
        this.invoker = device.engineInvoker();
    }

    /**
     * Creates, configures and starts a device.
     *
     * @param kind        the device under test.
     * @param engineMode  how its engine runs.
     * @param memoryBytes size of the domain memory for the regions the caller will allocate.
     * @param nbDesc      descriptors of the vchan.
     * @param confFlags   {@link io.shmdma.ConfFlags} bits, e.g. ENQ_DEQ.
     * @return the started target.
     */
    public static BenchTarget open(
        final DeviceKind kind, final EngineMode engineMode, final long memoryBytes, final int nbDesc,
        final long confFlags)
    {
        final DomainMemory memory = DomainMemory.allocateDirect(IOVA_BASE, memoryBytes);
        final String name = "bench-" + kind.name().toLowerCase(java.util.Locale.ROOT) + "-" +
            SEQUENCE.incrementAndGet();
        final DmaDevice device = kind.create(name, memory, engineMode.threading());
        try
        {
            device.configure(new DmaConf(1, confFlags));
            device.vchanSetup(VCHAN, new VchanConf(nbDesc));
            device.start();
        }
        catch (final RuntimeException ex)
        {
            device.close();
            throw ex;
        }
        return new BenchTarget(memory, device, engineMode);
    }

    /**
     * The device.
     *
     * @return the started device.
     */
    public DmaDevice device()
    {
        return device;
    }

    /**
     * The domain memory.
     *
     * @return the memory.
     */
    public DomainMemory memory()
    {
        return memory;
    }

    /**
     * How the engine runs.
     *
     * @return the mode.
     */
    public EngineMode engineMode()
    {
        return engineMode;
    }

    /**
     * Allocates a region of the domain, filled with a byte pattern so copies move non-zero data.
     *
     * @param length bytes.
     * @param seed   varies the pattern.
     * @return the region.
     */
    public DmaRegion allocate(final long length, final int seed)
    {
        final DmaRegion region = memory.allocate(length);
        Buffers.fillPattern(region.buffer(), seed);
        return region;
    }

    /** Runs the engine once on this thread when it is inline; does nothing otherwise. */
    public void drive()
    {
        final AgentInvoker inlineInvoker = invoker;
        if (inlineInvoker != null)
        {
            inlineInvoker.invoke();
        }
    }

    /**
     * Spins, driving an inline engine, until {@code count} jobs have completed successfully.
     *
     * @param count jobs outstanding.
     * @return the ring index of the last job.
     * @throws IllegalStateException when a job failed.
     */
    public int awaitCompleted(final int count)
    {
        final DmaDevice dev = device;
        final Completion result = completion;
        int done = 0;
        while (done < count)
        {
            drive();
            done += dev.completed(VCHAN, count - done, result);
            if (result.hasError)
            {
                throw failed();
            }
        }
        return result.lastIdx;
    }

    /**
     * Throws for a negative ring index from an enqueue.
     *
     * @param ringIdx the result of copy, copySg or fill.
     * @return the index.
     * @throws IllegalStateException for a negative errno.
     */
    public static int checkEnqueued(final int ringIdx)
    {
        if (ringIdx < 0)
        {
            throw new IllegalStateException("enqueue failed: errno " + -ringIdx);
        }
        return ringIdx;
    }

    IllegalStateException failed()
    {
        final DmaStatus[] status = new DmaStatus[1];
        device.completedStatus(VCHAN, 1, completion, status);
        return new IllegalStateException("DMA job failed: " + status[0]);
    }

    /** Stops and closes the device. */
    @Override
    public void close()
    {
        if (device.isValid())
        {
            device.stop();
            device.close();
        }
    }

    /**
     * Checks that the benchmark's copies landed, then closes the device, whether they did or not.
     *
     * @param landed whether every destination holds what its source held.
     * @throws IllegalStateException when they do not.
     */
    public void closeVerified(final BooleanSupplier landed)
    {
        try
        {
            if (!landed.getAsBoolean())
            {
                throw new IllegalStateException("destination differs from source");
            }
        }
        finally
        {
            close();
        }
    }
}
