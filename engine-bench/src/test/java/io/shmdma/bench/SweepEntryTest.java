package io.shmdma.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SweepEntryTest
{
    @Test
    void shouldParseSingleValue()
    {
        final SweepEntry entry = SweepEntry.parse(" 1024 ");
        assertFalse(entry.isSweep());
        assertEquals(List.of(1024L), entry.values());
    }

    @Test
    void shouldMultiplyUpToLast()
    {
        assertEquals(List.of(64L, 128L, 256L, 512L, 1024L, 2048L, 4096L, 8192L),
            SweepEntry.parse("64,8192,2,MUL").values());
        assertEquals(List.of(64L, 256L, 1024L, 4096L, 16384L, 65536L), SweepEntry.parse("64,65536,4,MUL").values());
    }

    @Test
    void shouldStopBeforeExceedingLast()
    {
        assertEquals(List.of(1L, 4L, 16L, 64L), SweepEntry.parse("1,100,4,MUL").values());
        assertEquals(List.of(10L, 25L, 40L), SweepEntry.parse("10, 50, 15, ADD").values());
    }

    @Test
    void shouldAcceptLowerCaseOp()
    {
        assertTrue(SweepEntry.parse("1,8,1,add").isSweep());
    }

    @Test
    void shouldRejectMalformedEntries()
    {
        assertThrows(IllegalArgumentException.class, () -> SweepEntry.parse(""));
        assertThrows(IllegalArgumentException.class, () -> SweepEntry.parse("1,2"));
        assertThrows(IllegalArgumentException.class, () -> SweepEntry.parse("1,2,3"));
        assertThrows(IllegalArgumentException.class, () -> SweepEntry.parse("1,8,2,POW"));
        assertThrows(IllegalArgumentException.class, () -> SweepEntry.parse("abc"));
        assertThrows(IllegalArgumentException.class, () -> SweepEntry.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> SweepEntry.parse("8,1,2,MUL"));
    }

    @Test
    void shouldRejectSweepsThatNeverEnd()
    {
        assertThrows(IllegalArgumentException.class, () -> SweepEntry.parse("1,8,0,ADD"));
        assertThrows(IllegalArgumentException.class, () -> SweepEntry.parse("1,8,1,MUL"));
        assertThrows(IllegalArgumentException.class, () -> SweepEntry.parse("0,8,2,MUL"));
    }
}
