package io.shmdma.shm;

import io.shmdma.Errno;
import io.shmdma.shm.driver.DriverFile;
import io.shmdma.shm.driver.ShmDriverMain;
import io.shmdma.shm.registry.ErrorLogEntry;
import io.shmdma.shm.registry.Registry;
import io.shmdma.shm.registry.RegistryConfig;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.shmdma.shm.driver.DriverFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Driver mode across real JVMs: a driver JVM ({@code ./shmdma driver}'s main class) serves member JVMs opened in
 * driver mode; the guide flow, a SIGKILLed driver and a SIGKILLed client.
 */
class ShmDriverIT
{
    private static final long LIVENESS_MS = 300;
    private static final int MIB = 1 << 20;

    private PeerProcesses peers;
    private ShmTestDirectory dir;
    private final List<ChildJava> drivers = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception
    {
        peers = new PeerProcesses();
        dir = peers.dir();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        for (final ChildJava driver : drivers)
        {
            ProcessHandle.of(driver.pid()).ifPresent(ProcessHandle::destroy);
            driver.waitForExit();
        }
        peers.close();
    }

    private ChildJava startDriver() throws Exception
    {
        final ChildJava driver = new ChildJava(null, List.of(), ShmDriverMain.class.getName(),
            "--dir", dir.toString(), "--liveness-timeout", Long.toString(LIVENESS_MS), "--idle", "backoff");
        drivers.add(driver);
        final String banner = driver.nextReply();
        assertTrue(banner.startsWith("shmdma driver serving " + dir), banner + " " + driver.stderr());
        return driver;
    }

    private String open(final PeerHandle peer) throws Exception
    {
        return peer.ok("open " + dir + " " + LIVENESS_MS + " " + (8 * MIB) + " driver");
    }

    @Test
    void shouldRunTheGuideFlowBetweenTwoJvmsThroughADriverJvm() throws Exception
    {
        startDriver();
        final PeerHandle creator = peers.start("creator");
        final PeerHandle joiner = peers.start("joiner");
        final String creatorDomain = open(creator);
        final String joinerDomain = open(joiner);
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(creator.ok("create " + token));
        joiner.ok("join " + groupId + " " + token);
        final String creatorHandler = creator.ok("handler " + groupId + " " + creatorDomain);
        final String joinerHandler = creator.ok("handler " + groupId + " " + joinerDomain);

        final String source = creator.ok("alloc " + MIB);
        final String sourceCrc = creator.ok("fill " + source + " " + MIB + " 42");
        final String target = joiner.ok("alloc " + MIB);
        creator.ok("vchan " + creatorHandler + " " + joinerHandler);
        assertEquals("SUCCESSFUL", creator.ok("copy " + source + " " + target + " " + MIB));
        assertEquals(sourceCrc, joiner.ok("crc " + target + " " + MIB));

        final String back = creator.ok("alloc " + MIB);
        joiner.ok("vchan " + joinerHandler + " " + creatorHandler);
        assertEquals("SUCCESSFUL", joiner.ok("copy " + target + " " + back + " " + MIB));
        assertEquals(sourceCrc, creator.ok("crc " + back + " " + MIB));

        joiner.ok("leave " + groupId);
        assertEquals("EVENT MEMBER_LEFT " + groupId + " " + joinerDomain, creator.nextEvent(2000));
        assertEquals("INVALID_DST_ADDR", creator.ok("copy " + source + " " + target + " 4096"),
            "the driver fails the jobs of a revoked handler");
        assertEquals(Errno.EINVAL, creator.err("vchan " + creatorHandler + " " + joinerHandler),
            "a revoked handler is refused at vchan setup");
        creator.ok("destroy " + groupId);
    }

    @Test
    void shouldHaltEveryClientWhenTheDriverIsKilledAndServeThemAgainAfterARestart() throws Exception
    {
        final ChildJava driver = startDriver();
        final PeerHandle first = peers.start("first");
        final PeerHandle second = peers.start("second");
        final List<PeerHandle> clients = List.of(first, second);
        final List<String> sources = new ArrayList<>();
        for (final PeerHandle client : clients)
        {
            final String domain = open(client);
            final int groupId = Integer.parseInt(client.ok("create " + UUID.randomUUID()));
            final String handler = client.ok("handler " + groupId + " " + domain);
            client.ok("vchan " + handler + " " + handler);
            final String source = client.ok("alloc 65536");
            sources.add(source + " " + client.ok("alloc 65536") + " 65536");
            assertEquals("SUCCESSFUL", client.ok("copy " + sources.get(sources.size() - 1)));
            sources.set(sources.size() - 1, sources.get(sources.size() - 1) + " " + handler);
        }

        final long killedNs = System.nanoTime();
        ProcessHandle.of(driver.pid()).ifPresent(ProcessHandle::destroyForcibly);
        driver.waitForExit();
        final String outstanding = first.send("copy " + sources.get(0).substring(0, sources.get(0).lastIndexOf(' ')));
        assertTrue(outstanding.equals("OK ERROR_UNKNOWN") || outstanding.startsWith("ERR " + Errno.EIO),
            "a job submitted as the driver died ends with an error: " + outstanding);
        for (final PeerHandle client : clients)
        {
            awaitHalted(client, killedNs);
        }
        final String copy = sources.get(1).substring(0, sources.get(1).lastIndexOf(' '));
        assertTrue(second.send("copy " + copy).startsWith("ERR " + Errno.EIO), "enqueue on a halted vchan: -EIO");

        startDriver();
        for (int i = 0; i < clients.size(); i++)
        {
            final String handler = sources.get(i).substring(sources.get(i).lastIndexOf(' ') + 1);
            clients.get(i).ok("vchan " + handler + " " + handler);
            assertEquals("SUCCESSFUL", clients.get(i).ok("copy " +
                sources.get(i).substring(0, sources.get(i).lastIndexOf(' '))), "served again after stop/start");
        }
    }

    private static void awaitHalted(final PeerHandle client, final long killedNs) throws Exception
    {
        while (!client.ok("vstatus").equals("HALTED_ERROR"))
        {
            assertTrue(System.nanoTime() - killedNs < TimeUnit.SECONDS.toNanos(10), "never halted");
            Thread.sleep(10);
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
        assertTrue(elapsedMs <= 3 * LIVENESS_MS + 500, "halted after " + elapsedMs + " ms");
    }

    @Test
    void shouldLetGoOfTheVchansOfAKilledClient() throws Exception
    {
        startDriver();
        final PeerHandle survivor = peers.start("survivor");
        final PeerHandle victim = peers.start("victim");
        for (final PeerHandle client : List.of(survivor, victim))
        {
            final String domain = open(client);
            final int groupId = Integer.parseInt(client.ok("create " + UUID.randomUUID()));
            final String handler = client.ok("handler " + groupId + " " + domain);
            client.ok("vchan " + handler + " " + handler);
        }
        final DriverFile file =
            DriverFile.openLive(dir.path(), TimeUnit.SECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(5));
        assertEquals(2, slotsTaken(file.buffer()));

        final long killedNs = System.nanoTime();
        victim.kill();
        while (slotsTaken(file.buffer()) != 1)
        {
            assertTrue(System.nanoTime() - killedNs < TimeUnit.SECONDS.toNanos(10), "the driver kept the vchan");
            Thread.sleep(10);
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
        assertTrue(elapsedMs <= 3 * LIVENESS_MS + 500, "let go after " + elapsedMs + " ms");
        final String source = survivor.ok("alloc 4096");
        assertEquals("SUCCESSFUL", survivor.ok("copy " + source + " " + survivor.ok("alloc 4096") + " 4096"),
            "the other client is still served");
        try (Registry registry = Registry.openReadOnly(dir.path().resolve(ShmDomain.CONTROL_FILE_NAME),
            new RegistryConfig()))
        {
            boolean logged = false;
            for (final ErrorLogEntry entry : registry.errorLogEntries())
            {
                logged |= entry.encodedError().contains("is gone") && entry.encodedError().contains("let go");
            }
            assertTrue(logged, "the driver records the client it let go of");
        }
    }

    private static int slotsTaken(final AtomicBuffer buffer)
    {
        int taken = 0;
        for (int slot = 0; slot < SLOT_COUNT; slot++)
        {
            taken += state(lvStateWord(buffer, slot)) == TAKEN ? 1 : 0;
        }
        return taken;
    }
}
