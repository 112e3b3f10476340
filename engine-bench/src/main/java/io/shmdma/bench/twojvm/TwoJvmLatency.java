package io.shmdma.bench.twojvm;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.VchanConf;
import io.shmdma.OpFlags;
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
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;

/**
 * The two-JVM latency harness. JVM A (this main) copies a payload into JVM B's domain through an
 * inter-process vchan; B sees it by polling its own memory and answers the same way into A's domain. A records
 * each round trip in an HdrHistogram, B the one-way time from a {@code System.nanoTime} stamp in the payload.
 * The baseline, in the same run and between the same two JVMs, is the same ping-pong over two Agrona
 * {@link OneToOneRingBuffer}s mapped from files in the same /dev/shm directory. Phases of the two kinds
 * alternate, so a change in how the machine places the two processes hits both alike.
 * <p>
 * A message is two jobs: the payload (with the stamp), then the 8-byte sequence word the receiver polls, so the
 * receiver never sees a sequence before its payload. The Agrona ring likewise commits its record header after
 * the payload.
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks.jar io.shmdma.bench.twojvm.TwoJvmLatency \
 *     [--sizes 64,1024,16384,65536] [--samples 20000] [--rounds 5] [--engine inline|busy-spin] [--out dir]
 * </pre>
 */
public final class TwoJvmLatency
{
    private static final int SEQUENCE_OFFSET = 0;
    private static final int STAMP_OFFSET = 8;
    private static final int MIN_SIZE = 16;
    private static final int MAX_SIZE = 1 << 16;
    private static final int RING_CAPACITY = 1 << 20;
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(10);
    private static final String DMA = "shmdma";
    private static final String RING = "agrona-ring";

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
            final UUID token = UUID.randomUUID();
            final int groupId = device.accessPairGroupCreate(domain.domainId(), token, null);
            responder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                TwoJvmLatency.class.getName(), "responder", options.engine)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            final PrintWriter toB = new PrintWriter(
                new OutputStreamWriter(responder.getOutputStream(), StandardCharsets.UTF_8), true);
            final BufferedReader fromB = new BufferedReader(
                new InputStreamReader(responder.getInputStream(), StandardCharsets.UTF_8));
            toB.println(dir + " " + groupId + " " + token + " " + domain.domainId());
            final String[] ready = expect(fromB, "READY").split(" ");
            final DmaRegion inbox = domain.memory().allocate(MAX_SIZE);
            final DmaRegion outbox = domain.memory().allocate(MAX_SIZE);
            toB.println("INBOX " + inbox.iova());
            expect(fromB, "OK");
            final int self = device.accessPairGroupHandlerGet(groupId, domain.domainId());
            final int peer = device.accessPairGroupHandlerGet(groupId, UUID.fromString(ready[0]));
            device.configure(new DmaConf(1, 0));
            device.vchanSetup(0, VchanConf.interProcess(1024, self, peer));
            device.start();
            final Endpoint dma = new DmaEndpoint(device, outbox, Long.parseLong(ready[1]), inbox.buffer());
            final RingEndpoint ring = RingEndpoint.create(dir.resolve("ring-ab.ring"), dir.resolve("ring-ba.ring"));
            toB.println("RINGS");
            expect(fromB, "OK");

            final Map<String, Histogram> roundTrips = new LinkedHashMap<>();
            final Map<String, Histogram> oneWay = new LinkedHashMap<>();
            final int totalPhases = options.sizes.size() * options.rounds * 2;
            int phase = 0;
            for (final int size : options.sizes)
            {
                for (int round = 0; round < options.rounds; round++)
                {
                    for (final Endpoint endpoint : round % 2 == 0 ?
                        List.of(dma, (Endpoint)ring) : List.of((Endpoint)ring, dma))
                    {
                        phase++;
                        System.err.printf("\r  phase %d/%d: %,d B %-12s round %d/%d ", phase, totalPhases, size,
                            endpoint.kind(), round + 1, options.rounds);
                        toB.println("PHASE " + endpoint.kind() + " " + size + " " + options.samples);
                        expect(fromB, "GO");
                        final Histogram rtt = roundTrips.computeIfAbsent(endpoint.kind() + " " + size,
                            key -> new Histogram(HIGHEST_NS, 3));
                        pingPong(endpoint, size, options.samples, rtt);
                        oneWay.computeIfAbsent(endpoint.kind() + " " + size, key -> new Histogram(HIGHEST_NS, 3))
                            .add(decode(expect(fromB, "DONE")));
                    }
                }
            }
            System.err.print("\r" + " ".repeat(70) + "\r");
            toB.println("EXIT");
            responder.waitFor(10, TimeUnit.SECONDS);
            ring.close();
            device.stop();
            report(options, roundTrips, oneWay);
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

    private static void report(
        final Options options, final Map<String, Histogram> roundTrips, final Map<String, Histogram> oneWay)
        throws Exception
    {
        final Path out = Path.of(options.out);
        Files.createDirectories(out);
        System.out.printf("two-JVM ping-pong, %s engines, %,d samples x %d rounds per kind and size; %s; %s; %d cores%n",
            options.engine, options.samples, options.rounds, System.getProperty("java.vm.name"),
            System.getProperty("java.runtime.version"), Runtime.getRuntime().availableProcessors());
        System.out.printf("%-8s %-12s %9s %9s %9s %9s %9s   %11s%n",
            "size", "path", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "one-way p50");
        for (final int size : options.sizes)
        {
            final Histogram dma = roundTrips.get(DMA + " " + size);
            final Histogram ring = roundTrips.get(RING + " " + size);
            row(size, DMA, dma, oneWay.get(DMA + " " + size));
            row(size, RING, ring, oneWay.get(RING + " " + size));
            System.out.printf("%-8s %-12s %8.2fx %8.2fx %8.2fx %8.2fx%n", "", "ratio",
                ratio(dma, ring, 50), ratio(dma, ring, 90), ratio(dma, ring, 99), ratio(dma, ring, 99.9));
            for (final String kind : List.of(DMA, RING))
            {
                try (java.io.PrintStream hgrm = new java.io.PrintStream(
                    out.resolve("rtt-" + kind + "-" + size + ".hgrm").toFile(), StandardCharsets.UTF_8))
                {
                    roundTrips.get(kind + " " + size).outputPercentileDistribution(hgrm, 1000.0);
                }
            }
            new SvgPercentilePlot(String.format(Locale.ROOT, "Two-JVM round trip, %,d B payload (%s engines)",
                size, options.engine))
                .add("shmdma DMA copy", dma)
                .add("Agrona OneToOneRingBuffer", ring)
                .write(out.resolve("rtt-" + size + ".svg"));
        }
        System.out.println("histograms (.hgrm, microseconds) and plots (.svg) in " + out.toAbsolutePath());
    }

    private static void row(final int size, final String kind, final Histogram rtt, final Histogram oneWay)
    {
        System.out.printf("%-8s %-12s %9.2f %9.2f %9.2f %9.2f %9.2f   %11.2f%n", size + " B", kind,
            rtt.getValueAtPercentile(50) / 1000.0, rtt.getValueAtPercentile(90) / 1000.0,
            rtt.getValueAtPercentile(99) / 1000.0, rtt.getValueAtPercentile(99.9) / 1000.0,
            rtt.getMaxValue() / 1000.0, oneWay.getValueAtPercentile(50) / 1000.0);
    }

    private static double ratio(final Histogram dma, final Histogram ring, final double percentile)
    {
        return (double)dma.getValueAtPercentile(percentile) / Math.max(1, ring.getValueAtPercentile(percentile));
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
            device.copy(0, outbox.iova(SEQUENCE_OFFSET), peerInboxIova + SEQUENCE_OFFSET, 8, OpFlags.FENCE | OpFlags.SUBMIT);
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
            return new RingEndpoint(IoUtil.mapExistingFile(out.toFile(), "ring"), IoUtil.mapExistingFile(in.toFile(), "ring"));
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

    /** JVM B: joins, lends an inbox, and answers every message the way it came. */
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
                final DmaRegion inbox = domain.memory().allocate(MAX_SIZE);
                final DmaRegion outbox = domain.memory().allocate(MAX_SIZE);
                out.println("READY " + domain.domainId() + " " + inbox.iova());
                final long peerInbox = Long.parseLong(expect(in, "INBOX"));
                device.configure(new DmaConf(1, 0));
                device.vchanSetup(0, VchanConf.interProcess(1024,
                    device.accessPairGroupHandlerGet(groupId, domain.domainId()),
                    device.accessPairGroupHandlerGet(groupId, peerDomain)));
                device.start();
                out.println("OK");
                expect(in, "RINGS");
                final RingEndpoint ring = RingEndpoint.open(dir.resolve("ring-ba.ring"), dir.resolve("ring-ab.ring"));
                final DmaEndpoint dma = new DmaEndpoint(device, outbox, peerInbox, inbox.buffer());
                out.println("OK");
                String line;
                while ((line = in.readLine()) != null && line.startsWith("PHASE"))
                {
                    final String[] words = line.split(" ");
                    final Endpoint endpoint = DMA.equals(words[1]) ? dma : ring;
                    final int size = Integer.parseInt(words[2]);
                    final int messages = Integer.parseInt(words[3]) + Integer.parseInt(words[3]) / 5;
                    final Histogram oneWay = new Histogram(HIGHEST_NS, 3);
                    out.println("GO");
                    for (int i = 0; i < messages; i++)
                    {
                        final long sequence = endpoint.nextSequence();
                        final long stamp = endpoint.awaitReply();
                        oneWay.recordValue(Math.min(HIGHEST_NS, Math.max(0, System.nanoTime() - stamp)));
                        endpoint.send(size, sequence, System.nanoTime());
                    }
                    out.println("DONE " + encode(oneWay));
                }
                ring.close();
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
                        throw new IllegalArgumentException("unknown option " + args[i] +
                            "; use --sizes a,b,c --samples n --rounds n --engine inline|busy-spin --out dir --quick");
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
