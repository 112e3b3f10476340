package io.shmdma.bench;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.shm.ShmContext;
import io.shmdma.shm.ShmDomain;
import io.shmdma.shm.driver.DriverContext;
import io.shmdma.shm.driver.ShmDriver;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Driver mode against the embedded engine, in the same run: 1, 2 and 4 client JVMs, each with one local vchan,
 * served either by their own engine thread each (embedded) or by one engine thread of a driver running in this JVM
 * (driver). Each client measures, in turn: throughput (64-byte copies, bursts of 32 per doorbell, up to 1,024 in
 * flight), caller cost (ns per job spent in {@code copy} and {@code submit}), and one-way latency (a 64-byte copy
 * whose first word is a sequence number, from the submit until the client sees the word at the destination).
 * <p>
 * {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp engine-bench/target/benchmarks.jar
 * io.shmdma.bench.DriverModeBench [--clients 1,2,4] [--seconds 1] [--samples 2000] [--idle backoff|busy-spin]}
 * <p>
 * On 2 vCPUs: with busy-spin engines, N embedded clients run N engine threads plus N application threads; the
 * driver runs one engine thread for all. Beyond one client the machine is oversubscribed in both modes, so the
 * figures then show scheduling more than the engines.
 */
public final class DriverModeBench
{
    private static final int JOB_BYTES = 64;
    private static final int BURST = 32;
    private static final int IN_FLIGHT = 1024;

    private DriverModeBench()
    {
    }

    /**
     * Runs the comparison, or one client when the first argument is {@code client}.
     *
     * @param args the options.
     * @throws Exception on a failure.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && args[0].equals("client"))
        {
            client(args);
            return;
        }
        int[] clients = {1, 2, 4};
        double seconds = 1;
        int samples = 2000;
        String idle = "backoff";
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--clients":
                    clients = Stream.of(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                    break;
                case "--seconds":
                    seconds = Double.parseDouble(args[++i]);
                    break;
                case "--samples":
                    samples = Integer.parseInt(args[++i]);
                    break;
                case "--idle":
                    idle = args[++i];
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "# %d cpus, load %s, %s, idle %s, %.1f s per phase, %d latency samples%n",
            Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).trim(),
            System.getProperty("java.vm.version"), idle, seconds, samples);
        System.out.println("| clients | engine | jobs/s (all clients) | caller ns/job | one-way p50 us | p99 us |");
        System.out.println("| ---: | --- | ---: | ---: | ---: | ---: |");
        for (final int n : clients)
        {
            for (final ShmContext.EngineMode mode : ShmContext.EngineMode.values())
            {
                System.out.println(run(n, mode, seconds, samples, idle));
            }
        }
    }

    private static String run(
        final int n, final ShmContext.EngineMode mode, final double seconds, final int samples, final String idle)
        throws Exception
    {
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "shmdma-bench-driver-");
        final ShmDriver driver = mode == ShmContext.EngineMode.DRIVER ?
            ShmDriver.launch(new DriverContext().dir(dir).engineThreads(1).idle(idle)) : null;
        final List<Process> processes = new ArrayList<>();
        try
        {
            final List<BufferedReader> outs = new ArrayList<>();
            for (int i = 0; i < n; i++)
            {
                final Process process = new ProcessBuilder(
                    ProcessHandle.current().info().command().orElse("java"), BenchJvm.ADD_EXPORTS,
                    "-Xmx128m", "-cp", System.getProperty("java.class.path"), DriverModeBench.class.getName(),
                    "client", mode.name(), dir.toString(), Double.toString(seconds), Integer.toString(samples), idle)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                processes.add(process);
                final BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                outs.add(out);
                expect(out, "READY");
            }
            for (final Process process : processes)
            {
                final Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
                in.write("GO\n");
                in.flush();
            }
            double jobsPerSecond = 0;
            double callerNs = 0;
            final List<Double> p50 = new ArrayList<>();
            double p99 = 0;
            for (final BufferedReader out : outs)
            {
                final String[] result = expect(out, "RESULT").split(" ");
                jobsPerSecond += Double.parseDouble(result[1]);
                callerNs += Double.parseDouble(result[2]) / n;
                p50.add(Double.parseDouble(result[3]));
                p99 = Math.max(p99, Double.parseDouble(result[4]));
            }
            p50.sort(Comparator.naturalOrder());
            return String.format(Locale.ROOT, "| %d | %s | %,.0f | %.0f | %.1f | %.1f |", n,
                mode == ShmContext.EngineMode.DRIVER ? "driver, 1 engine thread" :
                    "embedded, " + n + " engine thread(s)",
                jobsPerSecond, callerNs, p50.get(p50.size() / 2) / 1000.0, p99 / 1000.0);
        }
        finally
        {
            for (final Process process : processes)
            {
                if (!process.waitFor(30, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                }
            }
            if (driver != null)
            {
                driver.close();
            }
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    private static String expect(final BufferedReader out, final String prefix) throws IOException
    {
        String line;
        while ((line = out.readLine()) != null)
        {
            if (line.startsWith(prefix))
            {
                return line;
            }
        }
        throw new IOException("client ended before printing " + prefix);
    }

    private static void client(final String[] args) throws Exception
    {
        final ShmContext.EngineMode mode = ShmContext.EngineMode.valueOf(args[1]);
        final double seconds = Double.parseDouble(args[3]);
        final int samples = Integer.parseInt(args[4]);
        final boolean busySpin = args[5].startsWith("busy");
        try (ShmDomain domain = ShmDomain.open(new ShmContext().dir(Path.of(args[2])).domainSegmentSize(16 << 20)
            .engineMode(mode)))
        {
            final DmaDevice device = domain.createDevice("bench",
                busySpin ? EngineThreading.busySpin() : EngineThreading.backoff());
            device.configure(new DmaConf(1, 0));
            device.vchanSetup(0, new VchanConf(IN_FLIGHT + BURST));
            device.start();
            final DmaRegion source = domain.memory().allocate(4096);
            final DmaRegion destination = domain.memory().allocate(4096);
            System.out.println("READY");
            System.out.flush();
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (!"GO".equals(in.readLine()))
            {
                return;
            }
            throughput(device, source, destination, 0.3);
            final double[] measured = throughput(device, source, destination, seconds);
            final Histogram latency = latency(device, source, destination, samples);
            System.out.printf(Locale.ROOT, "RESULT %.0f %.1f %d %d%n", measured[0], measured[1],
                latency.getValueAtPercentile(50), latency.getValueAtPercentile(99));
            System.out.flush();
            device.stop();
        }
    }

    /** Returns jobs per second and caller ns per job. */
    private static double[] throughput(
        final DmaDevice device, final DmaRegion source, final DmaRegion destination, final double seconds)
    {
        final Completion completion = new Completion();
        long jobs = 0;
        long callerNs = 0;
        long inFlight = 0;
        final long startNs = System.nanoTime();
        final long endNs = startNs + (long)(seconds * 1e9);
        while (System.nanoTime() - endNs < 0)
        {
            boolean progress = false;
            if (inFlight <= IN_FLIGHT - BURST)
            {
                final long t0 = System.nanoTime();
                for (int i = 0; i < BURST; i++)
                {
                    device.copy(0, source.iova() + 64L * i, destination.iova() + 64L * i, JOB_BYTES, 0);
                }
                device.submit(0);
                callerNs += System.nanoTime() - t0;
                inFlight += BURST;
                jobs += BURST;
                progress = true;
            }
            final int done = device.completed(0, 256, completion);
            inFlight -= done;
            if (!progress && done == 0)
            {
                Thread.yield();
            }
        }
        while (inFlight > 0)
        {
            inFlight -= device.completed(0, 256, completion);
            Thread.yield();
        }
        final double elapsedS = (System.nanoTime() - startNs) / 1e9;
        return new double[]{ jobs / elapsedS, (double)callerNs / jobs };
    }

    private static Histogram latency(
        final DmaDevice device, final DmaRegion source, final DmaRegion destination, final int samples)
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final UnsafeBuffer src = source.buffer();
        final UnsafeBuffer dst = destination.buffer();
        final Completion completion = new Completion();
        for (long sequence = 1; sequence <= samples; sequence++)
        {
            src.putLongVolatile(0, sequence);
            final long t0 = System.nanoTime();
            device.copy(0, source.iova(), destination.iova(), JOB_BYTES, OpFlags.SUBMIT);
            int spins = 0;
            while (dst.getLongVolatile(0) != sequence)
            {
                if (++spins > 1000)
                {
                    Thread.yield();
                }
            }
            histogram.recordValue(Math.min(System.nanoTime() - t0, histogram.getHighestTrackableValue()));
            while (device.completed(0, 1, completion) == 0)
            {
                Thread.onSpinWait();
            }
        }
        return histogram;
    }
}
