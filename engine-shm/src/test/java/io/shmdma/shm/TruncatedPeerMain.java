package io.shmdma.shm;

import io.shmdma.DeviceDrivers;
import io.shmdma.DmaStatus;
import io.shmdma.engine.EngineThreading;
import io.shmdma.engine.SoftwareDmaDriver;
import io.shmdma.memory.DmaRegion;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for {@code TruncatedSegmentIT}: copies into a peer's segment, truncates the peer's file (as a
 * hostile process of the same user could), copies again before the conductor notices, then lets the conductor
 * notice and copies once more. Prints one line per step; the parent checks the JVM survived.
 */
public final class TruncatedPeerMain
{
    private TruncatedPeerMain()
    {
    }

    /**
    /**
     * @param args the shmdma directory.
     * @throws java.io.IOException when the file cannot be truncated.
     */
    public static void main(final String[] args) throws java.io.IOException
    {
        final Path dir = Path.of(args[0]);
        scenario(dir, "INLINE", EngineThreading.inline());
        scenario(dir, "DEDICATED", EngineThreading.backoff());
        controlSegmentScenario(dir.resolve("control-truncated"));
        System.out.println("ALIVE " + Runtime.version());
    }

    private static ShmContext quiet(final Path dir)
    {
        return new ShmContext().dir(dir).domainSegmentSize(1 << 20)
            .conductorIntervalNs(TimeUnit.SECONDS.toNanos(1)).livenessTimeoutNs(TimeUnit.SECONDS.toNanos(30));
    }

    private static void scenario(final Path dir, final String name, final EngineThreading threading)
        throws java.io.IOException
    {
        try (DomainPair pair = new DomainPair(quiet(dir), quiet(dir), threading))
        {
            pair.creatorToJoiner();
            final DmaRegion source = pair.creator.memory().allocate(4096);
            final DmaRegion target = pair.joiner.memory().allocate(4096);
            System.out.println(name + " BEFORE " + pair.copy(source, target.iova(), 4096));
            try (FileChannel channel = FileChannel.open(
                DomainSegmentDescriptor.file(dir, pair.joiner.domainId()), StandardOpenOption.WRITE))
            {
                channel.truncate(DomainSegmentDescriptor.HEADER_LENGTH);
            }
            for (int i = 1; i <= 2; i++)
            {
                step(name + " WINDOW" + i, () -> pair.copy(source, target.iova(), 4096, 1));
                step(name + " PAUSE" + i, () ->
                {
                    Thread.sleep(50);
                    return "slept";
                });
            }
            step(name + " CONDUCT", () ->
            {
                pair.creator.conduct();
                return "conductor checked the segments";
            });
            step(name + " STATUS", () -> pair.creatorDevice.vchanStatus(0));
            step(name + " RESTART", () ->
            {
                pair.creatorDevice.stop();
                pair.creatorDevice.start();
                return "restarted";
            });
            step(name + " AFTER", () -> pair.copy(source, target.iova(), 4096));
            final SoftwareDmaDriver driver = (SoftwareDmaDriver)DeviceDrivers.driverOf(pair.creatorDevice);
            System.out.println(name + " ENGINE_ERRORS " + driver.engineErrors() + " " + driver.lastEngineError());
            step(name + " STOP", () ->
            {
                pair.creatorDevice.stop();
                return "stopped";
            });
        }
    }

    /** Truncates the control segment under a running domain: group operations fail, close still cleans up. */
    private static void controlSegmentScenario(final Path dir) throws java.io.IOException
    {
        final ShmDomain domain = ShmDomain.open(quiet(dir));
        final io.shmdma.DmaDevice device = domain.createDevice("control-truncated", EngineThreading.inline());
        final int groupId = device.accessPairGroupCreate(domain.domainId(), java.util.UUID.randomUUID(), null);
        System.out.println("CONTROL CREATE " + groupId);
        final int self = device.accessPairGroupHandlerGet(groupId, domain.domainId());
        device.configure(new io.shmdma.DmaConf(1, 0));
        device.vchanSetup(0, io.shmdma.VchanConf.interProcess(64, self, self));
        device.start();
        final DmaRegion source = domain.memory().allocate(4096);
        final DmaRegion target = domain.memory().allocate(4096);
        step("CONTROL COPY", () -> copy(device, source, target));
        try (FileChannel channel = FileChannel.open(dir.resolve(ShmDomain.CONTROL_FILE_NAME), StandardOpenOption.WRITE))
        {
            channel.truncate(4096);
        }
        step("CONTROL CREATE_AFTER",
            () -> device.accessPairGroupCreate(domain.domainId(), java.util.UUID.randomUUID(), null));
        step("CONTROL CONDUCT", () ->
        {
            domain.conduct();
            return "conductor checked the control segment";
        });
        step("CONTROL COPY_AFTER", () -> copy(device, source, target));
        step("CONTROL CLOSE", () ->
        {
            domain.close();
            return "closed";
        });
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir))
        {
            System.out.println("CONTROL LEFT " + files.map(file -> file.getFileName().toString()).sorted().toList());
        }
    }

    private static DmaStatus copy(final io.shmdma.DmaDevice device, final DmaRegion source, final DmaRegion target)
    {
        device.copy(0, source.iova(), target.iova(), 4096, io.shmdma.OpFlags.SUBMIT);
        device.engineInvoker().invoke();
        final DmaStatus[] status = new DmaStatus[1];
        device.completedStatus(0, 1, null, status);
        return status[0];
    }

    private interface Step
    {
        Object run() throws Exception;
    }

    private static void step(final String name, final Step step)
    {
        Object result;
        try
        {
            result = step.run();
        }
        catch (final Throwable ex)
        {
            result = "THREW " + ex;
        }
        try
        {
            System.out.println(name + " " + (result instanceof DmaStatus ? ((DmaStatus)result).name() : result));
        }
        catch (final Throwable ex)
        {
            System.out.println(name + " THREW-LATE " + ex);
        }
    }
}
