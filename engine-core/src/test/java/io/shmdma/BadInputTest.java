package io.shmdma;

import io.shmdma.engine.EngineThreading;
import io.shmdma.inprocess.InProcessDmaDriver;
import io.shmdma.memory.DmaRegion;
import io.shmdma.memory.DomainMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.shmdma.BadInputAssertions.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every public method of the generic layer ({@link DmaDevices}, {@link DmaDevice}) and the in-process device,
 * called with invalid arguments and in the wrong state: the control plane throws {@link DmaException} with
 * DPDK's errno, the data plane returns a negative errno (or 0 where DPDK returns a count), jobs with bad
 * addresses fail with a status and write nothing outside their domain.
 */
class BadInputTest
{
    private static final long IOVA_BASE = 0x1000_0000L;
    private static final int MEMORY_SIZE = 1 << 20;
    private static final int[] BAD_GROUP_IDS = { -1, 0x8000, 0xFFFF, Integer.MIN_VALUE, Integer.MAX_VALUE };

    private final List<DmaDevice> devices = new ArrayList<>();
    private DomainMemory memory;

    @BeforeEach
    void setUp()
    {
        memory = DomainMemory.allocateDirect(IOVA_BASE, MEMORY_SIZE);
    }

    @AfterEach
    void tearDown()
    {
        for (final DmaDevice device : devices)
        {
            if (device.isValid())
            {
                device.stop();
                device.close();
            }
        }
    }

    private DmaDevice device(final String name)
    {
        final DmaDevice device = InProcessDmaDriver.create(name, memory, EngineThreading.inline());
        devices.add(device);
        return device;
    }

    private DmaDevice started(final String name, final long confFlags)
    {
        final DmaDevice device = device(name);
        device.configure(new DmaConf(1, confFlags));
        device.vchanSetup(0, new VchanConf(64));
        device.start();
        return device;
    }

    @Test
    void shouldRefuseBadRegistrations()
    {
        final DmaDevice device = device("bad-input-reg");
        assertErrno(Errno.EINVAL, () -> DmaDevices.register(null, device.driver()), "null name");
        assertErrno(Errno.EINVAL, () -> DmaDevices.register("", device.driver()), "empty name");
        assertErrno(Errno.EINVAL, () -> DmaDevices.register("x".repeat(DmaDevices.NAME_MAX_LENGTH), device.driver()),
            "64-character name");
        assertErrno(Errno.EINVAL, () -> DmaDevices.register("bad-input-null-driver", null), "null driver");
        assertErrno(Errno.EEXIST, () -> DmaDevices.register("bad-input-reg", device.driver()), "name in use");
        assertErrno(Errno.EINVAL, () -> DmaDevices.idByName(null), "null name");
        assertErrno(Errno.EINVAL, () -> DmaDevices.idByName("no-such-device"), "unknown name");
        for (final int id : new int[]{ -1, DmaDevices.MAX_DEVICES, 0xFFFF, Integer.MIN_VALUE, Integer.MAX_VALUE })
        {
            assertFalse(DmaDevices.isValid(id));
            assertErrno(Errno.EINVAL, () -> DmaDevices.get(id), "device id " + id);
        }
        assertEquals(-1, DmaDevices.nextDev(Integer.MAX_VALUE));
        assertEquals(DmaDevices.nextDev(0), DmaDevices.nextDev(Integer.MIN_VALUE));

        assertErrno(Errno.EINVAL, () -> InProcessDmaDriver.create("bad-input-null-memory", null,
            EngineThreading.inline()), "null memory");
        assertErrno(Errno.EINVAL, () -> InProcessDmaDriver.create("bad-input-null-threading", memory, null),
            "null threading");
        assertErrno(Errno.EINVAL, () -> InProcessDmaDriver.create(null, memory, EngineThreading.inline()), "null name");
        assertErrno(Errno.EINVAL, () -> DmaDevices.idByName("bad-input-null-memory"), "refused create left no device");
    }

    @Test
    void shouldRefuseBadConfigurations()
    {
        final DmaDevice device = device("bad-input-conf");
        assertErrno(Errno.EINVAL, () -> device.info(null), "null info");
        assertErrno(Errno.EINVAL, () -> device.configure(null), "null conf");
        for (final int nbVchans : new int[]{ 0, -1, 17, 0xFFFF, Integer.MIN_VALUE, Integer.MAX_VALUE })
        {
            assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(nbVchans, 0)), "nbVchans " + nbVchans);
        }
        for (final int priority : new int[]{ 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE })
        {
            final DmaConf conf = new DmaConf(1, 0);
            conf.priority = priority;
            assertErrno(Errno.EINVAL, () -> device.configure(conf), "priority " + priority);
        }
        for (final long flags : new long[]{ 1L << 2, 1L << 32, Long.MIN_VALUE, -1L })
        {
            assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(1, flags)), "flags 0x" +
                Long.toHexString(flags));
        }
        assertEquals(0, device.conf().nbVchans, "a refused configure changes nothing");

        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, new VchanConf(64)), "vchan setup before configure");
        assertErrno(Errno.EINVAL, device::start, "start before configure");
        device.configure(new DmaConf(1, 0));
        assertErrno(Errno.EINVAL, device::start, "start before vchan setup");
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, null), "null vchan conf");
        for (final int vchan : BAD_VCHANS)
        {
            assertErrno(Errno.EINVAL, () -> device.vchanSetup(vchan, new VchanConf(64)), "vchan " + vchan);
        }
        for (final int nbDesc : new int[]{ 0, -1, 31, 8193, 0xFFFF, Integer.MIN_VALUE, Integer.MAX_VALUE })
        {
            assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, new VchanConf(nbDesc)), "nbDesc " + nbDesc);
        }
        final VchanConf nullDirection = new VchanConf(64);
        nullDirection.direction = null;
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, nullDirection), "null direction");
        for (final Direction direction : new Direction[]{ Direction.MEM_TO_DEV, Direction.DEV_TO_MEM,
            Direction.DEV_TO_DEV })
        {
            final VchanConf conf = new VchanConf(64);
            conf.direction = direction;
            assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, conf), "direction " + direction +
                " with memory ports");
            conf.srcPort = new PortParam(PortType.PCIE);
            conf.dstPort = new PortParam(PortType.PCIE);
            assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, conf), "direction " + direction + " with PCIe ports");
        }
        final VchanConf nullSrcPort = new VchanConf(64);
        nullSrcPort.srcPort = null;
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, nullSrcPort), "null source port");
        final VchanConf nullSrcPortType = new VchanConf(64);
        nullSrcPortType.srcPort.portType = null;
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, nullSrcPortType), "null source port type");
        final VchanConf nullDstPort = new VchanConf(64);
        nullDstPort.dstPort = null;
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, nullDstPort), "null destination port");
        final VchanConf nullDomain = new VchanConf(64);
        nullDomain.domain = null;
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, nullDomain), "null domain");
        final VchanConf nullDomainType = new VchanConf(64);
        nullDomainType.domain.type = null;
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, nullDomainType), "null domain type");
        for (final int handler : new int[]{ 0, 1, -1, 0xFFFF, 0x10000, Integer.MIN_VALUE, Integer.MAX_VALUE })
        {
            assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, VchanConf.interProcess(64, handler, handler)),
                "inter-process vchan with handler " + handler + " on a device without the capability");
            final VchanConf interOs = new VchanConf(64);
            interOs.domain = new InterDomainParam(InterDomainType.INTER_OS, handler, handler);
            assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, interOs), "inter-OS vchan");
        }
        device.vchanSetup(0, new VchanConf(64));
        device.start();
        assertErrno(Errno.EBUSY, () -> device.configure(new DmaConf(1, 0)), "configure while started");
        assertErrno(Errno.EBUSY, () -> device.vchanSetup(0, new VchanConf(64)), "vchan setup while started");
        assertErrno(Errno.EBUSY, device::close, "close while started");
    }

    @Test
    void shouldRefuseBadStatsStatusAndDump()
    {
        final DmaDevice device = started("bad-input-stats", 0);
        for (final int vchan : BAD_VCHANS)
        {
            if (vchan == DmaDevice.ALL_VCHAN)
            {
                continue;
            }
            assertErrno(Errno.EINVAL, () -> device.stats(vchan), "stats vchan " + vchan);
            assertErrno(Errno.EINVAL, () -> device.statsReset(vchan), "stats reset vchan " + vchan);
        }
        for (final int vchan : BAD_VCHANS)
        {
            assertErrno(Errno.EINVAL, () -> device.vchanStatus(vchan), "vchan status " + vchan);
        }
        assertEquals(0, device.stats(DmaDevice.ALL_VCHAN).submitted);
        assertErrno(Errno.EINVAL, () -> device.stats(0, null), "null stats");
        assertErrno(Errno.EINVAL, () -> device.dump(null), "null output");
    }

    @Test
    void shouldRefuseGroupOperationsOnADeviceWithoutInterDomainCapability()
    {
        final DmaDevice device = device("bad-input-groups");
        final UUID id = UUID.randomUUID();
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupCreate(null, null, null), "null ids");
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupCreate(id, id, null), "no capability");
        for (final int groupId : BAD_GROUP_IDS)
        {
            assertErrno(Errno.EINVAL, () -> device.accessPairGroupJoin(id, id, groupId, null), "join " + groupId);
            assertErrno(Errno.EINVAL, () -> device.accessPairGroupJoin(null, null, groupId, null), "join nulls");
            assertErrno(Errno.EINVAL, () -> device.accessPairGroupLeave(groupId), "leave " + groupId);
            assertErrno(Errno.EINVAL, () -> device.accessPairGroupDestroy(groupId), "destroy " + groupId);
            assertErrno(Errno.EINVAL, () -> device.accessPairGroupHandlerGet(groupId, id), "handler " + groupId);
            assertErrno(Errno.EINVAL, () -> device.accessPairGroupHandlerGet(groupId, null), "handler null");
        }
    }

    @Test
    void shouldReturnNegativeErrnoFromTheDataPlaneForBadVchansAndState()
    {
        final DmaDevice device = device("bad-input-data-state");
        final DmaRegion region = memory.allocate(64);
        final DmaSge[] sges = { new DmaSge(region.iova(), 8) };
        final DmaStatus[] status = new DmaStatus[4];
        assertDataPlaneRefuses(device, 0, region, sges, status, "unconfigured device");
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, new VchanConf(64));
        assertDataPlaneRefuses(device, 0, region, sges, status, "stopped device");
        device.start();
        for (final int vchan : BAD_VCHANS)
        {
            assertDataPlaneRefuses(device, vchan, region, sges, status, "vchan " + vchan);
        }
        device.stop();
        device.close();
        assertDataPlaneRefuses(device, 0, region, sges, status, "closed device");
        assertNull(device.engineInvoker(), "no invoker after close");
    }

    private static void assertDataPlaneRefuses(
        final DmaDevice device, final int vchan, final DmaRegion region, final DmaSge[] sges, final DmaStatus[] status,
        final String reason)
    {
        assertNegativeErrno(Errno.EINVAL, device.copy(vchan, region.iova(), region.iova(32), 8, 0), reason);
        assertNegativeErrno(Errno.EINVAL, device.fill(vchan, 1, region.iova(), 8, 0), reason);
        assertNegativeErrno(Errno.EINVAL, device.copySg(vchan, sges, sges, 1, 1, 0), reason);
        assertNegativeErrno(Errno.EINVAL, device.submit(vchan), reason);
        assertEquals(0, device.completed(vchan, 4, new Completion()), reason);
        assertEquals(0, device.completedStatus(vchan, 4, new Completion(), status), reason);
        assertEquals(0, device.burstCapacity(vchan), reason);
        assertEquals(0, device.enqueueOps(vchan, new DmaOp[]{ new DmaOp(1) }, 1), reason);
        assertEquals(0, device.dequeueOps(vchan, new DmaOp[1], 1), reason);
    }

    @Test
    void shouldRefuseEveryControlCallAfterClose()
    {
        final DmaDevice device = started("bad-input-closed", 0);
        device.stop();
        device.close();
        final UUID id = UUID.randomUUID();
        assertFalse(device.isValid());
        assertErrno(Errno.EINVAL, device::info, "info");
        assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(1, 0)), "configure");
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, new VchanConf(64)), "vchan setup");
        assertErrno(Errno.EINVAL, device::start, "start");
        assertErrno(Errno.EINVAL, device::stop, "stop");
        assertErrno(Errno.EINVAL, device::close, "close");
        assertErrno(Errno.EINVAL, () -> device.stats(0), "stats");
        assertErrno(Errno.EINVAL, () -> device.statsReset(DmaDevice.ALL_VCHAN), "stats reset");
        assertErrno(Errno.EINVAL, () -> device.vchanStatus(0), "vchan status");
        assertErrno(Errno.EINVAL, () -> device.dump(new PrintStream(new ByteArrayOutputStream(), true,
            StandardCharsets.UTF_8)), "dump");
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupCreate(id, id, null), "group create");
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupJoin(id, id, 0, null), "group join");
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupLeave(0), "group leave");
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupDestroy(0), "group destroy");
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupHandlerGet(0, id), "handler get");
    }

    @Test
    void shouldRefuseZeroLengthsUnknownFlagsAndMalformedScatterGatherLists()
    {
        final DmaDevice device = started("bad-input-enqueue", 0);
        final DmaRegion region = memory.allocate(256);
        final long src = region.iova();
        final long dst = region.iova(128);
        assertNegativeErrno(Errno.EINVAL, device.copy(0, src, dst, 0, 0), "zero-length copy");
        assertNegativeErrno(Errno.EINVAL, device.fill(0, 7, dst, 0, 0), "zero-length fill");
        for (final long flags : BAD_OP_FLAGS)
        {
            final String reason = "flags 0x" + Long.toHexString(flags);
            assertNegativeErrno(Errno.EINVAL, device.copy(0, src, dst, 8, flags), reason);
            assertNegativeErrno(Errno.EINVAL, device.fill(0, 7, dst, 8, flags), reason);
            assertNegativeErrno(Errno.EINVAL, device.copySg(0, sges(src, 8, 1), sges(dst, 8, 1), 1, 1, flags), reason);
        }

        final int maxSges = device.info().maxSges;
        final DmaSge[] many = sges(src, 1, maxSges + 1);
        final DmaSge[] one = sges(dst, 1, 1);
        assertNegativeErrno(Errno.EINVAL, device.copySg(0, null, one, 1, 1, 0), "null source list");
        assertNegativeErrno(Errno.EINVAL, device.copySg(0, one, null, 1, 1, 0), "null destination list");
        assertNegativeErrno(Errno.EINVAL, device.copySg(0, null, null, 0, 0, 0), "null lists");
        assertNegativeErrno(Errno.EINVAL, device.copySg(0, many, many, maxSges + 1, 1, 0), "too many source SGEs");
        assertNegativeErrno(Errno.EINVAL, device.copySg(0, many, many, 1, maxSges + 1, 0), "too many destination SGEs");
        for (final int count : new int[]{ 0, -1, 2, 0xFFFF, Integer.MIN_VALUE, Integer.MAX_VALUE })
        {
            assertNegativeErrno(Errno.EINVAL, device.copySg(0, one, one, count, 1, 0), "nbSrc " + count);
            assertNegativeErrno(Errno.EINVAL, device.copySg(0, one, one, 1, count, 0), "nbDst " + count);
        }
        assertNegativeErrno(Errno.EINVAL, device.copySg(0, new DmaSge[1], one, 1, 1, 0), "null source entry");
        assertNegativeErrno(Errno.EINVAL, device.copySg(0, one, new DmaSge[]{ one[0], null }, 1, 2, 0),
            "null destination entry");
        assertNegativeErrno(Errno.EINVAL, device.copySg(0, new DmaSge[0], one, 1, 1, 0), "empty source array");

        assertEquals(64, device.burstCapacity(0), "refused enqueues take no descriptor");
        assertEquals(0, device.copy(0, src, dst, 8, OpFlags.SUBMIT), "the first accepted job still gets index 0");
        device.engineInvoker().invoke();
        final Completion completion = new Completion();
        assertEquals(1, device.completed(0, 8, completion));
        assertFalse(completion.hasError);
        assertEquals(1, device.stats(0).submitted);
    }

    private static DmaSge[] sges(final long iova, final int length, final int count)
    {
        final DmaSge[] sges = new DmaSge[count];
        for (int i = 0; i < count; i++)
        {
            sges[i] = new DmaSge(iova + (long)i * length, length);
        }
        return sges;
    }

    @Test
    void shouldFailJobsWithBadAddressesAndWriteNothingOutsideTheirRange()
    {
        final DmaDevice device = started("bad-input-addresses", 0);
        final DmaRegion guard = memory.allocate(MEMORY_SIZE);
        guard.buffer().setMemory(0, (int)guard.length(), (byte)0x5A);
        final long src = guard.iova();
        final long end = IOVA_BASE + MEMORY_SIZE;
        final long[][] badRanges = {
            { 0, 8 }, { IOVA_BASE - 1, 8 }, { IOVA_BASE - 8, 16 }, { end, 8 }, { end - 8, 16 }, { end - 1, 2 },
            { Long.MAX_VALUE, 8 }, { Long.MAX_VALUE - 7, 16 }, { Long.MIN_VALUE, 8 }, { -8, 16 }, { -1, 1 },
            { IOVA_BASE, -1 }, { IOVA_BASE, Integer.MIN_VALUE }, { IOVA_BASE, Integer.MAX_VALUE }, { end - 4096, 8192 },
        };
        final Completion completion = new Completion();
        final DmaStatus[] status = new DmaStatus[1];
        for (final long[] range : badRanges)
        {
            final String reason = "iova 0x" + Long.toHexString(range[0]) + " length " +
                Integer.toUnsignedString((int)range[1]);
            assertJobFails(device, device.copy(0, range[0], src, (int)range[1], OpFlags.SUBMIT),
                DmaStatus.INVALID_SRC_ADDR, reason, completion, status);
            final boolean sourceFits = Integer.toUnsignedLong((int)range[1]) <= MEMORY_SIZE;
            assertJobFails(device, device.copy(0, src, range[0], (int)range[1], OpFlags.SUBMIT),
                sourceFits ? DmaStatus.INVALID_DST_ADDR : DmaStatus.INVALID_SRC_ADDR, reason, completion, status);
            assertJobFails(device, device.fill(0, -1L, range[0], (int)range[1], OpFlags.SUBMIT),
                DmaStatus.INVALID_DST_ADDR, reason, completion, status);
            final DmaSge[] good = sges(src, 8, 1);
            final DmaSge[] bad = { new DmaSge(range[0], (int)range[1]) };
            assertJobFails(device, device.copySg(0, bad, good, 1, 1, OpFlags.SUBMIT), DmaStatus.INVALID_SRC_ADDR,
                reason, completion, status);
            assertJobFails(device, device.copySg(0, good, bad, 1, 1, OpFlags.SUBMIT),
                DmaStatus.INVALID_DST_ADDR, reason, completion, status);
        }
        final DmaSge[] zeroLength = { new DmaSge(src, 0) };
        assertJobFails(device, device.copySg(0, zeroLength, zeroLength, 1, 1, OpFlags.SUBMIT),
            DmaStatus.INVALID_SRC_ADDR, "zero-length SGE", completion, status);
        assertJobFails(device, device.copySg(0, sges(src, 8, 2), sges(src + 64, 8, 1), 2, 1, OpFlags.SUBMIT),
            DmaStatus.INVALID_LENGTH, "unequal totals", completion, status);
        final DmaSge[] wrapping = { new DmaSge(src, 8), new DmaSge(-8, 16) };
        assertJobFails(device, device.copySg(0, wrapping, sges(src, 8, 3), 2, 3, OpFlags.SUBMIT),
            DmaStatus.INVALID_SRC_ADDR, "SGE wrapping past 2^64", completion, status);

        for (int i = 0; i < guard.length(); i++)
        {
            if (guard.buffer().getByte(i) != 0x5A)
            {
                fail("byte " + i + " of the domain was written by a failed job");
            }
        }
        final DmaStats stats = device.stats(0);
        assertEquals(stats.submitted, stats.completed);
        assertEquals(stats.submitted, stats.errors, "every job failed");
    }

    private static void assertJobFails(
        final DmaDevice device, final int ringIdx, final DmaStatus expected, final String reason,
        final Completion completion, final DmaStatus[] status)
    {
        assertTrue(ringIdx >= 0, reason + ": enqueue should succeed and the job fail, got " +
            Errno.errorString(ringIdx));
        device.engineInvoker().invoke();
        assertEquals(1, device.completedStatus(0, 1, completion, status), reason);
        assertEquals(ringIdx, completion.lastIdx, reason);
        assertEquals(expected, status[0], reason);
    }

    @Test
    void shouldReturnZeroForBadCountsAndNullOutputs()
    {
        final DmaDevice device = started("bad-input-counts", 0);
        final DmaRegion region = memory.allocate(64);
        assertEquals(0, device.copy(0, region.iova(), region.iova(32), 8, OpFlags.SUBMIT));
        device.engineInvoker().invoke();
        for (final int count : new int[]{ 0, -1, Integer.MIN_VALUE })
        {
            assertEquals(0, device.completed(0, count, null), "nbCpls " + count);
            assertEquals(0, device.completedStatus(0, count, null, new DmaStatus[4]), "nbCpls " + count);
        }
        assertEquals(0, device.completedStatus(0, 4, null, null), "null status array");
        assertEquals(1, device.completedStatus(0, Integer.MAX_VALUE, null, new DmaStatus[1]), "bounded by the array");
        assertEquals(0, device.completed(0, Integer.MAX_VALUE, null));
        assertEquals(0, device.enqueueOps(0, new DmaOp[]{ new DmaOp(1) }, 1), "ops outside the ops mode");
        assertEquals(0, device.dequeueOps(0, new DmaOp[1], 1), "ops outside the ops mode");
    }

    @Test
    void shouldStopAtMalformedOperationObjects()
    {
        final DmaDevice device = started("bad-input-ops", ConfFlags.ENQ_DEQ);
        final DmaRegion region = memory.allocate(256);
        assertEquals(0, device.enqueueOps(0, null, 1), "null ops");
        for (final int count : new int[]{ 0, -1, Integer.MIN_VALUE })
        {
            assertEquals(0, device.enqueueOps(0, new DmaOp[]{ good(region) }, count), "nbOps " + count);
            assertEquals(0, device.dequeueOps(0, new DmaOp[1], count), "nbOps " + count);
        }
        assertEquals(0, device.enqueueOps(0, new DmaOp[1], 1), "null op");
        final DmaOp noEntries = new DmaOp(0);
        noEntries.nbSrc = 1;
        noEntries.nbDst = 1;
        assertEquals(0, device.enqueueOps(0, new DmaOp[]{ noEntries }, 1), "op without SGE entries");
        assertDocumented(IllegalStateException.class, () -> noEntries.copy(region.iova(), region.iova(64), 8),
            "copy on an op without entries");
        final DmaOp nullEntry = good(region);
        nullEntry.src[0] = null;
        assertEquals(0, device.enqueueOps(0, new DmaOp[]{ nullEntry }, 1), "op with a null source entry");
        final DmaOp nullDstEntry = good(region);
        nullDstEntry.dst[0] = null;
        assertEquals(0, device.enqueueOps(0, new DmaOp[]{ nullDstEntry }, 1), "op with a null destination entry");
        final DmaOp zeroCount = good(region);
        zeroCount.nbSrc = 0;
        assertEquals(0, device.enqueueOps(0, new DmaOp[]{ zeroCount }, 1), "op with nbSrc 0");
        final DmaOp tooMany = good(region);
        tooMany.nbSrc = 5;
        assertEquals(0, device.enqueueOps(0, new DmaOp[]{ tooMany }, 1), "op with nbSrc beyond its array");
        final DmaOp badFlags = good(region);
        badFlags.flags = -1L;
        assertEquals(0, device.enqueueOps(0, new DmaOp[]{ badFlags }, 1), "op with unknown flags");
        assertDocumented(IllegalArgumentException.class, () -> new DmaOp(-1), "negative maxSges");

        final DmaOp first = good(region);
        assertEquals(1, device.enqueueOps(0, new DmaOp[]{ first, null, good(region) }, 3), "stops at the null op");
        assertEquals(1, device.enqueueOps(0, new DmaOp[]{ good(region) }, Integer.MAX_VALUE), "bounded by the array");
        device.engineInvoker().invoke();
        final DmaOp[] out = new DmaOp[1];
        assertEquals(1, device.dequeueOps(0, out, Integer.MAX_VALUE), "bounded by the array");
        assertSame(first, out[0]);
        assertEquals(DmaStatus.SUCCESSFUL, out[0].status);
        assertEquals(0, device.dequeueOps(0, null, 1), "null output");
        assertEquals(1, device.dequeueOps(0, new DmaOp[4], 4));
    }

    private static DmaOp good(final DmaRegion region)
    {
        return new DmaOp(2).copy(region.iova(), region.iova(128), 64);
    }

    @Test
    void shouldNameAnyErrnoWithoutThrowing()
    {
        for (final int code : new int[]{ 0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, -Errno.ENOSPC, 12345 })
        {
            assertNotNull(Errno.name(code));
            assertNotNull(Errno.errorString(code));
        }
        for (final int code : new int[]{ -1, 15, 0xFF, 0x100, Integer.MIN_VALUE, Integer.MAX_VALUE })
        {
            assertEquals(DmaStatus.ERROR_UNKNOWN, DmaStatus.of(code));
        }
        assertEquals("unknown", DmaCapability.name(0));
        assertEquals("unknown", DmaCapability.name(-1L));
        assertFalse(DmaCapability.names(-1L).isEmpty());
        assertEquals("", DmaCapability.names(0));
        assertNotNull(new DmaConf(Integer.MIN_VALUE, Long.MIN_VALUE).toString());
        assertNotNull(new DmaInfo().toString());
        assertNotNull(new DmaStats().toString());
        assertNotNull(new Completion().toString());
        assertNotNull(new DmaException(Integer.MIN_VALUE, "odd errno").getMessage());
        assertEquals(0, DmaException.check(0, "zero"));
        assertErrno(Errno.ENOSPC, () -> DmaException.check(-Errno.ENOSPC, "negative result"), "check");
    }
}
