package io.shmdma.bench;

import io.shmdma.ConfFlags;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A dma-perf style sweep ({@code app/test-dma-perf} of DPDK) over the in-process device: reads a config.ini of
 * dma-perf's format, runs every scenario of every case with the device and, for DMA cases, the same scenario
 * with the CPU on the same buffers, and writes a CSV of dma-perf's columns with DMA and CPU rows side by side,
 * an aligned table on stdout, and one progress line on stderr while it runs.
 * <pre>
 * java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks.jar io.shmdma.bench.DmaPerf \
 *     [--config config.ini] [--result result.csv] [--quick] [--test-seconds S] [--warmup-seconds S]
 *     [--progress|--no-progress] [--wait-quiet-ms MS] [--retries N]
 * </pre>
 * Without {@code --config} the bundled config.ini is used. The progress line is shown by default when the JVM
 * has a console. Each row reports the CPU share other processes used while it was measured ({@code other%}):
 * on a small shared machine a row measured while something else ran is not comparable. With
 * {@code --wait-quiet-ms}, each measurement starts only after a quiet 200 ms window (waiting up to that long);
 * with {@code --retries N}, a measurement during which other processes used more than 5% of the CPUs is
 * repeated up to N times and the cleanest one kept.
 * <p>
 * Beyond dma-perf, every DMA scenario gets a caller-cost phase after its throughput phase, on the same device
 * and buffers: the same jobs in bursts of {@code kick_batch}, each gathered once after a wait that touches no
 * shared memory ({@link CallerCost}). Its figure, the application thread's own ns per job outside waiting, goes
 * in the DMA row's {@code caller ns/op} column, beside the CPU row's ns/op (the same thread copying the same
 * bytes); for a case that sweeps {@code buf_size} the break-even size (from which offloading costs the caller
 * less than copying) and the flatness of the caller's cost across sizes (largest over smallest ns per job,
 * target at most {@link BreakEven#FLAT_TARGET}) are printed after the case's table. The first caller phase of
 * each kind in the JVM first warms the caller's code path up with small jobs ({@link PerfWorker.DmaCaller}).
 */
public final class DmaPerf
{
    /** Measured seconds per scenario in quick mode. */
    public static final double QUICK_TEST_SECONDS = 0.3;
    /** Warm-up seconds per scenario in quick mode. */
    public static final double QUICK_WARMUP_SECONDS = 0.2;
    /** Share of the CPUs other processes may use during a measurement that counts as clean, percent. */
    public static final double QUIET_PERCENT = 5;
    /** The bundled config. */
    public static final String BUNDLED_CONFIG = "/config.ini";

    private final PerfConfig config;
    private final PrintStream out;
    private final Progress progress;
    private final long waitQuietMs;
    private final int retries;

    DmaPerf(
        final PerfConfig config, final PrintStream out, final Progress progress, final long waitQuietMs,
        final int retries)
    {
        this.config = config;
        this.out = out;
        this.progress = progress;
        this.waitQuietMs = waitQuietMs;
        this.retries = retries;
    }

    /**
     * Runs the sweep.
     *
     * @param args see the class Javadoc.
     * @throws Exception on a bad config or an I/O error.
     */
    public static void main(final String[] args) throws Exception
    {
        String configPath = null;
        String resultPath = null;
        boolean quick = false;
        boolean showProgress = System.console() != null;
        double testSeconds = Double.NaN;
        double warmupSeconds = Double.NaN;
        long waitQuietMs = 0;
        int retries = 0;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--config":
                    configPath = value(args, ++i);
                    break;
                case "--result":
                    resultPath = value(args, ++i);
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--test-seconds":
                    testSeconds = Double.parseDouble(value(args, ++i));
                    break;
                case "--warmup-seconds":
                    warmupSeconds = Double.parseDouble(value(args, ++i));
                    break;
                case "--no-progress":
                    showProgress = false;
                    break;
                case "--progress":
                    showProgress = true;
                    break;
                case "--wait-quiet-ms":
                    waitQuietMs = Long.parseLong(value(args, ++i));
                    break;
                case "--retries":
                    retries = Integer.parseInt(value(args, ++i));
                    break;
                case "-h":
                case "--help":
                    System.out.println("usage: DmaPerf [--config config.ini] [--result result.csv] [--quick] " +
                        "[--test-seconds S] [--warmup-seconds S] [--progress|--no-progress] [--wait-quiet-ms MS] " +
                        "[--retries N]");
                    return;
                default:
                    System.err.println("unknown option: " + args[i] + " (try --help)");
                    System.exit(2);
                    return;
            }
        }

        PerfConfig config;
        try (Reader reader = openConfig(configPath))
        {
            config = PerfConfig.parse(reader);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("config error: " + ex.getMessage());
            System.exit(1);
            return;
        }
        if (quick)
        {
            config = config.withTimes(QUICK_TEST_SECONDS, QUICK_WARMUP_SECONDS);
        }
        if (!Double.isNaN(testSeconds) || !Double.isNaN(warmupSeconds))
        {
            config = config.withTimes(Double.isNaN(testSeconds) ? config.testSeconds() : testSeconds,
                Double.isNaN(warmupSeconds) ? config.warmupSeconds() : warmupSeconds);
        }
        final Path result = Paths.get(resultPath != null ? resultPath : defaultResult(configPath));

        final DmaPerf perf = new DmaPerf(config, System.out, new Progress(System.err, showProgress), waitQuietMs,
            retries);
        final List<PerfResult> results = perf.run();
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(result, StandardCharsets.UTF_8)))
        {
            csv.println(PerfResult.CSV_HEADER);
            for (final PerfResult row : results)
            {
                csv.println(row.toCsv());
            }
        }
        System.out.println("CSV written to " + result.toAbsolutePath());
    }

    private static String value(final String[] args, final int index)
    {
        if (index >= args.length)
        {
            throw new IllegalArgumentException(args[index - 1] + " needs a value");
        }
        return args[index];
    }

    private static Reader openConfig(final String configPath) throws IOException
    {
        if (configPath != null)
        {
            return Files.newBufferedReader(Paths.get(configPath), StandardCharsets.UTF_8);
        }
        final InputStream bundled = DmaPerf.class.getResourceAsStream(BUNDLED_CONFIG);
        if (bundled == null)
        {
            throw new IOException("bundled " + BUNDLED_CONFIG + " missing from the class path");
        }
        return new InputStreamReader(bundled, StandardCharsets.UTF_8);
    }

    /**
     * dma-perf's default result name: the config's name without {@code .ini} plus {@code _result.csv}.
     *
     * @param configPath the config, or null for the bundled one.
     * @return the result path.
     */
    static String defaultResult(final String configPath)
    {
        if (configPath == null)
        {
            return "dma-perf_result.csv";
        }
        final String base = configPath.endsWith(".ini") ? configPath.substring(0, configPath.length() - 4) : configPath;
        return base + "_result.csv";
    }

    List<PerfResult> run()
    {
        printEnvironment();
        for (final String note : config.notes())
        {
            out.println("note: " + note);
        }
        final List<PerfResult> all = new ArrayList<>();
        for (final PerfCase perfCase : config.cases())
        {
            if (perfCase.skip())
            {
                out.println("case" + perfCase.id() + ": configured to be skipped");
                continue;
            }
            out.println();
            out.println(perfCase.describe() + "  (load average before: " + loadAverage() + ")");
            for (final String note : perfCase.notes())
            {
                out.println("note: " + note);
            }
            final List<PerfResult> rows = new ArrayList<>();
            final List<PerfCase.Scenario> scenarios = perfCase.scenarios();
            for (final PerfCase.Scenario scenario : scenarios)
            {
                rows.addAll(runScenario(perfCase, scenario, scenarios.size()));
            }
            progress.clear();
            ResultTable.print(out, rows);
            printBreakEven(perfCase, rows);
            out.println("load average after case" + perfCase.id() + ": " + loadAverage());
            all.addAll(rows);
        }
        return all;
    }

    private void printBreakEven(final PerfCase perfCase, final List<PerfResult> rows)
    {
        if (perfCase.type() != PerfCase.Type.DMA_MEM_COPY || perfCase.scenarios().size() < 2)
        {
            return;
        }
        final BreakEven clean = new BreakEven();
        final BreakEven all = new BreakEven();
        int lastBufSize = -1;
        for (int i = 0; i + 1 < rows.size(); i++)
        {
            final PerfResult dmaRow = rows.get(i);
            final PerfResult cpuRow = rows.get(i + 1);
            if (!dmaRow.type.startsWith("DMA") || !cpuRow.type.startsWith("CPU") || dmaRow.scenario != cpuRow.scenario)
            {
                continue;
            }
            if (dmaRow.bufSize == lastBufSize)
            {
                return;
            }
            lastBufSize = dmaRow.bufSize;
            final boolean quiet = dmaRow.callerOtherCpuPercent <= QUIET_PERCENT &&
                cpuRow.otherCpuPercent <= QUIET_PERCENT;
            clean.add(dmaRow.bufSize, quiet ? dmaRow.callerNsPerOp : Double.NaN, cpuRow.nsPerOp());
            all.add(dmaRow.bufSize, dmaRow.callerNsPerOp, cpuRow.nsPerOp());
        }
        out.println("case" + perfCase.id() + " break-even size (caller ns/op below CPU copy ns/op from this buf_size " +
            "on), clean rows only (other% <= " + (int)QUIET_PERCENT + "; " + clean.sizes() + " of " + all.sizes() +
            " sizes): " + clean.describe());
        if (clean.size() != all.size())
        {
            out.println("case" + perfCase.id() + " break-even size over all rows, contaminated ones included: " +
                all.describe());
        }
        final String kick = "kick " + perfCase.scenarios().get(0).kickBatch;
        out.println("case" + perfCase.id() + " caller cost flatness across buf_size (" + kick + "), clean rows " +
            "only: " + clean.describeFlatness());
        if (clean.sizes() != all.sizes())
        {
            out.println("case" + perfCase.id() + " caller cost flatness across buf_size (" + kick + ") over all " +
                "rows, contaminated ones included: " + all.describeFlatness());
        }
    }

    private void printEnvironment()
    {
        out.println("dma-perf (shmdma) " + ZonedDateTime.now());
        out.println("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") +
            ", cpus: " + Runtime.getRuntime().availableProcessors() + ", CPU: " + cpuModel());
        out.printf(Locale.ROOT, "test_seconds=%.2f warmup_seconds=%.2f; average cycles/op are given as ns/op%n",
            config.testSeconds(), config.warmupSeconds());
    }

    static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Paths.get("/proc/loadavg")).trim().split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "n/a";
        }
    }

    static String cpuModel()
    {
        try
        {
            for (final String line : Files.readAllLines(Paths.get("/proc/cpuinfo")))
            {
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private List<PerfResult> runScenario(final PerfCase perfCase, final PerfCase.Scenario scenario, final int count)
    {
        final List<PerfResult> rows = new ArrayList<>();
        final boolean dma = perfCase.type() == PerfCase.Type.DMA_MEM_COPY;
        final long memoryBytes = (scenario.memSizeMb << 20) + (scenario.memSizeMb << 20) / 16 + (4 << 20);
        final EngineMode engine = dma ? perfCase.engine() : EngineMode.INLINE;
        final BenchTarget target;
        final PerfWorkload workload;
        try
        {
            target = BenchTarget.open(DeviceKind.IN_PROCESS, engine, memoryBytes,
                dma ? scenario.ringSize : 64, perfCase.useOps() ? ConfFlags.ENQ_DEQ : 0);
        }
        catch (final RuntimeException ex)
        {
            rows.add(failed(perfCase, scenario, dma ? "DMA_MEM_COPY" : "CPU_MEM_COPY", ex.getMessage()));
            return rows;
        }
        try
        {
            workload = new PerfWorkload(target, perfCase, scenario, perfCase.useOps());
        }
        catch (final RuntimeException ex)
        {
            target.close();
            rows.add(failed(perfCase, scenario, dma ? "DMA_MEM_COPY" : "CPU_MEM_COPY", ex.getMessage()));
            return rows;
        }

        PerfResult dmaRow = null;
        if (dma)
        {
            workload.clearDestination();
            for (int attempt = 0; attempt <= retries && !clean(dmaRow); attempt++)
            {
                final PerfResult row = measure(perfCase, scenario, count, workload,
                    new PerfWorker.Dma(workload, target, scenario.kickBatch), "DMA_MEM_COPY");
                dmaRow = cleaner(dmaRow, row);
            }
            PerfResult callerRow = null;
            for (int attempt = 0; attempt <= retries && !clean(callerRow) && dmaRow.error == null; attempt++)
            {
                workload.clearDestination();
                callerRow = cleaner(callerRow, measure(perfCase, scenario, count, workload,
                    new PerfWorker.DmaCaller(workload, target, scenario.kickBatch), "DMA_MEM_COPY"));
            }
            target.close();
            if (callerRow != null)
            {
                dmaRow.callerNsPerOp = callerRow.error == null ? callerRow.callerNsPerOp : Double.NaN;
                dmaRow.gathersPerBurst = callerRow.gathersPerBurst;
                dmaRow.callerOtherCpuPercent = callerRow.otherCpuPercent;
                dmaRow.callerError = callerRow.error;
            }
            rows.add(dmaRow);
        }
        else
        {
            target.close();
        }
        PerfResult ringRow = null;
        if (dma && perfCase.engine() == EngineMode.BUSY_SPIN && !perfCase.isScatterGather() && !perfCase.useOps())
        {
            for (int attempt = 0; attempt <= retries && !clean(ringRow); attempt++)
            {
                workload.clearDestination();
                final PerfWorker ringCopy = new PerfWorker.RingCopy(
                    workload, scenario.ringSize, scenario.kickBatch, new BusySpinIdleStrategy());
                ringRow = cleaner(ringRow, measure(perfCase, scenario, count, workload, ringCopy, "RING_MEM_COPY"));
            }
        }
        PerfResult cpuRow = null;
        for (int attempt = 0; attempt <= retries && !clean(cpuRow); attempt++)
        {
            workload.clearDestination();
            cpuRow = cleaner(cpuRow, measure(perfCase, scenario, count, workload, new PerfWorker.Cpu(workload),
                "CPU_MEM_COPY"));
        }
        cpuRow.callerNsPerOp = cpuRow.nsPerOp();
        rows.add(cpuRow);
        if (ringRow != null)
        {
            ringRow.ratio = ringRow.mops() / cpuRow.mops();
            rows.add(ringRow); // after the CPU row: each DMA row is followed by its CPU row
        }
        if (dmaRow != null)
        {
            dmaRow.ratio = dmaRow.mops() / cpuRow.mops();
            dmaRow.callerRatio = dmaRow.callerNsPerOp / cpuRow.nsPerOp();
        }
        System.gc();
        return rows;
    }

    private static boolean clean(final PerfResult row)
    {
        return row != null && (row.error != null || row.otherCpuPercent <= QUIET_PERCENT);
    }

    private static PerfResult cleaner(final PerfResult best, final PerfResult candidate)
    {
        if (best == null || candidate.otherCpuPercent < best.otherCpuPercent || candidate.error != null)
        {
            return candidate;
        }
        return best;
    }

    private PerfResult measure(
        final PerfCase perfCase, final PerfCase.Scenario scenario, final int count, final PerfWorkload workload,
        final PerfWorker worker, final String type)
    {
        final boolean callerPhase = worker instanceof PerfWorker.DmaCaller;
        final boolean dma = worker instanceof PerfWorker.Dma || callerPhase;
        final boolean ring = worker instanceof PerfWorker.RingCopy;
        final String kind = callerPhase ? "DMA caller cost" : dma ? "DMA" : ring ? "Agrona ring copy" : "CPU";
        final String label = String.format(Locale.ROOT, "case%d %s scenario %d/%d buf=%dB%s", perfCase.id(), kind,
            scenario.id, count, scenario.bufSize, dma || ring ? " kick=" + scenario.kickBatch : "");
        worker.start();
        awaitWarmedUp(label, worker);
        final double warmupSeconds = callerPhase ? config.warmupSeconds() / 2 : config.warmupSeconds();
        final long warmupEnd = System.nanoTime() + (long)(warmupSeconds * 1e9);
        waitUntil(warmupEnd, label + " warm-up", worker);
        if (waitQuietMs > 0)
        {
            progress.show(label + ": waiting for other processes to go quiet");
            HostCpu.awaitQuiet(waitQuietMs, QUIET_PERCENT);
        }
        final long ops0 = worker.completed.get();
        final PerfWorker.DmaCaller caller = callerPhase ? (PerfWorker.DmaCaller)worker : null;
        final long callerNs0 = callerPhase ? caller.callerNs.get() : 0;
        final long bursts0 = callerPhase ? caller.bursts.get() : 0;
        final long gathers0 = callerPhase ? caller.gathers.get() : 0;
        final HostCpu cpuAtStart = HostCpu.snapshot();
        final long start = System.nanoTime();
        waitUntil(start + (long)(config.testSeconds() * 1e9), label, worker);
        final long ops1 = worker.completed.get();
        final long callerNs1 = callerPhase ? caller.callerNs.get() : 0;
        final long bursts1 = callerPhase ? caller.bursts.get() : 0;
        final long gathers1 = callerPhase ? caller.gathers.get() : 0;
        final long end = System.nanoTime();
        final double otherCpu = HostCpu.snapshot().otherPercentSince(cpuAtStart);
        worker.stop = true;
        try
        {
            worker.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        String error = worker.error;
        if (error == null)
        {
            final String mismatch = workload.verify();
            if (mismatch != null)
            {
                error = "copy validation fails at " + mismatch;
            }
        }
        final String engineName = dma ? perfCase.engine().name().toLowerCase(Locale.ROOT).replace('_', '-') :
            ring ? "agrona-ring" : "cpu";
        final PerfResult row = new PerfResult(perfCase.id(), scenario.id, type, engineName,
            dma || ring ? scenario.ringSize : 0, dma || ring ? scenario.kickBatch : 0,
            perfCase.isScatterGather() ? perfCase.srcSges() : 0, perfCase.isScatterGather() ? perfCase.dstSges() : 0,
            scenario.bufSize, workload.nrBuf, workload.memoryMb(), ops1 - ops0, (end - start) / 1e9, error);
        row.otherCpuPercent = otherCpu;
        if (callerPhase)
        {
            row.callerNsPerOp = ops1 > ops0 ? (double)(callerNs1 - callerNs0) / (ops1 - ops0) : Double.NaN;
            row.gathersPerBurst = bursts1 > bursts0 ? (double)(gathers1 - gathers0) / (bursts1 - bursts0) : Double.NaN;
        }
        return row;
    }

    /**
     * Waits until a worker has warmed its code path up (a caller phase's JIT warm-up) and says what it ran.
     */
    private void awaitWarmedUp(final String label, final PerfWorker worker)
    {
        while (!worker.warmedUp && worker.error == null && (worker.isAlive() || !worker.started))
        {
            progress.show(label + ": JIT warm-up of the caller's path with small jobs");
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (worker instanceof PerfWorker.DmaCaller && ((PerfWorker.DmaCaller)worker).warmUpReport != null)
        {
            progress.clear();
            out.println(label + " " + ((PerfWorker.DmaCaller)worker).warmUpReport);
        }
    }

    private void waitUntil(final long deadlineNs, final String label, final PerfWorker worker)
    {
        while (true)
        {
            final long now = System.nanoTime();
            final long remaining = deadlineNs - now;
            if (remaining <= 0 || worker.error != null || !worker.isAlive() && worker.started)
            {
                return;
            }
            progress.show(String.format(Locale.ROOT, "%s: %.1f s left, %d jobs", label, remaining / 1e9,
                worker.completed.get()));
            try
            {
                Thread.sleep(Math.max(1, Math.min(250, remaining / 1_000_000)));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static PerfResult failed(
        final PerfCase perfCase, final PerfCase.Scenario scenario, final String type, final String error)
    {
        return new PerfResult(perfCase.id(), scenario.id, type, "", scenario.ringSize, scenario.kickBatch,
            perfCase.srcSges(), perfCase.dstSges(), scenario.bufSize, 0, 0, 0, 0, error);
    }

    /** The single progress line on a terminal: rewritten in place with a carriage return. */
    static final class Progress
    {
        private final PrintStream stream;
        private final boolean enabled;
        private int lastLength;

        Progress(final PrintStream stream, final boolean enabled)
        {
            this.stream = stream;
            this.enabled = enabled;
        }

        void show(final String text)
        {
            if (enabled)
            {
                final StringBuilder line = new StringBuilder("\r").append(text);
                for (int i = text.length(); i < lastLength; i++)
                {
                    line.append(' ');
                }
                lastLength = text.length();
                stream.print(line);
                stream.flush();
            }
        }

        void clear()
        {
            if (enabled && lastLength > 0)
            {
                stream.print("\r" + " ".repeat(lastLength) + "\r");
                stream.flush();
                lastLength = 0;
            }
        }
    }
}
