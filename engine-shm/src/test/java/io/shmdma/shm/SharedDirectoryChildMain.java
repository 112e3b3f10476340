package io.shmdma.shm;

import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaException;
import io.shmdma.Errno;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;

import java.nio.file.Path;
import java.util.UUID;

/**
 * Child JVM for {@code SecurityIT}, run as another user: opens a group-shared domain in the given directory and
 * sets up a vchan (so a ring file is created too), then prints {@code OPENED} and closes, or prints
 * {@code REFUSED <errno> <message>}.
 */
public final class SharedDirectoryChildMain
{
    private SharedDirectoryChildMain()
    {
    }

    /**
     * @param args the directory.
     */
    public static void main(final String[] args)
    {
        try (ShmDomain domain = ShmDomain.open(new ShmContext().dir(Path.of(args[0])).groupShared(true)
            .domainSegmentSize(64 << 10)))
        {
            final DmaDevice device = domain.createDevice("shared-child", EngineThreading.inline());
            final int groupId = device.accessPairGroupCreate(domain.domainId(), UUID.randomUUID(), null);
            final int self = device.accessPairGroupHandlerGet(groupId, domain.domainId());
            device.configure(new DmaConf(1, 0));
            device.vchanSetup(0, VchanConf.interProcess(64, self, self));
            System.out.println("OPENED " + domain.domainId());
            System.out.flush();
            device.accessPairGroupDestroy(groupId);
        }
        catch (final DmaException ex)
        {
            System.out.println("REFUSED " + Errno.name(ex.errno()) + " " + ex.getMessage());
        }
    }
}
