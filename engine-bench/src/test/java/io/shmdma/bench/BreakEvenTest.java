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
}
