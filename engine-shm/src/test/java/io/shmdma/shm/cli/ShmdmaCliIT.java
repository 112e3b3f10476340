package io.shmdma.shm.cli;

import io.shmdma.Errno;
import io.shmdma.shm.PeerHandle;
import io.shmdma.shm.ShmTestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CLI against a live group of two member JVMs (and an outsider that tries wrong tokens, then exits): every
 * command names the right groups, members, handlers and counters, in text and JSON, never shows a token, and clean
 * refuses while they live and removes the directory once they were killed.
 */
class ShmdmaCliIT
{
    /** The members' liveness timeout (they reap each other after it). */
    private static final long LIVENESS_MS = 300;
    /** The CLI's, longer, so that a stall of this machine does not show a live member as dead. */
    private static final long CLI_LIVENESS_MS = 1000;
    private static final int MIB = 1 << 20;

    private ShmTestDirectory dir;
    private String dirArg;
    private final List<PeerHandle> peers = new ArrayList<>();
    private final StringBuilder everything = new StringBuilder();

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
        dirArg = dir.path().toString();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        for (final PeerHandle peer : peers)
        {
            peer.close();
        }
        dir.close();
    }

    @Test
    void shouldShowALiveGroupAndCleanOnlyOnceItsProcessesAreDead() throws Exception
    {
        final PeerHandle creator = peer("creator");
        final PeerHandle joiner = peer("joiner");
        final String creatorDomain = open(creator);
        final String joinerDomain = open(joiner);
        final String creatorPid = Long.toString(creator.process().pid());
        final String joinerPid = Long.toString(joiner.process().pid());
        final UUID token = UUID.randomUUID();
        final List<UUID> wrongTokens = new ArrayList<>();

        final int groupId = Integer.parseInt(creator.ok("create " + token));
        joiner.ok("join " + groupId + " " + token);
        final String creatorHandler = creator.ok("handler " + groupId + " " + creatorDomain);
        final String joinerHandler = creator.ok("handler " + groupId + " " + joinerDomain);
        final PeerHandle outsider = peer("outsider");
        open(outsider);
        final String outsiderPid = Long.toString(outsider.process().pid());
        for (int i = 0; i < 5; i++)
        {
            final UUID wrong = UUID.randomUUID();
            wrongTokens.add(wrong);
            assertEquals(Errno.EACCES, outsider.err("join " + groupId + " " + wrong));
        }
        outsider.close(); // its domain goes; its error log stays readable

        final String source = creator.ok("alloc " + MIB);
        creator.ok("fill " + source + " " + MIB + " 7");
        final String target = joiner.ok("alloc " + MIB);
        creator.ok("vchan " + creatorHandler + " " + joinerHandler);
        assertEquals("SUCCESSFUL", creator.ok("copy " + source + " " + target + " " + MIB));
        assertEquals("SUCCESSFUL", creator.ok("copy " + source + " " + target + " 4096"));
        awaitCompleted(creatorDomain, 2);

        // list
        final String list = cli("list").assertOk().out();
        assertTrue(list.lines().anyMatch(line -> line.matches(creatorDomain + "\\s+" + creatorPid +
            "\\s+alive\\s+\\d+ ms\\s+8\\.0 MiB\\s+\\d+\\s+peer-dma")), list);
        assertTrue(list.lines().anyMatch(line -> line.matches(joinerDomain + "\\s+" + joinerPid +
            "\\s+alive\\s+\\d+ ms\\s+8\\.0 MiB\\s+\\d+\\s+peer-dma")), list);
        assertTrue(list.contains("2 domains (2 alive), 2 devices"), list);
        final List<Map<String, Object>> domains = Json.objects(json("list").get("domains"));
        assertEquals(List.of(creatorDomain, joinerDomain), domains.stream().map(d -> d.get("domain_id")).sorted(
            (a, b) -> a.equals(creatorDomain) ? -1 : 1).toList());
        for (final Map<String, Object> domain : domains)
        {
            assertEquals(Boolean.TRUE, domain.get("alive"));
            assertEquals((long)(8 * MIB), domain.get("segment_bytes"));
            assertEquals("peer-dma", Json.objects(domain.get("devices")).get(0).get("name"));
        }

        // info
        final String info = cli("info").assertOk().out();
        assertEquals(2, info.lines().filter(line -> line.contains("'peer-dma'  domain ")).count(), info);
        assertTrue(info.contains(creatorDomain + " (pid " + creatorPid + ", alive)") &&
            info.contains("state          started") && info.contains("inter_process_domain"), info);
        final Map<String, Object> creatorInfo = device(Json.objects(json("info").get("devices")), creatorDomain);
        assertEquals("started", creatorInfo.get("state"));
        assertEquals(1L, creatorInfo.get("nb_vchans"));
        assertEquals(16L, creatorInfo.get("max_vchans"));
        assertEquals(1L, Json.object(creatorInfo.get("capabilities")).get("inter_process_domain"));

        // stats
        final String stats = cli("stats").assertOk().out();
        assertTrue(stats.lines().anyMatch(line -> line.matches(creatorDomain + "\\s+" + creatorPid +
            "\\s+\\d+\\s+peer-dma\\s+started\\s+2\\s+2\\s+0\\s+0")), stats);
        assertTrue(stats.lines().anyMatch(line -> line.matches(joinerDomain + "\\s+" + joinerPid +
            "\\s+\\d+\\s+peer-dma\\s+stopped\\s+0\\s+0\\s+0\\s+0")), stats);
        final Map<String, Object> creatorStats = device(Json.objects(json("stats").get("stats")), creatorDomain);
        assertEquals(List.of(2L, 2L, 0L), List.of(creatorStats.get("submitted"), creatorStats.get("completed"),
            creatorStats.get("errors")));

        // groups
        final String groups = cli("groups").assertOk().out();
        assertTrue(groups.contains("group " + groupId + "  ") && groups.contains("by " + creatorDomain) &&
            groups.contains("2 members"), groups);
        assertTrue(groups.lines().anyMatch(line -> line.matches("\\s+0\\s+creator\\s+" + creatorDomain + "\\s+" +
            creatorPid + "\\s+" + creatorHandler + "\\s+\\d+ ms\\s+alive")), groups);
        assertTrue(groups.lines().anyMatch(line -> line.matches("\\s+1\\s+joiner\\s+" + joinerDomain + "\\s+" +
            joinerPid + "\\s+" + joinerHandler + "\\s+\\d+ ms\\s+alive")), groups);
        final Map<String, Object> group = Json.objects(json("groups").get("groups")).get(0);
        assertEquals((long)groupId, group.get("group_id"));
        assertEquals(creatorDomain, group.get("creator_domain_id"));
        final List<Map<String, Object>> members = Json.objects(group.get("members"));
        assertEquals(List.of("creator", "joiner"), members.stream().map(m -> m.get("role")).toList());
        assertEquals(List.of(creatorDomain, joinerDomain), members.stream().map(m -> m.get("domain_id")).toList());
        assertEquals(List.of(Long.parseLong(creatorHandler), Long.parseLong(joinerHandler)),
            members.stream().map(m -> m.get("handler")).toList());
        assertEquals(List.of(Long.parseLong(creatorPid), Long.parseLong(joinerPid)),
            members.stream().map(m -> m.get("pid")).toList());
        assertEquals(List.of(true, true), members.stream().map(m -> m.get("alive")).toList());

        // errors: the lockout after five wrong tokens, recorded by the outsider that has exited since
        final String errors = cli("errors").assertOk().out();
        assertTrue(errors.contains("group " + groupId + " locked out") && errors.contains("pid " + outsiderPid),
            errors);
        final List<Map<String, Object>> errorEntries = Json.objects(json("errors").get("errors"));
        assertTrue(errorEntries.stream().anyMatch(e -> ((String)e.get("text")).contains("locked out") &&
            Long.valueOf(outsiderPid).equals(e.get("pid")) && Long.valueOf(1).equals(e.get("observation_count"))),
            errorEntries.toString());

        // watch
        final String watch = cli("watch", "--count", "2", "--interval", "100").assertOk().out();
        assertEquals(2, watch.lines().filter(line -> line.startsWith("shmdma " + dirArg)).count(), watch);
        assertFalse(watch.contains("\u001b"));
        final List<String> watchJson = cli("watch", "--count", "2", "--interval", "50", "--json").assertOk().out()
            .lines().toList();
        assertEquals(2, watchJson.size());
        assertEquals(2, Json.objects(Json.object(watchJson.get(1)).get("domains")).size());

        // clean refuses while they live and removes nothing
        final CliRun refused = cli("clean");
        final String refusal = refused.assertOneLineFailure(ShmdmaCli.EXIT_FAILED);
        assertTrue(refusal.contains("refusing to remove " + dirArg + ": 2 of 2 domains alive") &&
            refusal.contains("pid " + creatorPid) && refusal.contains("pid " + joinerPid), refusal);
        assertTrue(Files.exists(dir.path().resolve("control.shm")));
        assertTrue(Files.exists(dir.path().resolve("domain-" + creatorDomain + ".shm")));
        assertTrue(Files.exists(dir.path().resolve("domain-" + joinerDomain + ".shm")));

        final String all = everything.toString();
        for (final UUID secret : concat(token, wrongTokens))
        {
            assertFalse(all.contains(secret.toString()), "a token appears in the output");
            assertFalse(all.contains(secret.toString().replace("-", "")), "a token appears in the output");
        }

        // SIGKILL both, then clean once their heartbeats are older than the liveness timeout
        killAndClean(creator, joiner, creatorDomain, joinerDomain, joinerPid);
    }

    private void killAndClean(
        final PeerHandle creator,
        final PeerHandle joiner,
        final String creatorDomain,
        final String joinerDomain,
        final String joinerPid) throws Exception
    {
        creator.kill();
        joiner.kill();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        CliRun dryRun = cli("clean", "--dry-run");
        while (dryRun.exitCode() != 0 && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(50);
            dryRun = cli("clean", "--dry-run");
        }
        dryRun.assertOk();
        assertTrue(dryRun.out().contains("would remove  domain-" + creatorDomain + ".shm") &&
            dryRun.out().contains("would remove  control.shm"), dryRun.out());
        assertTrue(Files.exists(dir.path().resolve("control.shm")), "a dry run removes nothing");
        final String deadList = cli("list").assertOk().out();
        assertTrue(deadList.contains("2 domains (0 alive)"), deadList);
        assertEquals(2, deadList.lines().filter(line -> line.matches(".*\\s+dead\\s+.*")).count(), deadList);

        final CliRun clean = cli("clean").assertOk();
        assertTrue(clean.out().contains("removed  domain-" + joinerDomain + ".shm") &&
            clean.out().contains("segment of dead domain " + joinerDomain + " (pid " + joinerPid + ")") &&
            !clean.out().contains("ring of dead domain") && // embedded rings have no name to leave behind
            clean.out().contains("removed  " + dirArg + "/"), clean.out());
        assertFalse(Files.exists(dir.path()), "directory removed");
        assertEquals(2, cli("list").exitCode(), "nothing left to show");
    }

    private PeerHandle peer(final String name) throws Exception
    {
        final PeerHandle peer = new PeerHandle(name);
        peers.add(peer);
        return peer;
    }

    private String open(final PeerHandle peer) throws Exception
    {
        return peer.ok("open " + dir + " " + LIVENESS_MS + " " + (8 * MIB));
    }

    private CliRun cli(final String... args)
    {
        final String[] full = new String[args.length + 4];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--dir";
        full[args.length + 1] = dirArg;
        full[args.length + 2] = "--liveness-timeout";
        full[args.length + 3] = Long.toString(CLI_LIVENESS_MS);
        final CliRun run = CliRun.run(full);
        everything.append(run.out()).append(run.err());
        return run;
    }

    private Map<String, Object> json(final String command)
    {
        return Json.object(cli(command, "--json").assertOk().out());
    }

    private static Map<String, Object> device(final List<Map<String, Object>> devices, final String domainId)
    {
        return devices.stream().filter(d -> domainId.equals(d.get("domain_id"))).findFirst().orElseThrow();
    }

    private void awaitCompleted(final String domainId, final long completed) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0)
        {
            final Map<String, Object> stats = device(Json.objects(json("stats").get("stats")), domainId);
            if (Long.valueOf(completed).equals(stats.get("completed")))
            {
                return;
            }
            Thread.sleep(20);
        }
        fail("the creator's device never showed " + completed + " completed jobs");
    }

    private static List<UUID> concat(final UUID first, final List<UUID> rest)
    {
        final List<UUID> all = new ArrayList<>(rest);
        all.add(first);
        return all;
    }
}
