package io.shmdma.shm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A peer's segment truncated after it was validated and mapped, with jobs in the window before the conductor
 * notices, for an inline and a dedicated engine: in a child JVM, so that a crash would show as its exit code.
 * The JVM must survive (HotSpot turns the SIGBUS of an Unsafe copy into an InternalError) and, once the conductor
 * has checked the segments, jobs to the truncated segment fail with INVALID_DST_ADDR. A truncated control
 * segment makes group operations fail with EIO and, once the conductor has noticed, inter-process jobs with an
 * invalid address; close still removes the process's files. Measured: Java 25 reports
 * the faulting jobs as BUS_ERROR; Java 17 delivers the InternalError late (see docs/reliability.md).
 */
class TruncatedSegmentIT
{
    @Test
    void shouldSurviveAPeerSegmentTruncatedUnderARunningVchan() throws Exception
    {
        try (ShmTestDirectory dir = new ShmTestDirectory();
            ChildJava child = new ChildJava(null, List.of(), TruncatedPeerMain.class.getName(), dir.toString()))
        {
            final int exitCode = child.waitForExit();
            final List<String> out = child.stdout();
            final String transcript = String.join("\n", out) + "\nstderr:\n" + String.join("\n", child.stderr());
            System.out.println("truncated segment child:\n" + transcript);
            assertEquals(0, exitCode, "the child JVM crashed or failed:\n" + transcript);
            assertTrue(out.stream().anyMatch(line -> line.startsWith("ALIVE ")), transcript);
            assertTrue(out.contains("CONTROL COPY SUCCESSFUL"), transcript);
            assertTrue(out.stream().anyMatch(line -> line.startsWith("CONTROL CREATE_AFTER THREW " +
                "io.shmdma.DmaException: EIO")), transcript);
            assertTrue(out.contains("CONTROL COPY_AFTER INVALID_SRC_ADDR"), transcript);
            assertTrue(out.contains("CONTROL CLOSE closed"), transcript);
            assertTrue(out.contains("CONTROL LEFT [control.shm]"), "close deleted this process's files: " + transcript);
            for (final String engine : List.of("INLINE", "DEDICATED"))
            {
                assertTrue(out.contains(engine + " BEFORE SUCCESSFUL"), transcript);
                assertTrue(out.contains(engine + " AFTER INVALID_DST_ADDR"), transcript);
                final String window = out.stream().filter(line -> line.startsWith(engine + " WINDOW1 "))
                    .findFirst().orElseThrow();
                if (Runtime.version().feature() >= 25)
                {
                    assertEquals(engine + " WINDOW1 BUS_ERROR", window, transcript);
                }
                else
                {
                    assertTrue(window.endsWith(" BUS_ERROR") || window.contains("InternalError") ||
                        window.endsWith(" SUCCESSFUL") || window.endsWith(" INVALID_DST_ADDR"), transcript);
                }
            }
        }
    }
}
