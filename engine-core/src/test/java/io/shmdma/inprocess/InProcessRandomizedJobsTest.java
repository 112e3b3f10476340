package io.shmdma.inprocess;

import io.shmdma.Completion;
import io.shmdma.DeviceDrivers;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaSge;
import io.shmdma.DmaStats;
import io.shmdma.DmaStatus;
import io.shmdma.DmaTestSupport;
import io.shmdma.Errno;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.engine.SoftwareDmaDriver;
import io.shmdma.memory.DomainMemory;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * 100,000 random jobs (copy, scatter-gather copy, fill) with valid, straddling, outside, zero, negative and
 * overflowing addresses, lengths from 0 to 4 GiB and random flags, against a domain whose backing memory has
 * guard bytes on both sides. A shadow model of the domain predicts every enqueue result and every completion
 * status, takes every successful job, and must equal the domain; the guards must never change.
 * The seed is printed; rerun one with {@code -Dshmdma.test.seed=<seed>}.
 */
class InProcessRandomizedJobsTest
{
    private static final long DEFAULT_SEED = 0x5_4D_D3A7_2024L;
    private static final int JOBS = 100_000;
    private static final long IOVA_BASE = 0x7FF0_0000L;
    private static final int DOMAIN_SIZE = 64 * 1024;
    private static final int GUARD = 4096;
    private static final byte GUARD_BYTE = (byte)0xA5;
    private static final int NB_DESC = 1024;
    private static final int MAX_BATCH = 96;
    private static final int CHECK_EVERY_JOBS = 4096;
    private static final int IDX_MASK = 0xFFFF;
    private static final BigInteger DOMAIN_START = BigInteger.valueOf(IOVA_BASE);
    private static final BigInteger DOMAIN_END = BigInteger.valueOf(IOVA_BASE + DOMAIN_SIZE);

    private enum Kind
    {
        COPY, COPY_SG, FILL
    }

    /** An accepted job, as the model sees it. */
    private static final class Job
    {
        Kind kind;
        long src;
        long dst;
        long length;
        long pattern;
        long flags;
        long[] srcAddr;
        long[] srcLength;
        long[] dstAddr;
        long[] dstLength;
        int ringIdx;
        boolean batchStart;
        DmaStatus expected;
    }

    private final SplittableRandom random;
    private final long seed;
    private final byte[] model = new byte[DOMAIN_SIZE];
    private final byte[] actual = new byte[DOMAIN_SIZE];
    private UnsafeBuffer backing;
    private DomainMemory memory;
    private DmaDevice device;
    private int maxSges;

    // model of the ring and the engine
    private int nextIdx;
    private boolean nextIsBatchStart = true;
    private boolean failedInBatch;
    private boolean skipping;
    private final List<Job> unsubmitted = new ArrayList<>();
    private final List<Job> inFlight = new ArrayList<>();
    private long accepted;
    private long failed;
    private long rejected;
    private long successful;
    private final long[] byKind = new long[Kind.values().length];

    InProcessRandomizedJobsTest()
    {
        seed = Long.getLong("shmdma.test.seed", DEFAULT_SEED);
        random = new SplittableRandom(seed);
    }

    @AfterEach
    void closeDevice()
    {
        if (device != null && device.isValid())
        {
            device.stop();
            device.close();
        }
    }

    @Test
    void shouldExecuteRandomJobsExactlyAsTheModelPredicts()
    {
        System.out.println(getClass().getSimpleName() + ": seed " + seed + " (-Dshmdma.test.seed=" + seed + ")");
        final ByteBuffer whole = ByteBuffer.allocateDirect(GUARD + DOMAIN_SIZE + GUARD);
        backing = new UnsafeBuffer(whole);
        backing.setMemory(0, backing.capacity(), GUARD_BYTE);
        memory = new DomainMemory(IOVA_BASE, whole.duplicate().position(GUARD).limit(GUARD + DOMAIN_SIZE).slice());
        random.nextBytes(model);
        backing.putBytes(GUARD, model);

        device = InProcessDmaDriver.create(DmaTestSupport.uniqueName("random"), memory, EngineThreading.inline());
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, new VchanConf(NB_DESC));
        device.start();
        maxSges = device.info().maxSges;
        final AgentInvoker invoker = device.engineInvoker();

        int jobs = 0;
        int nextCheck = CHECK_EVERY_JOBS;
        try
        {
            while (jobs < JOBS)
            {
                final int batch = Math.min(JOBS - jobs, 1 + random.nextInt(MAX_BATCH));
                for (int i = 0; i < batch; i++)
                {
                    enqueueRandomJob();
                    jobs++;
                    final int r = random.nextInt(100);
                    if (r < 4)
                    {
                        submit();
                    }
                    else if (r < 7)
                    {
                        submit();
                        invoker.invoke();
                    }
                }
                submit();
                while (invoker.invoke() > 0)
                {
                    Thread.onSpinWait();
                }
                gather();
                if (jobs >= nextCheck)
                {
                    assertDomainMatchesModel(jobs);
                    nextCheck += CHECK_EVERY_JOBS;
                }
            }
            assertDomainMatchesModel(jobs);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError("seed " + seed + ", job " + jobs + ": " + ex.getMessage(), ex);
        }

        final DmaStats stats = device.stats(0);
        assertEquals(accepted, stats.submitted, "submitted");
        assertEquals(accepted, stats.completed, "completed");
        assertEquals(failed, stats.errors, "errors");
        assertEquals(0, ((SoftwareDmaDriver)DeviceDrivers.driverOf(device)).engineErrors(), "engine errors");
        assertEquals(JOBS, accepted + rejected);
        System.out.println(getClass().getSimpleName() + ": " + accepted + " accepted (" + successful +
            " successful, " + failed + " failed), " + rejected + " refused at enqueue; copy/sg/fill " +
            Arrays.toString(byKind));
        assertTrue(successful > JOBS / 5 && failed > JOBS / 10 && rejected > JOBS / 50,
            "the mix exercises every outcome");
    }

    private void enqueueRandomJob()
    {
        final int r = random.nextInt(100);
        final Kind kind = r < 45 ? Kind.COPY : r < 70 ? Kind.COPY_SG : Kind.FILL;
        final Job job = new Job();
        job.kind = kind;
        job.flags = randomFlags();
        final boolean flagsValid = (job.flags & ~OpFlags.VALID_MASK) == 0;
        final int result;
        final boolean expectAccepted;
        switch (kind)
        {
            case COPY:
            {
                final int length = randomLength();
                job.length = Integer.toUnsignedLong(length);
                job.src = randomAddress(job.length);
                job.dst = randomAddress(job.length);
                result = device.copy(0, job.src, job.dst, length, job.flags);
                expectAccepted = length != 0 && flagsValid;
                break;
            }
            case FILL:
            {
                final int length = randomLength();
                job.length = Integer.toUnsignedLong(length);
                job.pattern = random.nextLong();
                job.dst = randomAddress(job.length);
                result = device.fill(0, job.pattern, job.dst, length, job.flags);
                expectAccepted = length != 0 && flagsValid;
                break;
            }
            default:
            {
                int nbSrc = 1 + random.nextInt(maxSges);
                int nbDst = 1 + random.nextInt(maxSges);
                final int bad = random.nextInt(100);
                if (bad < 2)
                {
                    nbSrc = random.nextBoolean() ? 0 : maxSges + 1;
                }
                else if (bad < 4)
                {
                    nbDst = random.nextBoolean() ? -1 : maxSges + 1;
                }
                final DmaSge[] src = sgeList(Math.max(nbSrc, 0) + 1);
                final DmaSge[] dst = sgeList(Math.max(nbDst, 0) + 1);
                fillSgeLists(job, src, dst, nbSrc, nbDst);
                result = device.copySg(0, src, dst, nbSrc, nbDst, job.flags);
                expectAccepted = nbSrc >= 1 && nbDst >= 1 && nbSrc <= maxSges && nbDst <= maxSges && flagsValid;
                break;
            }
        }

        if (!expectAccepted)
        {
            assertEquals(-Errno.EINVAL, result, () -> "refused " + kind + " flags 0x" + Long.toHexString(job.flags));
            rejected++;
            return;
        }
        assertEquals(nextIdx, result, () -> "ring index of " + kind);
        job.ringIdx = nextIdx;
        nextIdx = (nextIdx + 1) & IDX_MASK;
        job.batchStart = nextIsBatchStart;
        nextIsBatchStart = false;
        unsubmitted.add(job);
        accepted++;
        byKind[kind.ordinal()]++;
        if ((job.flags & OpFlags.SUBMIT) != 0)
        {
            modelSubmit();
        }
    }

    private void submit()
    {
        assertEquals(0, device.submit(0));
        modelSubmit();
    }

    /** The doorbell: jobs become the engine's, and the next job starts a batch if there were any. */
    private void modelSubmit()
    {
        if (!unsubmitted.isEmpty())
        {
            for (final Job job : unsubmitted)
            {
                execute(job);
                inFlight.add(job);
            }
            unsubmitted.clear();
            nextIsBatchStart = true;
        }
    }

    /** The engine's behaviour on one job, applied to the model; statuses do not depend on memory contents. */
    private void execute(final Job job)
    {
        if (job.batchStart)
        {
            failedInBatch = false;
            skipping = false;
        }
        if (failedInBatch && (job.flags & OpFlags.FENCE) != 0)
        {
            skipping = true;
        }
        job.expected = skipping ? DmaStatus.NOT_ATTEMPTED : evaluate(job);
        if (job.expected != DmaStatus.SUCCESSFUL)
        {
            failedInBatch = true;
            failed++;
            return;
        }
        successful++;
        switch (job.kind)
        {
            case COPY:
                System.arraycopy(model, offset(job.src), model, offset(job.dst), (int)job.length);
                break;
            case FILL:
                for (int j = 0; j < job.length; j++)
                {
                    model[offset(job.dst) + j] = (byte)(job.pattern >>> ((j & 7) * 8));
                }
                break;
            default:
                copySgPieces(job);
                break;
        }
    }

    private DmaStatus evaluate(final Job job)
    {
        switch (job.kind)
        {
            case COPY:
                if (!inDomain(job.src, job.length))
                {
                    return DmaStatus.INVALID_SRC_ADDR;
                }
                return inDomain(job.dst, job.length) ? DmaStatus.SUCCESSFUL : DmaStatus.INVALID_DST_ADDR;
            case FILL:
                return inDomain(job.dst, job.length) ? DmaStatus.SUCCESSFUL : DmaStatus.INVALID_DST_ADDR;
            default:
                long srcTotal = 0;
                for (int i = 0; i < job.srcAddr.length; i++)
                {
                    if (!inDomain(job.srcAddr[i], job.srcLength[i]))
                    {
                        return DmaStatus.INVALID_SRC_ADDR;
                    }
                    srcTotal += job.srcLength[i];
                }
                long dstTotal = 0;
                for (int i = 0; i < job.dstAddr.length; i++)
                {
                    if (!inDomain(job.dstAddr[i], job.dstLength[i]))
                    {
                        return DmaStatus.INVALID_DST_ADDR;
                    }
                    dstTotal += job.dstLength[i];
                }
                return srcTotal == dstTotal ? DmaStatus.SUCCESSFUL : DmaStatus.INVALID_LENGTH;
        }
    }

    /** A scatter-gather copy moves the source stream into the destination entries, piece by piece, in order. */
    private void copySgPieces(final Job job)
    {
        int s = 0;
        int d = 0;
        long sUsed = 0;
        long dUsed = 0;
        while (s < job.srcAddr.length && d < job.dstAddr.length)
        {
            final long n = Math.min(job.srcLength[s] - sUsed, job.dstLength[d] - dUsed);
            System.arraycopy(model, offset(job.srcAddr[s]) + (int)sUsed, model, offset(job.dstAddr[d]) + (int)dUsed,
                (int)n);
            sUsed += n;
            dUsed += n;
            if (sUsed == job.srcLength[s])
            {
                s++;
                sUsed = 0;
            }
            if (dUsed == job.dstLength[d])
            {
                d++;
                dUsed = 0;
            }
        }
    }

    /** Gathers every in-flight job, by a random mix of completed and completed_status, checking each status. */
    private void gather()
    {
        final Completion completion = new Completion();
        final DmaStatus[] status = new DmaStatus[MAX_BATCH + 1];
        int next = 0;
        while (next < inFlight.size())
        {
            final int want = 1 + random.nextInt(MAX_BATCH);
            if (random.nextBoolean())
            {
                final int n = device.completed(0, want, completion);
                int run = 0;
                while (run < want && next + run < inFlight.size() &&
                    inFlight.get(next + run).expected == DmaStatus.SUCCESSFUL)
                {
                    run++;
                }
                assertEquals(run, n, "completed run");
                final boolean stoppedAtFailure = run < want && next + run < inFlight.size();
                assertEquals(stoppedAtFailure, completion.hasError, "has_error");
                next += n;
            }
            else
            {
                final int n = device.completedStatus(0, want, completion, status);
                assertEquals(Math.min(want, inFlight.size() - next), n, "completed_status count");
                for (int i = 0; i < n; i++)
                {
                    final Job job = inFlight.get(next + i);
                    if (job.expected != status[i])
                    {
                        fail(describe(job) + ": status " + status[i] + ", expected " + job.expected);
                    }
                }
                next += n;
            }
            if (next > 0)
            {
                assertEquals(inFlight.get(next - 1).ringIdx, completion.lastIdx, "last_idx");
            }
        }
        assertEquals(0, device.completedStatus(0, 8, completion, status), "nothing more");
        assertFalse(completion.hasError);
        inFlight.clear();
    }

    private static String describe(final Job job)
    {
        final StringBuilder sb = new StringBuilder("job ").append(job.ringIdx).append(' ').append(job.kind);
        if (job.kind == Kind.COPY_SG)
        {
            sb.append(" src");
            for (int i = 0; i < job.srcAddr.length; i++)
            {
                sb.append(" 0x").append(Long.toHexString(job.srcAddr[i])).append('/').append(job.srcLength[i]);
            }
            sb.append(" dst");
            for (int i = 0; i < job.dstAddr.length; i++)
            {
                sb.append(" 0x").append(Long.toHexString(job.dstAddr[i])).append('/').append(job.dstLength[i]);
            }
        }
        else
        {
            sb.append(" src 0x").append(Long.toHexString(job.src)).append(" dst 0x").append(Long.toHexString(job.dst))
                .append(" length ").append(job.length);
        }
        return sb.append(" flags 0x").append(Long.toHexString(job.flags)).append(job.batchStart ? " batch start" : "")
            .toString();
    }

    private void assertDomainMatchesModel(final int jobs)
    {
        backing.getBytes(GUARD, actual);
        final int at = Arrays.mismatch(model, actual);
        if (at >= 0)
        {
            fail("after " + jobs + " jobs the domain differs from the model at IOVA 0x" +
                Long.toHexString(IOVA_BASE + at) + ": " + actual[at] + " instead of " + model[at]);
        }
        DmaTestSupport.assertAllBytes("guard below the domain", backing, 0, GUARD, GUARD_BYTE);
        DmaTestSupport.assertAllBytes("guard above the domain", backing, GUARD + DOMAIN_SIZE, GUARD, GUARD_BYTE);
    }

    private static boolean inDomain(final long iova, final long length)
    {
        if (length <= 0)
        {
            return false;
        }
        final BigInteger start = new BigInteger(Long.toUnsignedString(iova));
        final BigInteger end = start.add(BigInteger.valueOf(length));
        return start.compareTo(DOMAIN_START) >= 0 && end.compareTo(DOMAIN_END) <= 0;
    }

    private static int offset(final long iova)
    {
        return (int)(iova - IOVA_BASE);
    }

    private long randomFlags()
    {
        long flags = 0;
        final int r = random.nextInt(100);
        if (r < 8)
        {
            flags |= OpFlags.FENCE;
        }
        if (random.nextInt(100) < 10)
        {
            flags |= OpFlags.LLC;
        }
        if (random.nextInt(100) < 5)
        {
            flags |= OpFlags.SUBMIT;
        }
        final int unknown = random.nextInt(100);
        if (unknown < 1)
        {
            flags |= OpFlags.AUTO_FREE;
        }
        else if (unknown < 2)
        {
            flags |= 1L << 63;
        }
        else if (unknown < 3)
        {
            flags |= 1L << (3 + random.nextInt(61));
        }
        return flags;
    }

    /** A length as a uint32: mostly small, sometimes 0, the whole domain, more than it, 2 GiB or 4 GiB - 1. */
    private int randomLength()
    {
        final int r = random.nextInt(100);
        if (r < 70)
        {
            return 1 + random.nextInt(2048);
        }
        if (r < 78)
        {
            return 2049 + random.nextInt(DOMAIN_SIZE - 2048);
        }
        if (r < 82)
        {
            return 0;
        }
        if (r < 85)
        {
            return -1;
        }
        if (r < 88)
        {
            return Integer.MIN_VALUE;
        }
        if (r < 92)
        {
            return DOMAIN_SIZE + 1 + random.nextInt(100);
        }
        if (r < 95)
        {
            return DOMAIN_SIZE;
        }
        return random.nextInt();
    }

    /** An IOVA for {@code length} bytes: mostly inside, else straddling an edge, outside, 0, negative or wrapping. */
    private long randomAddress(final long length)
    {
        final int r = random.nextInt(100);
        if (r < 80)
        {
            if (length > 0 && length <= DOMAIN_SIZE)
            {
                return IOVA_BASE + random.nextLong(DOMAIN_SIZE - length + 1);
            }
            return IOVA_BASE + random.nextLong(DOMAIN_SIZE);
        }
        if (r < 84)
        {
            final long inside = 1 + random.nextLong(Math.max(1, Math.min(length, DOMAIN_SIZE)));
            return IOVA_BASE + DOMAIN_SIZE - inside + (length <= inside ? 1 : 0);
        }
        if (r < 87)
        {
            return IOVA_BASE - 1 - random.nextInt(64);
        }
        if (r < 90)
        {
            return IOVA_BASE + DOMAIN_SIZE + random.nextLong(1L << 40);
        }
        if (r < 92)
        {
            return 0;
        }
        if (r < 94)
        {
            return random.nextLong() | Long.MIN_VALUE;
        }
        if (r < 96)
        {
            return -1L - random.nextInt(64);
        }
        if (r < 98)
        {
            return Long.MAX_VALUE - random.nextInt(64);
        }
        return random.nextLong();
    }

    private static DmaSge[] sgeList(final int length)
    {
        final DmaSge[] list = new DmaSge[length];
        for (int i = 0; i < length; i++)
        {
            list[i] = new DmaSge();
        }
        return list;
    }

    /** Entries of equal totals, mostly valid; sometimes a bad address, an empty entry, or unequal totals. */
    private void fillSgeLists(final Job job, final DmaSge[] src, final DmaSge[] dst, final int nbSrc, final int nbDst)
    {
        final int most = Math.max(Math.max(nbSrc, nbDst), 1);
        final int total = most + random.nextInt(4096);
        job.srcAddr = new long[Math.max(nbSrc, 0)];
        job.srcLength = new long[job.srcAddr.length];
        job.dstAddr = new long[Math.max(nbDst, 0)];
        job.dstLength = new long[job.dstAddr.length];
        split(src, job.srcAddr, job.srcLength, total);
        split(dst, job.dstAddr, job.dstLength, total);
        if (job.dstLength.length > 0 && random.nextInt(100) < 8)
        {
            final int i = random.nextInt(job.dstLength.length);
            job.dstLength[i] = Math.max(1, job.dstLength[i] + (random.nextBoolean() ? 1 : -1));
            dst[i].length = (int)job.dstLength[i];
        }
        if (job.srcLength.length > 0 && random.nextInt(100) < 2)
        {
            final int i = random.nextInt(job.srcLength.length);
            job.srcLength[i] = random.nextBoolean() ? 0 : 0xFFFF_FFFFL;
            src[i].length = (int)job.srcLength[i];
        }
    }

    private void split(final DmaSge[] list, final long[] addr, final long[] length, final int total)
    {
        int remaining = total;
        for (int i = 0; i < addr.length; i++)
        {
            final int left = addr.length - i - 1;
            final int n = i == addr.length - 1 ? remaining : 1 + random.nextInt(remaining - left);
            remaining -= n;
            length[i] = n;
            addr[i] = random.nextInt(100) < 97 ? IOVA_BASE + random.nextLong(DOMAIN_SIZE - n + 1) : randomAddress(n);
            list[i].set(addr[i], n);
        }
    }
}
