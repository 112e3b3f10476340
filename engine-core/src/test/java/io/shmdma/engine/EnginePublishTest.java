package io.shmdma.engine;

import io.shmdma.DmaStatus;
import io.shmdma.memory.DomainMemory;
import io.shmdma.ring.DescriptorRing;
import io.shmdma.ring.RingDescriptor;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The engine publishes the completed index once per run of small jobs, and after each job once
 * {@link EngineVchan#PUBLISH_BYTES} have moved; every job is reported either way.
 */
class EnginePublishTest
{
    private static final long BASE = 0x6000_0000L;
    private static final int CAPACITY = 256;

    private final DomainMemory memory = DomainMemory.allocateDirect(BASE, 1 << 20);
    private final CountingRingBuffer buffer = new CountingRingBuffer();
    private final DescriptorRing ring = new DescriptorRing(buffer, CAPACITY, 1, false, false);
    private final CopyEngine engine = new CopyEngine("publish-test");

    EnginePublishTest()
    {
        engine.addVchan(buffer, () -> memory, () -> memory);
    }

    @Test
    void shouldPublishOncePerRunOfSmallJobs()
    {
        for (int i = 0; i < CopyEngine.VCHAN_BURST + 10; i++)
        {
            assertTrue(ring.copy(BASE + i * 64L, BASE + 65536 + i * 64L, 64, 0) >= 0);
        }
        ring.submit();
        assertEquals(CopyEngine.VCHAN_BURST, engine.doWork());
        assertEquals(1, buffer.completedPublications);
        assertEquals(CopyEngine.VCHAN_BURST, buffer.getLongVolatile(RingDescriptor.COMPLETED_INDEX_OFFSET));
        assertEquals(10, engine.doWork());
        assertEquals(2, buffer.completedPublications);
        assertEquals(0, engine.doWork());
        assertEquals(2, buffer.completedPublications, "nothing new, nothing published");
        assertAllSuccessful(CopyEngine.VCHAN_BURST + 10);
    }

    @Test
    void shouldPublishEachLargeJobAsItCompletes()
    {
        final int length = (int)EngineVchan.PUBLISH_BYTES;
        for (int i = 0; i < 4; i++)
        {
            assertTrue(ring.fill(i, BASE + (long)i * length, length, 0) >= 0);
        }
        ring.submit();
        assertEquals(4, engine.doWork());
        assertEquals(4, buffer.completedPublications);
        assertAllSuccessful(4);
    }

    private void assertAllSuccessful(final int count)
    {
        final DmaStatus[] status = new DmaStatus[count];
        assertEquals(count, ring.completedStatus(count, null, status));
        for (int i = 0; i < count; i++)
        {
            assertEquals(DmaStatus.SUCCESSFUL, status[i], "job " + i);
        }
    }

    /** Counts the engine's release stores of the completed index. */
    private static final class CountingRingBuffer extends UnsafeBuffer
    {
        int completedPublications;

        CountingRingBuffer()
        {
            super(BufferUtil.allocateDirectAligned(RingDescriptor.ringLength(CAPACITY, 1), 128));
        }

        @Override
        public void putLongRelease(final int index, final long value)
        {
            if (index == RingDescriptor.COMPLETED_INDEX_OFFSET)
            {
                completedPublications++;
            }
            super.putLongRelease(index, value);
        }
    }
}
