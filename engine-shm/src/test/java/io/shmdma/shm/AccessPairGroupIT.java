package io.shmdma.shm;

import io.shmdma.Errno;
import io.shmdma.shm.ShmContext.EngineMode;
import io.shmdma.shm.driver.DriverContext;
import io.shmdma.shm.driver.ShmDriver;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The access pair group flow of DPDK's guide, between real JVMs sharing a directory under /dev/shm, in both engine
 * modes: embedded (each JVM runs its engines) and driver (an {@link ShmDriver} in this JVM runs the engines of every
 * member JVM, which open their domains in driver mode).
 */
class AccessPairGroupIT
{
    private static final long LIVENESS_MS = 300;
    private static final int MIB = 1 << 20;

    private PeerProcesses peers;
    private ShmTestDirectory dir;
    private ShmDriver driver;
    private EngineMode mode;

    @BeforeEach
    void setUp() throws Exception
    {
        peers = new PeerProcesses();
        dir = peers.dir();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        peers.close();
        CloseHelper.quietClose(driver);
    }

    /** Selects the engine mode of the members; in driver mode starts a driver for the test's directory. */
    private void engineMode(final EngineMode engineMode)
    {
        mode = engineMode;
        if (engineMode == EngineMode.DRIVER)
        {
            driver = ShmDriver.launch(new DriverContext().dir(dir.path()).engineThreads(1).idle("backoff")
                .livenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(LIVENESS_MS)));
        }
    }

    private String open(final PeerHandle peer) throws Exception
    {
        return peer.ok("open " + dir + " " + LIVENESS_MS + " " + (8 * MIB) +
            (mode == EngineMode.DRIVER ? " driver" : ""));
    }

    @ParameterizedTest
    @EnumSource(EngineMode.class)
    void shouldRunTheGuideFlowBetweenTwoJvms(final EngineMode engineMode) throws Exception
    {
        engineMode(engineMode);
        final PeerHandle creator = peers.start("creator");
        final PeerHandle joiner = peers.start("joiner");
        final String creatorDomain = open(creator);
        final String joinerDomain = open(joiner);
        final UUID token = UUID.randomUUID();

        final int groupId = Integer.parseInt(creator.ok("create " + token));
        joiner.ok("join " + groupId + " " + token);

        final String creatorHandler = creator.ok("handler " + groupId + " " + creatorDomain);
        final String joinerHandler = creator.ok("handler " + groupId + " " + joinerDomain);
        assertEquals(creatorHandler, joiner.ok("handler " + groupId + " " + creatorDomain));
        assertEquals(joinerHandler, joiner.ok("handler " + groupId + " " + joinerDomain));

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
        creator.ok("destroy " + groupId);
        assertNull(joiner.nextEvent(3 * LIVENESS_MS), "no GROUP_DESTROYED after a normal leave and destroy");
    }

    @ParameterizedTest
    @EnumSource(EngineMode.class)
    void shouldRefuseWithDpdkErrnos(final EngineMode engineMode) throws Exception
    {
        engineMode(engineMode);
        final PeerHandle creator = peers.start("creator");
        final PeerHandle joiner = peers.start("joiner");
        final PeerHandle outsider = peers.start("outsider");
        final String creatorDomain = open(creator);
        final String joinerDomain = open(joiner);
        final String outsiderDomain = open(outsider);
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(creator.ok("create " + token));

        assertEquals(Errno.EACCES, joiner.err("join " + groupId + " " + UUID.randomUUID()));
        assertEquals(Errno.ENOENT, joiner.err("join " + (groupId + 1) + " " + token));
        joiner.ok("join " + groupId + " " + token);
        assertEquals(Errno.EEXIST, joiner.err("join " + groupId + " " + token));

        assertEquals(Errno.EPERM, outsider.err("handler " + groupId + " " + creatorDomain));
        assertEquals(Errno.ENOENT, creator.err("handler " + groupId + " " + outsiderDomain));
        assertEquals(Errno.EPERM, creator.err("leave " + groupId));
        assertEquals(Errno.EPERM, joiner.err("destroy " + groupId));
        assertEquals(Errno.EBUSY, creator.err("destroy " + groupId));

        final String joinerHandler = creator.ok("handler " + groupId + " " + joinerDomain);
        final String creatorHandler = creator.ok("handler " + groupId + " " + creatorDomain);
        final String source = creator.ok("alloc 4096");
        final String target = joiner.ok("alloc 4096");
        creator.ok("vchan " + creatorHandler + " " + joinerHandler);
        assertEquals("SUCCESSFUL", creator.ok("copy " + source + " " + target + " 4096"));

        joiner.ok("leave " + groupId);
        assertEquals("EVENT MEMBER_LEFT " + groupId + " " + joinerDomain, creator.nextEvent(2000));
        assertEquals("INVALID_DST_ADDR", creator.ok("copy " + source + " " + target + " 4096"),
            "a vchan naming a revoked handler fails its jobs");
        assertEquals(Errno.EINVAL, creator.err("vchan " + creatorHandler + " " + joinerHandler),
            "a revoked handler is refused at vchan setup");
        creator.ok("destroy " + groupId);
    }

    @ParameterizedTest
    @EnumSource(EngineMode.class)
    void shouldReportEveryLeaveEvenOfMembershipsShorterThanAConductorInterval(final EngineMode engineMode)
        throws Exception
    {
        assumeTrue(engineMode == EngineMode.EMBEDDED, "group operations and their events stay in the application in " +
            "driver mode, on the same code path; the driver runs no part of a join or leave");
        engineMode(engineMode);
        final PeerHandle creator = peers.start("creator");
        final PeerHandle joiner = peers.start("joiner");
        open(creator);
        final String joinerDomain = open(joiner);
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(creator.ok("create " + token));
        final int cycles = 12;
        for (int i = 0; i < cycles; i++)
        {
            joiner.ok("join " + groupId + " " + token);
            joiner.ok("leave " + groupId);
        }
        for (int i = 0; i < cycles; i++)
        {
            assertEquals("EVENT MEMBER_LEFT " + groupId + " " + joinerDomain, creator.nextEvent(2000), "leave " + i);
        }
        assertNull(creator.nextEvent(3 * LIVENESS_MS), "each leave is heard once");
        creator.ok("destroy " + groupId);
    }

    @ParameterizedTest
    @EnumSource(EngineMode.class)
    void shouldReportAKilledJoinerAsMemberLeft(final EngineMode engineMode) throws Exception
    {
        engineMode(engineMode);
        final PeerHandle creator = peers.start("creator");
        final PeerHandle joiner = peers.start("joiner");
        open(creator);
        final String joinerDomain = open(joiner);
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(creator.ok("create " + token));
        joiner.ok("join " + groupId + " " + token);

        final long killedAt = System.nanoTime();
        joiner.kill();
        final String event = creator.nextEvent(10_000);
        final long elapsedMs = (System.nanoTime() - killedAt) / 1_000_000;
        assertEquals("EVENT MEMBER_LEFT " + groupId + " " + joinerDomain, event);
        assertTrue(elapsedMs <= 2 * LIVENESS_MS + 200, "MEMBER_LEFT after " + elapsedMs + " ms");
        creator.ok("destroy " + groupId);
    }

    @ParameterizedTest
    @EnumSource(EngineMode.class)
    void shouldReportAKilledCreatorAsGroupDestroyed(final EngineMode engineMode) throws Exception
    {
        engineMode(engineMode);
        final PeerHandle creator = peers.start("creator");
        final PeerHandle joiner = peers.start("joiner");
        final String creatorDomain = open(creator);
        open(joiner);
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(creator.ok("create " + token));
        joiner.ok("join " + groupId + " " + token);

        creator.kill();
        assertEquals("EVENT GROUP_DESTROYED " + groupId + " " + creatorDomain, joiner.nextEvent(10_000));
        assertEquals(Errno.ENOENT, joiner.err("leave " + groupId));
    }

    @ParameterizedTest
    @EnumSource(EngineMode.class)
    void shouldCopyPeerToPeerInAGroupOfThree(final EngineMode engineMode) throws Exception
    {
        engineMode(engineMode);
        final PeerHandle creator = peers.start("creator");
        final PeerHandle second = peers.start("second");
        final PeerHandle third = peers.start("third");
        open(creator);
        final String secondDomain = open(second);
        final String thirdDomain = open(third);
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(creator.ok("create " + token));
        second.ok("join " + groupId + " " + token);
        third.ok("join " + groupId + " " + token);

        final String source = second.ok("alloc 65536");
        final String crc = second.ok("fill " + source + " 65536 7");
        final String target = third.ok("alloc 65536");
        creator.ok("vchan " + creator.ok("handler " + groupId + " " + secondDomain) + " " +
            creator.ok("handler " + groupId + " " + thirdDomain));
        assertEquals("SUCCESSFUL", creator.ok("copy " + source + " " + target + " 65536"));
        assertEquals(crc, third.ok("crc " + target + " 65536"));
    }

    @ParameterizedTest
    @EnumSource(EngineMode.class)
    void shouldShareOneControlSegmentWhenOpenedAtTheSameMoment(final EngineMode engineMode) throws Exception
    {
        assumeTrue(engineMode == EngineMode.EMBEDDED, "in driver mode the driver creates the control segment at " +
            "launch, before any member opens: there is no race of creators");
        engineMode(engineMode);
        final PeerHandle first = peers.start("first");
        final PeerHandle second = peers.start("second");
        final String command = "open " + dir + " " + LIVENESS_MS + " " + MIB;
        first.write(command);
        second.write(command);
        assertTrue(first.awaitReply(command).startsWith("OK "));
        assertTrue(second.awaitReply(command).startsWith("OK "));

        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(first.ok("create " + token));
        second.ok("join " + groupId + " " + token);
    }
}
