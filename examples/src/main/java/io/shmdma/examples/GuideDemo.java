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
import io.shmdma.shm.driver.DriverContext;
import io.shmdma.shm.driver.ShmDriver;
import io.shmdma.shm.registry.RegionView;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * directory under /dev/shm, creates an access pair group named {@value #GROUP_NAME} and launches the joiner JVM,
 * passing it only the directory, the token and the names on its standard input: the joiner finds the group id by
 * name, the creator's domain id among the group's members and the creator's buffer by its region name, as
 * separately started services do. Both get handlers, copy 1 MiB each way and verify it; the joiner leaves (the
 * creator sees MEMBER_LEFT) and the creator destroys the group, measures a short latency summary, and removes
 * everything it made.
 * <p>
 * With {@code --driver}, the creator first launches a {@link ShmDriver} in its JVM, and both domains are opened in
 * driver mode: neither application JVM runs an engine thread; the driver executes every job.
 */
public final class GuideDemo
{
    /** The group's name, which the joiner is given instead of its id. */
    static final String GROUP_NAME = "guide-demo";
    /** The name of the creator's buffer that the joiner copies back into. */
    static final String CREATOR_REGION = "creator-inbox";
    /** The name of the joiner's buffer that the creator copies into. */
    static final String JOINER_REGION = "joiner-inbox";
    /** The argument that selects driver mode. */
    static final String DRIVER_FLAG = "--driver";
    private static final int MIB = 1 << 20;
    private static final int LATENCY_SAMPLES = 20_000;

    private GuideDemo()
    {
    }

    /**
     * Runs the creator, or with the argument {@code joiner} the joiner; {@code --driver} selects driver mode.
     *
     * @param args {@code [--driver]} for the creator, {@code [joiner [--driver]]} for the joiner.
     * @throws Exception when a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final boolean driverMode = List.of(args).contains(DRIVER_FLAG);
        if (args.length > 0 && "joiner".equals(args[0]))
        {
            Joiner.run(driverMode);
        }
        else
        {
            System.exit(runCreator(driverMode));
        }
    }

    static ShmContext context(final Path dir, final boolean driverMode)
    {
        return new ShmContext().dir(dir).domainSegmentSize(16L * MIB)
            .engineMode(driverMode ? ShmContext.EngineMode.DRIVER : ShmContext.EngineMode.EMBEDDED);
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

    private static int runCreator(final boolean driverMode) throws Exception
    {
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "shmdma-demo-");
        final Process[] joiner = new Process[1];
        ShmDriver driver = null;
        try
        {
            if (driverMode)
            {
                driver = ShmDriver.launch(new DriverContext().dir(dir).engineThreads(1).idle("backoff"));
                say("creator", "launched a shmdma driver in " + dir + ": it runs the engine for both JVMs");
            }
            runCreator(dir, driverMode, joiner);
        }
        finally
        {
            if (joiner[0] != null && joiner[0].isAlive())
            {
                joiner[0].destroyForcibly();
                joiner[0].waitFor(10, TimeUnit.SECONDS);
            }
            if (null != driver)
            {
                driver.close();
            }
            ExampleSupport.deleteRecursively(dir);
        }
        say("creator", "done; removed " + dir);
        return 0;
    }

    private static void runCreator(final Path dir, final boolean driverMode, final Process[] joiner) throws Exception
    {
        try (ShmDomain domain = ShmDomain.open(context(dir, driverMode)))
        {
            say("creator", "opened domain " + domain.domainId() + " in " + dir +
                (driverMode ? " (driver mode)" : " (embedded engine)"));
            final DmaDevice device = domain.createDevice("demo-creator", EngineThreading.backoff());
            final BlockingQueue<String> events = new ArrayBlockingQueue<>(16);
            final UUID token = UUID.randomUUID();
            final int groupId = domain.accessPairGroupCreate(device, GROUP_NAME, token,
                (devId, group, member, type) -> events.add(type + " " + group + " " + member));
            say("creator", "created access pair group " + groupId + " named '" + GROUP_NAME +
                "' (the joiner gets the token and the names on its stdin, nothing else)");
            final DmaRegion inbound = domain.allocateNamed(CREATOR_REGION, MIB);

            final Process joinerProcess = driverMode ?
                ExampleSupport.startJvm(GuideDemo.class, "joiner", DRIVER_FLAG) :
                ExampleSupport.startJvm(GuideDemo.class, "joiner");
            joiner[0] = joinerProcess;
            final PrintWriter toJoiner = new PrintWriter(
                new OutputStreamWriter(joinerProcess.getOutputStream(), StandardCharsets.UTF_8), true);
            final BufferedReader fromJoiner = new BufferedReader(
                new InputStreamReader(joinerProcess.getInputStream(), StandardCharsets.UTF_8));
            toJoiner.println(dir + " " + token + " " + GROUP_NAME + " " + CREATOR_REGION + " " + JOINER_REGION);
            expect(fromJoiner, "JOINED");

            final List<UUID> members = domain.groupMembers(groupId);
            final UUID joinerDomain = members.get(members.size() - 1);
            final int creatorHandler = device.accessPairGroupHandlerGet(groupId, domain.domainId());
            final int joinerHandler = device.accessPairGroupHandlerGet(groupId, joinerDomain);
            say("creator", "handlers: creator " + creatorHandler + ", joiner " + joinerHandler + " (joiner " +
                joinerDomain + " found among the group's members)");

            final DmaRegion outbound = domain.memory().allocate(MIB);
            final byte[] payload = new byte[MIB];
            new Random(25_11).nextBytes(payload);
            outbound.buffer().putBytes(0, payload);
            final RegionView target = domain.lookupRegion(joinerDomain, JOINER_REGION);
            say("creator", "looked up the joiner's region '" + JOINER_REGION + "': IOVA 0x" +
                Long.toHexString(target.iova()) + ", " + target.length() + " bytes");
            final long targetIova = target.iova();
            ExampleSupport.interProcessVchan(device, creatorHandler, joinerHandler);
            device.copy(0, outbound.iova(), targetIova, MIB, OpFlags.SUBMIT);
            await(device, "copy creator -> joiner");
            say("creator", "copied 1 MiB into the joiner's memory (crc32 " + Long.toHexString(crc(outbound, MIB)) +
                ")");
            toJoiner.println("VERIFY " + crc(outbound, MIB));
            expect(fromJoiner, "VERIFIED");

            toJoiner.println("COPY-BACK");
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
            say("creator", driverMode ?
                "(jobs executed by the driver's engine thread, backoff idle strategy)" :
                "(engine thread with a backoff idle strategy; docs/performance.md has busy-spin and inline figures)");
        }
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

        static void run(final boolean driverMode) throws Exception
        {
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            final String[] hello = in.readLine().split(" ");
            final Path dir = Path.of(hello[0]);
            final UUID token = UUID.fromString(hello[1]);
            final String groupName = hello[2];
            final String creatorRegion = hello[3];
            final String joinerRegion = hello[4];
            try (ShmDomain domain = ShmDomain.open(context(dir, driverMode)))
            {
                final DmaDevice device = domain.createDevice("demo-joiner", EngineThreading.backoff());
                final int groupId = domain.groupIdByName(groupName);
                device.accessPairGroupJoin(domain.domainId(), token, groupId, null);
                final UUID creatorDomain = domain.groupMembers(groupId).get(0);
                say("joiner", "joined group " + groupId + " (found by its name '" + groupName + "') as domain " +
                    domain.domainId() + "; the creator is " + creatorDomain);
                final DmaRegion buffer = domain.allocateNamed(joinerRegion, MIB);
                final int creatorHandler = device.accessPairGroupHandlerGet(groupId, creatorDomain);
                final int joinerHandler = device.accessPairGroupHandlerGet(groupId, domain.domainId());
                say("joiner", "handlers: creator " + creatorHandler + ", joiner " + joinerHandler);
                System.out.println("JOINED");
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
                            final RegionView target = domain.lookupRegion(creatorDomain, creatorRegion);
                            say("joiner", "looked up the creator's region '" + creatorRegion + "': IOVA 0x" +
                                Long.toHexString(target.iova()));
                            ExampleSupport.interProcessVchan(device, joinerHandler, creatorHandler);
                            device.copy(0, buffer.iova(), target.iova(), MIB, OpFlags.SUBMIT);
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
