package io.shmdma.shm;

import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * Child JVM for {@code SecurityIT}: opens an owner-only domain in one directory and a group-shared one in
 * another, each with a device whose vchan has a ring file (driver mode: an embedded device unlinks its ring file
 * at once, a driver-mode one keeps it for the driver; the device is never started, so no driver is needed),
 * prints {@code READY} with the mode a plain new file gets under its umask, and closes when stdin ends.
 */
public final class FilesChildMain
{
    private FilesChildMain()
    {
    }

    /**
     * @param args the owner-only directory and the group-shared directory.
     * @throws Exception when stdin cannot be read.
     */
    public static void main(final String[] args) throws Exception
    {
        try (ShmDomain owner = open(Path.of(args[0]), false, "files-owner");
            ShmDomain shared = open(Path.of(args[1]), true, "files-shared"))
        {
            final Path probe = Path.of(args[0]).resolveSibling("umask-probe");
            Files.createFile(probe);
            System.out.println("READY " + PosixFilePermissions.toString(Files.getPosixFilePermissions(probe)));
            System.err.println("domains " + owner.domainId() + " " + shared.domainId());
            Files.delete(probe);
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        System.out.println("CLOSED");
    }

    private static ShmDomain open(final Path dir, final boolean groupShared, final String deviceName)
    {
        final ShmDomain domain = ShmDomain.open(new ShmContext().dir(dir).groupShared(groupShared)
            .domainSegmentSize(64 << 10).engineMode(ShmContext.EngineMode.DRIVER));
        final DmaDevice device = domain.createDevice(deviceName, EngineThreading.inline());
        final int groupId = device.accessPairGroupCreate(domain.domainId(), UUID.randomUUID(), null);
        final int self = device.accessPairGroupHandlerGet(groupId, domain.domainId());
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, VchanConf.interProcess(64, self, self));
        return domain;
    }
}
