package io.shmdma.bench;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the JMH benchmarks of this module through JMH's API, one parameter combination at a time with the DMA
 * benchmark and its baselines back to back, and prints Markdown tables of the results with the DMA/baseline
 * ratios that docs/performance.md reports.
 * <p>
 * On a small shared machine a busy-spin benchmark is only valid while no other process runs: every iteration
 * carries the CPU share other processes used ({@link OtherCpuProfiler}, which also waits for a quiet moment
 * before each iteration); iterations above the threshold are discarded, a combination with too few clean
 * iterations is run again, and each row says how many of its iterations were clean. Scores are medians of the
 * clean iterations.
 * <pre>
 * java -cp benchmarks.jar io.shmdma.bench.BenchReport [--quick] [--out report.md] [--threshold 5]
 *     [--min-clean 3] [--attempts 3]
 * </pre>
 */
public final class BenchReport
{
    private static final String PACKAGE = "io.shmdma.bench.";
    private static final String OTHER_CPU = "other.cpu";
    private static final String ALLOC = "gc.alloc.rate.norm";
    private static final String ALLOC_RATE = "gc.alloc.rate";

    private final boolean quick;
    private final double threshold;
    private final int minClean;
    private final int attempts;
    private final PrintStream log;

    BenchReport(final boolean quick, final double threshold, final int minClean, final int attempts,
        final PrintStream log)
    {
        this.quick = quick;
        this.threshold = threshold;
        this.minClean = minClean;
        this.attempts = attempts;
        this.log = log;
    }

    /**
     * Runs the suite and writes the report.
     *
     * @param args see the class Javadoc.
     * @throws Exception when JMH fails or the report cannot be written.
     */
    public static void main(final String[] args) throws Exception
    {
        boolean quick = false;
        Path out = null;
        double threshold = 5;
        int minClean = 3;
        int attempts = 3;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--out":
                    out = Paths.get(args[++i]);
                    break;
                case "--threshold":
                    threshold = Double.parseDouble(args[++i]);
                    break;
                case "--min-clean":
                    minClean = Integer.parseInt(args[++i]);
                    break;
                case "--attempts":
                    attempts = Integer.parseInt(args[++i]);
                    break;
                default:
                    System.err.println("usage: BenchReport [--quick] [--out report.md] [--threshold PERCENT] " +
                        "[--min-clean N] [--attempts N]");
                    System.exit(2);
                    return;
            }
        }
        if (quick)
        {
            minClean = Math.min(minClean, 1);
            attempts = Math.min(attempts, 1);
        }
        final BenchReport report = new BenchReport(quick, threshold, minClean, attempts, System.err);
        final String markdown = report.run();
        System.out.println(markdown);
        if (out != null)
        {
            Files.writeString(out, markdown, StandardCharsets.UTF_8);
            System.err.println("report written to " + out.toAbsolutePath());
        }
    }

    /** Clean-iteration statistics of one benchmark method at one parameter combination. */
    static final class Row
    {
        final String method;
        final Map<String, String> params;
        final List<double[]> clean = new ArrayList<>();
        int total;
        double maxOtherCpuUsed = Double.NaN;
        double maxAlloc = Double.NaN;
        double maxAllocPerIteration = Double.NaN;

        Row(final String method, final Map<String, String> params)
        {
            this.method = method;
            this.params = params;
        }

        /**
         * Median of column {@code k} of the clean iterations: 0 score, 1 bytes/s, 2 p50, 3 p99, 4 the caller's
         * nanoseconds per job outside waiting ({@code callerNs / ops}), 5 completion polls that gathered jobs per
         * burst ({@code gathers} over the score; 0 for a CPU baseline).
         */
        double median(final int k)
        {
            final double[] values = clean.stream().mapToDouble(v -> v[k]).filter(v -> !Double.isNaN(v)).toArray();
            if (values.length == 0)
            {
                return Double.NaN;
            }
            Arrays.sort(values);
            final int n = values.length;
            return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        }

        String cleanText()
        {
            return clean.size() + "/" + total;
        }
    }

    String run() throws RunnerException
    {
        final StringBuilder md = new StringBuilder();
        md.append("Run ").append(ZonedDateTime.now()).append(": ").append(Runtime.getRuntime().availableProcessors())
            .append(" cpus, ").append(DmaPerf.cpuModel()).append(", ").append(System.getProperty("java.vm.name"))
            .append(' ').append(System.getProperty("java.runtime.version")).append(quick ? ", quick mode" : "")
            .append(String.format(Locale.ROOT, "; iterations with other processes above %.0f%% CPU discarded.%n",
                threshold))
            .append(String.format(Locale.ROOT, "Caller ns/job: the calling thread's own time outside waiting " +
                "(enqueue, doorbell, gathering; timer cost %.1f ns per timed region subtracted).%n%n",
                CallerCost.TIMER_NS));

        final List<Row> roundTrip = new ArrayList<>();
        for (final String method : List.of("dmaBusySpin", "dmaInline", "pingPong", "putBytes"))
        {
            roundTrip.add(measure("SingleCopyRoundTripBenchmark", method, Map.of()));
        }
        roundTripTable(md, roundTrip);

        final List<String> sizes = quick ? List.of("64", "65536") :
            List.of("64", "1024", "4096", "65536", "1048576", "16777216");
        final List<String> kicks = quick ? List.of("1", "32") : List.of("1", "8", "32");
        final List<Row[]> burst = new ArrayList<>();
        final Map<String, Row> rings = new LinkedHashMap<>();
        for (final String kick : kicks)
        {
            rings.put(kick, measure("BurstThroughputBenchmark", "ringHandOff", Map.of("kickBatch", kick)));
        }
        for (final String size : sizes)
        {
            for (final String kick : kicks)
            {
                final Map<String, String> params = Map.of("bufferSize", size, "kickBatch", kick);
                burst.add(new Row[]{
                    measure("BurstThroughputBenchmark", "dma", params),
                    measure("BurstThroughputBenchmark", "cpuCopy", params) });
            }
        }
        burstTable(md, burst, rings);

        final List<Row[]> sg = new ArrayList<>();
        for (final String layout : quick ? List.of("4x1") : List.of("4x1", "1x4", "4x4", "16x16"))
        {
            for (final String size : quick ? List.of("65536") : List.of("4096", "65536"))
            {
                final Map<String, String> params = Map.of("sges", layout, "bufferSize", size);
                sg.add(new Row[]{
                    measure("CopySgBenchmark", "dma", params), measure("CopySgBenchmark", "cpuCopy", params) });
            }
        }
        pairTable(md, "Scatter-gather copy (`CopySgBenchmark`, 32 jobs per doorbell)", sg, "sges", "cpuCopy");

        final List<Row[]> fill = new ArrayList<>();
        for (final String size : quick ? List.of("65536") : List.of("64", "4096", "65536", "1048576"))
        {
            final Map<String, String> params = Map.of("bufferSize", size);
            fill.add(new Row[]{
                measure("FillBenchmark", "dma", params), measure("FillBenchmark", "cpuPatternFill", params),
                measure("FillBenchmark", "cpuSetMemory", params) });
        }
        fillTable(md, fill);

        final List<Row> all = new ArrayList<>(roundTrip);
        rings.values().forEach(all::add);
        burst.forEach(pair -> all.addAll(Arrays.asList(pair)));
        sg.forEach(pair -> all.addAll(Arrays.asList(pair)));
        fill.forEach(rowSet -> all.addAll(Arrays.asList(rowSet)));
        md.append("### Allocation (`-prof gc`, whole JVM, clean iterations)\n\n")
            .append("| benchmark | params | max gc.alloc.rate.norm B/op | max bytes per iteration |\n")
            .append("| --- | --- | ---: | ---: |\n");
        for (final Row row : all)
        {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.0f |%n", row.method, row.params,
                row.maxAlloc, row.maxAllocPerIteration));
        }
        md.append('\n');
        return md.toString();
    }

    private Row measure(final String benchmarkClass, final String method, final Map<String, String> params)
        throws RunnerException
    {
        final Row row = new Row(benchmarkClass + "." + method, params);
        for (int attempt = 0; attempt < attempts && row.clean.size() < minClean; attempt++)
        {
            log.printf(Locale.ROOT, "%s.%s %s attempt %d%n", benchmarkClass, method, params, attempt + 1);
            final ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + PACKAGE.replace(".", "\\.") + benchmarkClass + "\\." + method + "$")
                .forks(1)
                .warmupIterations(quick ? 1 : 2)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 6)
                .measurementTime(TimeValue.milliseconds(quick ? 1000 : 500))
                .addProfiler(GCProfiler.class)
                .addProfiler(OtherCpuProfiler.class, "waitMs=" + (quick ? 1000 : 15000))
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true);
            for (final Map.Entry<String, String> param : params.entrySet())
            {
                options.param(param.getKey(), param.getValue());
            }
            for (final RunResult result : new Runner(options.build()).run())
            {
                for (final BenchmarkResult fork : result.getBenchmarkResults())
                {
                    for (final IterationResult iteration : fork.getIterationResults())
                    {
                        record(row, iteration);
                    }
                }
            }
        }
        log.printf(Locale.ROOT, "  clean %s, median score %.4g%n", row.cleanText(), row.median(0));
        return row;
    }

    private void record(final Row row, final IterationResult iteration)
    {
        row.total++;
        final double otherCpu = score(iteration.getSecondaryResults().get(OTHER_CPU));
        log.printf(Locale.ROOT, "  iteration %d: score %.4g, other processes %.1f%% CPU%n", row.total,
            iteration.getPrimaryResult().getScore(), otherCpu);
        if (!(otherCpu <= threshold))
        {
            return;
        }
        final Result<?> primary = iteration.getPrimaryResult();
        final double p50 = primary.getStatistics().getN() > 1 ? primary.getStatistics().getPercentile(50) : Double.NaN;
        final double p99 = primary.getStatistics().getN() > 1 ? primary.getStatistics().getPercentile(99) : Double.NaN;
        final double callerNsPerOp = score(iteration.getSecondaryResults().get("callerNs")) /
            score(iteration.getSecondaryResults().get("ops"));
        final double gathersPerBurst = score(iteration.getSecondaryResults().get("gathers")) / primary.getScore();
        row.clean.add(new double[]{
            primary.getScore(), score(iteration.getSecondaryResults().get("bytes")), p50, p99, callerNsPerOp,
            gathersPerBurst });
        row.maxOtherCpuUsed = Double.isNaN(row.maxOtherCpuUsed) ? otherCpu : Math.max(row.maxOtherCpuUsed, otherCpu);
        final double alloc = score(iteration.getSecondaryResults().get(ALLOC));
        row.maxAlloc = Double.isNaN(row.maxAlloc) ? alloc : Math.max(row.maxAlloc, alloc);
        final double perIteration = score(iteration.getSecondaryResults().get(ALLOC_RATE)) * 1024 * 1024 *
            iteration.getParams().getTime().convertTo(java.util.concurrent.TimeUnit.MILLISECONDS) / 1e3;
        row.maxAllocPerIteration = Double.isNaN(row.maxAllocPerIteration) ? perIteration :
            Math.max(row.maxAllocPerIteration, perIteration);
    }

    private static double score(final Result<?> result)
    {
        return result == null ? Double.NaN : result.getScore();
    }

    private static void roundTripTable(final StringBuilder md, final List<Row> rows)
    {
        md.append("### 64 B single copy round trip (`SingleCopyRoundTripBenchmark`, SampleTime)\n\n")
            .append("| method | mean ns | p50 ns | p99 ns | p50 / ping-pong | p99 / ping-pong | clean iterations |\n")
            .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        final Row pingPong = rows.get(2);
        for (final Row row : rows)
        {
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.0f | %.0f | %.2f | %.2f | %s |%n",
                shortName(row), row.median(0), row.median(2), row.median(3),
                row.median(2) / pingPong.median(2), row.median(3) / pingPong.median(3), row.cleanText()));
        }
        md.append('\n');
    }

    private static void burstTable(final StringBuilder md, final List<Row[]> pairs, final Map<String, Row> rings)
    {
        md.append("### Burst copies (`BurstThroughputBenchmark`): enqueue kickBatch copies, " +
            "one doorbell, gather all\n\n")
            .append("| buffer | kick | DMA GB/s | CPU GB/s | DMA / CPU | DMA Mcopies/s | ring hand-off Mmsgs/s | " +
                "DMA / ring | caller ns/copy | CPU copy ns/copy | caller / CPU copy | gathers/burst | " +
                "ring caller ns/msg | clean (DMA, CPU, ring) |\n")
            .append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: " +
                "| --- |\n");
        final Map<String, BreakEven> breakEven = new LinkedHashMap<>();
        for (final Row[] pair : pairs)
        {
            final String size = pair[0].params.get("bufferSize");
            final String kick = pair[0].params.get("kickBatch");
            final double dmaBytes = pair[0].median(1);
            final double cpuBytes = pair[1].median(1);
            final double dmaCopies = dmaBytes / Double.parseDouble(size);
            final Row ring = "64".equals(size) ? rings.get(kick) : null;
            final double ringMsgs = ring == null ? Double.NaN : ring.median(1) / 64;
            final double callerNs = pair[0].median(4);
            final double cpuNs = pair[1].median(4);
            breakEven.computeIfAbsent(kick, k -> new BreakEven()).add(Long.parseLong(size), callerNs, cpuNs);
            md.append(String.format(Locale.ROOT,
                "| %s | %s | %.2f | %.2f | %.2f | %.2f | %s | %s | %.1f | %.1f | %.3f | %.2f | %s | %s |%n",
                bytes(size), kick, dmaBytes / 1e9, cpuBytes / 1e9, dmaBytes / cpuBytes, dmaCopies / 1e6,
                ring == null ? "" : String.format(Locale.ROOT, "%.2f", ringMsgs / 1e6),
                ring == null ? "" : String.format(Locale.ROOT, "%.2f", dmaCopies / ringMsgs),
                callerNs, cpuNs, callerNs / cpuNs, pair[0].median(5),
                ring == null ? "" : String.format(Locale.ROOT, "%.1f", ring.median(4)),
                pair[0].cleanText() + ", " + pair[1].cleanText() + (ring == null ? "" : ", " + ring.cleanText())));
        }
        md.append('\n');
        for (final Map.Entry<String, BreakEven> kick : breakEven.entrySet())
        {
            md.append("Break-even size, kick ").append(kick.getKey()).append(" (offloading costs the caller less " +
                "than copying from this size on): ").append(kick.getValue().describe()).append("\n\n");
        }
        for (final Map.Entry<String, BreakEven> kick : breakEven.entrySet())
        {
            md.append("Caller cost flatness, kick ").append(kick.getKey()).append(" (caller ns/copy across buffer " +
                "sizes): ").append(kick.getValue().describeFlatness()).append("\n\n");
        }
    }

    private static void pairTable(
        final StringBuilder md, final String title, final List<Row[]> pairs, final String key, final String baseline)
    {
        md.append("### ").append(title).append("\n\n")
            .append("| ").append(key).append(" | job bytes | DMA GB/s | ").append(baseline)
            .append(" GB/s | DMA / CPU | DMA Mjobs/s | " +
                "caller ns/job | CPU ns/job | caller / CPU | gathers/burst | clean (DMA, CPU) |\n")
            .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        final Map<String, BreakEven> flatness = new LinkedHashMap<>();
        for (final Row[] pair : pairs)
        {
            final String size = pair[0].params.get("bufferSize");
            final double dmaBytes = pair[0].median(1);
            final double cpuBytes = pair[1].median(1);
            flatness.computeIfAbsent(pair[0].params.get(key), k -> new BreakEven())
                .add(Long.parseLong(size), pair[0].median(4), pair[1].median(4));
            md.append(String.format(Locale.ROOT,
                "| %s | %s | %.2f | %.2f | %.2f | %.3f | %.1f | %.1f | %.3f | %.2f | %s |%n",
                pair[0].params.get(key), bytes(size), dmaBytes / 1e9, cpuBytes / 1e9, dmaBytes / cpuBytes,
                dmaBytes / Double.parseDouble(size) / 1e6, pair[0].median(4), pair[1].median(4),
                pair[0].median(4) / pair[1].median(4), pair[0].median(5),
                pair[0].cleanText() + ", " + pair[1].cleanText()));
        }
        md.append('\n');
        for (final Map.Entry<String, BreakEven> group : flatness.entrySet())
        {
            md.append("Caller cost flatness, ").append(key).append(' ').append(group.getKey())
                .append(" (caller ns/job across job sizes): ").append(group.getValue().describeFlatness())
                .append("\n\n");
        }
    }

    private static void fillTable(final StringBuilder md, final List<Row[]> rows)
    {
        md.append("### Fill (`FillBenchmark`, 32 fills per doorbell)\n\n")
            .append("| buffer | DMA GB/s | pattern fill GB/s | setMemory GB/s | DMA / pattern | DMA / setMemory | " +
                "caller ns/fill | pattern ns/fill | setMemory ns/fill | caller / setMemory | gathers/burst | " +
                "clean (DMA, pattern, setMemory) |\n")
            .append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        final BreakEven flatness = new BreakEven();
        for (final Row[] row : rows)
        {
            flatness.add(Long.parseLong(row[0].params.get("bufferSize")), row[0].median(4), row[2].median(4));
            final double dma = row[0].median(1);
            final double pattern = row[1].median(1);
            final double memset = row[2].median(1);
            md.append(String.format(Locale.ROOT,
                "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f | %.1f | %.3f | %.2f | %s |%n",
                bytes(row[0].params.get("bufferSize")), dma / 1e9, pattern / 1e9, memset / 1e9, dma / pattern,
                dma / memset, row[0].median(4), row[1].median(4), row[2].median(4), row[0].median(4) / row[2].median(4),
                row[0].median(5), row[0].cleanText() + ", " + row[1].cleanText() + ", " + row[2].cleanText()));
        }
        md.append('\n');
        md.append("Caller cost flatness, kick 32 (caller ns/fill across buffer sizes): ")
            .append(flatness.describeFlatness()).append("\n\n");
    }

    private static String shortName(final Row row)
    {
        return row.method.substring(row.method.lastIndexOf('.') + 1);
    }

    private static String bytes(final String size)
    {
        final long value = Long.parseLong(size);
        if (value >= 1 << 20)
        {
            return (value >> 20) + " MiB";
        }
        if (value >= 1 << 10)
        {
            return (value >> 10) + " KiB";
        }
        return value + " B";
    }
}
