package io.shmdma.shm;

import io.shmdma.shm.registry.GroupView;
import io.shmdma.shm.registry.Registry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Group events between real JVMs: exactly one MEMBER_LEFT per departure for every member that was one when it
 * happened, whatever the churn rate (leaves wait for a listener that is behind instead of losing its events), and
 * a listener that blocks, or a thread that holds the device's monitor, never stops the heartbeat.
 *
 * <p>The churn tests check exact sequences: the creator is a member from the group's first departure on, so the
 * i-th MEMBER_LEFT it hears is departure number i. Each churning peer reports, for each of its memberships, the
 * group's departure count when it joined; that membership must hear exactly the departures numbered after it and
 * before its own leave, in order.
 */
class GroupEventsIT
{
    private static final long LIVENESS_MS = 300;
    private static final int CHURN_PEERS = 3;
    private static final int CHURN_CYCLES = Integer.getInteger("shmdma.churn.cycles", 500);
    private static final long EVENTS_TIMEOUT_MS = 30_000;

    private PeerProcesses peers;
    private ShmTestDirectory dir;
    private Registry checker;

    @BeforeEach
    void setUp() throws Exception
    {
        peers = new PeerProcesses();
        dir = peers.dir();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (checker != null)
        {
            checker.close();
        }
        peers.close();
    }

    private String open(final PeerHandle peer) throws Exception
    {
        return peer.ok("open " + dir + " " + LIVENESS_MS + " " + (1 << 20));
    }

    @Test
    void shouldTellEveryDepartureExactlyOnceWhilePeersChurnAsFastAsTheyCan() throws Exception
    {
        churn(false);
    }

    @Test
    void shouldTellEveryDepartureExactlyOnceWhenAChurningPeerIsKilledMidway() throws Exception
    {
        churn(true);
    }

    private void churn(final boolean killOne) throws Exception
    {
        final PeerHandle creator = peers.start("creator");
        final String creatorDomain = open(creator);
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(creator.ok("create " + token));
        final List<PeerHandle> churners = new ArrayList<>();
        final List<String> churnerDomains = new ArrayList<>();
        for (int i = 0; i < CHURN_PEERS; i++)
        {
            final PeerHandle peer = peers.start("churn-" + i);
            churnerDomains.add(open(peer));
            churners.add(peer);
        }
        checker = RegistryChecks.open(dir.path(), TimeUnit.MILLISECONDS.toNanos(LIVENESS_MS));

        final long startNs = System.nanoTime();
        for (final PeerHandle peer : churners)
        {
            peer.write("churn " + groupId + " " + token + " " + CHURN_CYCLES);
        }
        final PeerHandle victim = churners.get(CHURN_PEERS - 1);
        if (killOne)
        {
            RegistryChecks.await(() -> creator.eventLines().size() >= CHURN_CYCLES, EVENTS_TIMEOUT_MS,
                () -> "the churn to get going: " + creator.eventLines().size() + " events");
            victim.killAndDrain();
        }
        final int survivors = killOne ? CHURN_PEERS - 1 : CHURN_PEERS;
        final List<long[]> starts = new ArrayList<>();
        final List<Long> joins = new ArrayList<>();
        final List<Long> leaves = new ArrayList<>();
        for (int i = 0; i < survivors; i++)
        {
            final String reply = churners.get(i).awaitReply("churn");
            assertTrue(reply.startsWith("OK completed=" + CHURN_CYCLES + " "), reply.substring(0, Math.min(200,
                reply.length())));
            final Map<String, long[]> fields = fields(reply.substring(3));
            starts.add(fields.get("starts"));
            Arrays.stream(fields.get("join")).forEach(joins::add);
            Arrays.stream(fields.get("leave")).forEach(leaves::add);
        }
        final long churnMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        // every departure recorded (the victim's last one by its reap) is heard by the creator, exactly once
        RegistryChecks.await(() -> checker.group(groupId).orElseThrow().members().size() == 1, EVENTS_TIMEOUT_MS,
            () -> "every churner to be gone: " + checker.group(groupId));
        final GroupView group = checker.group(groupId).orElseThrow();
        final long departures = group.departureCount();
        RegistryChecks.await(() -> creator.eventLines().size() >= departures, EVENTS_TIMEOUT_MS,
            () -> "the creator to hear " + departures + " departures: " + creator.eventLines().size());
        Thread.sleep(3 * LIVENESS_MS);
        final List<String> heard = domainsOf(creator.eventLines(), groupId);
        assertEquals(departures, heard.size(), "MEMBER_LEFT heard by the creator, one per departure");
        assertFalse(heard.contains(creatorDomain), "nothing about the creator itself");
        for (int i = 0; i < survivors; i++)
        {
            final String domain = churnerDomains.get(i);
            assertEquals(CHURN_CYCLES, heard.stream().filter(domain::equals).count(), "leaves of churner " + i);
        }
        final long victimDepartures = killOne ? heard.stream().filter(churnerDomains.get(CHURN_PEERS - 1)::equals)
            .count() : 0;
        if (killOne)
        {
            assertEquals(departures, (long)survivors * CHURN_CYCLES + victimDepartures);
            assertTrue(victimDepartures >= 1 && victimDepartures <= CHURN_CYCLES, "victim " + victimDepartures);
        }
        else
        {
            assertEquals((long)CHURN_PEERS * CHURN_CYCLES, departures);
        }

        // each churner heard exactly the departures between each of its joins and its leave, in order
        long churnerEvents = 0;
        for (int i = 0; i < survivors; i++)
        {
            final String self = churnerDomains.get(i);
            final List<String> expected = new ArrayList<>();
            int departure = 0;
            for (final long start : starts.get(i))
            {
                int own = departure;
                while (own < heard.size() && !heard.get(own).equals(self))
                {
                    own++;
                }
                assertTrue(own < heard.size(), "the creator heard every leave of churner " + i);
                assertTrue(start >= departure && start <= own, "churner " + i + " joined after departure " + start +
                    ", its leave is departure " + (own + 1));
                expected.addAll(heard.subList((int)start, own));
                departure = own + 1;
            }
            final List<String> actual = domainsOf(churners.get(i).eventLines(), groupId);
            assertEquals(churners.get(i).eventLines().size(), actual.size(), "only MEMBER_LEFT of the group");
            assertSameSequence(expected, actual, "the events of churner " + i);
            churnerEvents += actual.size();
        }
        assertEquals("dead=false", creator.ok("status"));
        for (int i = 0; i < survivors; i++)
        {
            assertEquals("dead=false", churners.get(i).ok("status"));
        }
        creator.ok("destroy " + groupId);

        final long[] joinNs = joins.stream().mapToLong(Long::longValue).sorted().toArray();
        final long[] leaveNs = leaves.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("[faults] group events: %d peers x %d join/leave cycles%s in %d ms: creator heard %d " +
            "MEMBER_LEFT for %d departures (%d of the killed peer); churners heard %d, as expected; join p50 %.1f us " +
            "p99 %.1f us max %.1f ms; leave p50 %.1f us p99 %.1f us max %.1f ms%n",
            CHURN_PEERS, CHURN_CYCLES, killOne ? " (one SIGKILLed midway)" : "", churnMs, heard.size(), departures,
            victimDepartures, churnerEvents,
            percentile(joinNs, 0.50) / 1e3, percentile(joinNs, 0.99) / 1e3, joinNs[joinNs.length - 1] / 1e6,
            percentile(leaveNs, 0.50) / 1e3, percentile(leaveNs, 0.99) / 1e3, leaveNs[leaveNs.length - 1] / 1e6);
    }

    @Test
    void shouldKeepHeartbeatingWhileAListenerBlocksAndAThreadHoldsTheDeviceMonitor() throws Exception
    {
        final long blockMs = 10 * LIVENESS_MS;
        final PeerHandle creator = peers.start("creator");
        final PeerHandle member = peers.start("member");
        final PeerHandle first = peers.start("first");
        final PeerHandle second = peers.start("second");
        final String creatorDomain = open(creator);
        final String memberDomain = open(member);
        final String firstDomain = open(first);
        final String secondDomain = open(second);
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(creator.ok("create " + token));
        member.ok("join " + groupId + " " + token);
        final String source = member.ok("alloc 4096");
        member.ok("fill " + source + " 4096 3");
        final String target = creator.ok("alloc 4096");
        member.ok("vchan " + member.ok("handler " + groupId + " " + memberDomain) + " " +
            member.ok("handler " + groupId + " " + creatorDomain));
        checker = RegistryChecks.open(dir.path(), TimeUnit.MILLISECONDS.toNanos(LIVENESS_MS));

        creator.ok("block-listener " + blockMs);
        creator.ok("hold-device " + blockMs);
        final long blockedAtNs = System.nanoTime();
        final List<String> leavers = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            for (final PeerHandle peer : List.of(first, second))
            {
                peer.ok("join " + groupId + " " + token);
                peer.ok("leave " + groupId);
                leavers.add(peer == first ? firstDomain : secondDomain);
            }
        }
        while (System.nanoTime() - blockedAtNs < TimeUnit.MILLISECONDS.toNanos(blockMs - LIVENESS_MS))
        {
            Thread.sleep(LIVENESS_MS / 3);
            assertTrue(creator.eventLines().isEmpty(), "the listener is still blocked");
            assertTrue(checker.domains().stream().anyMatch(domain -> domain.domainId().toString().equals(
                creatorDomain) && domain.heartbeatAgeNs() < TimeUnit.MILLISECONDS.toNanos(LIVENESS_MS)),
                "the creator keeps heartbeating: " + checker.domains());
        }
        assertEquals("SUCCESSFUL", member.ok("copy " + source + " " + target + " 4096"),
            "the creator's handler still resolves");
        assertEquals("dead=false", creator.ok("status"));
        assertEquals(leavers, domainsOf(member.eventLines(), groupId), "the member's listener was not held up");

        RegistryChecks.await(() -> creator.eventLines().size() >= leavers.size(), 2 * blockMs,
            () -> "the queued events after the listener returned: " + creator.eventLines());
        final long deliveredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - blockedAtNs);
        assertTrue(deliveredMs >= blockMs, "delivered after " + deliveredMs + " ms");
        Thread.sleep(3 * LIVENESS_MS);
        assertEquals(leavers, domainsOf(creator.eventLines(), groupId), "every queued event, once, in order");
        assertEquals(leavers.size(), creator.eventLines().size());
        assertEquals("dead=false", creator.ok("status"));
        assertTrue(checker.group(groupId).orElseThrow().member(UUID.fromString(memberDomain)).isPresent());
        System.out.printf("[faults] listener blocked %d ms and device monitor held %d ms (liveness %d ms): not " +
            "declared dead, %d events delivered in order %d ms after the block began%n",
            blockMs, blockMs, LIVENESS_MS, leavers.size(), deliveredMs);
    }

    private static void assertSameSequence(final List<String> expected, final List<String> actual, final String what)
    {
        int first = 0;
        while (first < Math.min(expected.size(), actual.size()) && expected.get(first).equals(actual.get(first)))
        {
            first++;
        }
        if (first < expected.size() || first < actual.size())
        {
            fail(what + ": expected " + expected.size() + " events, heard " + actual.size() + "; first difference at " +
                first + ": expected " + expected.subList(first, Math.min(expected.size(), first + 3)) + ", heard " +
                actual.subList(first, Math.min(actual.size(), first + 3)));
        }
    }

    private static List<String> domainsOf(final List<String> events, final int groupId)
    {
        final List<String> domains = new ArrayList<>();
        for (final String event : events)
        {
            final String[] words = event.split(" ");
            if (words[1].equals("MEMBER_LEFT") && words[2].equals(Integer.toString(groupId)))
            {
                domains.add(words[3]);
            }
        }
        return domains;
    }

    private static Map<String, long[]> fields(final String reply)
    {
        final Map<String, long[]> fields = new HashMap<>();
        for (final String field : reply.split(" "))
        {
            final String[] parts = field.split("=");
            fields.put(parts[0], parts.length < 2 || parts[1].isEmpty() ? new long[0] :
                Arrays.stream(parts[1].split(",")).mapToLong(Long::parseLong).toArray());
        }
        return fields;
    }

    private static long percentile(final long[] sorted, final double fraction)
    {
        return sorted[Math.max(0, (int)Math.ceil(fraction * sorted.length) - 1)];
    }
}
