package io.shmdma.examples;

import io.shmdma.Completion;
import io.shmdma.DmaDevice;
import io.shmdma.DmaStatus;
import io.shmdma.GroupEventType;
import io.shmdma.OpFlags;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.shm.ShmContext;
import io.shmdma.shm.ShmDomain;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static io.shmdma.examples.ExampleSupport.expect;
import static io.shmdma.examples.ExampleSupport.say;

/**
 * The two-JVM demo: DPDK's inter-domain DMA guide step by step. The creator (this JVM) makes a fresh
 * directory under /dev/shm, creates an access pair group and launches the joiner JVM, passing it the group
 * id, the token and its domain id on the joiner's standard input. Both get handlers, copy 1 MiB each way
 * and verify it; the joiner leaves (the creator sees MEMBER_LEFT) and the creator destroys the group,
 * measures a short latency summary, and removes everything it made.
 */
public final class GuideDemo
{
    private static final int MIB = 1 << 20;
    private static final int LATENCY_SAMPLES = 20_000;

    private GuideDemo()
    {
    }

    /**
     * Runs the creator, or with the argument {@code joiner} the joiner.
     *
     * @param args {@code []} for the creator, {@code [joiner]} for the joiner.
     * @throws Exception when a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && "joiner".equals(args[0]))
        {
            Joiner.run();
        }
        else
        {
            System.exit(runCreator());
        }
    }

    static long crc(final DmaRegion region, final int length)
    {
        final byte[] bytes = new byte[length];
        region.buffer().getBytes(0, bytes);
        final CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    static void await(final DmaDevice device, final String what)
    {
        final DmaStatus[] status = new DmaStatus[1];
        final Completion completion = new Completion();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (device.completedStatus(0, 1, completion, status) == 0)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException(what + ": no completion in 10 s");
            }
            Thread.onSpinWait();
        }
        if (status[0] != DmaStatus.SUCCESSFUL)
        {
            throw new IllegalStateException(what + " failed: " + status[0]);
        }
    }

    private static int runCreator() throws Exception
    {
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "shmdma-demo-");
        Process joinerProcess = null;
        try (ShmDomain domain = ShmDomain.open(new ShmContext().dir(dir).domainSegmentSize(16L * MIB)))
        {
            say("creator", "opened domain " + domain.domainId() + " in " + dir);
            final DmaDevice device = domain.createDevice("demo-creator", EngineThreading.backoff());
            final BlockingQueue<String> events = new ArrayBlockingQueue<>(16);
            final UUID token = UUID.randomUUID();
            final int groupId = device.accessPairGroupCreate(domain.domainId(), token,
                (devId, group, member, type) -> events.add(type + " " + group + " " + member));
            say("creator", "created access pair group " + groupId + " (the token goes to the joiner on its stdin)");

            joinerProcess = ExampleSupport.startJvm(GuideDemo.class, "joiner");
            final PrintWriter toJoiner = new PrintWriter(
                new OutputStreamWriter(joinerProcess.getOutputStream(), StandardCharsets.UTF_8), true);
            final BufferedReader fromJoiner = new BufferedReader(
                new InputStreamReader(joinerProcess.getInputStream(), StandardCharsets.UTF_8));
            toJoiner.println(dir + " " + groupId + " " + token + " " + domain.domainId());
            final UUID joinerDomain = UUID.fromString(expect(fromJoiner, "JOINED"));

            final int creatorHandler = device.accessPairGroupHandlerGet(groupId, domain.domainId());
            final int joinerHandler = device.accessPairGroupHandlerGet(groupId, joinerDomain);
            say("creator", "handlers: creator " + creatorHandler + ", joiner " + joinerHandler);

            final DmaRegion outbound = domain.memory().allocate(MIB);
            final byte[] payload = new byte[MIB];
            new Random(25_11).nextBytes(payload);
            outbound.buffer().putBytes(0, payload);
            final long targetIova = Long.parseLong(expect(fromJoiner, "BUFFER"));
            ExampleSupport.interProcessVchan(device, creatorHandler, joinerHandler);
            device.copy(0, outbound.iova(), targetIova, MIB, OpFlags.SUBMIT);
            await(device, "copy creator -> joiner");
            say("creator", "copied 1 MiB into the joiner's memory (crc32 " + Long.toHexString(crc(outbound, MIB)) +
                ")");
            toJoiner.println("VERIFY " + crc(outbound, MIB));
            expect(fromJoiner, "VERIFIED");

            final DmaRegion inbound = domain.memory().allocate(MIB);
            toJoiner.println("COPY-BACK " + inbound.iova());
            expect(fromJoiner, "COPIED");
            if (crc(inbound, MIB) != crc(outbound, MIB))
            {
                throw new IllegalStateException("the bytes copied back differ");
            }
            say("creator", "verified the 1 MiB the joiner copied back: crc32 matches");

            final Histogram histogram = measureLatency(device, outbound, targetIova);

            toJoiner.println("LEAVE");
            expect(fromJoiner, "LEFT");
            final String event = events.poll(5, TimeUnit.SECONDS);
            if (event == null || !event.equals(GroupEventType.MEMBER_LEFT + " " + groupId + " " + joinerDomain))
            {
                throw new IllegalStateException("expected MEMBER_LEFT for the joiner, got " + event);
            }
            say("creator", "event " + event);
            device.accessPairGroupDestroy(groupId);
            say("creator", "destroyed group " + groupId);
            toJoiner.println("EXIT");
            if (!joinerProcess.waitFor(10, TimeUnit.SECONDS) || joinerProcess.exitValue() != 0)
            {
                throw new IllegalStateException("the joiner did not exit cleanly");
            }
            say("creator", String.format(
                "latency of a 64 B copy into the joiner's memory, %,d samples: p50 %.2f us, p99 %.2f us, max %.2f us",
                histogram.getTotalCount(), histogram.getValueAtPercentile(50) / 1000.0,
                histogram.getValueAtPercentile(99) / 1000.0, histogram.getMaxValue() / 1000.0));
            say("creator",
                "(engine thread with a backoff idle strategy; docs/performance.md has busy-spin and inline figures)");
        }
        finally
        {
            if (joinerProcess != null && joinerProcess.isAlive())
            {
                joinerProcess.destroyForcibly();
                joinerProcess.waitFor(10, TimeUnit.SECONDS);
            }
            ExampleSupport.deleteRecursively(dir);
        }
        say("creator", "done; removed " + dir);
        return 0;
    }

    private static Histogram measureLatency(final DmaDevice device, final DmaRegion source, final long targetIova)
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
        for (int i = 0; i < LATENCY_SAMPLES; i++)
        {
            final long start = System.nanoTime();
            device.copy(0, source.iova(), targetIova, 64, OpFlags.SUBMIT);
            await(device, "latency copy");
            if (i >= LATENCY_SAMPLES / 4)
            {
                histogram.recordValue(System.nanoTime() - start);
            }
        }
        return histogram;
    }

    /** The joiner JVM: reads its instructions on stdin, answers on stdout. */
    static final class Joiner
    {
        private Joiner()
        {
        }

        static void run() throws Exception
        {
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            final String[] hello = in.readLine().split(" ");
            final Path dir = Path.of(hello[0]);
            final int groupId = Integer.parseInt(hello[1]);
            final UUID token = UUID.fromString(hello[2]);
            final UUID creatorDomain = UUID.fromString(hello[3]);
            try (ShmDomain domain = ShmDomain.open(new ShmContext().dir(dir).domainSegmentSize(16L * MIB)))
            {
                final DmaDevice device = domain.createDevice("demo-joiner", EngineThreading.backoff());
                device.accessPairGroupJoin(domain.domainId(), token, groupId, null);
                say("joiner", "joined group " + groupId + " as domain " + domain.domainId());
                System.out.println("JOINED " + domain.domainId());
                final int creatorHandler = device.accessPairGroupHandlerGet(groupId, creatorDomain);
                final int joinerHandler = device.accessPairGroupHandlerGet(groupId, domain.domainId());
                say("joiner", "handlers: creator " + creatorHandler + ", joiner " + joinerHandler);
                final DmaRegion buffer = domain.memory().allocate(MIB);
                System.out.println("BUFFER " + buffer.iova());
                System.out.flush();

                String line;
                while ((line = in.readLine()) != null)
                {
                    final String[] words = line.split(" ");
                    switch (words[0])
                    {
                        case "VERIFY":
                            if (crc(buffer, MIB) != Long.parseLong(words[1]))
                            {
                                throw new IllegalStateException("the 1 MiB received differs from what was sent");
                            }
                            say("joiner", "verified the 1 MiB in its memory: crc32 matches");
                            System.out.println("VERIFIED");
                            break;
                        case "COPY-BACK":
                            ExampleSupport.interProcessVchan(device, joinerHandler, creatorHandler);
                            device.copy(0, buffer.iova(), Long.parseLong(words[1]), MIB, OpFlags.SUBMIT);
                            await(device, "copy joiner -> creator");
                            say("joiner", "copied 1 MiB back into the creator's memory");
                            System.out.println("COPIED");
                            break;
                        case "LEAVE":
                            device.accessPairGroupLeave(groupId);
                            say("joiner", "left group " + groupId);
                            System.out.println("LEFT");
                            break;
                        case "EXIT":
                            return;
                        default:
                            throw new IllegalStateException("unknown instruction " + words[0]);
                    }
                    System.out.flush();
                }
            }
        }
    }
}
