package io.shmdma.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Secondary JMH results of a burst benchmark: JMH reports each public field as a rate per second next to the
 * primary score (bursts per second), so every method shows copies/s and bytes/s on the same footing.
 * {@code callerNs} is the calling thread's own nanoseconds outside waiting ({@link CallerCost}), so
 * {@code callerNs / ops} is the caller's cost per job: for a DMA method enqueue, doorbell and gathering, for a
 * CPU baseline the copy itself. {@code gathers} counts a DMA method's completion polls that returned jobs, so
 * {@code gathers} over the primary score is the polls per burst, about 1 when the caller cost is measured as meant.
 */
@AuxCounters(AuxCounters.Type.OPERATIONS)
@State(Scope.Thread)
public class BurstCounters
{
    /** Jobs (copies, fills) completed. */
    public long ops;
    /** Payload bytes moved. */
    public long bytes;
    /** The calling thread's nanoseconds outside waiting. */
    public double callerNs;
    /** Completion polls that returned jobs (DMA methods). */
    public long gathers;

    /** Resets the counts at the start of each iteration. */
    @Setup(Level.Iteration)
    public void reset()
    {
        ops = 0;
        bytes = 0;
        callerNs = 0;
        gathers = 0;
    }

    /**
     * Counts a completed burst.
     *
     * @param jobs       jobs in the burst.
     * @param jobBytes   payload bytes per job.
     */
    public void add(final int jobs, final long jobBytes)
    {
        ops += jobs;
        bytes += jobs * jobBytes;
    }

    /**
     * Counts a completed burst and the caller's time for it.
     *
     * @param jobs     jobs in the burst.
     * @param jobBytes payload bytes per job.
     * @param ns       the caller's nanoseconds outside waiting.
     */
    public void add(final int jobs, final long jobBytes, final double ns)
    {
        ops += jobs;
        bytes += jobs * jobBytes;
        callerNs += ns;
    }

    /**
     * Counts a completed DMA burst, the caller's time for it and the polls that gathered it.
     *
     * @param jobs     jobs in the burst.
     * @param jobBytes payload bytes per job.
     * @param ns       the caller's nanoseconds outside waiting.
     * @param cost     the caller cost that gathered the burst.
     */
    public void add(final int jobs, final long jobBytes, final double ns, final CallerCost cost)
    {
        add(jobs, jobBytes, ns);
        gathers += cost.takeGathers();
    }
}
