package io.shmdma.memory;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.shmdma.BadInputAssertions.assertDocumented;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link DomainMemory} and {@link DmaRegion} with invalid arguments: IllegalArgumentException for bad values,
 * IllegalStateException for exhausted or closed memory, and {@link DomainMemory#INVALID} from the bounds check
 * for every range that is not wholly inside the domain, including ranges that wrap past 2^64.
 */
class MemoryBadInputTest
{
    private static final long BASE = 0x1000_0000L;
    private static final int SIZE = 1 << 16;

    @Test
    void shouldRefuseBadConstructionArguments()
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(4096);
        for (final long base : new long[]{ 0, -1, Long.MIN_VALUE })
        {
            assertDocumented(IllegalArgumentException.class, () -> new DomainMemory(base, direct), "base " + base);
        }
        assertDocumented(IllegalArgumentException.class, () -> new DomainMemory(BASE, (ByteBuffer[])null),
            "null chunks");
        assertDocumented(IllegalArgumentException.class, () -> new DomainMemory(BASE), "no chunks");
        assertDocumented(IllegalArgumentException.class, () -> new DomainMemory(BASE, direct, null), "null chunk");
        assertDocumented(IllegalArgumentException.class, () -> new DomainMemory(BASE, (ByteBuffer)null), "null chunk");
        assertDocumented(IllegalArgumentException.class, () -> new DomainMemory(BASE, ByteBuffer.allocate(4096)),
            "heap chunk");
        assertDocumented(IllegalArgumentException.class, () -> new DomainMemory(BASE, direct, direct),
            "first chunk not 1 GiB");
        assertDocumented(IllegalArgumentException.class, () -> new DomainMemory(Long.MAX_VALUE - 100, direct),
            "IOVA range overflows");

        for (final long size : new long[]{ 0, -1, Long.MIN_VALUE, Long.MAX_VALUE, DomainMemory.MAX_SIZE + 1 })
        {
            assertDocumented(IllegalArgumentException.class, () -> DomainMemory.allocateDirect(BASE, size),
                "size " + size);
        }
        for (final long base : new long[]{ 0, -1, Long.MAX_VALUE - 100 })
        {
            assertDocumented(IllegalArgumentException.class, () -> DomainMemory.allocateDirect(base, 4096),
                "base " + base);
        }
        assertDocumented(IllegalStateException.class, () -> DomainMemory.allocateDirect(BASE, DomainMemory.MAX_SIZE),
            "more direct memory than the JVM may reserve");
    }

    @Test
    void shouldBoundsCheckEveryRange()
    {
        final DomainMemory memory = DomainMemory.allocateDirect(BASE, SIZE);
        final long end = BASE + SIZE;
        assertEquals(0, memory.offsetOf(BASE, SIZE));
        assertEquals(SIZE - 1, memory.offsetOf(end - 1, 1));
        final long[][] bad = {
            { 0, 1 }, { BASE - 1, 1 }, { BASE - 1, 2 }, { end, 1 }, { end - 1, 2 }, { BASE, SIZE + 1 },
            { BASE, 0 }, { BASE, -1 }, { BASE, Long.MIN_VALUE }, { BASE, Long.MAX_VALUE }, { BASE + 1, Long.MAX_VALUE },
            { Long.MAX_VALUE, 1 }, { Long.MIN_VALUE, 1 }, { -1, 1 }, { -1, 2 }, { -8, 16 }, { end - 8, Long.MAX_VALUE },
            { BASE + 8, -8 }, { BASE, 0xFFFF_FFFFL },
        };
        for (final long[] range : bad)
        {
            assertEquals(DomainMemory.INVALID, memory.offsetOf(range[0], range[1]),
                "iova 0x" + Long.toHexString(range[0]) + " length " + range[1]);
        }
    }

    @Test
    void shouldRefuseBadAllocationsAndAllocationsAfterClose()
    {
        final DomainMemory memory = DomainMemory.allocateDirect(BASE, SIZE);
        for (final long length : new long[]{ 0, -1, Long.MIN_VALUE, Long.MAX_VALUE, DomainMemory.CHUNK_SIZE + 1 })
        {
            assertDocumented(IllegalArgumentException.class, () -> memory.allocate(length), "length " + length);
        }
        assertDocumented(IllegalStateException.class, () -> memory.allocate(SIZE + 1), "more than the domain");
        final DmaRegion region = memory.allocate(SIZE);
        assertDocumented(IllegalStateException.class, () -> memory.allocate(1), "exhausted");
        region.close();
        region.close();
        assertEquals(SIZE, memory.freeBytes(), "a region closed twice is freed once");
        assertEquals(region.iova() + Long.MAX_VALUE, region.iova(Long.MAX_VALUE), "iova(offset) is plain arithmetic");

        memory.close();
        assertTrue(memory.isClosed());
        assertDocumented(IllegalStateException.class, () -> memory.allocate(64), "allocate after close");
    }
}
