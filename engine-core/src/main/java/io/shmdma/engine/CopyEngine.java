package io.shmdma.engine;

import io.shmdma.memory.DomainEndpoint;
import io.shmdma.ring.RingDescriptor;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;

import java.util.Arrays;

/**
 * The "hardware" of a device: an Agrona {@link Agent} that executes the submitted jobs of every vchan of
 * one device. Run it by an {@link org.agrona.concurrent.AgentRunner} with an idle strategy, or inline
 * through an {@link org.agrona.concurrent.AgentInvoker}; either way one thread at a time.
 * <p>
 * {@link #doWork()} never throws, whatever the rings hold: a job that throws (an endpoint's failure, a SIGBUS
 * turned into an {@link InternalError}) completes with an error status, is counted by {@link #faults()} and
 * reported to the fault handler, and the engine goes on with the next job. Jobs flagged
 * {@link io.shmdma.OpFlags#FENCE} are ordered after every access of the vchan's earlier jobs (see "Memory ordering"
 * in docs/architecture.md).
 */
public final class CopyEngine implements Agent
{
    /** Most jobs executed on one vchan before looking at the next, for fairness. */
    public static final int VCHAN_BURST = 64;

    private static final ErrorHandler IGNORE = (ex) -> {};

    private final String roleName;
    private final ErrorHandler faultHandler;
    private EngineVchan[] vchans = new EngineVchan[0];
    private volatile long lateFaults;

    /**
     * An engine whose faults are only counted.
     *
     * @param roleName name of the agent, e.g. {@code "shmdma-engine-dma0"}.
     */
    public CopyEngine(final String roleName)
    {
        this(roleName, null);
    }

    /**
     * @param roleName     name of the agent, e.g. {@code "shmdma-engine-dma0"}.
     * @param faultHandler told, on the engine thread, about anything a job or a ring access threw (the job has
     *                     already failed with an error status); null to only count them. It must not block.
     */
    public CopyEngine(final String roleName, final ErrorHandler faultHandler)
    {
        this.roleName = roleName;
        this.faultHandler = faultHandler == null ? IGNORE : faultHandler;
    }

    /**
     * Adds a vchan. Only while the engine is not running.
     *
     * @param ring        the vchan's ring buffer, formatted by {@link io.shmdma.ring.DescriptorRing}.
     * @param source      where source addresses resolve.
     * @param destination where destination addresses resolve.
     * @return the ring's capacity as read (once) and checked here, which the engine serves the ring with.
     * @throws IllegalArgumentException for a null argument or a ring whose header is not a valid ring.
     */
    public int addVchan(final AtomicBuffer ring, final DomainEndpoint source, final DomainEndpoint destination)
    {
        if (ring == null || source == null || destination == null)
        {
            throw new IllegalArgumentException("ring, source and destination are required");
        }
        if (ring.capacity() < RingDescriptor.HEADER_LENGTH)
        {
            throw new IllegalArgumentException("ring buffer shorter than the ring header: " + ring.capacity());
        }
        // read once: the engine serves the ring with these values, whatever the header holds later
        final int capacity = ring.getInt(RingDescriptor.CAPACITY_OFFSET);
        final int maxSges = ring.getInt(RingDescriptor.MAX_SGES_OFFSET);
        RingDescriptor.checkGeometry(capacity, maxSges);
        if (ring.capacity() < RingDescriptor.ringLength(capacity, maxSges))
        {
            throw new IllegalArgumentException("ring buffer of " + ring.capacity() + " bytes is shorter than its " +
                "header says: " + RingDescriptor.ringLength(capacity, maxSges));
        }
        vchans = Arrays.copyOf(vchans, vchans.length + 1);
        vchans[vchans.length - 1] = new EngineVchan(ring, capacity, maxSges, source, destination, faultHandler);
        return capacity;
    }

    @Override
    public int doWork()
    {
        int work = 0;
        try
        {
            for (final EngineVchan vchan : vchans)
            {
                work += vchan.process(VCHAN_BURST);
            }
        }
        catch (final Throwable ex)
        {
            // process never throws; only an error the JVM delivers late (Java 17's SIGBUS) can land here
            lateFaults++;
            try
            {
                faultHandler.onError(ex);
            }
            catch (final Throwable ignore)
            {
                // the handler's own failure must not stop the engine either
            }
        }
        return work;
    }

    /**
     * Things thrown while the engine ran, summed over its vchans: each failed a job with an error status, or (a
     * truncated ring, an error delivered late) was caught between jobs. Readable from any thread.
     *
     * @return the count.
     */
    public long faults()
    {
        long total = lateFaults;
        for (final EngineVchan vchan : vchans)
        {
            total += vchan.faults();
        }
        return total;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
