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
 * 2-core machine is only valid when it is near 0; the run scripts keep it next to every score.
 */
public final class OtherCpuProfiler implements InternalProfiler
{
    private HostCpu start;

    @Override
    public void beforeIteration(final BenchmarkParams benchmarkParams, final IterationParams iterationParams)
    {
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
        return "CPU used by other processes during each iteration, percent of all CPUs";
    }
}
