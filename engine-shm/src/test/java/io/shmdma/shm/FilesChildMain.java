package io.shmdma.shm;

import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.shm.driver.DriverContext;
import io.shmdma.shm.driver.ShmDriver;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Child JVM for {@code SecurityIT}: opens an owner-only driver-mode domain in one directory and a group-shared one in
 * another, each with a device whose vchan is set up, and starts each device with no driver running yet: a start
 * makes its ring in a new file that keeps its name until a driver has mapped it, so each directory holds one ring
 * file while the starts wait. Prints {@code READY} with the mode a plain new file gets under its umask once both ring
 * files exist; at the next line of stdin launches a driver in each directory, waits for the starts to end, checks
 * that no ring file has a name any more, closes, and prints {@code CLOSED} (or what went wrong).
 */
public final class FilesChildMain
{
    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private FilesChildMain()
    {
    }

    /**
     * @param args the owner-only directory and the group-shared directory.
     * @throws Exception when stdin cannot be read or a start fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path ownerDir = Path.of(args[0]);
        final Path sharedDir = Path.of(args[1]);
        String outcome = "CLOSED";
        try (ShmDomain owner = open(ownerDir, false);
            ShmDomain shared = open(sharedDir, true))
        {
            final DmaDevice ownerDevice = setUp(owner, "files-owner");
            final DmaDevice sharedDevice = setUp(shared, "files-shared");
            // a thread each: both starts block until a driver takes their vchan (the common pool may run one task at
            // a time on a 2-core machine)
            final CompletableFuture<Void> ownerStart = startOnItsOwnThread(ownerDevice);
            final CompletableFuture<Void> sharedStart = startOnItsOwnThread(sharedDevice);
            final long deadlineNs = System.nanoTime() + START_TIMEOUT_NS;
            while (ringFiles(ownerDir).isEmpty() || ringFiles(sharedDir).isEmpty())
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("no ring file while the starts wait for a driver");
                }
                Thread.sleep(1);
            }
            final Path probe = ownerDir.resolveSibling("umask-probe");
            Files.createFile(probe);
            System.out.println("READY " + PosixFilePermissions.toString(Files.getPosixFilePermissions(probe)));
            System.err.println("domains " + owner.domainId() + " " + shared.domainId());
            Files.delete(probe);
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            try (ShmDriver ownerDriver = launch(ownerDir, false);
                ShmDriver sharedDriver = launch(sharedDir, true))
            {
                ownerStart.get(60, TimeUnit.SECONDS);
                sharedStart.get(60, TimeUnit.SECONDS);
                final List<String> left = Stream.concat(ringFiles(ownerDir).stream(), ringFiles(sharedDir).stream())
                    .toList();
                if (!left.isEmpty())
                {
                    outcome = "RING FILES LEFT " + left;
                }
                else if (ownerDriver.servedVchans() != 1 || sharedDriver.servedVchans() != 1)
                {
                    outcome = "NOT SERVED " + ownerDriver.servedVchans() + " " + sharedDriver.servedVchans();
                }
                ownerDevice.stop();
                sharedDevice.stop();
            }
        }
        System.out.println(outcome);
    }

    private static ShmDomain open(final Path dir, final boolean groupShared)
    {
        return ShmDomain.open(new ShmContext().dir(dir).groupShared(groupShared).domainSegmentSize(64 << 10)
            .engineMode(ShmContext.EngineMode.DRIVER).driverTimeoutNs(START_TIMEOUT_NS));
    }

    private static DmaDevice setUp(final ShmDomain domain, final String deviceName)
    {
        final DmaDevice device = domain.createDevice(deviceName, EngineThreading.inline());
        final int groupId = device.accessPairGroupCreate(domain.domainId(), UUID.randomUUID(), null);
        final int self = device.accessPairGroupHandlerGet(groupId, domain.domainId());
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, VchanConf.interProcess(64, self, self));
        return device;
    }

    private static CompletableFuture<Void> startOnItsOwnThread(final DmaDevice device)
    {
        final CompletableFuture<Void> started = new CompletableFuture<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                device.start();
                started.complete(null);
            }
            catch (final Throwable ex)
            {
                started.completeExceptionally(ex);
            }
        }, "start-" + device.name());
        thread.setDaemon(true);
        thread.start();
        return started;
    }

    private static ShmDriver launch(final Path dir, final boolean groupShared)
    {
        return ShmDriver.launch(new DriverContext().dir(dir).groupShared(groupShared).engineThreads(1)
            .idle("backoff"));
    }

    private static List<String> ringFiles(final Path dir) throws java.io.IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.startsWith("ring-")).toList();
        }
    }
}
