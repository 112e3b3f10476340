package io.shmdma.engine;

import io.shmdma.DmaSge;
import io.shmdma.DmaStatus;
import io.shmdma.memory.DomainMemory;
import io.shmdma.ring.DescriptorRing;
import io.shmdma.ring.RingDescriptor;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.shmdma.ring.Forgery.next;
import static io.shmdma.ring.Forgery.pickInt;
import static io.shmdma.ring.Forgery.pickLong;
import static io.shmdma.ring.RingDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A writer of the ring file races the engine: while a job of 4 x 64 KiB executes, another thread rewrites its
 * SGE addresses and lengths, its counts, opcode, addresses and length, with values that point outside the domain,
 * cross its end or overflow. The domain sits between two 64 KiB guards. Every job must complete with SUCCESSFUL
 * and bytes only where checked ranges allow (the guards and the never-targeted source half keep their pattern,
 * the destination half holds only source or initial bytes), or with an address, length or opcode error; no
 * throwable may reach the engine's fault counter or the invoker's error handler, and each job completes once.
 */
class HostileRingTest
{
    private static final long BASE = 0x4000_0000L;
    private static final int GUARD = 64 * 1024;
    private static final int PIECE = 64 * 1024;
    private static final int SGES = 4;
    private static final int HALF = SGES * PIECE;
    private static final int DOMAIN = 2 * HALF;
    private static final byte GUARD_BYTE = 0x5A;
    private static final byte SOURCE_BYTE = (byte)0xC3;
    private static final int CAPACITY = 64;
    private static final int RACES = 10_000;
    private static final long TIME_LIMIT_NS = TimeUnit.SECONDS.toNanos(15);
    private static final Set<DmaStatus> ALLOWED = Set.of(DmaStatus.SUCCESSFUL, DmaStatus.INVALID_SRC_ADDR,
        DmaStatus.INVALID_DST_ADDR, DmaStatus.INVALID_LENGTH, DmaStatus.INVALID_OPCODE);

    private final ByteBuffer whole = BufferUtil.allocateDirectAligned(GUARD + DOMAIN + GUARD, 4096);
    private final UnsafeBuffer all = new UnsafeBuffer(whole);
    private final DomainMemory memory = new DomainMemory(BASE, whole.slice(GUARD, DOMAIN));
    private final UnsafeBuffer ringBuffer = new UnsafeBuffer(
        BufferUtil.allocateDirectAligned(RingDescriptor.ringLength(CAPACITY, SGES), 128));
    private final DescriptorRing ring = new DescriptorRing(ringBuffer, CAPACITY, SGES, false, false);
    private final List<Throwable> faults = new ArrayList<>();
    private final List<Throwable> escaped = new ArrayList<>();
    private final CopyEngine engine = new CopyEngine("hostile-ring", faults::add);

    private volatile long round;
    private volatile boolean running = true;
    private volatile long rewrites;

    @Test
    void shouldExecuteOnlyWhatItCheckedWhileAWriterRewritesTheDescriptors() throws InterruptedException
    {
        all.setMemory(0, GUARD, GUARD_BYTE);
        all.setMemory(GUARD, HALF, SOURCE_BYTE);
        all.setMemory(GUARD + HALF, HALF, (byte)0);
        all.setMemory(GUARD + DOMAIN, GUARD, GUARD_BYTE);
        engine.addVchan(ringBuffer, () -> memory, () -> memory);
        final AgentInvoker invoker = new AgentInvoker(escaped::add, null, engine);
        invoker.start();

        final Thread racer = new Thread(this::race, "hostile-ring-writer");
        racer.setDaemon(true);
        racer.start();
        final DmaSge[] src = new DmaSge[SGES];
        final DmaSge[] dst = new DmaSge[SGES];
        for (int i = 0; i < SGES; i++)
        {
            src[i] = new DmaSge(BASE + (long)i * PIECE, PIECE);
            dst[i] = new DmaSge(BASE + HALF + (long)i * PIECE, PIECE);
        }
        final Map<DmaStatus, Integer> seen = new EnumMap<>(DmaStatus.class);
        final DmaStatus[] status = new DmaStatus[1];
        final long startNs = System.nanoTime();
        long raced = 0;
        long jobs = 0;
        try
        {
            while (raced < RACES && System.nanoTime() - startNs < TIME_LIMIT_NS)
            {
                final boolean early = (jobs & 3) == 3;
                if (early)
                {
                    round = jobs + 1; // one job in four: the writer rewrites the slot while it is being enqueued
                }
                final int idx = (jobs & 1) == 0 ?
                    ring.copySg(src, dst, SGES, SGES, 0) : ring.copy(BASE, BASE + HALF, HALF, 0);
                assertTrue(idx >= 0, "enqueue failed: " + idx);
                ring.submit();
                final long before = rewrites;
                if (!early)
                {
                    round = jobs + 1; // the writer starts rewriting this job's slot as the engine executes it
                }
                final int work = invoker.invoke();
                if (rewrites != before)
                {
                    raced++;
                }
                assertEquals(1, work, "job " + jobs + " completed once");
                assertEquals(1, ring.completedStatus(1, null, status));
                assertTrue(ALLOWED.contains(status[0]), "job " + jobs + ": " + status[0]);
                seen.merge(status[0], 1, Integer::sum);
                jobs++;
            }
        }
        finally
        {
            running = false;
            racer.join(TimeUnit.SECONDS.toMillis(10));
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        System.out.println("[hostile-ring] " + jobs + " jobs, " + raced + " raced by " + rewrites +
            " rewrites, in " + elapsedMs + " ms: " + seen);

        assertEquals(List.of(), escaped, "nothing left the engine");
        assertEquals(List.of(), faults, "no job threw");
        assertEquals(0, engine.faults());
        assertEquals(jobs, ringBuffer.getLongVolatile(COMPLETED_INDEX_OFFSET), "one completion per job");
        assertTrue(raced >= RACES, "only " + raced + " of " + jobs + " jobs were raced in " + elapsedMs + " ms");
        assertTrue(seen.getOrDefault(DmaStatus.SUCCESSFUL, 0) > 0, "some jobs read their descriptor before it was " +
            "rewritten: " + seen);
        assertTrue(jobs - seen.getOrDefault(DmaStatus.SUCCESSFUL, 0) > 0, "some read a forged one: " + seen);
        assertBytes(0, GUARD, GUARD_BYTE, GUARD_BYTE, "guard below the domain");
        assertBytes(GUARD + DOMAIN, GUARD, GUARD_BYTE, GUARD_BYTE, "guard above the domain");
        assertBytes(GUARD, HALF, SOURCE_BYTE, SOURCE_BYTE, "source half, never a checked destination");
        assertBytes(GUARD + HALF, HALF, SOURCE_BYTE, (byte)0, "destination half: source bytes or untouched");
    }

    @Test
    void shouldKeepTheGeometryItReadWhenTheRingHeaderIsRewritten()
    {
        all.setMemory(GUARD, HALF, SOURCE_BYTE);
        engine.addVchan(ringBuffer, () -> memory, () -> memory);
        ringBuffer.putInt(CAPACITY_OFFSET, MAX_CAPACITY);
        ringBuffer.putInt(MAX_SGES_OFFSET, MAX_SGES_LIMIT);
        final DmaSge[] src = { new DmaSge(BASE, 64), new DmaSge(BASE + 64, 64) };
        final DmaSge[] dst = { new DmaSge(BASE + HALF, 128) };
        for (int i = 0; i < 3 * CAPACITY; i++)
        {
            assertTrue(ring.copySg(src, dst, 2, 1, 0) >= 0);
            ring.submit();
            assertEquals(1, engine.doWork());
            final DmaStatus[] status = new DmaStatus[1];
            assertEquals(1, ring.completedStatus(1, null, status));
            assertEquals(DmaStatus.SUCCESSFUL, status[0], "job " + i);
        }
        assertEquals(SOURCE_BYTE, all.getByte(GUARD + HALF + 127));
        assertEquals(0, engine.faults());
    }

    /**
     * The racing writer: rewrites the current job's slot without pause, from a short random delay after the job was
     * submitted (0..255 spin-wait hints: sometimes before the engine reads the descriptor, mostly while it copies)
     * until the next job is.
     */
    private void race()
    {
        long seen = 0;
        int slot = 0;
        long random = 0x9E3779B97F4A7C15L;
        long count = 0;
        while (running)
        {
            final long current = round;
            if (current != seen)
            {
                seen = current;
                slot = (int)(current - 1) & (CAPACITY - 1);
                random = next(random);
                for (int spin = (int)(random >>> 56); spin > 0; spin--)
                {
                    Thread.onSpinWait();
                }
            }
            if (seen != 0)
            {
                random = next(random);
                rewrite(slot, random);
                if ((++count & 15) == 0)
                {
                    rewrites = count;
                }
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }

    private void rewrite(final int slot, final long random)
    {
        final int descriptor = descriptorOffset(slot);
        final int pick = (int)(random >>> 40) & 0xFFFF;
        final int field = pick % 21;
        final int choice = pick / 21;
        switch (field)
        {
            case 0:
                ringBuffer.putInt(descriptor + OPCODE_OFFSET, pickInt(choice, OP_COPY_SG, OP_COPY, 99));
                break;
            case 1:
                ringBuffer.putLong(descriptor + SRC_OFFSET, pickLong(choice, BASE, BASE + DOMAIN - 4096, BASE - GUARD,
                    0));
                break;
            case 2:
                ringBuffer.putLong(descriptor + DST_OFFSET, pickLong(choice, BASE + HALF, BASE + DOMAIN - 4096,
                    BASE - 8, -1L));
                break;
            case 3:
                ringBuffer.putInt(descriptor + LENGTH_OFFSET, pickInt(choice, SGES, 1, SGES + 1, 0, -1, HALF, DOMAIN,
                    4096));
                break;
            case 4:
                ringBuffer.putLong(descriptor + NB_DST_OFFSET, pickInt(choice, SGES, 1, SGES + 1, 0, -1, 64));
                break;
            default:
                final int entry = (field - 5) & 3;
                final boolean destination = ((field - 5) & 4) != 0;
                final boolean length = ((field - 5) & 8) != 0;
                final int sge = sgeOffset(CAPACITY, SGES, slot, destination, entry);
                if (length)
                {
                    ringBuffer.putInt(sge + 8, destination ?
                        pickInt(choice, PIECE, 2 * PIECE, -1, 0, 4096, 1 << 20) :
                        pickInt(choice, PIECE, 2 * PIECE, Integer.MIN_VALUE, 0, 1, 4096));
                }
                else
                {
                    ringBuffer.putLong(sge, destination ?
                        pickLong(choice, BASE + HALF + (long)entry * PIECE, BASE - 4096, BASE + DOMAIN - 4096,
                            BASE + DOMAIN - PIECE) :
                        pickLong(choice, BASE + (long)entry * PIECE, BASE - GUARD, BASE + DOMAIN - 4096, 0,
                            BASE + DOMAIN));
                }
                break;
        }
    }

    private void assertBytes(final int offset, final int length, final byte a, final byte b, final String what)
    {
        for (int i = 0; i < length; i++)
        {
            final byte value = all.getByte(offset + i);
            if (value != a && value != b)
            {
                fail(what + ": byte " + i + " is " + value);
            }
        }
    }
}
