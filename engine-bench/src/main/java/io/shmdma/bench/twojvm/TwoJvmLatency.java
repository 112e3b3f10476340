package io.shmdma.bench.twojvm;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.bench.CallerCost;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.shm.ShmContext;
import io.shmdma.shm.ShmDomain;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;

/**
 * The two-JVM latency harness. Four kinds of message exchange run between the same two JVMs, in phases that
 * alternate (their order rotates every round), so a change in how the machine places the two processes hits
 * all alike:
 * <ul>
 *     <li>{@code padded}: a padded cache-line ping-pong over a file in the same /dev/shm directory (A writes a
 *     stamp and a sequence into one line, B answers in another, 128 bytes apart): the floor of any exchange
 *     between the two processes;</li>
 *     <li>{@code agrona-ring}: the same ping-pong over two Agrona {@link OneToOneRingBuffer}s mapped from files;</li>
 *     <li>{@code shmdma}: A copies the payload into B's domain through an inter-process vchan, B polls its own
 *     memory and answers the same way; engines run inline (each JVM's one thread enqueues, runs its engine and
 *     polls) unless {@code --engine busy-spin};</li>
 *     <li>{@code offloaded}: one way only. A's second device runs its engine on its own busy-spin thread; A's
 *     application thread enqueues the message with {@code SUBMIT}, gathers earlier completions with one
 *     non-blocking poll, and parks (it does not spin) until B's acknowledgement, a padded line, says B saw
 *     it. B records the one-way time from A's stamp, taken just before the enqueue, to the moment it sees the
 *     sequence word ({@code System.nanoTime} is CLOCK_MONOTONIC, shared by processes on Linux). A records
 *     its own time per message outside waiting (as {@link CallerCost}) and its thread CPU time per message
 *     ({@link ThreadMXBean}, which includes parking and waking up).</li>
 * </ul>
 * Before measuring, each kind runs {@link #WARMUP_ROUND_TRIPS} exchanges (spread over the sizes), so the JIT has
 * compiled both sides; every phase then discards its first 20 %. Each round of each size is classified "near"
 * or "far" from its own padded ping-pong p50 (below {@code --near-ns}, default 300 ns, is near), every ratio is
 * reported per class, and a round of payloads up to 64 bytes whose Agrona ring p50 is more than 1.5 times its padded
 * ping-pong p50 is flagged: its ring baseline is suspect.
 * <p>
 * A DMA message is two jobs: the payload (with the stamp), then the 8-byte sequence word the receiver polls, so
 * the receiver never sees a sequence before its payload. The Agrona ring likewise commits its record header
 * after the payload.
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks.jar io.shmdma.bench.twojvm.TwoJvmLatency \
 *     [--sizes 64,1024,16384,65536] [--samples 20000] [--rounds 5] [--engine inline|busy-spin] [--near-ns 300]
 *     [--warmup 100000] [--out dir] [--quick]
 * </pre>
 * Why over 800 lines: both JVMs' sides of four interleaved exchange kinds, their warm-up, the near/far
 * classification and the report live together, so that each kind is measured exactly like the others.
 */
public final class TwoJvmLatency
{
    /** Exchanges of each kind before the first measured phase. */
    public static final int WARMUP_ROUND_TRIPS = 100_000;
    /** A ring whose p50 exceeds the padded ping-pong's by this factor in the same round is a suspect baseline. */
    public static final double SUSPECT_RING_FACTOR = 1.5;
    /**
     * Largest payload for which the ring is checked against the padded ping-pong: up to one cache line both move
     * about the same lines; a larger payload makes the ring slower for a reason of its own (it copies the payload).
     */
    public static final int SUSPECT_CHECK_MAX_SIZE = 64;

    private static final int SEQUENCE_OFFSET = 0;
    private static final int STAMP_OFFSET = 8;
    private static final int MIN_SIZE = 16;
    private static final int MAX_SIZE = 1 << 16;
    private static final int RING_CAPACITY = 1 << 20;
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int LINE_GAP = 128;
    private static final int PING_LINE = 0;
    private static final int PONG_LINE = PING_LINE + LINE_GAP;
    private static final int ACK_LINE = PONG_LINE + LINE_GAP;
    private static final int LINES_LENGTH = ACK_LINE + LINE_GAP;
    private static final long PARK_NS = 1_000;
    private static final String PADDED = "padded";
    private static final String DMA = "shmdma";
    private static final String RING = "agrona-ring";
    private static final String OFFLOADED = "offloaded";
    private static final List<String> KINDS = List.of(PADDED, RING, DMA, OFFLOADED);

    private TwoJvmLatency()
    {
    }

    /**
     * Runs JVM A, or JVM B with the first argument {@code responder}.
     *
     * @param args see the class Javadoc.
     * @throws Exception when a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && "responder".equals(args[0]))
        {
            Responder.run(args[1]);
            return;
        }
        final Options options = Options.parse(args);
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "shmdma-latency-");
        Process responder = null;
        try (ShmDomain domain = ShmDomain.open(new ShmContext().dir(dir).domainSegmentSize(8L << 20)))
        {
            final DmaDevice device = domain.createDevice("latency-a", options.threading());
            final DmaDevice offloadDevice = domain.createDevice("latency-a-offload", EngineThreading.busySpin());
            final UUID token = UUID.randomUUID();
            final UUID offloadToken = UUID.randomUUID();
            final int groupId = device.accessPairGroupCreate(domain.domainId(), token, null);
            final int offloadGroupId = offloadDevice.accessPairGroupCreate(domain.domainId(), offloadToken, null);
            responder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"),
                TwoJvmLatency.class.getName(), "responder", options.engine)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            final PrintWriter toB = new PrintWriter(
                new OutputStreamWriter(responder.getOutputStream(), StandardCharsets.UTF_8), true);
            final BufferedReader fromB = new BufferedReader(
                new InputStreamReader(responder.getInputStream(), StandardCharsets.UTF_8));
            final MappedByteBuffer linesMapping = IoUtil.mapNewFile(dir.resolve("lines").toFile(), LINES_LENGTH, true);
            final UnsafeBuffer lines = new UnsafeBuffer(linesMapping);
            toB.println(dir + " " + groupId + " " + token + " " + domain.domainId() + " " + offloadGroupId + " " +
                offloadToken);
            final String[] ready = expect(fromB, "READY").split(" ");
            final DmaRegion inbox = domain.memory().allocate(MAX_SIZE);
            final DmaRegion outbox = domain.memory().allocate(MAX_SIZE);
            final DmaRegion offloadOutbox = domain.memory().allocate(MAX_SIZE);
            toB.println("INBOX " + inbox.iova());
            expect(fromB, "OK");
            final UUID peerDomain = UUID.fromString(ready[0]);
            device.configure(new DmaConf(1, 0));
            device.vchanSetup(0, VchanConf.interProcess(1024,
                device.accessPairGroupHandlerGet(groupId, domain.domainId()),
                device.accessPairGroupHandlerGet(groupId, peerDomain)));
            device.start();
            offloadDevice.configure(new DmaConf(1, 0));
            offloadDevice.vchanSetup(0, VchanConf.interProcess(1024,
                offloadDevice.accessPairGroupHandlerGet(offloadGroupId, domain.domainId()),
                offloadDevice.accessPairGroupHandlerGet(offloadGroupId, peerDomain)));
            final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
            endpoints.put(PADDED, new PaddedEndpoint(lines, PING_LINE, PONG_LINE));
            final RingEndpoint ring = RingEndpoint.create(dir.resolve("ring-ab.ring"), dir.resolve("ring-ba.ring"));
            endpoints.put(RING, ring);
            endpoints.put(DMA, new DmaEndpoint(device, outbox, Long.parseLong(ready[1]), inbox.buffer()));
            final OffloadedSender offloaded = new OffloadedSender(offloadDevice,
                new DmaEndpoint(offloadDevice, offloadOutbox, Long.parseLong(ready[2]), inbox.buffer()), lines);
            toB.println("RINGS");
            expect(fromB, "OK");

            final Phases phases = new Phases(options, toB, fromB, endpoints, offloaded);
            phases.warmUp();
            final List<Round> rounds = new ArrayList<>();
            for (final int size : options.sizes)
            {
                for (int round = 0; round < options.rounds; round++)
                {
                    rounds.add(phases.round(size, round));
                }
            }
            System.err.print("\r" + " ".repeat(70) + "\r");
            toB.println("EXIT");
            responder.waitFor(10, TimeUnit.SECONDS);
            ring.close();
            IoUtil.unmap(linesMapping);
            device.stop();
            report(options, rounds);
        }
        finally
        {
            if (responder != null && responder.isAlive())
            {
                responder.destroyForcibly();
                responder.waitFor(10, TimeUnit.SECONDS);
            }
            deleteRecursively(dir);
        }
    }

    /** One size's phases of every kind, measured back to back. */
    static final class Round
    {
        final int size;
        final int index;
        final Map<String, Histogram> roundTrip = new LinkedHashMap<>();
        final Map<String, Histogram> oneWay = new LinkedHashMap<>();
        double senderBusyNs = Double.NaN;
        double senderCpuNs = Double.NaN;

        Round(final int size, final int index)
        {
            this.size = size;
            this.index = index;
        }

        long p50(final String kind)
        {
            return roundTrip.get(kind).getValueAtPercentile(50);
        }

        boolean near(final long nearNs)
        {
            return p50(PADDED) < nearNs;
        }

        double ringOverPadded()
        {
            return (double)p50(RING) / Math.max(1, p50(PADDED));
        }

        boolean suspect()
        {
            return size <= SUSPECT_CHECK_MAX_SIZE && ringOverPadded() > SUSPECT_RING_FACTOR;
        }
    }

    /** Runs phases: tells B which kind comes, exchanges the messages and collects both sides' histograms. */
    static final class Phases
    {
        private final Options options;
        private final PrintWriter toB;
        private final BufferedReader fromB;
        private final Map<String, Endpoint> endpoints;
        private final OffloadedSender offloaded;
        private int phase;

        Phases(
            final Options options, final PrintWriter toB, final BufferedReader fromB,
            final Map<String, Endpoint> endpoints, final OffloadedSender offloaded)
        {
            this.options = options;
            this.toB = toB;
            this.fromB = fromB;
            this.endpoints = endpoints;
            this.offloaded = offloaded;
        }

        void warmUp() throws Exception
        {
            final int perSize = (options.warmup + options.sizes.size() - 1) / options.sizes.size();
            for (final String kind : KINDS)
            {
                for (final int size : options.sizes)
                {
                    System.err.printf("\r  warm-up: %,d B %-12s %,d exchanges ", size, kind, perSize);
                    run(kind, size, perSize, new Round(size, -1));
                }
            }
        }

        Round round(final int size, final int index) throws Exception
        {
            final Round round = new Round(size, index);
            final int totalPhases = options.sizes.size() * options.rounds * KINDS.size();
            for (int k = 0; k < KINDS.size(); k++)
            {
                final String kind = KINDS.get((k + index) % KINDS.size());
                phase++;
                System.err.printf("\r  phase %d/%d: %,d B %-12s round %d/%d ", phase, totalPhases, size, kind,
                    index + 1, options.rounds);
                run(kind, size, options.samples, round);
            }
            return round;
        }

        /** One phase of {@code samples} measured exchanges after {@code samples / 5} unmeasured ones. */
        private void run(final String kind, final int size, final int samples, final Round round) throws Exception
        {
            toB.println("PHASE " + kind + " " + size + " " + samples);
            expect(fromB, "GO");
            if (OFFLOADED.equals(kind))
            {
                offloaded.run(size, samples, round);
            }
            else
            {
                final Histogram rtt = new Histogram(HIGHEST_NS, 3);
                pingPong(endpoints.get(kind), size, samples, rtt);
                round.roundTrip.put(kind, rtt);
            }
            round.oneWay.put(kind, decode(expect(fromB, "DONE")));
        }
    }

    private static void pingPong(final Endpoint endpoint, final int size, final int samples, final Histogram rtt)
    {
        final int warmup = samples / 5;
        for (int i = 1; i <= warmup + samples; i++)
        {
            final long start = System.nanoTime();
            endpoint.send(size, endpoint.nextSequence(), start);
            endpoint.awaitReply();
            final long elapsed = System.nanoTime() - start;
            if (i > warmup)
            {
                rtt.recordValue(Math.min(elapsed, HIGHEST_NS));
            }
        }
    }

    private static void report(final Options options, final List<Round> rounds) throws Exception
    {
        final Path out = Path.of(options.out);
        Files.createDirectories(out);
        System.out.printf("two-JVM latency, %s engines for the shmdma ping-pong, a busy-spin engine thread for the " +
            "offloaded sender; %,d samples x %d rounds per kind and size after %,d warm-up exchanges per kind; " +
            "%s; %s; %d cores%n", options.engine, options.samples, options.rounds, options.warmup,
            System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
            Runtime.getRuntime().availableProcessors());
        System.out.printf("A round is near when its padded ping-pong round-trip p50 is below %d ns, else far. " +
            "Round trips (rtt) and one-way (1w) p50 in ns.%n%n", options.nearNs);
        System.out.printf("%-8s %5s %5s %11s %11s %11s %11s %8s %8s %8s %11s %11s %17s %16s%n",
            "size", "round", "place", "padded rtt", "ring rtt", "shmdma rtt", "padded 1w", "ring/pad",
            "dma/ring", "dma/pad", "offload 1w", "offl/pad 1w", "sender busy ns/msg", "sender cpu ns/msg");
        for (final Round round : rounds)
        {
            final long paddedOneWay = round.oneWay.get(PADDED).getValueAtPercentile(50);
            final long offloadOneWay = round.oneWay.get(OFFLOADED).getValueAtPercentile(50);
            System.out.printf(Locale.ROOT, "%-8s %5d %5s %11d %11d %11d %11d %7.2fx %7.2fx %7.2fx %11d %10.2fx " +
                "%18.1f %17.1f%s%n", round.size + " B", round.index + 1, round.near(options.nearNs) ? "near" : "far",
                round.p50(PADDED), round.p50(RING), round.p50(DMA), paddedOneWay, round.ringOverPadded(),
                (double)round.p50(DMA) / Math.max(1, round.p50(RING)),
                (double)round.p50(DMA) / Math.max(1, round.p50(PADDED)),
                offloadOneWay, (double)offloadOneWay / Math.max(1, paddedOneWay), round.senderBusyNs, round.senderCpuNs,
                round.suspect() ? String.format(Locale.ROOT, "  BASELINE SUSPECT: agrona-ring p50 %.2fx the padded " +
                "ping-pong's (> %.1fx)", round.ringOverPadded(), SUSPECT_RING_FACTOR) : "");
        }
        for (final int size : options.sizes)
        {
            for (final boolean near : new boolean[]{ true, false })
            {
                final List<Round> like = new ArrayList<>();
                for (final Round round : rounds)
                {
                    if (round.size == size && round.near(options.nearNs) == near)
                    {
                        like.add(round);
                    }
                }
                if (!like.isEmpty())
                {
                    summary(size, near, like);
                }
            }
            final Histogram padded = merged(rounds, size, PADDED, true);
            final Histogram ring = merged(rounds, size, RING, true);
            final Histogram dma = merged(rounds, size, DMA, true);
            for (final String kind : List.of(PADDED, RING, DMA))
            {
                try (java.io.PrintStream hgrm = new java.io.PrintStream(
                    out.resolve("rtt-" + kind + "-" + size + ".hgrm").toFile(), StandardCharsets.UTF_8))
                {
                    merged(rounds, size, kind, true).outputPercentileDistribution(hgrm, 1000.0);
                }
            }
            for (final String kind : KINDS)
            {
                try (java.io.PrintStream hgrm = new java.io.PrintStream(
                    out.resolve("one-way-" + kind + "-" + size + ".hgrm").toFile(), StandardCharsets.UTF_8))
                {
                    merged(rounds, size, kind, false).outputPercentileDistribution(hgrm, 1000.0);
                }
            }
            new SvgPercentilePlot(String.format(Locale.ROOT,
                "Two-JVM round trip, %,d B payload (%s engines), all rounds",
                size, options.engine))
                .add("shmdma DMA copy", dma)
                .add("Agrona OneToOneRingBuffer", ring)
                .add("padded cache-line ping-pong", padded)
                .write(out.resolve("rtt-" + size + ".svg"));
        }
        System.out.println();
        System.out.println("histograms (.hgrm, microseconds) and plots (.svg) in " + out.toAbsolutePath());
    }

    private static void summary(final int size, final boolean near, final List<Round> like)
    {
        System.out.printf(Locale.ROOT, "%n%,d B, %s rounds (%d of them)%s%n", size, near ? "near" : "far", like.size(),
            like.stream().anyMatch(Round::suspect) ? ", with a suspect ring baseline in " +
            like.stream().filter(Round::suspect).count() : "");
        System.out.printf("%-12s %9s %9s %9s %9s %9s   %11s%n",
            "kind", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "one-way p50");
        final Map<String, Histogram> rtt = new LinkedHashMap<>();
        final Map<String, Histogram> oneWay = new LinkedHashMap<>();
        for (final String kind : KINDS)
        {
            rtt.put(kind, merged(like, size, kind, true));
            oneWay.put(kind, merged(like, size, kind, false));
        }
        for (final String kind : KINDS)
        {
            final Histogram h = OFFLOADED.equals(kind) ? null : rtt.get(kind);
            if (h == null)
            {
                System.out.printf("%-12s %9s %9s %9s %9s %9s   %11.3f  (one way only)%n", kind, "", "", "", "", "",
                    oneWay.get(kind).getValueAtPercentile(50) / 1000.0);
            }
            else
            {
                System.out.printf("%-12s %9.3f %9.3f %9.3f %9.3f %9.2f   %11.3f%n", kind,
                    h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
                    h.getMaxValue() / 1000.0, oneWay.get(kind).getValueAtPercentile(50) / 1000.0);
            }
        }
        System.out.printf(Locale.ROOT, "ratios, p50 of the merged rounds (median of per-round p50 ratios): " +
            "shmdma/agrona-ring %.2fx (%.2fx), p99 %.2fx; agrona-ring/padded %.2fx (%.2fx); " +
            "shmdma/padded %.2fx (%.2fx); offloaded one-way/padded one-way %.2fx (%.2fx)%n",
            ratio(rtt.get(DMA), rtt.get(RING), 50), medianRatio(like, DMA, RING, true),
            ratio(rtt.get(DMA), rtt.get(RING), 99),
            ratio(rtt.get(RING), rtt.get(PADDED), 50), medianRatio(like, RING, PADDED, true),
            ratio(rtt.get(DMA), rtt.get(PADDED), 50), medianRatio(like, DMA, PADDED, true),
            ratio(oneWay.get(OFFLOADED), oneWay.get(PADDED), 50), medianRatio(like, OFFLOADED, PADDED, false));
        final double[] busy = like.stream().mapToDouble(round -> round.senderBusyNs).sorted().toArray();
        final double[] cpu = like.stream().mapToDouble(round -> round.senderCpuNs).sorted().toArray();
        System.out.printf(Locale.ROOT, "offloaded sender per message (median of rounds): %.1f ns outside waiting " +
            "(enqueue, doorbell, one completion poll), %.1f ns thread CPU time (the same plus parking and waking up)%n",
            busy[busy.length / 2], cpu[cpu.length / 2]);
    }

    private static Histogram merged(final List<Round> rounds, final int size, final String kind, final boolean rtt)
    {
        final Histogram all = new Histogram(HIGHEST_NS, 3);
        for (final Round round : rounds)
        {
            final Histogram h = round.size != size ? null : rtt ? round.roundTrip.get(kind) : round.oneWay.get(kind);
            if (h != null)
            {
                all.add(h);
            }
        }
        return all;
    }

    private static double medianRatio(final List<Round> rounds, final String kind, final String base, final boolean rtt)
    {
        final double[] ratios = new double[rounds.size()];
        for (int i = 0; i < ratios.length; i++)
        {
            final Map<String, Histogram> source = rtt ? rounds.get(i).roundTrip : rounds.get(i).oneWay;
            ratios[i] = ratio(source.get(kind), source.get(base), 50);
        }
        Arrays.sort(ratios);
        final int n = ratios.length;
        return n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
    }

    private static double ratio(final Histogram value, final Histogram base, final double percentile)
    {
        return (double)value.getValueAtPercentile(percentile) / Math.max(1, base.getValueAtPercentile(percentile));
    }

    static String encode(final Histogram histogram)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        final int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        final byte[] bytes = new byte[length];
        buffer.flip().get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static Histogram decode(final String text) throws DataFormatException
    {
        return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(text)), 0);
    }

    static String expect(final BufferedReader in, final String word) throws java.io.IOException
    {
        final String line = in.readLine();
        if (line == null || !(line.equals(word) || line.startsWith(word + " ")))
        {
            throw new IllegalStateException("expected " + word + " from the other JVM, got " + line);
        }
        return line.length() > word.length() ? line.substring(word.length() + 1) : "";
    }

    static void deleteRecursively(final Path dir) throws java.io.IOException
    {
        if (Files.exists(dir))
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    /** One side's way of sending a message and waiting for the answer. */
    interface Endpoint
    {
        String kind();

        long nextSequence();

        /** Sends {@code size} bytes whose first word is the sequence and second the stamp. */
        void send(int size, long sequence, long stampNs);

        /** Spins until the peer's answer to the last message arrived; returns its stamp. */
        long awaitReply();
    }

    /** The floor: a stamp and a sequence in one cache line each way, 128 bytes apart; the payload size is ignored. */
    static final class PaddedEndpoint implements Endpoint
    {
        private final UnsafeBuffer lines;
        private final int outLine;
        private final int inLine;
        private long sequence;

        PaddedEndpoint(final UnsafeBuffer lines, final int outLine, final int inLine)
        {
            this.lines = lines;
            this.outLine = outLine;
            this.inLine = inLine;
        }

        @Override
        public String kind()
        {
            return PADDED;
        }

        @Override
        public long nextSequence()
        {
            return ++sequence;
        }

        @Override
        public void send(final int size, final long sequence, final long stampNs)
        {
            lines.putLong(outLine + STAMP_OFFSET, stampNs);
            lines.putLongRelease(outLine + SEQUENCE_OFFSET, sequence);
        }

        @Override
        public long awaitReply()
        {
            while (lines.getLongAcquire(inLine + SEQUENCE_OFFSET) != sequence)
            {
                Thread.onSpinWait();
            }
            return lines.getLong(inLine + STAMP_OFFSET);
        }
    }

    /**
     * A's side of the offloaded mode: its device's engine runs on its own busy-spin thread, started for the phase
     * and stopped after it (so it does not spin during the other phases). Per message the application thread
     * stamps, enqueues the two jobs with {@code SUBMIT} and polls completions once ({@link DmaEndpoint#send}),
     * then parks until B's acknowledgement line shows the sequence.
     */
    static final class OffloadedSender
    {
        private final DmaDevice device;
        private final DmaEndpoint endpoint;
        private final UnsafeBuffer lines;
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

        OffloadedSender(final DmaDevice device, final DmaEndpoint endpoint, final UnsafeBuffer lines)
        {
            this.device = device;
            this.endpoint = endpoint;
            this.lines = lines;
        }

        void run(final int size, final int samples, final Round round)
        {
            device.start();
            try
            {
                final int warmup = samples / 5;
                for (int i = 0; i < warmup; i++)
                {
                    sendAndPark(size);
                }
                final long cpuStart = threads.getCurrentThreadCpuTime();
                double busy = 0;
                for (int i = 0; i < samples; i++)
                {
                    busy += sendAndPark(size);
                }
                final long cpuEnd = threads.getCurrentThreadCpuTime();
                round.senderBusyNs = busy / samples;
                round.senderCpuNs = (double)(cpuEnd - cpuStart) / samples;
            }
            finally
            {
                endpoint.drain();
                device.stop();
            }
        }

        /** Returns the sender's nanoseconds outside waiting for this message. */
        private double sendAndPark(final int size)
        {
            final long sequence = endpoint.nextSequence();
            final long start = System.nanoTime();
            endpoint.send(size, sequence, start);
            final double busy = CallerCost.since(start);
            while (lines.getLongAcquire(ACK_LINE + SEQUENCE_OFFSET) != sequence)
            {
                LockSupport.parkNanos(PARK_NS);
            }
            return busy;
        }
    }

    /** Messages as two DMA jobs into the peer's inbox; answers read from this domain's inbox. */
    static final class DmaEndpoint implements Endpoint
    {
        private final DmaDevice device;
        private final DmaRegion outbox;
        private final long peerInboxIova;
        private final UnsafeBuffer inbox;
        private final AgentInvoker invoker;
        private final Completion completion = new Completion();
        private long sequence;
        private long inFlight;

        DmaEndpoint(final DmaDevice device, final DmaRegion outbox, final long peerInboxIova, final UnsafeBuffer inbox)
        {
            this.device = device;
            this.outbox = outbox;
            this.peerInboxIova = peerInboxIova;
            this.inbox = inbox;
            this.invoker = device.engineInvoker();
        }

        @Override
        public String kind()
        {
            return DMA;
        }

        @Override
        public long nextSequence()
        {
            return ++sequence;
        }

        @Override
        public void send(final int size, final long sequence, final long stampNs)
        {
            final UnsafeBuffer buffer = outbox.buffer();
            buffer.putLong(SEQUENCE_OFFSET, sequence);
            buffer.putLong(STAMP_OFFSET, stampNs);
            device.copy(0, outbox.iova(STAMP_OFFSET), peerInboxIova + STAMP_OFFSET, size - STAMP_OFFSET, 0);
            device.copy(0, outbox.iova(SEQUENCE_OFFSET), peerInboxIova + SEQUENCE_OFFSET, 8,
                OpFlags.FENCE | OpFlags.SUBMIT);
            inFlight += 2;
            if (invoker != null)
            {
                while (inFlight > 0)
                {
                    invoker.invoke();
                    inFlight -= device.completed(0, 64, completion);
                }
            }
            else
            {
                inFlight -= device.completed(0, 64, completion);
            }
        }

        /** Gathers every outstanding completion; the engine must be running. */
        void drain()
        {
            while (inFlight > 0)
            {
                if (invoker != null)
                {
                    invoker.invoke();
                }
                inFlight -= device.completed(0, 64, completion);
            }
        }

        @Override
        public long awaitReply()
        {
            while (inbox.getLongAcquire(SEQUENCE_OFFSET) != sequence)
            {
                Thread.onSpinWait();
            }
            if (invoker == null)
            {
                inFlight -= device.completed(0, 64, completion);
            }
            return inbox.getLong(STAMP_OFFSET);
        }
    }

    /** Messages through two Agrona rings mapped from files: one each way. */
    static final class RingEndpoint implements Endpoint, AutoCloseable
    {
        private final MappedByteBuffer outMapping;
        private final MappedByteBuffer inMapping;
        private final OneToOneRingBuffer out;
        private final OneToOneRingBuffer in;
        private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_SIZE));
        private long sequence;
        private long received;
        private long receivedStamp;

        private RingEndpoint(final MappedByteBuffer outMapping, final MappedByteBuffer inMapping)
        {
            this.outMapping = outMapping;
            this.inMapping = inMapping;
            this.out = new OneToOneRingBuffer(new UnsafeBuffer(outMapping));
            this.in = new OneToOneRingBuffer(new UnsafeBuffer(inMapping));
        }

        static RingEndpoint create(final Path out, final Path in)
        {
            final int length = RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
            return new RingEndpoint(IoUtil.mapNewFile(out.toFile(), length, true),
                IoUtil.mapNewFile(in.toFile(), length, true));
        }

        static RingEndpoint open(final Path out, final Path in)
        {
            return new RingEndpoint(
                IoUtil.mapExistingFile(out.toFile(), "ring"), IoUtil.mapExistingFile(in.toFile(), "ring"));
        }

        @Override
        public String kind()
        {
            return RING;
        }

        @Override
        public long nextSequence()
        {
            return ++sequence;
        }

        @Override
        public void send(final int size, final long sequence, final long stampNs)
        {
            message.putLong(SEQUENCE_OFFSET, sequence);
            message.putLong(STAMP_OFFSET, stampNs);
            while (!out.write(1, message, 0, size))
            {
                Thread.onSpinWait();
            }
        }

        @Override
        public long awaitReply()
        {
            while (received != sequence)
            {
                if (in.read((type, buffer, index, length) ->
                {
                    received = buffer.getLong(index + SEQUENCE_OFFSET);
                    receivedStamp = buffer.getLong(index + STAMP_OFFSET);
                }, 1) == 0)
                {
                    Thread.onSpinWait();
                }
            }
            return receivedStamp;
        }

        @Override
        public void close()
        {
            IoUtil.unmap(outMapping);
            IoUtil.unmap(inMapping);
        }
    }

    /**
     * JVM B: joins, lends two inboxes, answers every ping-pong message the way it came, acknowledges offloaded ones.
     */
    static final class Responder
    {
        private Responder()
        {
        }

        static void run(final String engine) throws Exception
        {
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            final PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
            final String[] hello = in.readLine().split(" ");
            final Path dir = Path.of(hello[0]);
            final int groupId = Integer.parseInt(hello[1]);
            final UUID peerDomain = UUID.fromString(hello[3]);
            try (ShmDomain domain = ShmDomain.open(new ShmContext().dir(dir).domainSegmentSize(8L << 20)))
            {
                final DmaDevice device = domain.createDevice("latency-b", Options.threading(engine));
                device.accessPairGroupJoin(domain.domainId(), UUID.fromString(hello[2]), groupId, null);
                device.accessPairGroupJoin(domain.domainId(), UUID.fromString(hello[5]), Integer.parseInt(hello[4]),
                    null);
                final DmaRegion inbox = domain.memory().allocate(MAX_SIZE);
                final DmaRegion outbox = domain.memory().allocate(MAX_SIZE);
                final DmaRegion offloadInbox = domain.memory().allocate(MAX_SIZE);
                out.println("READY " + domain.domainId() + " " + inbox.iova() + " " + offloadInbox.iova());
                final long peerInbox = Long.parseLong(expect(in, "INBOX"));
                device.configure(new DmaConf(1, 0));
                device.vchanSetup(0, VchanConf.interProcess(1024,
                    device.accessPairGroupHandlerGet(groupId, domain.domainId()),
                    device.accessPairGroupHandlerGet(groupId, peerDomain)));
                device.start();
                out.println("OK");
                expect(in, "RINGS");
                final MappedByteBuffer linesMapping = IoUtil.mapExistingFile(dir.resolve("lines").toFile(), "lines");
                final UnsafeBuffer lines = new UnsafeBuffer(linesMapping);
                final RingEndpoint ring = RingEndpoint.open(dir.resolve("ring-ba.ring"), dir.resolve("ring-ab.ring"));
                final Map<String, Endpoint> endpoints = Map.of(
                    PADDED, new PaddedEndpoint(lines, PONG_LINE, PING_LINE),
                    RING, ring,
                    DMA, new DmaEndpoint(device, outbox, peerInbox, inbox.buffer()),
                    OFFLOADED, new DmaEndpoint(device, outbox, peerInbox, offloadInbox.buffer()));
                out.println("OK");
                String line;
                while ((line = in.readLine()) != null && line.startsWith("PHASE"))
                {
                    final String[] words = line.split(" ");
                    final Endpoint endpoint = endpoints.get(words[1]);
                    final boolean offloaded = OFFLOADED.equals(words[1]);
                    final int size = Integer.parseInt(words[2]);
                    final int messages = Integer.parseInt(words[3]) + Integer.parseInt(words[3]) / 5;
                    final Histogram oneWay = new Histogram(HIGHEST_NS, 3);
                    out.println("GO");
                    for (int i = 0; i < messages; i++)
                    {
                        final long sequence = endpoint.nextSequence();
                        final long stamp = endpoint.awaitReply();
                        final long now = System.nanoTime();
                        if (i >= messages - Integer.parseInt(words[3]))
                        {
                            oneWay.recordValue(Math.min(HIGHEST_NS, Math.max(0, now - stamp)));
                        }
                        if (offloaded)
                        {
                            lines.putLongRelease(ACK_LINE + SEQUENCE_OFFSET, sequence);
                        }
                        else
                        {
                            endpoint.send(size, sequence, now);
                        }
                    }
                    out.println("DONE " + encode(oneWay));
                }
                ring.close();
                IoUtil.unmap(linesMapping);
                device.stop();
            }
        }
    }

    /** Command line options. */
    static final class Options
    {
        List<Integer> sizes = List.of(64, 1024, 16384, 65536);
        int samples = 20_000;
        int rounds = 5;
        int warmup = WARMUP_ROUND_TRIPS;
        long nearNs = 300;
        String engine = "inline";
        String out = "target/latency";

        static Options parse(final String[] args)
        {
            final Options options = new Options();
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--sizes":
                        final List<Integer> sizes = new ArrayList<>();
                        for (final String size : args[++i].split(","))
                        {
                            final int bytes = Integer.parseInt(size.trim());
                            if (bytes < MIN_SIZE || bytes > MAX_SIZE)
                            {
                                throw new IllegalArgumentException("sizes must be " + MIN_SIZE + ".." + MAX_SIZE);
                            }
                            sizes.add(bytes);
                        }
                        options.sizes = sizes;
                        break;
                    case "--samples":
                        options.samples = Integer.parseInt(args[++i]);
                        break;
                    case "--rounds":
                        options.rounds = Integer.parseInt(args[++i]);
                        break;
                    case "--warmup":
                        options.warmup = Integer.parseInt(args[++i]);
                        break;
                    case "--near-ns":
                        options.nearNs = Long.parseLong(args[++i]);
                        break;
                    case "--engine":
                        options.engine = args[++i];
                        threading(options.engine);
                        break;
                    case "--out":
                        options.out = args[++i];
                        break;
                    case "--quick":
                        options.sizes = List.of(64, 4096, 65536);
                        options.samples = 5_000;
                        options.rounds = 3;
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + args[i] + "; use --sizes a,b,c " +
                            "--samples n --rounds n --warmup n --near-ns n --engine inline|busy-spin --out dir " +
                            "--quick");
                }
            }
            return options;
        }

        EngineThreading threading()
        {
            return threading(engine);
        }

        static EngineThreading threading(final String engine)
        {
            switch (engine)
            {
                case "inline":
                    return EngineThreading.inline();
                case "busy-spin":
                    return EngineThreading.busySpin();
                default:
                    throw new IllegalArgumentException("--engine must be inline or busy-spin: " + engine);
            }
        }
    }
}
