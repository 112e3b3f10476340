package io.shmdma.engine;

import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaStatus;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.inprocess.InProcessDmaDriver;
import io.shmdma.memory.DomainEndpoint;
import io.shmdma.memory.DomainMemory;
import io.shmdma.ring.DescriptorRing;
import io.shmdma.ring.RingDescriptor;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static io.shmdma.BadInputAssertions.assertDocumented;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The engine package with invalid arguments, and the engine fed descriptors full of random bytes: every job
 * completes with a status, the engine never throws, and no byte outside the domain is written.
 */
class EngineBadInputTest
{
    private static final long BASE = 0x1000_0000L;
    private static final int WINDOW = 1 << 16;

    @Test
    void shouldRefuseBadThreadingAndVchans()
    {
        assertDocumented(IllegalArgumentException.class, () -> EngineThreading.dedicated(null), "null supplier");
        assertDocumented(IllegalStateException.class, () -> EngineThreading.inline().newIdleStrategy(), "inline");
        final EngineThreading nullStrategy = EngineThreading.dedicated(() -> null);
        assertDocumented(IllegalStateException.class, nullStrategy::newIdleStrategy, "supplier returns null");
        assertEquals("dedicated(null)", nullStrategy.toString());

        final CopyEngine engine = new CopyEngine("bad-input");
        final DomainEndpoint nowhere = () -> null;
        final UnsafeBuffer ring = new UnsafeBuffer(BufferUtil.allocateDirectAligned(RingDescriptor.ringLength(32, 2),
            128));
        assertDocumented(IllegalArgumentException.class, () -> engine.addVchan(null, nowhere, nowhere), "null ring");
        assertDocumented(IllegalArgumentException.class, () -> engine.addVchan(ring, null, nowhere), "null source");
        assertDocumented(IllegalArgumentException.class, () -> engine.addVchan(ring, nowhere, null),
            "null destination");
        assertDocumented(IllegalArgumentException.class, () -> engine.addVchan(ring, nowhere, nowhere),
            "unformatted ring (capacity 0)");
        assertDocumented(IllegalArgumentException.class, () -> engine.addVchan(new UnsafeBuffer(new byte[64]), nowhere,
            nowhere), "buffer shorter than a ring header");
        new DescriptorRing(ring, 32, 2, false, false);
        ring.putInt(RingDescriptor.CAPACITY_OFFSET, 48);
        assertDocumented(IllegalArgumentException.class, () -> engine.addVchan(ring, nowhere, nowhere), "capacity 48");
        ring.putInt(RingDescriptor.CAPACITY_OFFSET, 1 << 16);
        assertDocumented(IllegalArgumentException.class, () -> engine.addVchan(ring, nowhere, nowhere),
            "capacity larger than the buffer");
        ring.putInt(RingDescriptor.CAPACITY_OFFSET, 32);
        ring.putInt(RingDescriptor.MAX_SGES_OFFSET, -1);
        assertDocumented(IllegalArgumentException.class, () -> engine.addVchan(ring, nowhere, nowhere), "maxSges -1");
        assertEquals(0, engine.doWork(), "no vchan was added");
    }

    @Test
    void shouldReportAnIdleStrategyFailureAtStartAndStayUsable()
    {
        final DomainMemory memory = DomainMemory.allocateDirect(BASE, WINDOW);
        final DmaDevice device = InProcessDmaDriver.create("bad-input-idle", memory,
            EngineThreading.dedicated(() -> null));
        try
        {
            device.configure(new DmaConf(1, 0));
            device.vchanSetup(0, new VchanConf(32));
            assertDocumented(IllegalStateException.class, device::start, "idle strategy supplier returns null");
            assertFalse(device.isStarted());
        }
        finally
        {
            device.close();
        }
    }

    @Test
    void shouldCompleteDescriptorsFullOfRandomBytesWithoutTouchingMemoryOutsideTheDomain()
    {
        final ByteBuffer whole = BufferUtil.allocateDirectAligned(3 * WINDOW, 4096);
        final UnsafeBuffer outside = new UnsafeBuffer(whole);
        outside.setMemory(0, 3 * WINDOW, (byte)0x5A);
        final DomainMemory memory = new DomainMemory(BASE, whole.slice(WINDOW, WINDOW));
        final int capacity = 64;
        final int maxSges = 4;
        final UnsafeBuffer ringBuffer = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(RingDescriptor.ringLength(capacity, maxSges), 128));
        final DescriptorRing ring = new DescriptorRing(ringBuffer, capacity, maxSges, false, false);
        final CopyEngine engine = new CopyEngine("random-descriptors");
        engine.addVchan(ringBuffer, () -> memory, () -> memory);
        final Random random = new Random(42);
        final DmaStatus[] status = new DmaStatus[capacity];
        final int[] seen = new int[DmaStatus.values().length];
        for (int round = 0; round < 200; round++)
        {
            for (int i = 0; i < capacity; i++)
            {
                assertTrue(ring.copy(BASE, BASE + 64, 8, 0) >= 0);
            }
            final int sgeArea = RingDescriptor.sgeOffset(capacity, maxSges, 0, false, 0);
            for (int offset = RingDescriptor.HEADER_LENGTH; offset < sgeArea; offset += 8)
            {
                ringBuffer.putLong(offset, randomWord(random));
            }
            for (int offset = sgeArea; offset < RingDescriptor.ringLength(capacity, maxSges);
                offset += RingDescriptor.SGE_LENGTH)
            {
                ringBuffer.putLong(offset, randomWord(random));
                ringBuffer.putInt(offset + 8, random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(512) - 8);
                ringBuffer.putInt(offset + 12, random.nextInt());
            }
            for (int slot = 0; slot < capacity; slot++)
            {
                final int offset = RingDescriptor.descriptorOffset(slot);
                final int opcode = random.nextInt(5) == 0 ? random.nextInt() : 1 + random.nextInt(3);
                ringBuffer.putInt(offset + RingDescriptor.OPCODE_OFFSET, opcode);
                ringBuffer.putInt(offset + RingDescriptor.LENGTH_OFFSET, random.nextInt(4) == 0 ? random.nextInt() :
                    random.nextInt(2 * WINDOW) - 8);
                if (opcode == RingDescriptor.OP_COPY_SG && random.nextInt(4) != 0)
                {
                    // mostly a small SGE count where a scatter-gather job has its destination word
                    ringBuffer.putLong(offset + RingDescriptor.NB_DST_OFFSET, random.nextInt(8) - 2);
                }
                ringBuffer.putInt(offset + RingDescriptor.FLAGS_OFFSET, random.nextInt() & (int)~OpFlags.FENCE);
            }
            ring.submit();
            int executed = 0;
            while (executed < capacity)
            {
                final int work = assertDoesNotThrow(engine::doWork);
                assertTrue(work > 0, "the engine makes progress");
                executed += work;
            }
            assertEquals(capacity, ring.completedStatus(capacity, null, status));
            for (final DmaStatus s : status)
            {
                seen[s.ordinal()]++;
            }
        }
        for (int i = 0; i < WINDOW; i++)
        {
            assertEquals(0x5A, outside.getByte(i), "byte " + i + " below the domain");
            assertEquals(0x5A, outside.getByte(2 * WINDOW + i), "byte " + i + " above the domain");
        }
        assertTrue(seen[DmaStatus.SUCCESSFUL.ordinal()] > 0, "some random jobs were valid");
        assertTrue(seen[DmaStatus.INVALID_OPCODE.ordinal()] > 0, "some had a bad opcode or SGE count");
        assertTrue(seen[DmaStatus.INVALID_SRC_ADDR.ordinal()] + seen[DmaStatus.INVALID_DST_ADDR.ordinal()] > 0,
            "some were out of range");
    }

    /** Mostly addresses around the domain window (some inside it), sometimes any 64-bit value. */
    private static long randomWord(final Random random)
    {
        return random.nextInt(4) == 0 ? random.nextLong() : BASE - WINDOW + random.nextInt(3 * WINDOW);
    }
}
