package io.shmdma.shm;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaSge;
import io.shmdma.DmaStatus;
import io.shmdma.Errno;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.engine.SoftwareDmaDriver;
import io.shmdma.memory.DmaRegion;
import io.shmdma.memory.DomainMemory;
import io.shmdma.shm.driver.DriverContext;
import io.shmdma.shm.driver.ShmDriver;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.shmdma.ring.Forgery.next;
import static io.shmdma.ring.Forgery.pickInt;
import static io.shmdma.ring.Forgery.pickLong;
import static io.shmdma.ring.RingDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The driver executes rings written by untrusted processes. A client's ring is rewritten through the client's own
 * mapping (the file has no name once the driver took it: a hostile process would need this process's memory): a
 * writer thread rewrites the descriptor, SGE addresses and lengths, counts and opcode of each job of 1 MiB while the
 * driver's engine thread executes it, with values that point outside the domains, cross their ends or overflow. The
 * vchan copies from the creator's domain into a target region at the end of the joiner's; every other byte of the
 * joiner's domain, all of the creator's and all of a bystander client's domain (outside its own copies) keep their
 * pattern. Every job completes once, SUCCESSFUL or with an address, length or opcode error; the driver
 * records no fault, its engine thread lives and it serves the bystander's vchan on the same thread throughout.
 */
class ShmDriverHostileRingTest
{
    private static final long LIVENESS_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long BASE = DomainSegmentDescriptor.IOVA_BASE;
    private static final int SEGMENT = 4 << 20;
    private static final int PIECE = 256 * 1024;
    private static final int SGES = 4;
    private static final int HALF = SGES * PIECE;
    private static final int CAPACITY = 64;
    private static final byte SOURCE_BYTE = (byte)0xC3;
    private static final byte GUARD_BYTE = 0x5A;
    private static final byte BYSTANDER_BYTE = 0x3C;
    private static final byte BYSTANDER_SOURCE_BYTE = 0x77;
    private static final int BYSTANDER_LENGTH = 64 * 1024;
    private static final int RACES = 3_000;
    private static final int BYSTANDER_COPIES = 300;
    private static final long TIME_LIMIT_NS = TimeUnit.SECONDS.toNanos(40);
    private static final Set<DmaStatus> ALLOWED = Set.of(DmaStatus.SUCCESSFUL, DmaStatus.INVALID_SRC_ADDR,
        DmaStatus.INVALID_DST_ADDR, DmaStatus.INVALID_LENGTH, DmaStatus.INVALID_OPCODE);

    private ShmTestDirectory dir;
    private ShmDriver driver;
    private DomainPair pair;
    private ShmDomain bystander;
    private UnsafeBuffer ring;
    private long targetIova;
    private DmaRegion source;
    private UnsafeBuffer sourceDomain;
    private UnsafeBuffer targetDomain;
    private DmaDevice bystanderDevice;
    private DmaRegion bystanderSource;
    private DmaRegion bystanderTarget;
    private UnsafeBuffer bystanderDomain;

    private volatile long round;
    private volatile int racedSlot;
    private volatile boolean running = true;
    private volatile long rewrites;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        running = false;
        CloseHelper.quietCloseAll(bystander, pair, driver);
        dir.close();
    }

    private ShmContext driverMode()
    {
        return new ShmContext().dir(dir.path()).domainSegmentSize(SEGMENT).livenessTimeoutNs(LIVENESS_NS)
            .conductorIntervalNs(TimeUnit.MILLISECONDS.toNanos(20)).engineMode(ShmContext.EngineMode.DRIVER)
            .driverTimeoutNs(TimeUnit.SECONDS.toNanos(5));
    }

    /**
     * Starts a driver with one engine thread, a pair of driver-mode domains whose creator's vchan 0 copies into a
     * target at the end of the joiner's domain, and a bystander domain with a local vchan; fills every domain with its
     * pattern and takes the creator's ring as mapped by the client, where a hostile process would write.
     */
    private void serveAPairAndABystander() throws IOException
    {
        driver = ShmDriver.launch(new DriverContext().dir(dir.path()).engineThreads(1).idle("backoff")
            .livenessTimeoutNs(LIVENESS_NS));
        pair = new DomainPair(driverMode(), driverMode());
        final DomainMemory sourceMemory = pair.creator.memory();
        final DomainMemory targetMemory = pair.joiner.memory();
        assertEquals(SEGMENT, sourceMemory.size());
        assertEquals(SEGMENT, targetMemory.size());
        source = sourceMemory.allocate(HALF);
        assertNotNull(targetMemory.allocate(SEGMENT - HALF), "the joiner's memory below the target");
        targetIova = targetMemory.allocate(HALF).iova();
        assertEquals(BASE + SEGMENT - HALF, targetIova, "the target ends the joiner's domain");
        sourceDomain = whole(sourceMemory);
        targetDomain = whole(targetMemory);
        sourceDomain.setMemory(0, SEGMENT, SOURCE_BYTE);
        targetDomain.setMemory(0, SEGMENT, GUARD_BYTE);
        targetDomain.setMemory(SEGMENT - HALF, HALF, (byte)0);

        bystander = ShmDomain.open(driverMode());
        bystanderDevice = bystander.createDevice("bystander", EngineThreading.inline());
        bystanderDevice.configure(new DmaConf(1, 0));
        bystanderDevice.vchanSetup(0, new VchanConf(CAPACITY));
        bystanderDevice.start();
        bystanderSource = bystander.memory().allocate(BYSTANDER_LENGTH);
        bystanderTarget = bystander.memory().allocate(BYSTANDER_LENGTH);
        bystanderDomain = whole(bystander.memory());
        bystanderDomain.setMemory(0, SEGMENT, BYSTANDER_BYTE);
        bystanderSource.buffer().setMemory(0, BYSTANDER_LENGTH, BYSTANDER_SOURCE_BYTE);

        pair.creatorToJoiner();
        assertEquals(2, driver.servedVchans());
        assertNoRingFile(pair);
        ring = (UnsafeBuffer)RingAccess.mappedRing(pair.creator, pair.creatorDevice.name());
        assertEquals(CAPACITY, ring.getInt(CAPACITY_OFFSET));
    }

    @Test
    void shouldExecuteOnlyWhatItCheckedWhileAClientRewritesItsRingAndKeepServingOthers() throws Exception
    {
        serveAPairAndABystander();
        final DmaDevice device = pair.creatorDevice;

        final Thread racer = new Thread(this::race, "hostile-ring-writer");
        racer.setDaemon(true);
        racer.start();
        final DmaSge[] src = new DmaSge[SGES];
        final DmaSge[] dst = new DmaSge[SGES];
        for (int i = 0; i < SGES; i++)
        {
            src[i] = new DmaSge(source.iova() + (long)i * PIECE, PIECE);
            dst[i] = new DmaSge(targetIova + (long)i * PIECE, PIECE);
        }
        final Map<DmaStatus, Integer> seen = new EnumMap<>(DmaStatus.class);
        final DmaStatus[] status = new DmaStatus[1];
        final Completion completion = new Completion();
        final long startNs = System.nanoTime();
        long raced = 0;
        long jobs = 0;
        int bystanderCopies = 0;
        try
        {
            while (raced < RACES && System.nanoTime() - startNs < TIME_LIMIT_NS)
            {
                final int slot = (int)(jobs & (CAPACITY - 1));
                final boolean early = (jobs & 3) == 3;
                racedSlot = slot;
                if (early)
                {
                    round = jobs + 1; // one job in four: the writer rewrites the slot while it is being enqueued
                }
                final int idx = (jobs & 1) == 0 ?
                    device.copySg(0, src, dst, SGES, SGES, OpFlags.SUBMIT) :
                    device.copy(0, source.iova(), targetIova, HALF, OpFlags.SUBMIT);
                assertTrue(idx >= 0, "enqueue of job " + jobs + " failed: " + Errno.errorString(idx));
                assertEquals(slot, idx & (CAPACITY - 1));
                final long before = rewrites;
                if (!early)
                {
                    round = jobs + 1; // the writer rewrites this job's slot as the driver executes it
                }
                awaitOne(device, completion, status, "job " + jobs);
                round = 0;
                if (rewrites != before)
                {
                    raced++;
                }
                assertEquals(idx, completion.lastIdx, "job " + jobs + " completed once, in order");
                assertTrue(ALLOWED.contains(status[0]), "job " + jobs + ": " + status[0]);
                seen.merge(status[0], 1, Integer::sum);
                jobs++;
                if ((jobs & 63) == 0)
                {
                    assertEquals(DmaStatus.SUCCESSFUL, bystanderCopy(bystanderDevice, bystanderSource,
                        bystanderTarget), "the bystander is served on the same engine thread during the races");
                    bystanderCopies++;
                }
            }
        }
        finally
        {
            running = false;
            racer.join(TimeUnit.SECONDS.toMillis(10));
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        System.out.println("[driver-hostile-ring] " + jobs + " jobs of " + HALF + " bytes, " + raced + " raced by " +
            rewrites + " rewrites, " + bystanderCopies + " bystander copies, in " + elapsedMs + " ms: " + seen);

        assertTrue(raced >= RACES, "only " + raced + " of " + jobs + " jobs were raced in " + elapsedMs + " ms");
        assertTrue(seen.getOrDefault(DmaStatus.SUCCESSFUL, 0) > 0, "some jobs read their descriptor before it was " +
            "rewritten: " + seen);
        assertTrue(jobs - seen.getOrDefault(DmaStatus.SUCCESSFUL, 0) > 0, "some read a forged one: " + seen);
        assertEquals(jobs, ring.getLongVolatile(COMPLETED_INDEX_OFFSET), "one completion per job");
        assertEquals(0, driver.errors(), "the driver recorded no fault");
        assertEngineThreadsAlive();
        assertEquals(2, driver.servedVchans(), "both vchans are still served");

        final int idx = device.copy(0, source.iova(), targetIova, HALF, OpFlags.SUBMIT);
        assertTrue(idx >= 0, Errno.errorString(idx));
        awaitOne(device, completion, status, "clean job");
        assertEquals(DmaStatus.SUCCESSFUL, status[0], "the raced client itself is served again");
        assertEquals(DmaStatus.SUCCESSFUL, bystanderCopy(bystanderDevice, bystanderSource, bystanderTarget),
            "the bystander is served after the races");

        assertBytes(targetDomain, SEGMENT - HALF, HALF, SOURCE_BYTE, SOURCE_BYTE, "target after the clean job");
        assertConfined();
        bystanderDevice.stop();
        device.stop();
    }

    @Test
    void shouldServeOthersWhileAClientFloodsForgedJobsAndRewritesItsRingHeader() throws Exception
    {
        serveAPairAndABystander();
        final Thread flooder = new Thread(this::flood, "hostile-ring-flooder");
        flooder.setDaemon(true);
        flooder.start();
        final long startNs = System.nanoTime();
        final long firstCompleted = ring.getLongVolatile(COMPLETED_INDEX_OFFSET);
        long worstNs = 0;
        try
        {
            for (int i = 0; i < BYSTANDER_COPIES; i++)
            {
                final long copyStartNs = System.nanoTime();
                assertEquals(DmaStatus.SUCCESSFUL, bystanderCopy(bystanderDevice, bystanderSource, bystanderTarget),
                    "bystander copy " + i + " while a client floods the driver");
                worstNs = Math.max(worstNs, System.nanoTime() - copyStartNs);
            }
        }
        finally
        {
            running = false;
            flooder.join(TimeUnit.SECONDS.toMillis(10));
        }
        final long flooded = ring.getLongVolatile(COMPLETED_INDEX_OFFSET) - firstCompleted;
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        System.out.println("[driver-hostile-flood] " + flooded + " forged jobs of up to " + HALF + " bytes executed, " +
            BYSTANDER_COPIES + " bystander copies, worst " + TimeUnit.NANOSECONDS.toMicros(worstNs) + " us, in " +
            elapsedMs + " ms");

        assertTrue(flooded >= 2 * CAPACITY, "the flood was executed: " + flooded + " jobs");
        assertTrue(worstNs < TimeUnit.SECONDS.toNanos(2), "a bystander copy waited " +
            TimeUnit.NANOSECONDS.toMillis(worstNs) + " ms behind the flood");
        assertEquals(0, driver.errors(), "the driver recorded no fault");
        assertEngineThreadsAlive();
        assertEquals(2, driver.servedVchans(), "both vchans are still served");
        assertConfined();
    }

    /**
     * The flooding writer: marks every slot from the driver's completed index on as submitted, each with a forged
     * descriptor (a copy of the whole source into the target, or one crossing a domain's end, or a bad opcode), and
     * rewrites the ring header's geometry to its largest values; yields after each lap.
     */
    private void flood()
    {
        long random = 0x2545F4914F6CDD1DL;
        while (running)
        {
            ring.putInt(CAPACITY_OFFSET, MAX_CAPACITY);
            ring.putInt(MAX_SGES_OFFSET, MAX_SGES_LIMIT);
            ring.putInt(NB_DESC_OFFSET, Integer.MAX_VALUE);
            final long completed = ring.getLongVolatile(COMPLETED_INDEX_OFFSET);
            for (long index = completed; index < completed + CAPACITY; index++)
            {
                final int descriptor = descriptorOffset((int)index & (CAPACITY - 1));
                random = next(random);
                final int pick = (int)(random >>> 60);
                ring.putInt(descriptor + OPCODE_OFFSET, pick == 0 ? 99 : OP_COPY);
                ring.putInt(descriptor + LENGTH_OFFSET, pick == 1 ? SEGMENT : HALF);
                ring.putInt(descriptor + FLAGS_OFFSET, 0);
                ring.putLong(descriptor + SRC_OFFSET, pick == 2 ? BASE + SEGMENT - 4096 : source.iova());
                ring.putLong(descriptor + DST_OFFSET, pick == 3 ? BASE + SEGMENT - 4096 : targetIova);
                ring.putIntRelease(descriptor + STAMP_OFFSET, (int)(index + 1));
            }
            Thread.yield();
        }
    }

    /**
     * Every byte of the three domains outside what the vchans may write keeps its pattern; the target holds source
     * bytes or zeros, the bystander's regions its source byte.
     */
    private void assertConfined()
    {
        assertBytes(targetDomain, 0, SEGMENT - HALF, GUARD_BYTE, GUARD_BYTE, "joiner's domain below the target");
        assertBytes(targetDomain, SEGMENT - HALF, HALF, SOURCE_BYTE, (byte)0, "target: source bytes or untouched");
        assertBytes(sourceDomain, 0, SEGMENT, SOURCE_BYTE, SOURCE_BYTE, "source domain, never a destination");
        final int bystanderSourceOffset = (int)(bystanderSource.iova() - BASE);
        final int bystanderTargetOffset = (int)(bystanderTarget.iova() - BASE);
        final int low = Math.min(bystanderSourceOffset, bystanderTargetOffset);
        final int high = Math.max(bystanderSourceOffset, bystanderTargetOffset);
        assertEquals(BYSTANDER_LENGTH, high - low, "the bystander's regions are adjacent");
        assertBytes(bystanderDomain, 0, low, BYSTANDER_BYTE, BYSTANDER_BYTE, "bystander's domain below its regions");
        assertBytes(bystanderDomain, low, 2 * BYSTANDER_LENGTH, BYSTANDER_SOURCE_BYTE, BYSTANDER_SOURCE_BYTE,
            "bystander's regions");
        assertBytes(bystanderDomain, high + BYSTANDER_LENGTH, SEGMENT - high - BYSTANDER_LENGTH, BYSTANDER_BYTE,
            BYSTANDER_BYTE, "bystander's domain above its regions");
    }

    /**
     * The creator's ring file lost its name once the driver took the vchan, so a hostile process cannot map it by
     * name: the test writes through the client's own mapping, which is the memory the driver executes.
     */
    private static void assertNoRingFile(final DomainPair pair) throws IOException
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(pair.creator.dir(), "ring-*"))
        {
            final List<Path> found = new ArrayList<>();
            files.forEach(found::add);
            assertEquals(List.of(), found, "a served ring has no name");
        }
    }

    private static UnsafeBuffer whole(final DomainMemory memory)
    {
        return new UnsafeBuffer(memory.address(0), (int)memory.size());
    }

    private static void awaitOne(
        final DmaDevice device, final Completion completion, final DmaStatus[] status, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (device.completedStatus(0, 1, completion, status) == 0)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail(what + " did not complete in 10 s; vchan " + device.vchanStatus(0));
            }
            LockSupport.parkNanos(10_000);
        }
    }

    private static DmaStatus bystanderCopy(final DmaDevice device, final DmaRegion source, final DmaRegion target)
    {
        final int idx = device.copy(0, source.iova(), target.iova(), BYSTANDER_LENGTH, OpFlags.SUBMIT);
        assertTrue(idx >= 0, Errno.errorString(idx));
        final DmaStatus[] status = new DmaStatus[1];
        awaitOne(device, new Completion(), status, "bystander copy");
        return status[0];
    }

    private static void assertEngineThreadsAlive()
    {
        final List<Thread> engines = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().startsWith("shmdma-driver-engine-"))
            {
                engines.add(thread);
            }
        }
        assertEquals(1, engines.size(), "the driver's engine thread: " + engines);
        assertTrue(engines.get(0).isAlive());
    }

    /**
     * The racing writer: rewrites the current job's slot without pause from a short random delay after the job was
     * submitted (0..255 spin-wait hints) until it completes; yields between jobs.
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
            if (current == 0)
            {
                seen = 0;
                Thread.yield();
                continue;
            }
            if (current != seen)
            {
                seen = current;
                slot = racedSlot;
                random = next(random);
                for (int spin = (int)(random >>> 56); spin > 0; spin--)
                {
                    Thread.onSpinWait();
                }
            }
            random = next(random);
            rewrite(slot, random);
            if ((++count & 15) == 0)
            {
                rewrites = count;
            }
        }
    }

    private void rewrite(final int slot, final long random)
    {
        final int descriptor = descriptorOffset(slot);
        final long end = BASE + SEGMENT;
        final int pick = (int)(random >>> 40) & 0xFFFF;
        final int field = pick % 21;
        final int choice = pick / 21;
        switch (field)
        {
            case 0:
                ring.putInt(descriptor + OPCODE_OFFSET, pickInt(choice, OP_COPY_SG, OP_COPY, 99, 0, -1));
                break;
            case 1:
                ring.putLong(descriptor + SRC_OFFSET, pickLong(choice, BASE, end - 4096, BASE - PIECE, 0, end, -1L));
                break;
            case 2:
                ring.putLong(descriptor + DST_OFFSET, pickLong(choice, targetIova, end - 4096, BASE - 8, -1L, end,
                    Long.MIN_VALUE));
                break;
            case 3:
                ring.putInt(descriptor + LENGTH_OFFSET, pickInt(choice, SGES, 1, SGES + 1, 0, -1, HALF, SEGMENT,
                    4096, 17, Integer.MAX_VALUE));
                break;
            case 4:
                ring.putLong(descriptor + NB_DST_OFFSET, pickInt(choice, SGES, 1, SGES + 1, 0, -1, 64, 17));
                break;
            default:
                final int entry = (field - 5) & 3;
                final boolean destination = ((field - 5) & 4) != 0;
                final boolean length = ((field - 5) & 8) != 0;
                final int sge = sgeOffset(CAPACITY, SoftwareDmaDriver.MAX_SGES, slot, destination, entry);
                if (length)
                {
                    ring.putInt(sge + 8, destination ?
                        pickInt(choice, PIECE, 2 * PIECE, -1, 0, 4096, 1 << 20, Integer.MAX_VALUE) :
                        pickInt(choice, PIECE, 2 * PIECE, Integer.MIN_VALUE, 0, 1, 4096));
                }
                else
                {
                    ring.putLong(sge, destination ?
                        pickLong(choice, targetIova + (long)entry * PIECE, BASE - 4096, end - 4096, end - PIECE, end,
                            -PIECE) :
                        pickLong(choice, BASE + (long)entry * PIECE, BASE - PIECE, end - 4096, 0, end));
                }
                break;
        }
    }

    private static void assertBytes(
        final UnsafeBuffer buffer, final int offset, final int length, final byte a, final byte b, final String what)
    {
        for (int i = 0; i < length; i++)
        {
            final byte value = buffer.getByte(offset + i);
            if (value != a && value != b)
            {
                fail(what + ": byte " + i + " is " + value);
            }
        }
    }
}
