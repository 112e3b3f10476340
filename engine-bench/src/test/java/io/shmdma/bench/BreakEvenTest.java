package io.shmdma.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BreakEvenTest
{
    @Test
    void shouldFindSmallestSizeFromWhichOffloadIsCheaper()
    {
        final BreakEven breakEven = new BreakEven()
            .add(64, 30, 4)
            .add(256, 30, 8)
            .add(1024, 31, 25)
            .add(4096, 30, 96)
            .add(65536, 33, 1500);
        assertEquals(4096, breakEven.size());
        assertTrue(breakEven.describe().startsWith("4 KiB (caller 30.0 ns/job vs CPU copy 96.0 ns/job)"),
            breakEven.describe());
        assertTrue(breakEven.describe().contains("at 1 KiB caller 31.0 vs CPU 25.0"), breakEven.describe());
    }

    @Test
    void shouldRequireEveryLargerSizeToBeCheaper()
    {
        final BreakEven breakEven = new BreakEven()
            .add(64, 30, 40)
            .add(1024, 50, 45)
            .add(65536, 60, 1500);
        assertEquals(65536, breakEven.size());
    }

    @Test
    void shouldSkipMissingFiguresAndReportNotReached()
    {
        final BreakEven breakEven = new BreakEven()
            .add(64, 30, 4)
            .add(1024, Double.NaN, 25)
            .add(4096, 120, 96);
        assertEquals(-1, breakEven.size());
        assertEquals(2, breakEven.sizes());
        assertTrue(breakEven.describe().startsWith("not reached up to 4 KiB"), breakEven.describe());
        assertEquals("no clean measurement", new BreakEven().add(64, Double.NaN, 1).describe());
    }

    @Test
    void shouldAcceptSmallestSizeWhenEverySizeIsCheaper()
    {
        final BreakEven breakEven = new BreakEven().add(64, 3, 4).add(128, 3, 8);
        assertEquals(64, breakEven.size());
        assertTrue(breakEven.describe().endsWith("the smallest size measured"), breakEven.describe());
    }

    @Test
    void shouldReportFlatnessOfCallerCostAgainstTarget()
    {
        final BreakEven flat = new BreakEven()
            .add(64, 24, 4)
            .add(65536, 30, 1500)
            .add(16 << 20, 28, 3_000_000);
        assertEquals(1.25, flat.flatness(), 1e-9);
        assertEquals("max/min 1.25x over 3 sizes from 64 B to 16 MiB (max 30.0 ns/job at 64 KiB, " +
            "min 24.0 ns/job at 64 B); target <= 1.5x: met", flat.describeFlatness());

        final BreakEven steep = new BreakEven().add(64, 20, 4).add(1 << 20, 40, 50_000);
        assertEquals(2.0, steep.flatness(), 1e-9);
        assertTrue(steep.describeFlatness().endsWith("target <= 1.5x: MISSED"), steep.describeFlatness());
    }

    @Test
    void shouldNotReportFlatnessOfOneSize()
    {
        final BreakEven one = new BreakEven().add(64, 20, 4).add(1024, Double.NaN, 30);
        assertTrue(Double.isNaN(one.flatness()));
        assertEquals("not measured (fewer than 2 sizes)", one.describeFlatness());
    }
}
