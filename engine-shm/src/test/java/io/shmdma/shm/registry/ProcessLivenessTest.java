package io.shmdma.shm.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessLivenessTest
{
    @Test
    void shouldSeeThisProcessRunningAndNoProcessBehindImpossiblePids()
    {
        assertTrue(ProcessLiveness.isRunning(ProcessHandle.current().pid()));
        assertFalse(ProcessLiveness.isRunning(0));
        assertFalse(ProcessLiveness.isRunning(-1));
        assertFalse(ProcessLiveness.isRunning(Long.MIN_VALUE));
        assertFalse(ProcessLiveness.isRunning(Long.MAX_VALUE));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void shouldTakeAZombieForAProcessThatExited() throws Exception
    {
        // sh starts a child that exits at once, then becomes sleep, which never reaps it: a zombie for 30 s
        final Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
        try
        {
            final long zombie;
            try (BufferedReader out = new BufferedReader(
                new InputStreamReader(parent.getInputStream(), StandardCharsets.US_ASCII)))
            {
                zombie = Long.parseLong(out.readLine().trim());
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!state(zombie).equals("Z") && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertTrue(state(zombie).equals("Z"), "the child is a zombie: " + state(zombie));
            assertTrue(ProcessLiveness.hasExited(zombie));
            assertFalse(ProcessLiveness.isRunning(zombie), "a zombie is not running");
            assertTrue(ProcessLiveness.isRunning(parent.pid()), "its parent is");
        }
        finally
        {
            parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String state(final long pid) throws Exception
    {
        final Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat))
        {
            return "gone";
        }
        final String text = Files.readString(stat, StandardCharsets.ISO_8859_1);
        return text.substring(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3);
    }
}
