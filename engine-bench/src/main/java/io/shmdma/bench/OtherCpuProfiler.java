package io.shmdma.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.util.Collection;
import java.util.Collections;

/**
 * A JMH profiler ({@code -prof io.shmdma.bench.OtherCpuProfiler}) that reports, per iteration, the share of all
 * CPUs used by processes other than the benchmark JVM ({@code other.cpu}, percent). A busy-spin benchmark on a
 * 2-core machine is only valid when it is near 0.
 * <p>
 * With {@code -prof io.shmdma.bench.OtherCpuProfiler:waitMs=10000} each iteration first waits, up to that long,
 * for a 200 ms window in which other processes used less than {@code quietPercent} (default 5) of the CPUs, so
 * that iterations start in the quiet gaps of a shared machine; the score still says whether it stayed quiet.
 */
public final class OtherCpuProfiler implements InternalProfiler
{
    private final long waitMs;
    private final double quietPercent;
    private HostCpu start;

    /** A profiler that does not wait. */
    public OtherCpuProfiler()
    {
        this("");
    }

    /**
     * @param initLine {@code waitMs=N,quietPercent=P}, either optional.
     */
    public OtherCpuProfiler(final String initLine)
    {
        long wait = 0;
        double quiet = 5;
        for (final String option : initLine.split(","))
        {
            final String trimmed = option.trim();
            if (trimmed.startsWith("waitMs="))
            {
                wait = Long.parseLong(trimmed.substring("waitMs=".length()));
            }
            else if (trimmed.startsWith("quietPercent="))
            {
                quiet = Double.parseDouble(trimmed.substring("quietPercent=".length()));
            }
            else if (!trimmed.isEmpty())
            {
                throw new IllegalArgumentException("unknown option " + trimmed + " (waitMs=N,quietPercent=P)");
            }
        }
        this.waitMs = wait;
        this.quietPercent = quiet;
    }

    @Override
    public void beforeIteration(final BenchmarkParams benchmarkParams, final IterationParams iterationParams)
    {
        HostCpu.awaitQuiet(waitMs, quietPercent);
        start = HostCpu.snapshot();
    }

    @Override
    public Collection<? extends Result<?>> afterIteration(
        final BenchmarkParams benchmarkParams, final IterationParams iterationParams, final IterationResult result)
    {
        final double percent = HostCpu.snapshot().otherPercentSince(start);
        return Collections.singletonList(new ScalarResult("other.cpu", percent, "%", AggregationPolicy.MAX));
    }

    @Override
    public String getDescription()
    {
        return "CPU used by other processes during each iteration, percent of all CPUs; waitMs=N waits for quiet";
    }
}
