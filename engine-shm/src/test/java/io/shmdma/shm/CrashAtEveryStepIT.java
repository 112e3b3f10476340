package io.shmdma.shm;

import io.shmdma.shm.registry.ControlSegmentDescriptor;
import io.shmdma.shm.registry.GroupView;
import io.shmdma.shm.registry.MemberView;
import io.shmdma.shm.registry.Registry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Crash at every step: victim JVMs run random scripts (open, create, join, handler get, vchan setup, copies, leave,
 * destroy, close) against long-lived survivor JVMs in one directory and are SIGKILLed at a random point: either a
 * random moment inside a random command, or at a registry pause point where the victim holds the registry lock
 * (the pause hook makes every such point reachable). After each round of trials: the registry is consistent and
 * holds exactly the survivors' domains and groups (no slot lost or duplicated, no group without a live creator),
 * every dead member was reported to every surviving listener exactly once (counted from the EVENT lines), no file
 * of a dead domain is left, and a new process can create and join groups in the directory.
 *
 * <p>Seed: {@code -Dshmdma.chaos.seed=...} (printed); trials: {@code -Dshmdma.chaos.trials=...} (200).
 */
@Tag("chaos")
class CrashAtEveryStepIT
{
    private static final long LIVENESS_MS = 300;
    private static final long LIVENESS_NS = TimeUnit.MILLISECONDS.toNanos(LIVENESS_MS);
    private static final int SEGMENT = 1 << 20;
    private static final int REGION = 65536;
    private static final int TRIALS = Integer.getInteger("shmdma.chaos.trials", 200);
    private static final int TRIALS_PER_ROUND = 8;
    private static final int SPARE_VICTIMS = 4;
    private static final long CHECK_TIMEOUT_MS = 15_000;
    private static final String[] POINTS = {
        "lock:acquired", "register:fields-written", "create:member-written", "join:member-written",
        "leave:handler-revoked", "destroy:state-destroying", "teardown:domain-dead" };

    private final List<PeerHandle> started = new ArrayList<>();
    private final List<Survivor> survivors = new ArrayList<>();
    private final Map<Integer, Group> groups = new TreeMap<>();
    private final Map<String, Integer> stats = new TreeMap<>();
    private final Deque<CompletableFuture<PeerHandle>> spares = new ArrayDeque<>();
    private ExecutorService starter;
    private ShmTestDirectory dir;
    private Registry checker;
    private Random random;

    /** A long-lived member that is never killed; its listener's EVENT lines are counted. */
    private static final class Survivor
    {
        final String name;
        final PeerHandle handle;
        final UUID domain;
        final String region;
        final Map<String, int[]> expected = new HashMap<>();

        Survivor(final String name, final PeerHandle handle, final UUID domain, final String region)
        {
            this.name = name;
            this.handle = handle;
            this.domain = domain;
            this.region = region;
        }

        void expect(final String event, final int min, final int max)
        {
            final int[] range = expected.computeIfAbsent(event, key -> new int[2]);
            range[0] += min;
            range[1] += max;
        }
    }

    /** The model of a group: confirmed members, and victims whose join was cut short by the kill. */
    private static final class Group
    {
        final int id;
        final UUID token;
        final UUID creator;
        final Set<UUID> members = new LinkedHashSet<>();
        final Set<UUID> uncertain = new HashSet<>();

        Group(final int id, final UUID token, final UUID creator)
        {
            this.id = id;
            this.token = token;
            this.creator = creator;
            members.add(creator);
        }
    }

    /** One victim's trial: its domain once open, its groups, and how it is to be killed. */
    private final class Trial
    {
        final PeerHandle victim;
        UUID domain;
        String region;
        boolean vchan;
        boolean copying;
        boolean exiting;
        String killAtPoint;
        int killAtCommand = -1;
        long killDelayNs;
        int commands;
        boolean killed;

        Trial(final PeerHandle victim)
        {
            this.victim = victim;
        }

        /**
         * Sends a victim command and waits for its answer, unless this is where the victim dies.
         *
         * @return the answer, or null when the victim was killed during the command (the effects of the answer, if
         *         one came out before the kill, or else the uncertain effects, are then applied).
         */
        String send(final String command, final Consumer<String> onOk, final Runnable onUncertain)
            throws Exception
        {
            if (killed)
            {
                return null;
            }
            final int index = commands++;
            victim.write(command);
            if (index == killAtCommand)
            {
                LockSupport.parkNanos(killDelayNs);
                return die(command, onOk, onUncertain, "time");
            }
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true)
            {
                final String reply = victim.pollReply(5);
                if (reply != null)
                {
                    if (reply.startsWith("OK") && onOk != null)
                    {
                        onOk.accept(reply.length() > 3 ? reply.substring(3) : "");
                    }
                    return reply;
                }
                final String paused = victim.awaitPaused(0);
                if (paused != null)
                {
                    count("point " + paused.split(" ")[1] + (paused.contains("conductor") ? " (conductor)" : ""));
                    return die(command, onOk, onUncertain, "point");
                }
                assertTrue(System.nanoTime() - deadlineNs < 0, "victim did not answer '" + command + "'");
            }
        }

        private String die(
            final String command, final Consumer<String> onOk, final Runnable onUncertain,
            final String mode) throws Exception
        {
            victim.killAndDrain();
            killed = true;
            count("kill: " + mode);
            count("kill during " + command.split(" ")[0]);
            final String reply = victim.pollReply(0);
            if (reply != null && reply.startsWith("OK"))
            {
                if (onOk != null)
                {
                    onOk.accept(reply.length() > 3 ? reply.substring(3) : "");
                }
            }
            else if (reply == null && onUncertain != null)
            {
                count("uncertain outcome");
                onUncertain.run();
            }
            return null;
        }
    }

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
        starter = Executors.newFixedThreadPool(3);
    }

    @AfterEach
    void tearDown() throws Exception
    {
        starter.shutdownNow();
        for (final CompletableFuture<PeerHandle> spare : spares)
        {
            spare.thenAccept(PeerHandle::close);
        }
        starter.awaitTermination(30, TimeUnit.SECONDS);
        synchronized (started)
        {
            for (final PeerHandle peer : started)
            {
                peer.close();
            }
        }
        if (checker != null)
        {
            checker.close();
        }
        dir.close();
    }

    @Test
    void shouldStayConsistentWhenMembersAreKilledAtAnyStep() throws Exception
    {
        final long seed = Long.getLong("shmdma.chaos.seed", System.nanoTime());
        System.out.println("[faults] crash at every step: seed=" + seed + " trials=" + TRIALS);
        random = new Random(seed);
        final long startNs = System.nanoTime();
        startSurvivors();
        checker = RegistryChecks.open(dir.path(), LIVENESS_NS);
        for (int i = 0; i < SPARE_VICTIMS; i++)
        {
            spares.add(startVictim());
        }

        int trials = 0;
        int round = 0;
        long lastRoundNs = System.nanoTime();
        while (trials < TRIALS)
        {
            for (int i = 0; i < TRIALS_PER_ROUND && trials < TRIALS; i++, trials++)
            {
                final Trial trial = new Trial(nextVictim());
                if (i == 0)
                {
                    probe(trial);
                }
                runTrial(trial, seed, trials);
                assertEquals(List.of(), checker.checkConsistency(), "after trial " + trials + " (seed " + seed + ")");
            }
            checkRound(seed, round++);
            if (round % 10 == 0)
            {
                System.out.println("[faults] round " + round + ": " + trials + " trials, last 10 rounds in " +
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastRoundNs) + " ms");
                lastRoundNs = System.nanoTime();
            }
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        count("events checked", survivors.stream().mapToInt(survivor -> survivor.handle.eventLines().size()).sum());
        final int takeovers = checker.buffer().getIntVolatile(ControlSegmentDescriptor.LOCK_RECOVERIES_OFFSET);
        System.out.println("[faults] crash at every step: seed=" + seed + ", " + trials + " trials in " + round +
            " rounds, " + elapsedMs + " ms (" + elapsedMs / Math.max(1, trials) + " ms per trial), lock takeovers " +
            takeovers + ", error log chunks of processes that died before registering " +
            RegistryChecks.chunksOfDeadProcesses(checker) + ", " + stats);
        assertTrue(stats.getOrDefault("kill: point", 0) > TRIALS / 4, "enough kills with the lock held: " + stats);
    }

    // ------------------------------------------------------------------ setup

    private void startSurvivors() throws Exception
    {
        for (int i = 0; i < 3; i++)
        {
            final PeerHandle handle = track(new PeerHandle("survivor-" + i));
            final UUID domain = UUID.fromString(handle.ok("open " + dir + " " + LIVENESS_MS + " " + SEGMENT));
            survivors.add(new Survivor("survivor-" + i, handle, domain, handle.ok("alloc " + REGION)));
        }
        for (int i = 0; i < 3; i++)
        {
            final Survivor creator = survivors.get(i);
            final UUID token = UUID.randomUUID();
            final Group group = new Group(Integer.parseInt(creator.handle.ok("create " + token)), token,
                creator.domain);
            for (int j = i + 1; j < 3; j++)
            {
                survivors.get(j).handle.ok("join " + group.id + " " + token);
                group.members.add(survivors.get(j).domain);
            }
            groups.put(group.id, group);
        }
    }

    private PeerHandle track(final PeerHandle peer)
    {
        synchronized (started)
        {
            started.add(peer);
        }
        return peer;
    }

    private CompletableFuture<PeerHandle> startVictim()
    {
        return CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return track(new PeerHandle("victim"));
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }, starter);
    }

    private PeerHandle nextVictim() throws Exception
    {
        final PeerHandle victim = spares.removeFirst().get(60, TimeUnit.SECONDS);
        spares.addLast(startVictim());
        return victim;
    }

    // ------------------------------------------------------------------ trials

    /**
     * A fresh process opens the directory (which deletes what dead processes left), creates a group that a survivor
     * joins and leaves, and destroys it: the directory is usable. It then goes on as a victim.
     */
    private void probe(final Trial trial) throws Exception
    {
        open(trial);
        final Set<UUID> live = liveDomains();
        live.add(trial.domain);
        assertEquals(List.of(), RegistryChecks.strayFiles(dir.path(), live), "files of dead domains left behind");
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(trial.victim.ok("create " + token));
        final Survivor survivor = survivors.get(random.nextInt(survivors.size()));
        survivor.handle.ok("join " + groupId + " " + token);
        assertTrue(Integer.parseInt(survivor.handle.ok("handler " + groupId + " " + trial.domain)) > 0);
        survivor.handle.ok("leave " + groupId);
        trial.victim.ok("destroy " + groupId);
        final Group survivorGroup = groups.values().iterator().next();
        trial.victim.ok("join " + survivorGroup.id + " " + survivorGroup.token);
        trial.victim.ok("leave " + survivorGroup.id);
        expectAtSurvivors(survivorGroup, "MEMBER_LEFT " + survivorGroup.id + " " + trial.domain, 0, 1);
        count("probes");
    }

    private void runTrial(final Trial trial, final long seed, final int number) throws Exception
    {
        final boolean atPoint = random.nextBoolean();
        final List<String> actions = script(trial, atPoint);
        if (atPoint)
        {
            trial.killAtPoint = POINTS[random.nextInt(POINTS.length)];
            if (trial.domain != null && trial.killAtPoint.equals("register:fields-written"))
            {
                trial.killAtPoint = "lock:acquired";
            }
            final int nth = 1 + random.nextInt(trial.killAtPoint.equals("lock:acquired") ? 3 : 1);
            trial.victim.ok("pause-at " + trial.killAtPoint + " " + nth + " -1");
            ensureReachable(trial.killAtPoint, actions);
        }
        else
        {
            trial.killAtCommand = random.nextInt((trial.domain == null ? 2 : 0) + actions.size());
            trial.killDelayNs = random.nextInt(3_000_000);
        }
        try
        {
            if (trial.domain == null && !open(trial))
            {
                return;
            }
            for (final String action : actions)
            {
                if (trial.killed)
                {
                    break;
                }
                act(trial, action);
            }
            if (!trial.killed)
            {
                trial.victim.killAndDrain();
                trial.killed = true;
                count("kill: after script");
            }
        }
        catch (final AssertionError | Exception ex)
        {
            throw new AssertionError("trial " + number + " (seed " + seed + ", actions " + actions + ", point " +
                trial.killAtPoint + ", command " + trial.killAtCommand + "): " + ex, ex);
        }
        finally
        {
            if (trial.domain != null)
            {
                died(trial.domain, trial.exiting);
            }
        }
    }

    private List<String> script(final Trial trial, final boolean atPoint)
    {
        final List<String> actions = new ArrayList<>();
        final int length = 2 + random.nextInt(6);
        final String[] choices = { "create", "join", "join", "leave", "handler", "copy", "destroy", "survivor-join",
            "survivor-leave", "copyloop" };
        for (int i = 0; i < length; i++)
        {
            actions.add(choices[random.nextInt(choices.length)]);
        }
        if (random.nextInt(atPoint ? 4 : 8) == 0)
        {
            actions.add("exit");
        }
        return actions;
    }

    private void ensureReachable(final String point, final List<String> actions)
    {
        switch (point)
        {
            case "create:member-written":
                actions.add(0, "create");
                break;
            case "join:member-written":
                actions.add(0, "join");
                break;
            case "leave:handler-revoked":
                actions.add(0, "join");
                actions.add("leave");
                break;
            case "destroy:state-destroying":
                actions.add(0, "create");
                actions.add("destroy");
                break;
            case "teardown:domain-dead":
                actions.add(0, "create");
                actions.add("exit");
                break;
            default:
                break;
        }
        if (actions.contains("exit"))
        {
            actions.remove("exit");
            actions.add("exit");
        }
    }

    private boolean open(final Trial trial) throws Exception
    {
        trial.send("open " + dir + " " + LIVENESS_MS + " " + SEGMENT, reply -> trial.domain = UUID.fromString(reply),
            null);
        if (trial.domain == null)
        {
            return false;
        }
        trial.send("alloc " + REGION, reply -> trial.region = reply, null);
        return !trial.killed;
    }

    private void act(final Trial trial, final String action) throws Exception
    {
        final UUID self = trial.domain;
        final List<Group> survivorGroups = groups.values().stream()
            .filter(group -> !group.creator.equals(self)).toList();
        final List<Group> ownGroups = groups.values().stream().filter(group -> group.creator.equals(self)).toList();
        final List<Group> joined = survivorGroups.stream().filter(group -> group.members.contains(self)).toList();
        final List<Group> notJoined = survivorGroups.stream().filter(group -> !group.members.contains(self) &&
            isSurvivor(group.creator)).toList();
        switch (action)
        {
            case "create":
            {
                final UUID token = UUID.randomUUID();
                trial.send("create " + token, reply -> groups.put(Integer.parseInt(reply),
                    new Group(Integer.parseInt(reply), token, self)), null);
                break;
            }
            case "join":
                if (!notJoined.isEmpty())
                {
                    final Group group = pick(notJoined);
                    trial.send("join " + group.id + " " + group.token, reply -> group.members.add(self),
                        () -> group.uncertain.add(self));
                }
                break;
            case "leave":
                if (!joined.isEmpty())
                {
                    final Group group = pick(joined);
                    final Runnable left = () ->
                    {
                        group.members.remove(self);
                        expectAtSurvivors(group, "MEMBER_LEFT " + group.id + " " + self, 0, 1);
                    };
                    trial.send("leave " + group.id, reply -> left.run(), left);
                }
                break;
            case "handler":
                if (!joined.isEmpty())
                {
                    final Group group = pick(joined);
                    trial.send("handler " + group.id + " " + group.creator, null, null);
                }
                break;
            case "copy":
            case "copyloop":
                if (!joined.isEmpty() && !trial.copying)
                {
                    final Group group = pick(joined);
                    final Survivor target = survivor(group.creator);
                    final String[] handlers = new String[2];
                    trial.send("handler " + group.id + " " + self, reply -> handlers[0] = reply, null);
                    trial.send("handler " + group.id + " " + group.creator, reply -> handlers[1] = reply, null);
                    if (handlers[1] == null)
                    {
                        break;
                    }
                    trial.send("vchan " + handlers[0] + " " + handlers[1], reply -> trial.vchan = true, null);
                    final int length = 1 << (6 + random.nextInt(11));
                    if (action.equals("copy"))
                    {
                        trial.send("copy " + trial.region + " " + target.region + " " + length, null, null);
                    }
                    else
                    {
                        trial.send("copyloop " + trial.region + " " + target.region + " " + length,
                            reply -> trial.copying = true, null);
                    }
                }
                break;
            case "destroy":
                if (!ownGroups.isEmpty())
                {
                    final Group group = pick(ownGroups);
                    trial.send("destroy " + group.id, reply -> groups.remove(group.id), null);
                }
                break;
            case "survivor-join":
                if (!ownGroups.isEmpty())
                {
                    final Group group = pick(ownGroups);
                    final Survivor survivor = survivors.get(random.nextInt(survivors.size()));
                    if (!group.members.contains(survivor.domain) && !trial.killed)
                    {
                        final String reply = survivor.handle.send("join " + group.id + " " + group.token);
                        if (reply.startsWith("OK"))
                        {
                            group.members.add(survivor.domain);
                        }
                    }
                }
                break;
            case "survivor-leave":
                for (final Group group : ownGroups)
                {
                    for (final Survivor survivor : survivors)
                    {
                        if (group.members.contains(survivor.domain) && !trial.killed)
                        {
                            if (survivor.handle.send("leave " + group.id).startsWith("OK"))
                            {
                                group.members.remove(survivor.domain);
                                // the other survivors in the group hear it, unless the victim's group goes first
                                expectAtSurvivors(group, "MEMBER_LEFT " + group.id + " " + survivor.domain, 0, 1);
                            }
                            return;
                        }
                    }
                }
                break;
            case "exit":
                trial.exiting = true;
                trial.send("exit", null, null);
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!trial.killed)
                {
                    final String paused = trial.victim.awaitPaused(5);
                    if (paused != null || !trial.victim.process().isAlive())
                    {
                        trial.victim.killAndDrain();
                        trial.killed = true;
                        count(paused != null ? "kill: point" : "exit completed");
                        if (paused != null)
                        {
                            count("point " + paused.split(" ")[1] + (paused.contains("conductor") ? " (conductor)" :
                                ""));
                            count("kill during exit");
                        }
                    }
                    assertTrue(System.nanoTime() - deadlineNs < 0, "the victim never finished closing");
                }
                break;
            default:
                throw new IllegalArgumentException(action);
        }
    }

    /**
     * The victim is gone: what each survivor's listener must hear. A member that closed its domain may have joined
     * and left between two snapshots of a survivor, which then never knew it; a killed one stays in the registry for
     * the liveness timeout, long enough to be seen.
     */
    private void died(final UUID victim, final boolean exiting)
    {
        for (final Group group : new ArrayList<>(groups.values()))
        {
            if (group.creator.equals(victim))
            {
                expectAtSurvivors(group, "GROUP_DESTROYED " + group.id + " " + victim, 1, 1);
                groups.remove(group.id);
                continue;
            }
            if (group.members.remove(victim))
            {
                expectAtSurvivors(group, "MEMBER_LEFT " + group.id + " " + victim, exiting ? 0 : 1, 1);
            }
            if (group.uncertain.remove(victim))
            {
                expectAtSurvivors(group, "MEMBER_LEFT " + group.id + " " + victim, 0, 1);
            }
        }
    }

    private void expectAtSurvivors(final Group group, final String event, final int min, final int max)
    {
        for (final Survivor survivor : survivors)
        {
            if (group.members.contains(survivor.domain))
            {
                survivor.expect("EVENT " + event, min, max);
            }
        }
    }

    // ------------------------------------------------------------------ checks

    private void checkRound(final long seed, final int round) throws Exception
    {
        final Set<UUID> live = liveDomains();
        final String context = "round " + round + " (seed " + seed + ")";
        RegistryChecks.await(() -> RegistryChecks.registeredDomains(checker).equals(live), CHECK_TIMEOUT_MS,
            () -> "every victim of " + context + " to be reaped, leaving " + live + ": " + checker.domains() +
            ", lock word " + Long.toHexString(checker.buffer().getLongVolatile(
            ControlSegmentDescriptor.LOCK_WORD_OFFSET)) + ", errors " +
            checker.errorLogEntries());
        for (final Survivor survivor : survivors)
        {
            RegistryChecks.await(() -> survivor.expected.entrySet().stream().allMatch(expected ->
                count(survivor, expected.getKey()) >= expected.getValue()[0]), CHECK_TIMEOUT_MS,
                () -> "the events of " + context + " at " + survivor.name + ": expected " +
                describe(survivor.expected) + ", got " + survivor.handle.eventLines());
        }
        Thread.sleep(3 * LIVENESS_MS / 10);
        for (final Survivor survivor : survivors)
        {
            final Map<String, Long> seen = survivor.handle.eventLines().stream()
                .collect(Collectors.groupingBy(line -> line, TreeMap::new, Collectors.counting()));
            for (final Map.Entry<String, Long> event : seen.entrySet())
            {
                final int[] range = survivor.expected.get(event.getKey());
                assertNotNull(range, context + ": unexpected " + event.getKey() + " at " + survivor.name);
                assertTrue(event.getValue() >= range[0] && event.getValue() <= range[1], context + ": " +
                    event.getKey() + " heard " + event.getValue() + " times at " + survivor.name + ", expected " +
                    range[0] + ".." + range[1]);
            }
            for (final Map.Entry<String, int[]> expected : survivor.expected.entrySet())
            {
                assertTrue(seen.getOrDefault(expected.getKey(), 0L) >= expected.getValue()[0],
                    context + ": " + expected.getKey() + " never heard at " + survivor.name);
            }
        }
        assertEquals(List.of(), RegistryChecks.problems(checker, live, 1), context);
        final Map<Integer, Set<UUID>> actual = new TreeMap<>();
        for (final GroupView group : checker.groups())
        {
            actual.put(group.groupId(), group.members().stream().map(MemberView::domainId).collect(Collectors.toSet()));
        }
        final Map<Integer, Set<UUID>> model = new TreeMap<>();
        for (final Group group : groups.values())
        {
            model.put(group.id, new HashSet<>(group.members));
        }
        assertEquals(model, actual, context + ": the registry's groups are the model's");
        for (final Survivor survivor : survivors)
        {
            assertEquals("dead=false", survivor.handle.ok("status"), context + ": " + survivor.name + " is alive");
        }
    }

    private static long count(final Survivor survivor, final String event)
    {
        return survivor.handle.eventLines().stream().filter(event::equals).count();
    }

    private static String describe(final Map<String, int[]> expected)
    {
        return expected.entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue()[0] + ".." +
            entry.getValue()[1]).collect(Collectors.joining(", ", "{", "}"));
    }

    private Set<UUID> liveDomains()
    {
        return survivors.stream().map(survivor -> survivor.domain).collect(Collectors.toCollection(HashSet::new));
    }

    private boolean isSurvivor(final UUID domain)
    {
        return survivors.stream().anyMatch(survivor -> survivor.domain.equals(domain));
    }

    private Survivor survivor(final UUID domain)
    {
        return survivors.stream().filter(survivor -> survivor.domain.equals(domain)).findFirst().orElseThrow();
    }

    private <T> T pick(final List<T> from)
    {
        return from.get(random.nextInt(from.size()));
    }

    private void count(final String what)
    {
        count(what, 1);
    }

    private void count(final String what, final int n)
    {
        stats.merge(what, n, Integer::sum);
    }
}
