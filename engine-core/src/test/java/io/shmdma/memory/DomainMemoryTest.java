package io.shmdma.memory;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaStatus;
import io.shmdma.DmaTestSupport;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.inprocess.InProcessDmaDriver;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static io.shmdma.memory.DomainMemory.CHUNK_SIZE;
import static io.shmdma.memory.DomainMemory.INVALID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DomainMemoryTest
{
    private static final long BASE = 0x1000_0000L;
    private static final long PATTERN = 0x0807060504030201L;

    @Test
    void shouldRefuseInvalidConstruction()
    {
        assertThrows(IllegalArgumentException.class, () -> new DomainMemory(0, ByteBuffer.allocateDirect(64)));
        assertThrows(IllegalArgumentException.class, () -> new DomainMemory(-1, ByteBuffer.allocateDirect(64)));
        assertThrows(IllegalArgumentException.class,
            () -> new DomainMemory(Long.MIN_VALUE, ByteBuffer.allocateDirect(64)));
        assertThrows(IllegalArgumentException.class, () -> new DomainMemory(BASE));
        assertThrows(IllegalArgumentException.class, () -> new DomainMemory(BASE, ByteBuffer.allocate(64)));
        assertThrows(IllegalArgumentException.class,
            () -> new DomainMemory(BASE, ByteBuffer.allocateDirect(64), ByteBuffer.allocateDirect(64)));
        assertThrows(IllegalArgumentException.class,
            () -> new DomainMemory(Long.MAX_VALUE - 62, ByteBuffer.allocateDirect(64)), "IOVA range overflows");
        assertThrows(IllegalArgumentException.class, () -> DomainMemory.allocateDirect(BASE, 0));
        assertThrows(IllegalArgumentException.class, () -> DomainMemory.allocateDirect(BASE, -1));
        assertThrows(IllegalArgumentException.class, () -> DomainMemory.allocateDirect(0, 64));
    }

    @Test
    void shouldAcceptRangeEndingAtTopOfIovaSpace()
    {
        final DomainMemory memory = new DomainMemory(Long.MAX_VALUE - 63, ByteBuffer.allocateDirect(64));
        assertEquals(64, memory.size());
        assertEquals(0, memory.offsetOf(Long.MAX_VALUE - 63, 64));
        assertEquals(63, memory.offsetOf(Long.MAX_VALUE, 1));
        assertEquals(INVALID, memory.offsetOf(Long.MAX_VALUE, 2));
        assertEquals(INVALID, memory.offsetOf(Long.MIN_VALUE, 1), "the first IOVA past the range, unsigned");
        assertEquals(INVALID, memory.offsetOf(-1L, 1));
        assertEquals(INVALID, memory.offsetOf(Long.MAX_VALUE - 64, 1));
        assertEquals(INVALID, memory.offsetOf(Long.MAX_VALUE - 63, 65));
    }

    @Test
    void shouldTranslateAndBoundsCheckEveryRangeNearTheEdges()
    {
        final int size = 4096;
        final DomainMemory memory = DomainMemory.allocateDirect(BASE, size);
        assertEquals(BASE, memory.iovaBase());
        assertEquals(size, memory.size());
        assertEquals(1, memory.chunkCount());

        final long[] lengths = { -1, 0, 1, 2, 63, 64, 65, size - 1, size, size + 1 };
        for (long offset = -130; offset <= size + 130; offset++)
        {
            for (final long length : lengths)
            {
                final boolean valid = length > 0 && offset >= 0 && offset + length <= size;
                assertEquals(valid ? offset : INVALID, memory.offsetOf(BASE + offset, length),
                    "offset " + offset + " length " + length);
            }
        }
    }

    @Test
    void shouldRefuseZeroNegativeAndWrappingAddresses()
    {
        final DomainMemory memory = DomainMemory.allocateDirect(BASE, 4096);
        final long[] iovas = {
            0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, BASE - 1, BASE + Long.MIN_VALUE, BASE - Long.MAX_VALUE,
            BASE + 4096, BASE - 4096, -BASE, BASE ^ Long.MIN_VALUE };
        for (final long iova : iovas)
        {
            assertEquals(INVALID, memory.offsetOf(iova, 1), () -> "iova 0x" + Long.toHexString(iova));
            assertEquals(INVALID, memory.offsetOf(iova, 4096), () -> "iova 0x" + Long.toHexString(iova));
        }
        assertEquals(INVALID, memory.offsetOf(BASE + 10, Long.MAX_VALUE), "iova + length overflows");
        assertEquals(INVALID, memory.offsetOf(BASE + 10, Long.MIN_VALUE), "negative length");
        assertEquals(INVALID, memory.offsetOf(BASE, 0xFFFF_FFFFL), "4 GiB - 1");
        assertEquals(INVALID, memory.offsetOf(BASE + 4095, Long.MAX_VALUE - 4096), "wraps past the end");
        assertEquals(INVALID, memory.offsetOf(-1L, 2), "wraps through IOVA 0");
    }

    @Test
    void shouldAllocateAlignedRegionsAndCoalesceFreedOnes()
    {
        final int size = 64 * 1024;
        final DomainMemory memory = DomainMemory.allocateDirect(BASE, size);
        assertThrows(IllegalArgumentException.class, () -> memory.allocate(0));
        assertThrows(IllegalArgumentException.class, () -> memory.allocate(-1));
        assertThrows(IllegalArgumentException.class, () -> memory.allocate(CHUNK_SIZE + 1));

        final DmaRegion a = memory.allocate(100);
        final DmaRegion b = memory.allocate(64);
        final DmaRegion c = memory.allocate(1);
        assertEquals(BASE, a.iova());
        assertEquals(100, a.length());
        assertEquals(100, a.buffer().capacity());
        assertSame(memory, a.memory());
        assertEquals(BASE + 128, b.iova(), "regions are cache-line aligned");
        assertEquals(BASE + 192, c.iova());
        assertEquals(c.iova() + 5, c.iova(5));
        assertEquals(size - 256, memory.freeBytes());

        final UnsafeBuffer whole = new UnsafeBuffer(memory.address(0), size);
        b.buffer().putLong(8, PATTERN);
        assertEquals(PATTERN, whole.getLong(128 + 8), "a region's buffer is the domain's memory at its IOVA");

        b.close();
        b.close();
        assertEquals(size - 192, memory.freeBytes(), "closing twice frees once");
        final DmaRegion d = memory.allocate(64);
        assertEquals(BASE + 128, d.iova(), "first fit reuses the hole");
        d.close();
        a.close();
        final DmaRegion ab = memory.allocate(192);
        assertEquals(BASE, ab.iova(), "the freed neighbours have coalesced");
        ab.close();
        c.close();
        assertEquals(size, memory.freeBytes());

        final DmaRegion all = memory.allocate(size);
        assertEquals(BASE, all.iova(), "everything coalesced into one range");
        assertThrows(IllegalStateException.class, () -> memory.allocate(1));
        all.close();
        assertEquals(size, memory.freeBytes());
    }

    @Test
    void shouldCoalesceWhateverTheReleaseOrder()
    {
        final int size = 256 * 1024;
        final DomainMemory memory = DomainMemory.allocateDirect(BASE, size);
        final SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 20; round++)
        {
            final List<DmaRegion> live = new ArrayList<>();
            for (int i = 0; i < 200; i++)
            {
                if (!live.isEmpty() && random.nextInt(3) == 0)
                {
                    live.remove(random.nextInt(live.size())).close();
                }
                else
                {
                    live.add(memory.allocate(1 + random.nextInt(1024)));
                }
            }
            live.sort((x, y) -> Long.compare(x.iova(), y.iova()));
            for (int i = 0; i < live.size(); i++)
            {
                final DmaRegion region = live.get(i);
                assertEquals(0, (region.iova() - BASE) % DomainMemory.REGION_ALIGNMENT);
                assertTrue(memory.offsetOf(region.iova(), region.length()) >= 0);
                if (i > 0)
                {
                    final DmaRegion previous = live.get(i - 1);
                    assertTrue(previous.iova() + previous.length() <= region.iova(), "regions overlap");
                }
            }
            Collections.shuffle(live, new java.util.Random(round));
            live.forEach(DmaRegion::close);
            assertEquals(size, memory.freeBytes());
            memory.allocate(size).close();
        }
    }

    @Test
    void shouldFillWithLittleEndianPatternAtAnyAlignment()
    {
        final int size = 256;
        final DomainMemory memory = DomainMemory.allocateDirect(BASE, size);
        final UnsafeBuffer whole = new UnsafeBuffer(memory.address(0), size);
        for (int offset = 0; offset < 9; offset++)
        {
            for (int length = 1; length <= 40; length++)
            {
                whole.setMemory(0, size, (byte)0xEE);
                memory.fill(offset, length, PATTERN);
                DmaTestSupport.assertAllBytes("before", whole, 0, offset, (byte)0xEE);
                for (int j = 0; j < length; j++)
                {
                    assertEquals((byte)(j % 8 + 1), whole.getByte(offset + j), "offset " + offset + " byte " + j);
                }
                DmaTestSupport.assertAllBytes("after", whole, offset + length, size - offset - length, (byte)0xEE);
            }
        }
    }

    @Test
    void shouldCopyOverlappingRangesAsMemmove()
    {
        final int size = 256;
        final DomainMemory memory = DomainMemory.allocateDirect(BASE, size);
        final UnsafeBuffer whole = new UnsafeBuffer(memory.address(0), size);
        for (int i = 0; i < size; i++)
        {
            whole.putByte(i, (byte)i);
        }
        DomainMemory.copy(memory, 0, memory, 10, 100);
        for (int i = 0; i < 100; i++)
        {
            assertEquals((byte)i, whole.getByte(10 + i), "forward overlap");
        }
        DomainMemory.copy(memory, 10, memory, 0, 100);
        for (int i = 0; i < 100; i++)
        {
            assertEquals((byte)i, whole.getByte(i), "backward overlap");
        }
    }

    @Test
    void shouldSplitRangesAtChunkBoundaries(@TempDir final Path directory) throws Exception
    {
        final int tail = 8192;
        final MappedByteBuffer first;
        final MappedByteBuffer second;
        try (RandomAccessFile file = new RandomAccessFile(directory.resolve("sparse-domain").toFile(), "rw");
            FileChannel channel = file.getChannel())
        {
            file.setLength(CHUNK_SIZE + tail);
            first = channel.map(FileChannel.MapMode.READ_WRITE, 0, CHUNK_SIZE);
            second = channel.map(FileChannel.MapMode.READ_WRITE, CHUNK_SIZE, tail);
        }
        final DomainMemory memory = new DomainMemory(BASE, first, second);
        assertEquals(2, memory.chunkCount());
        assertEquals(CHUNK_SIZE + tail, memory.size());
        assertEquals(CHUNK_SIZE - 10, memory.offsetOf(BASE + CHUNK_SIZE - 10, 20), "a range may span chunks");
        assertEquals(INVALID, memory.offsetOf(BASE + CHUNK_SIZE - 10, tail + 11));

        final long boundary = CHUNK_SIZE;
        memory.fill(boundary - 13, 40, PATTERN);
        for (int j = -1; j <= 40; j++)
        {
            final byte expected = j < 0 || j == 40 ? 0 : (byte)(j % 8 + 1);
            assertEquals(expected, byteAt(memory, boundary - 13 + j), "fill byte " + j);
        }

        for (int i = 0; i < 300; i++)
        {
            putByteAt(memory, boundary - 100 + i, (byte)(i * 7));
        }
        DomainMemory.copy(memory, boundary - 100, memory, 4096, 300);
        DomainMemory.copy(memory, 4096, memory, boundary + 1000, 300);
        DomainMemory.copy(memory, 4096, memory, boundary - 150, 300);
        for (int i = 0; i < 300; i++)
        {
            assertEquals((byte)(i * 7), byteAt(memory, 4096 + i), "copy from across the boundary, byte " + i);
            assertEquals((byte)(i * 7), byteAt(memory, boundary + 1000 + i), "copy within the second chunk");
            assertEquals((byte)(i * 7), byteAt(memory, boundary - 150 + i), "copy to across the boundary");
        }

        final DmaRegion big = memory.allocate(CHUNK_SIZE - 64);
        final DmaRegion straddling = memory.allocate(128);
        assertEquals(BASE + CHUNK_SIZE, straddling.iova(), "a region never crosses a chunk");
        final DmaRegion hole = memory.allocate(64);
        assertEquals(BASE + CHUNK_SIZE - 64, hole.iova(), "the space before the boundary stays usable");
        big.close();
        straddling.close();
        hole.close();
        assertEquals(memory.size(), memory.freeBytes());

        final DmaDevice device = InProcessDmaDriver.create(DmaTestSupport.uniqueName("chunks"), memory,
            EngineThreading.inline());
        try
        {
            device.configure(new DmaConf(1, 0));
            device.vchanSetup(0, new VchanConf(32));
            device.start();
            assertEquals(0, device.copy(0, BASE + boundary - 150, BASE + 8192, 300, OpFlags.SUBMIT));
            assertEquals(1, device.fill(0, PATTERN, BASE + boundary - 5, 10, OpFlags.SUBMIT));
            device.engineInvoker().invoke();
            final DmaStatus[] status = new DmaStatus[2];
            assertEquals(2, device.completedStatus(0, 2, new Completion(), status));
            assertEquals(DmaStatus.SUCCESSFUL, status[0]);
            assertEquals(DmaStatus.SUCCESSFUL, status[1]);
            for (int i = 0; i < 300; i++)
            {
                assertEquals((byte)(i * 7), byteAt(memory, 8192 + i), "engine copy across chunks, byte " + i);
            }
            for (int j = 0; j < 10; j++)
            {
                assertEquals((byte)(j % 8 + 1), byteAt(memory, boundary - 5 + j), "engine fill across chunks");
            }
            device.stop();
        }
        finally
        {
            device.stop();
            device.close();
        }
    }

    private static byte byteAt(final DomainMemory memory, final long offset)
    {
        return new UnsafeBuffer(memory.address(offset), 1).getByte(0);
    }

    private static void putByteAt(final DomainMemory memory, final long offset, final byte value)
    {
        new UnsafeBuffer(memory.address(offset), 1).putByte(0, value);
    }
}
