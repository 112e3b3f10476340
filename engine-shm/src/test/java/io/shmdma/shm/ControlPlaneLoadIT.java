package io.shmdma.shm;

import io.shmdma.shm.registry.GroupView;
import io.shmdma.shm.registry.Registry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Control-plane load: N member processes in one directory each run the same number of cycles at once (create a
 * group, get its handler, destroy it; join another process's group, get its creator's handler, leave it), timing
 * every call. No call fails or times out (no deadlock), nothing leaks, the registry is consistent at the end,
 * every creator hears exactly one MEMBER_LEFT per leave of its home group (as each process counts its own leaves),
 * and the p50 / p99 of each call over all processes are printed.
 *
 * <p>{@code -Dshmdma.load.processes=...} (8), {@code -Dshmdma.load.cycles=...} (1000).
 */
@Tag("chaos")
class ControlPlaneLoadIT
{
    private static final int PROCESSES = Integer.getInteger("shmdma.load.processes", 8);
    private static final int CYCLES = Integer.getInteger("shmdma.load.cycles", 1000);
    private static final long LIVENESS_MS = 2_000;
    private static final long RUN_TIMEOUT_MS = 180_000;
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

    @Test
    void shouldRunConcurrentControlPlaneCyclesWithoutDeadlockOrLeak() throws Exception
    {
        final UUID token = UUID.randomUUID();
        final List<UUID> domains = new ArrayList<>();
        final List<Integer> homeGroups = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++)
        {
            peers.start("load-" + i);
        }
        for (final PeerHandle peer : peers.all())
        {
            domains.add(UUID.fromString(peer.ok("open " + dir + " " + LIVENESS_MS + " " + (1 << 20))));
            homeGroups.add(Integer.parseInt(peer.ok("create " + token)));
        }
        checker = RegistryChecks.open(dir.path(), TimeUnit.MILLISECONDS.toNanos(LIVENESS_MS));

        final long startNs = System.nanoTime();
        for (int i = 0; i < PROCESSES; i++)
        {
            final List<String> targets = new ArrayList<>();
            for (int j = 1; j < PROCESSES; j++)
            {
                final int other = (i + j) % PROCESSES;
                targets.add(homeGroups.get(other) + ":" + domains.get(other));
            }
            peers.all().get(i).write("cycles " + CYCLES + " " + token + " " + String.join(",", targets));
        }
        final Map<String, List<long[]>> samples = new HashMap<>();
        final Map<Integer, Map<UUID, Long>> leavesInto = new HashMap<>();
        for (int i = 0; i < PROCESSES; i++)
        {
            final String reply = awaitReply(peers.all().get(i), startNs);
            assertTrue(reply.startsWith("OK errors=none "), "a control-plane call failed: " +
                reply.substring(0, Math.min(200, reply.length())));
            for (final String field : reply.substring(3).split(" "))
            {
                final String[] parts = field.split("=");
                if (parts[0].equals("left"))
                {
                    for (final String left : parts[1].split(";"))
                    {
                        final String[] groupAndCount = left.split(":");
                        leavesInto.computeIfAbsent(Integer.parseInt(groupAndCount[0]), key -> new HashMap<>())
                            .put(domains.get(i), Long.parseLong(groupAndCount[1]));
                    }
                }
                else if (!parts[0].equals("errors"))
                {
                    samples.computeIfAbsent(parts[0], key -> new ArrayList<>())
                        .add(Arrays.stream(parts[1].split(",")).mapToLong(Long::parseLong).toArray());
                }
            }
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        final Set<UUID> live = new HashSet<>(domains);
        assertEquals(List.of(), RegistryChecks.problems(checker, live, 1));
        final List<GroupView> groups = checker.groups();
        assertEquals(PROCESSES, groups.size(), "only the home groups are left: " + groups);
        assertTrue(groups.stream().allMatch(group -> group.members().size() == 1), "every joiner left: " + groups);
        long expectedEvents = 0;
        for (int i = 0; i < PROCESSES; i++)
        {
            final PeerHandle peer = peers.all().get(i);
            final int homeGroup = homeGroups.get(i);
            final Map<UUID, Long> expected = leavesInto.getOrDefault(homeGroup, Map.of());
            final long expectedHere = expected.values().stream().mapToLong(Long::longValue).sum();
            expectedEvents += expectedHere;
            assertEquals(expectedHere, groups.stream().filter(group -> group.groupId() == homeGroup)
                .findFirst().orElseThrow().departureCount(), "departures recorded in home group " + i);
            RegistryChecks.await(() -> peer.eventLines().size() >= expectedHere, EVENTS_TIMEOUT_MS,
                () -> "peer " + homeGroup + " to hear " + expectedHere + " MEMBER_LEFT: " + peer.eventLines().size());
        }
        Thread.sleep(3 * LIVENESS_MS / 10);
        for (int i = 0; i < PROCESSES; i++)
        {
            final PeerHandle peer = peers.all().get(i);
            final Map<UUID, Long> expected = leavesInto.getOrDefault(homeGroups.get(i), Map.of());
            final Map<UUID, Long> heard = new HashMap<>();
            for (final String event : peer.eventLines())
            {
                final String[] words = event.split(" ");
                assertEquals("MEMBER_LEFT", words[1], event);
                assertEquals(homeGroups.get(i).toString(), words[2], event);
                heard.merge(UUID.fromString(words[3]), 1L, Long::sum);
            }
            assertEquals(expected, heard, "MEMBER_LEFT heard by peer " + i + ", one per leave of its group");
            peer.ok("destroy " + homeGroups.get(i));
            assertEquals("dead=false", peer.ok("status"));
        }
        assertEquals(List.of(), RegistryChecks.problems(checker, live, 1));
        assertEquals(List.of(), checker.groups());

        final StringBuilder figures = new StringBuilder();
        for (final String call : LoadCycles.CALLS)
        {
            final long[] all = samples.get(call).stream().flatMapToLong(Arrays::stream).sorted().toArray();
            figures.append(String.format(" %s n=%d p50=%.1fus p99=%.1fus max=%.1fms;", call, all.length,
                percentile(all, 0.50) / 1e3, percentile(all, 0.99) / 1e3, all[all.length - 1] / 1e6));
        }
        final long events = peers.all().stream().mapToLong(peer -> peer.eventLines().size()).sum();
        assertEquals(expectedEvents, events);
        System.out.println("[faults] control-plane load: " + PROCESSES + " processes x " + CYCLES + " cycles in " +
            elapsedMs + " ms, " + events + " MEMBER_LEFT heard for " + expectedEvents + " leaves;" + figures);
    }

    private static String awaitReply(final PeerHandle peer, final long startNs) throws InterruptedException
    {
        while (true)
        {
            final String reply = peer.pollReply(1_000);
            if (reply != null)
            {
                return reply;
            }
            assertTrue(System.nanoTime() - startNs < TimeUnit.MILLISECONDS.toNanos(RUN_TIMEOUT_MS),
                "no answer after " + RUN_TIMEOUT_MS + " ms: deadlock?");
        }
    }

    private static long percentile(final long[] sorted, final double fraction)
    {
        return sorted[Math.max(0, (int)Math.ceil(fraction * sorted.length) - 1)];
    }
}
