package io.shmdma.shm.cli;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.shm.ShmContext;
import io.shmdma.shm.ShmDomain;
import io.shmdma.shm.ShmTestDirectory;
import io.shmdma.shm.registry.ControlSegmentDescriptor;
import io.shmdma.shm.registry.Registry;
import io.shmdma.shm.registry.RegistryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CLI in this JVM: usage, unusable directories, every command against a domain of this JVM, and clean.
 */
class ShmdmaCliTest
{
    private static final List<String> COMMANDS =
        Arrays.stream(Command.values()).map(Command::commandName).toList();

    private ShmTestDirectory dir;
    private String dirArg;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
        dirArg = dir.path().toString();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        dir.close();
    }

    @Test
    void shouldPrintHelpNamingEveryCommandAndOption()
    {
        for (final String[] args : List.of(
            new String[]{ "--help" }, new String[]{ "-h" }, new String[]{ "list", "--help" }))
        {
            final CliRun run = CliRun.run(args).assertOk();
            for (final String command : COMMANDS)
            {
                assertTrue(run.out().contains("  " + command + " "), command + " in " + run.out());
            }
            for (final String option : List.of("--dir", "--json", "--interval", "--count", "--dry-run", "--help"))
            {
                assertTrue(run.out().contains(option), option);
            }
        }
    }

    @Test
    void shouldRefuseBadUsageInOneLine()
    {
        final List<String[]> bad = List.of(
            new String[0],
            new String[]{ "frobnicate" },
            new String[]{ "list", "--bogus" },
            new String[]{ "list", "stats" },
            new String[]{ "list", "--count", "2" },
            new String[]{ "stats", "--dry-run" },
            new String[]{ "watch", "--interval", "0" },
            new String[]{ "watch", "--count", "many" },
            new String[]{ "list", "--dir" });
        for (final String[] args : bad)
        {
            final String line = CliRun.run(args).assertOneLineFailure(ShmdmaCli.EXIT_USAGE);
            assertTrue(line.startsWith("shmdma: ") && line.endsWith("(see shmdma --help)"), line);
        }
    }

    @Test
    void shouldExitTwoInOneLineWhenTheDirectoryIsMissing()
    {
        final String missing = dir.path().resolve("not-there").toString();
        for (final String command : COMMANDS)
        {
            final String line = CliRun.run(command, "--dir", missing).assertOneLineFailure(2);
            assertTrue(line.contains(missing) && line.contains("does not exist"), line);
        }
    }

    @Test
    void shouldExitTwoInOneLineWithoutAControlFile()
    {
        for (final String command : COMMANDS)
        {
            final String line = CliRun.run(command, "--dir", dirArg).assertOneLineFailure(2);
            assertTrue(line.contains("control.shm is missing"), line);
        }
        final String line = CliRun.run("list", "--dir", dir.path().resolve("..").resolve(dir.path().getFileName())
            .resolve("x").toString()).assertOneLineFailure(2);
        assertTrue(line.contains("does not exist"), line);
    }

    @Test
    void shouldExitTwoInOneLineForAForeignControlFile() throws Exception
    {
        Files.writeString(control(), "not ours\n".repeat(10_000), StandardCharsets.US_ASCII);
        for (final String command : COMMANDS)
        {
            final String line = CliRun.run(command, "--dir", dirArg).assertOneLineFailure(2);
            assertTrue(line.contains("not a shmdma control segment") && line.contains(ControlSegmentDescriptor.MARKER),
                line);
        }
        assertTrue(Files.exists(control()), "clean leaves a foreign file alone");
    }

    @Test
    void shouldExitTwoInOneLineForAnotherLayoutVersion() throws Exception
    {
        createControlFile();
        try (RandomAccessFile file = new RandomAccessFile(control().toFile(), "rw"))
        {
            file.seek(ControlSegmentDescriptor.LAYOUT_VERSION_OFFSET);
            file.write(new byte[]{ (byte)(ControlSegmentDescriptor.LAYOUT_VERSION + 1), 0, 0, 0 });
        }
        for (final String command : COMMANDS)
        {
            final String line = CliRun.run(command, "--dir", dirArg).assertOneLineFailure(2);
            assertTrue(line.contains("layout version " + (ControlSegmentDescriptor.LAYOUT_VERSION + 1)) &&
                line.contains("reads version " + ControlSegmentDescriptor.LAYOUT_VERSION), line);
        }
    }

    @Test
    void shouldExitTwoInOneLineForATruncatedControlFile() throws Exception
    {
        createControlFile();
        final byte[] whole = Files.readAllBytes(control());
        for (final int length : new int[]{ 10, ControlSegmentDescriptor.HEADER_LENGTH + 4096 })
        {
            Files.write(control(), Arrays.copyOf(whole, length));
            for (final String command : COMMANDS)
            {
                final String line = CliRun.run(command, "--dir", dirArg).assertOneLineFailure(2);
                assertTrue(line.contains("truncated"), line);
            }
        }
    }

    @Test
    void shouldShowADomainOfThisJvmInTextAndJsonWithoutItsToken() throws Exception
    {
        final UUID token = UUID.randomUUID();
        try (ShmDomain domain = ShmDomain.open(new ShmContext().dir(dir.path()).domainSegmentSize(1 << 20)
            .conductorIntervalNs(TimeUnit.MILLISECONDS.toNanos(10))))
        {
            final DmaDevice device = domain.createDevice("cli-local", EngineThreading.inline());
            try
            {
                final int groupId = domain.accessPairGroupCreate(device, "cli-group", token, null);
                final int self = device.accessPairGroupHandlerGet(groupId, domain.domainId());
                final DmaRegion prices = domain.allocateNamed("cli-prices", 3000);
                device.configure(new DmaConf(1, 0));
                device.vchanSetup(0, VchanConf.interProcess(64, self, self));
                device.start();
                final DmaRegion src = domain.memory().allocate(4096);
                final DmaRegion dst = domain.memory().allocate(4096);
                assertEquals(0, device.copy(0, src.iova(), dst.iova(), 4096, OpFlags.SUBMIT));
                assertEquals(1, device.copy(0, 0, dst.iova(), 64, OpFlags.SUBMIT));
                device.engineInvoker().invoke();
                device.completed(0, 8, new Completion());
                awaitStats("cli-local", 2);

                final String domainId = domain.domainId().toString();
                final String pid = Long.toString(ProcessHandle.current().pid());
                final StringBuilder everything = new StringBuilder();

                final CliRun list = CliRun.run("list", "--dir", dirArg).assertOk();
                assertHeader(list.out());
                assertTrue(list.out().contains(domainId) && list.out().contains(pid) && list.out().contains("alive") &&
                    list.out().contains("1.0 MiB") && list.out().contains("cli-local"), list.out());
                everything.append(list.out());

                final CliRun info = CliRun.run("info", "--dir", dirArg).assertOk();
                assertTrue(info.out().contains("dev " + device.id() + " 'cli-local'") &&
                    info.out().contains("state          started") && info.out().contains("nb_vchans      1") &&
                    info.out().contains("max_desc       8192") && info.out().contains("inter_process_domain"),
                    info.out());
                everything.append(info.out());

                final CliRun stats = CliRun.run("stats", "--dir", dirArg).assertOk();
                final String row = stats.out().lines().filter(line -> line.contains("cli-local")).findFirst()
                    .orElseThrow();
                assertTrue(row.matches(".*\\bstarted\\s+2\\s+2\\s+1\\s+0$"), row);
                everything.append(stats.out());

                final CliRun groups = CliRun.run("groups", "--dir", dirArg).assertOk();
                assertTrue(groups.out().contains("group " + groupId + "  name cli-group  ") &&
                    groups.out().contains("creator") &&
                    groups.out().contains("1 member") && groups.out().lines().anyMatch(line ->
                    line.matches("\\s+0\\s+creator\\s+" + domainId + "\\s+" + pid + "\\s+" + self + "\\s.*alive")),
                    groups.out());
                everything.append(groups.out());

                final Map<String, Object> listJson = Json.object(CliRun.run("list", "--dir", dirArg, "--json")
                    .assertOk().out());
                assertEquals((long)ControlSegmentDescriptor.LAYOUT_VERSION, listJson.get("layout_version"));
                assertEquals(dirArg, listJson.get("directory"));
                final Map<String, Object> domainJson = Json.objects(listJson.get("domains")).get(0);
                assertEquals(domainId, domainJson.get("domain_id"));
                assertEquals(Boolean.TRUE, domainJson.get("alive"));
                assertEquals("cli-local", Json.objects(domainJson.get("devices")).get(0).get("name"));

                final Map<String, Object> infoJson = Json.objects(Json.object(
                    CliRun.run("info", "--dir", dirArg, "--json").assertOk().out()).get("devices")).get(0);
                assertEquals("started", infoJson.get("state"));
                assertEquals(1L, infoJson.get("nb_vchans"));
                assertEquals(1L, Json.object(infoJson.get("capabilities")).get("inter_process_domain"));
                assertEquals(0L, Json.object(infoJson.get("capabilities")).get("inter_os_domain"));

                final Map<String, Object> statsJson = Json.objects(Json.object(
                    CliRun.run("stats", "--dir", dirArg, "--json").assertOk().out()).get("stats")).get(0);
                assertEquals(List.of(2L, 2L, 1L, 0L), List.of(statsJson.get("submitted"), statsJson.get("completed"),
                    statsJson.get("errors"), statsJson.get("engine_errors")));

                final String groupsJsonText = CliRun.run("groups", "--dir", dirArg, "--json").assertOk().out();
                final Map<String, Object> groupJson = Json.objects(Json.object(groupsJsonText).get("groups")).get(0);
                assertEquals((long)groupId, groupJson.get("group_id"));
                assertEquals("cli-group", groupJson.get("name"));
                assertEquals(domainId, groupJson.get("creator_domain_id"));
                final Map<String, Object> memberJson = Json.objects(groupJson.get("members")).get(0);
                assertEquals((long)self, memberJson.get("handler"));
                assertEquals("creator", memberJson.get("role"));
                assertFalse(groupsJsonText.contains("token"), "no token field of any kind: " + groupsJsonText);
                everything.append(groupsJsonText);

                final CliRun regions = CliRun.run("regions", "--dir", dirArg).assertOk();
                assertTrue(regions.out().lines().anyMatch(line -> line.matches(
                    "cli-prices\\s+" + domainId + "\\s+" + pid + "\\s+0x" + Long.toHexString(prices.iova()) +
                    "\\s+3000\\s.*alive")), regions.out());
                everything.append(regions.out());
                final Map<String, Object> regionJson = Json.objects(Json.object(
                    CliRun.run("regions", "--dir", dirArg, "--json").assertOk().out()).get("regions")).get(0);
                assertEquals("cli-prices", regionJson.get("name"));
                assertEquals(domainId, regionJson.get("domain_id"));
                assertEquals(prices.iova(), regionJson.get("iova"));
                assertEquals(3000L, regionJson.get("length"));
                assertEquals(Boolean.TRUE, regionJson.get("alive"));
                prices.close();
                assertTrue(CliRun.run("regions", "--dir", dirArg).assertOk().out().contains("no named regions"));

                final CliRun errors = CliRun.run("errors", "--dir", dirArg).assertOk();
                assertTrue(errors.out().contains("0 distinct errors"), errors.out());
                assertEquals(0L, Json.object(CliRun.run("errors", "--dir", dirArg, "--json").assertOk().out())
                    .get("distinct_errors"));

                final CliRun watch = CliRun.run("watch", "--dir", dirArg, "--count", "2", "--interval", "20")
                    .assertOk();
                assertEquals(2, watch.out().lines().filter(line -> line.startsWith("shmdma ")).count(), watch.out());
                assertTrue(watch.out().contains("GROUPS") && watch.out().contains("cli-local"), watch.out());
                assertFalse(watch.out().contains("\u001b"), "no ANSI codes when not a terminal");
                final List<String> watchJson = CliRun.run("watch", "--dir", dirArg, "--json", "--count", "3",
                    "--interval", "10").assertOk().out().lines().toList();
                assertEquals(3, watchJson.size());
                for (final String line : watchJson)
                {
                    final Map<String, Object> refresh = Json.object(line);
                    assertTrue(refresh.containsKey("domains") && refresh.containsKey("stats") &&
                        refresh.containsKey("groups"), line);
                }
                everything.append(watch.out()).append(watchJson);

                final CliRun clean = CliRun.run("clean", "--dir", dirArg);
                final String refusal = clean.assertOneLineFailure(ShmdmaCli.EXIT_FAILED);
                assertTrue(refusal.contains("refusing to remove " + dirArg) && refusal.contains("pid " + pid),
                    refusal);
                assertTrue(Files.exists(control()) && Files.exists(dir.path().resolve("domain-" + domainId + ".shm")));
                everything.append(clean.out());

                assertFalse(everything.toString().contains(token.toString()), "the token never appears");
                assertFalse(everything.toString().contains(token.toString().replace("-", "")));
                device.stop();
                device.accessPairGroupDestroy(groupId);
            }
            finally
            {
                if (device.isStarted())
                {
                    device.stop();
                }
            }
        }
    }

    @Test
    void shouldRemoveOnlyDeadDomainsFilesWhileAnotherLives() throws Exception
    {
        final RegistryConfig config = new RegistryConfig().livenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200));
        final UUID living = UUID.randomUUID();
        final UUID dead = UUID.randomUUID();
        final AtomicBoolean running = new AtomicBoolean(true);
        try (Registry livingProcess = Registry.openOrCreate(control(), config);
            Registry deadProcess = Registry.openOrCreate(control(), config))
        {
            final int livingSlot = livingProcess.registerDomain(living, "domain-" + living + ".shm", 4096);
            deadProcess.registerDomain(dead, "domain-" + dead + ".shm", 4096);
            final Thread conductor = new Thread(() ->
            {
                while (running.get() && livingProcess.heartbeat(livingSlot))
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
            }, "living-heartbeat");
            conductor.start();
            try
            {
                final List<Path> deadFiles =
                    List.of(touch("domain-" + dead + ".shm"), touch("ring-" + dead + "-dma0-0.shm"));
                final List<Path> livingFiles = List.of(touch("domain-" + living + ".shm"),
                    touch("ring-" + living + "-dma0-0.shm"), touch("domain-" + UUID.randomUUID() + ".shm"));
                Thread.sleep(400);

                final String pid = Long.toString(ProcessHandle.current().pid());
                final String byPid = CliRun.run("clean", "--dir", dirArg, "--liveness-timeout", "200")
                    .assertOneLineFailure(1);
                assertTrue(byPid.contains("2 of 2 domains alive") && byPid.contains("pid " + pid + " still runs"),
                    byPid);

                final CliRun dryRun = CliRun.run("clean", "--dir", dirArg, "--liveness-timeout", "200",
                    "--ignore-pids", "--dry-run");
                assertTrue(dryRun.assertOneLineFailure(1).contains("would refuse"), dryRun.err());
                assertTrue(dryRun.out().contains("would remove  domain-" + dead + ".shm"), dryRun.out());
                for (final Path file : deadFiles)
                {
                    assertTrue(Files.exists(file), "a dry run removes nothing");
                }

                final CliRun partial = CliRun.run("clean", "--dir", dirArg, "--liveness-timeout", "200",
                    "--ignore-pids");
                final String line = partial.assertOneLineFailure(1);
                assertTrue(line.contains("1 of 2 domains alive") && line.contains("removed 2 files of dead domains"),
                    line);
                assertTrue(partial.out().contains("ring of dead domain " + dead), partial.out());
                for (final Path file : deadFiles)
                {
                    assertFalse(Files.exists(file), file + " removed");
                }
                for (final Path file : livingFiles)
                {
                    assertTrue(Files.exists(file), file + " kept while a domain lives");
                }
                assertTrue(Files.exists(control()));
            }
            finally
            {
                running.set(false);
                conductor.join();
            }
        }
    }

    @Test
    void shouldRemoveADirectoryWhoseDomainsAreAllDeadButKeepForeignFiles() throws Exception
    {
        final UUID dead = UUID.randomUUID();
        try (Registry deadProcess = Registry.openOrCreate(control(), new RegistryConfig()))
        {
            deadProcess.registerDomain(dead, "domain-" + dead + ".shm", 4096);
        }
        touch("domain-" + dead + ".shm");
        touch("ring-" + dead + "-dma0-3.shm");
        touch("." + ShmDomain.CONTROL_FILE_NAME + ".123.abc.tmp");
        final Path foreign = touch("notes.txt");
        Thread.sleep(250);

        final Map<String, Object> plan = Json.object(CliRun.run("clean", "--dir", dirArg, "--liveness-timeout", "100",
            "--ignore-pids", "--dry-run", "--json").out());
        assertEquals(Boolean.TRUE, plan.get("dry_run"));
        assertEquals(4, Json.objects(plan.get("removed")).size(), plan.toString());
        assertEquals(foreign.toString(), Json.objects(plan.get("kept")).get(0).get("file"));

        final CliRun keep = CliRun.run("clean", "--dir", dirArg, "--liveness-timeout", "100", "--ignore-pids");
        assertTrue(keep.assertOneLineFailure(1).contains("kept " + dirArg + ": it holds 1 file shmdma did not make"),
            keep.err());
        try (var files = Files.list(dir.path()))
        {
            assertEquals(List.of(foreign), files.toList(), "only the foreign file is left");
        }

        Files.delete(foreign);
        Files.writeString(control(), "x");
        assertEquals(2, CliRun.run("clean", "--dir", dirArg).exitCode(), "a clean needs a readable control file");
        Files.delete(control());
        createControlFile();
        final CliRun clean = CliRun.run("clean", "--dir", dirArg).assertOk();
        assertTrue(clean.out().contains("removed  control.shm") && clean.out().contains("directory"), clean.out());
        assertFalse(Files.exists(dir.path()), "directory removed");
    }

    @Test
    void shouldKnowWhichDomainAFileBelongsTo()
    {
        final UUID id = UUID.randomUUID();
        assertEquals(id, DirectoryCleaner.ownerOf("domain-" + id + ".shm"));
        assertEquals(id, DirectoryCleaner.ownerOf("ring-" + id + "-peer-dma-0.shm"));
        assertNull(DirectoryCleaner.ownerOf("domain-" + id + ".shm.bak"));
        assertNull(DirectoryCleaner.ownerOf("domain-" + id + "x.shm"));
        assertNull(DirectoryCleaner.ownerOf("ring-" + id + ".shm"));
        assertNull(DirectoryCleaner.ownerOf("domain-not-a-uuid-at-all-not-a-uuid-at-all.shm"));
        assertNull(DirectoryCleaner.ownerOf("control.shm"));
    }

    @Test
    void shouldWriteValidJsonAndAlignedTables()
    {
        final String text = "quote \" backslash \\ newline \n tab \t bell \u0007 line-separator \u2028 é";
        final String json = new JsonWriter().beginObject().field("text", text).field("n", -1)
            .field("ok", true).name("list").beginArray().value(1).value("a").value((String)null).endArray()
            .name("empty").beginObject().endObject().endObject().toString();
        final Map<String, Object> parsed = Json.object(json);
        assertEquals(text, parsed.get("text"));
        assertEquals(-1L, parsed.get("n"));
        assertEquals(Arrays.asList(1L, "a", null), parsed.get("list"));

        final String table = new TextTable("NAME", ">COUNT").row("a", 1).row("longer", 12345).render("  ");
        assertEquals("  NAME    COUNT\n  a           1\n  longer  12345\n", table);
    }

    private Path control()
    {
        return dir.path().resolve(ShmDomain.CONTROL_FILE_NAME);
    }

    private void createControlFile()
    {
        Registry.openOrCreate(control(), new RegistryConfig()).close();
    }

    private Path touch(final String name) throws Exception
    {
        return Files.write(dir.path().resolve(name), new byte[4096]);
    }

    private void assertHeader(final String out)
    {
        final String header = out.lines().findFirst().orElseThrow();
        assertTrue(header.startsWith("shmdma " + dirArg + "  layout " + ControlSegmentDescriptor.LAYOUT_VERSION +
            "  created ") && header.contains(" by pid ") &&
            header.contains("liveness "), header);
    }

    private void awaitStats(final String name, final long completed) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0)
        {
            final CliRun stats = CliRun.run("stats", "--dir", dirArg, "--json");
            if (stats.exitCode() == 0)
            {
                for (final Map<String, Object> device : Json.objects(Json.object(stats.out()).get("stats")))
                {
                    if (name.equals(device.get("name")) && Long.valueOf(completed).equals(device.get("completed")))
                    {
                        return;
                    }
                }
            }
            Thread.sleep(20);
        }
        fail("stats of " + name + " never showed " + completed + " completed");
    }
}
