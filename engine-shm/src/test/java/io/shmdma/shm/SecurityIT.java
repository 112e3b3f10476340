package io.shmdma.shm;

import io.shmdma.Errno;
import io.shmdma.shm.registry.ErrorLogEntry;
import io.shmdma.shm.registry.Registry;
import io.shmdma.shm.registry.RegistryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Security properties between real JVMs: the permission bits of every kind of file and of the directory, under
 * several umasks, owner-only by default and group-shared on request; and a token that crosses two processes
 * (creator and joiner, with wrong tokens and a lockout on the way) appears in none of their output, the files
 * or the error log.
 */
class SecurityIT
{
    private ShmTestDirectory dir;
    private final List<ChildJava> children = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        for (final ChildJava child : children)
        {
            child.close();
        }
        dir.close();
    }

    private ChildJava child(final String umask, final String... mainArgs) throws Exception
    {
        final ChildJava child = new ChildJava(umask, List.of(), mainArgs);
        children.add(child);
        return child;
    }

    @Test
    void shouldCreateOwnerOnlyFilesByDefaultAndGroupSharedOnRequestWhateverTheUmask() throws Exception
    {
        final Map<String, String> plainFileModes = Map.of("022", "rw-r--r--", "077", "rw-------", "000", "rw-rw-rw-");
        for (final String umask : List.of("022", "077", "000"))
        {
            final Path base = Files.createDirectory(dir.path().resolve("umask-" + umask));
            final Path owner = base.resolve("owner");
            final Path shared = base.resolve("shared");
            final ChildJava child = child(umask, FilesChildMain.class.getName(), owner.toString(), shared.toString());
            assertEquals("READY " + plainFileModes.get(umask), child.nextReply(), "the umask applies to the child: " +
                child.stderr());
            final Map<String, String> ownerModes = modes(owner);
            final Map<String, String> sharedModes = modes(shared);
            System.out.println("umask " + umask + ": owner-only " + ownerModes + ", group-shared " + sharedModes);
            assertKinds(ownerModes, "rwx------", "rw-------", "umask " + umask + ", owner-only");
            assertKinds(sharedModes, "rwxrwx---", "rw-rw----", "umask " + umask + ", group-shared");
            child.write("close");
            assertEquals("CLOSED", child.nextReply());
            assertEquals(0, child.waitForExit());
        }
    }

    private static Map<String, String> modes(final Path directory) throws Exception
    {
        final Map<String, String> modes = new TreeMap<>();
        modes.put(".", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : files.toList())
            {
                modes.put(file.getFileName().toString(),
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            }
        }
        return modes;
    }

    private static void assertKinds(
        final Map<String, String> modes, final String directoryMode, final String fileMode, final String what)
    {
        assertEquals(directoryMode, modes.get("."), what + ": directory");
        int control = 0;
        int domain = 0;
        int ring = 0;
        for (final Map.Entry<String, String> entry : modes.entrySet())
        {
            final String name = entry.getKey();
            if (name.equals("."))
            {
                continue;
            }
            assertEquals(fileMode, entry.getValue(), what + ": " + name);
            control += name.equals(ShmDomain.CONTROL_FILE_NAME) ? 1 : 0;
            domain += name.startsWith("domain-") ? 1 : 0;
            ring += name.startsWith("ring-") ? 1 : 0;
        }
        // the ring file has a name only while a start waits for the driver to map it: FilesChildMain holds it there
        assertEquals(List.of(1, 1, 1), List.of(control, domain, ring), what + ": one file of each kind in " + modes);
    }

    /**
     * Run as root, with {@code setpriv} to start a child as {@code nobody}: a group-shared directory owned by root
     * with the sticky bit is accepted for another user; one owned by root without it, or by another user (even
     * with it), is refused.
     */
    @Test
    void shouldAcceptARootOwnedStickyGroupDirectoryForAnotherUserAndRefuseOthers() throws Exception
    {
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        final Path classPath = Files.createDirectory(dir.path().resolve("classpath"));
        final String copied = copyClassPath(classPath);
        chmod("-R", "a+rX", dir.path().toString());

        final Path sticky = sharedDirectory("root-sticky", "root", "1770");
        final String opened = runAsNobody(copied, sticky);
        assertTrue(opened.startsWith("OPENED "), opened);
        System.out.println("as nobody, root-owned 1770 group directory: " + opened);
        final Path leftControl = sticky.resolve(ShmDomain.CONTROL_FILE_NAME);
        assertEquals(65534, Files.getAttribute(leftControl, "unix:uid"), "the child made the control segment");
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(leftControl)));

        final String notSticky = runAsNobody(copied, sharedDirectory("root-plain", "root", "0770"));
        assertTrue(notSticky.startsWith("REFUSED EACCES") && notSticky.contains("belongs to uid 0"), notSticky);
        System.out.println("as nobody, root-owned 0770 group directory: " + notSticky);

        final String otherUser = runAsNobody(copied, sharedDirectory("daemon-sticky", "daemon", "1770"));
        assertTrue(otherUser.startsWith("REFUSED EACCES") && otherUser.contains("belongs to uid 1"), otherUser);
    }

    private Path sharedDirectory(final String name, final String owner, final String mode) throws Exception
    {
        final Path shared = Files.createDirectory(dir.path().resolve(name));
        chmod(mode, shared.toString());
        final Process chown = new ProcessBuilder("chown", owner + ":nogroup", shared.toString()).inheritIO().start();
        assertTrue(chown.waitFor(10, TimeUnit.SECONDS) && chown.exitValue() == 0);
        chmod(mode, shared.toString()); // chown clears the sticky bit on some systems
        return shared;
    }

    private static void chmod(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("chmod"));
        command.addAll(List.of(args));
        final Process chmod = new ProcessBuilder(command).inheritIO().start();
        assertTrue(chmod.waitFor(10, TimeUnit.SECONDS) && chmod.exitValue() == 0, command.toString());
    }

    /** Copies the test class path where {@code nobody} can read it (~/.m2 and the worktree may not be). */
    private static String copyClassPath(final Path target) throws Exception
    {
        final List<String> entries = new ArrayList<>();
        int index = 0;
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            final Path source = Path.of(entry);
            final Path copy = target.resolve(index++ + "-" + source.getFileName());
            if (Files.isDirectory(source))
            {
                try (Stream<Path> files = Files.walk(source))
                {
                    for (final Path file : (Iterable<Path>)files::iterator)
                    {
                        final Path to = copy.resolve(source.relativize(file).toString());
                        if (Files.isDirectory(file))
                        {
                            Files.createDirectories(to);
                        }
                        else
                        {
                            Files.copy(file, to);
                        }
                    }
                }
            }
            else if (Files.isRegularFile(source))
            {
                Files.copy(source, copy);
            }
            entries.add(copy.toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static String runAsNobody(final String classPath, final Path shared) throws Exception
    {
        final Process child = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
            "--clear-groups", ProcessHandle.current().info().command().orElse("java"),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx64m",
            "-cp", classPath, SharedDirectoryChildMain.class.getName(), shared.toString())
            .redirectErrorStream(true).start();
        try
        {
            assertTrue(child.waitFor(ChildJava.TIMEOUT_SECONDS, TimeUnit.SECONDS), "child ended");
            final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            final int line = output.indexOf("OPENED ") >= 0 ? output.indexOf("OPENED ") : output.indexOf("REFUSED ");
            assertTrue(line >= 0, output);
            return output.substring(line).split("\n")[0];
        }
        finally
        {
            child.destroyForcibly();
        }
    }

    @Test
    void shouldKeepATokenOutOfPeerOutputFilesAndTheErrorLog() throws Exception
    {
        final UUID token = UUID.randomUUID();
        final ChildJava creator = child(null, PeerProcess.class.getName());
        final ChildJava joiner = child(null, PeerProcess.class.getName());
        assertEquals("READY", creator.nextReply());
        assertEquals("READY", joiner.nextReply());
        final String open = "open " + dir + " 2000 " + (1 << 20);
        final String creatorDomain = creator.ok(open);
        final String joinerDomain = joiner.ok(open);
        final int groupId = Integer.parseInt(creator.ok("create " + token));
        for (int i = 0; i < 5; i++)
        {
            assertTrue(joiner.send("join " + groupId + " " + UUID.randomUUID())
                .startsWith("ERR " + Errno.EACCES + " "));
        }
        assertTrue(joiner.send("join " + groupId + " " + token).startsWith("ERR " + Errno.EACCES + " "), "locked out");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!joiner.send("join " + groupId + " " + token).startsWith("OK"))
        {
            assertTrue(System.nanoTime() - deadline < 0, "the lockout ended");
            Thread.sleep(100);
        }
        final String creatorHandler = creator.ok("handler " + groupId + " " + creatorDomain);
        final String joinerHandler = creator.ok("handler " + groupId + " " + joinerDomain);
        final String source = creator.ok("alloc 4096");
        creator.ok("fill " + source + " 4096 7");
        final String target = joiner.ok("alloc 4096");
        creator.ok("vchan " + creatorHandler + " " + joinerHandler);
        assertEquals("SUCCESSFUL", creator.ok("copy " + source + " " + target + " 4096"));
        joiner.ok("vchan " + joinerHandler + " " + creatorHandler);
        assertEquals("SUCCESSFUL", joiner.ok("copy " + target + " " + source + " 4096"));

        final List<Path> files;
        try (Stream<Path> list = Files.list(dir.path()))
        {
            files = list.toList();
        }
        assertEquals(3, files.size(), "control and two domain segments (embedded rings have no name): " + files);
        for (final Path file : files)
        {
            TokenSearch.assertAbsent(token, Files.readAllBytes(file), "file " + file.getFileName());
        }
        try (Registry registry = Registry.openExisting(dir.path().resolve(ShmDomain.CONTROL_FILE_NAME),
            new RegistryConfig()))
        {
            final List<ErrorLogEntry> entries = registry.errorLogEntries();
            assertTrue(entries.stream().anyMatch(entry -> entry.encodedError().contains("locked out")),
                entries.toString());
            for (final ErrorLogEntry entry : entries)
            {
                TokenSearch.assertAbsent(token, entry.toString(), "error log");
            }
        }
        joiner.ok("leave " + groupId);
        creator.ok("destroy " + groupId);
        creator.ok("exit");
        joiner.ok("exit");
        assertEquals(0, creator.waitForExit());
        assertEquals(0, joiner.waitForExit());
        for (final ChildJava child : List.of(creator, joiner))
        {
            final String output = String.join("\n", child.stdout()) + "\n" + String.join("\n", child.stderr());
            assertTrue(output.contains("EACCES") || child == creator, output);
            TokenSearch.assertAbsent(token, output, "output of child " + child.pid());
        }
        TokenSearch.assertAbsent(token, Files.readAllBytes(dir.path().resolve(ShmDomain.CONTROL_FILE_NAME)),
            "control segment after both exited");
    }
}
