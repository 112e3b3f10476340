package io.shmdma;

import io.shmdma.memory.DmaRegion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;

import static io.shmdma.DmaTestSupport.assertErrno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cases of DPDK's {@code app/test/test_dmadev_api.c} that apply to a memory-to-memory device, plus the
 * checks of the generic layer ({@code rte_dmadev.c}) they imply: every invalid argument and state is refused
 * with DPDK's errno. A subclass names the kind of device by {@link #newDeviceUnderTest()}.
 */
public abstract class AbstractDmaApiConformanceTest
{
    /** Bytes per buffer, {@code TEST_MEMCPY_SIZE}. */
    private static final int MEMCPY_SIZE = 1024;
    /** Most scatter-gather entries used, {@code TEST_SG_MAX}. */
    private static final int SG_MAX = 64;

    /** The fixture of this test. */
    protected DeviceUnderTest dut;
    /** A fresh, unconfigured device. */
    protected DmaDevice device;
    /** The device information before configuration. */
    protected DmaInfo info;

    /**
     * A new fixture for one test.
     *
     * @return the fixture.
     */
    protected abstract DeviceUnderTest newDeviceUnderTest();

    @BeforeEach
    void createDevice()
    {
        dut = newDeviceUnderTest();
        device = dut.create(DmaTestSupport.uniqueName("api"));
        info = device.info();
    }

    @AfterEach
    void closeFixture()
    {
        if (dut != null)
        {
            dut.close();
        }
    }

    @Test
    void shouldRejectInvalidDeviceIdsAndNames()
    {
        assertErrno(Errno.EINVAL, () -> DmaDevices.get(-1));
        assertErrno(Errno.EINVAL, () -> DmaDevices.get(DmaDevices.MAX_DEVICES));
        assertErrno(Errno.EINVAL, () -> DmaDevices.get(Integer.MIN_VALUE));
        assertErrno(Errno.EINVAL, () -> DmaDevices.idByName("invalid_dmadev_device"));
        assertErrno(Errno.EINVAL, () -> DmaDevices.idByName(null));
        assertErrno(Errno.EINVAL, () -> DmaDevices.idByName(""));

        assertEquals(device.id(), DmaDevices.idByName(device.name()));
        assertSame(device, DmaDevices.get(device.id()));
    }

    @Test
    void shouldTellValidDevices()
    {
        assertFalse(DmaDevices.isValid(-1));
        assertFalse(DmaDevices.isValid(DmaDevices.MAX_DEVICES));
        assertTrue(DmaDevices.isValid(device.id()));
        assertTrue(device.isValid());
        assertEquals(device.id(), DmaDevices.nextDev(device.id()));
    }

    @Test
    void shouldCountDevices()
    {
        final int count = DmaDevices.count();
        assertTrue(count > 0, "count " + count);

        final DmaDevice other = dut.create(DmaTestSupport.uniqueName("api-other"));
        assertEquals(count + 1, DmaDevices.count());
        assertNotEquals(device.id(), other.id());

        other.close();
        assertEquals(count, DmaDevices.count());
    }

    @Test
    void shouldReportInfo()
    {
        assertErrno(Errno.EINVAL, () -> device.info(null));

        assertEquals(device.name(), info.devName);
        assertEquals(0, info.nbVchans);
        assertTrue(info.maxVchans >= 1, info::toString);
        assertTrue(info.minDesc >= 1 && info.minDesc <= info.maxDesc, info::toString);
        assertTrue((info.devCapa & DmaCapability.MEM_TO_MEM) != 0, info::toString);
        assertTrue((info.devCapa & DmaCapability.OPS_COPY) != 0, info::toString);
        if ((info.devCapa & DmaCapability.OPS_COPY_SG) != 0)
        {
            assertTrue(info.maxSges >= 2, info::toString);
        }

        final DmaInfo reused = new DmaInfo();
        reused.devName = "junk";
        reused.nbVchans = 99;
        reused.devCapa = -1;
        device.info(reused);
        assertEquals(info.toString(), reused.toString());
    }

    @Test
    void shouldRejectInvalidConfigurations()
    {
        assertErrno(Errno.EINVAL, () -> device.configure(null));
        assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf()));
        assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(-1, 0)));
        assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(info.maxVchans + 1, 0)));

        for (int bit = 2; bit < 64; bit++)
        {
            final DmaConf conf = new DmaConf(info.maxVchans, 1L << bit);
            final DmaException ex = assertErrno(Errno.EINVAL, () -> device.configure(conf));
            assertTrue(ex.getMessage().contains("flags"), ex.getMessage());
        }
        if ((info.devCapa & DmaCapability.SILENT) == 0)
        {
            assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(info.maxVchans, ConfFlags.SILENT)));
        }
        if ((info.devCapa & DmaCapability.OPS_ENQ_DEQ) == 0)
        {
            assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(info.maxVchans, ConfFlags.ENQ_DEQ)));
        }
        if ((info.devCapa & DmaCapability.PRI_POLICY_SP) == 0)
        {
            final DmaConf conf = new DmaConf(info.maxVchans, 0);
            conf.priority = 1;
            assertErrno(Errno.EINVAL, () -> device.configure(conf));
            conf.priority = -1;
            assertErrno(Errno.EINVAL, () -> device.configure(conf));
        }
        assertEquals(0, device.info().nbVchans, "a refused configuration changes nothing");
        assertErrno(Errno.EINVAL, device::start);

        final DmaConf conf = new DmaConf(info.maxVchans, 0);
        device.configure(conf);
        assertEquals(conf.nbVchans, device.info().nbVchans);
        assertEquals(conf.toString(), device.conf().toString());

        assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(info.maxVchans + 1, 0)));
        assertEquals(conf.nbVchans, device.info().nbVchans, "a refused reconfiguration keeps the old one");
    }

    @Test
    void shouldAcceptSilentAndEnqueueDequeueModesWhenCapable()
    {
        assumeTrue((info.devCapa & DmaCapability.SILENT) != 0);
        device.configure(new DmaConf(1, ConfFlags.SILENT));
        assertEquals(ConfFlags.SILENT, device.conf().flags);
        assertTrue(dump().contains("silent_mode: on"), this::dump);

        assumeTrue((info.devCapa & DmaCapability.OPS_ENQ_DEQ) != 0);
        device.configure(new DmaConf(1, ConfFlags.ENQ_DEQ));
        assertEquals(ConfFlags.ENQ_DEQ, device.conf().flags);
        assertTrue(dump().contains("ops_mode: on"), this::dump);
        assertTrue(dump().contains("silent_mode: off"), this::dump);
    }

    @Test
    void shouldRejectInvalidVchanSetup()
    {
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, null));
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, new VchanConf()));
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, new VchanConf(info.minDesc)));

        final DmaConf conf = new DmaConf(info.maxVchans, 0);
        device.configure(conf);

        assertErrno(Errno.EINVAL, () -> device.vchanSetup(conf.nbVchans, new VchanConf(info.minDesc)));
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(-1, new VchanConf(info.minDesc)));
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0xFFFF, new VchanConf(info.minDesc)));

        // direction: missing, or one the device lacks, with ports left as memory (as DPDK's test) and matching
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, vchanConf(null, PortType.NONE, PortType.NONE)));
        for (final Direction direction : EnumSet.complementOf(EnumSet.of(Direction.MEM_TO_MEM)))
        {
            assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, vchanConf(direction, PortType.NONE, PortType.NONE)));
            if ((info.devCapa & direction.capability()) == 0)
            {
                final VchanConf matchingPorts = vchanConf(direction,
                    direction.sourceIsDevice() ? PortType.PCIE : PortType.NONE,
                    direction.destinationIsDevice() ? PortType.PCIE : PortType.NONE);
                final DmaException ex = assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, matchingPorts));
                assertTrue(ex.getMessage().contains(DmaCapability.name(direction.capability())), ex.getMessage());
            }
        }

        // nb_desc
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, new VchanConf(info.minDesc - 1)));
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, new VchanConf(info.maxDesc + 1)));
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, new VchanConf(0)));
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, new VchanConf(-1)));

        // ports
        assertErrno(Errno.EINVAL,
            () -> device.vchanSetup(0, vchanConf(Direction.MEM_TO_MEM, PortType.PCIE, PortType.NONE)));
        assertErrno(Errno.EINVAL,
            () -> device.vchanSetup(0, vchanConf(Direction.MEM_TO_MEM, PortType.NONE, PortType.PCIE)));
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, vchanConf(Direction.MEM_TO_MEM, null, PortType.NONE)));
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, vchanConf(Direction.MEM_TO_MEM, PortType.NONE, null)));
        final VchanConf nullSrcPort = new VchanConf(info.minDesc);
        nullSrcPort.srcPort = null;
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, nullSrcPort));
        final VchanConf nullDstPort = new VchanConf(info.minDesc);
        nullDstPort.dstPort = null;
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, nullDstPort));

        // domains
        final VchanConf nullDomain = new VchanConf(info.minDesc);
        nullDomain.domain = null;
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, nullDomain));
        final VchanConf nullDomainType = new VchanConf(info.minDesc);
        nullDomainType.domain.type = null;
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, nullDomainType));
        for (final InterDomainType type : Arrays.asList(InterDomainType.INTER_PROCESS, InterDomainType.INTER_OS))
        {
            final VchanConf toDevice = vchanConf(Direction.MEM_TO_DEV, PortType.NONE, PortType.PCIE);
            toDevice.domain = new InterDomainParam(type, 0, 0);
            final DmaException ex = assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, toDevice));
            assertTrue(ex.getMessage().contains("mem-to-mem"), ex.getMessage());
        }
        if ((info.devCapa & DmaCapability.INTER_PROCESS_DOMAIN) == 0)
        {
            final DmaException ex = assertErrno(Errno.EINVAL,
                () -> device.vchanSetup(0, VchanConf.interProcess(info.minDesc, 0, 0)));
            assertTrue(ex.getMessage().contains("inter process"), ex.getMessage());
        }
        if ((info.devCapa & DmaCapability.INTER_OS_DOMAIN) == 0)
        {
            final VchanConf interOs = new VchanConf(info.minDesc);
            interOs.domain = new InterDomainParam(InterDomainType.INTER_OS, 0, 0);
            final DmaException ex = assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, interOs));
            assertTrue(ex.getMessage().contains("inter os"), ex.getMessage());
        }

        device.vchanSetup(0, new VchanConf(info.minDesc));
        device.vchanSetup(conf.nbVchans - 1, new VchanConf(info.maxDesc));
        device.vchanSetup(0, new VchanConf(info.minDesc));
    }

    @Test
    void shouldRefuseStartWithoutConfigurationOrVchans()
    {
        assertErrno(Errno.EINVAL, device::start);
        assertFalse(device.isStarted());

        device.configure(new DmaConf(1, 0));
        assertErrno(Errno.EINVAL, device::start);
        assertFalse(device.isStarted());

        device.vchanSetup(0, new VchanConf(info.minDesc));
        device.start();
        assertTrue(device.isStarted());
        device.stop();
    }

    @Test
    void shouldRefuseChangesWhileStarted()
    {
        setupVchans(1, 0);
        device.start();
        assertTrue(device.isStarted());
        device.start();
        assertTrue(device.isStarted());

        assertErrno(Errno.EBUSY, () -> device.configure(new DmaConf()));
        assertErrno(Errno.EBUSY, () -> device.configure(new DmaConf(1, 0)));
        assertErrno(Errno.EBUSY, () -> device.vchanSetup(0, new VchanConf()));
        assertErrno(Errno.EBUSY, () -> device.vchanSetup(0, new VchanConf(info.minDesc)));
        assertErrno(Errno.EBUSY, device::close);
        assertTrue(device.isValid());

        device.stop();
        assertFalse(device.isStarted());
        device.stop();
        assertFalse(device.isStarted());

        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, new VchanConf(info.minDesc));
        device.start();
        device.stop();
        device.close();
        assertFalse(device.isValid());
    }

    @Test
    void shouldReconfigureWithDifferentVchanCounts()
    {
        assumeTrue(info.maxVchans >= 2, "at least two vchans required");
        final DmaRegion src = dut.memory().allocate(MEMCPY_SIZE);
        final DmaRegion dst = dut.memory().allocate(MEMCPY_SIZE);

        setupVchans(1, 0);
        device.start();
        device.stop();

        final int nbVchans = info.maxVchans - 1;
        setupVchans(nbVchans, 0);
        device.start();
        assertEquals(nbVchans, device.info().nbVchans);
        assertEquals(nbVchans, device.conf().nbVchans);

        final int last = nbVchans - 1;
        assertEquals(0, device.copy(last, src.iova(), dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT));
        dut.awaitEngine(device);
        assertEquals(1, device.completed(last, 1, null));
        assertTrue(device.copy(nbVchans, src.iova(), dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT) < 0);
        device.stop();

        setupVchans(1, 0);
        device.start();
        assertEquals(1, device.info().nbVchans);
        assertEquals(-Errno.EINVAL, device.copy(1, src.iova(), dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT));
        assertErrno(Errno.EINVAL, () -> device.stats(1));
        assertEquals(0, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT));
        dut.awaitEngine(device);
        assertEquals(1, device.completed(0, 1, null));
        device.stop();
    }

    @Test
    void shouldValidateStatsArguments()
    {
        assertErrno(Errno.EINVAL, () -> device.stats(0));
        assertErrno(Errno.EINVAL, () -> device.statsReset(0));

        setupVchans(1, 0);

        assertErrno(Errno.EINVAL, () -> device.stats(info.maxVchans));
        assertErrno(Errno.EINVAL, () -> device.stats(1));
        assertErrno(Errno.EINVAL, () -> device.stats(-1));
        assertErrno(Errno.EINVAL, () -> device.stats(DmaDevice.ALL_VCHAN - 1));
        assertErrno(Errno.EINVAL, () -> device.stats(0, null));
        assertErrno(Errno.EINVAL, () -> device.stats(DmaDevice.ALL_VCHAN, null));
        assertErrno(Errno.EINVAL, () -> device.statsReset(info.maxVchans));
        assertErrno(Errno.EINVAL, () -> device.statsReset(-1));

        final DmaStats stats = new DmaStats();
        stats.submitted = 7;
        device.stats(0, stats);
        assertEquals(new DmaStats().toString(), stats.toString());
        assertEquals(new DmaStats().toString(), device.stats(DmaDevice.ALL_VCHAN).toString());
        device.statsReset(0);
        device.statsReset(DmaDevice.ALL_VCHAN);
    }

    @Test
    void shouldDumpCapabilitiesByDpdkNames()
    {
        assertErrno(Errno.EINVAL, () -> device.dump(null));

        final String stopped = dump();
        assertTrue(stopped.contains("'" + device.name() + "'"), stopped);
        assertTrue(stopped.contains("[stopped]"), stopped);
        final String capabilities = stopped.lines()
            .filter((line) -> line.contains("dev_capa"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no dev_capa line in " + stopped));
        final List<String> names =
            Arrays.asList(capabilities.substring(capabilities.indexOf('-') + 1).trim().split(" "));
        for (final String name : Arrays.asList("mem2mem", "copy", "copy_sg", "fill", "handles_errors"))
        {
            assertTrue(names.contains(name), name + " missing from " + capabilities);
        }
        assertFalse(names.contains("unknown"), capabilities);
        assertTrue(capabilities.contains("0x" + Long.toHexString(info.devCapa)), capabilities);

        setupVchans(1, 0);
        device.start();
        final String started = dump();
        assertTrue(started.contains("[started]"), started);
        assertTrue(started.contains("nb_vchans_configured: 1"), started);
        assertTrue(started.contains("max_vchans_supported: " + info.maxVchans), started);
        device.stop();
    }

    @Test
    void shouldCompleteNothingBeforeSubmit()
    {
        final DmaRegion src = dut.memory().allocate(MEMCPY_SIZE);
        final DmaRegion dst = dut.memory().allocate(MEMCPY_SIZE);
        setupVchans(1, 0);
        device.start();

        final Completion completion = new Completion();
        completion.lastIdx = 1;
        completion.hasError = true;

        setupMemory(src, dst);
        assertEquals(0, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, 0));
        dut.awaitEngine(device);
        assertEquals(0, device.completed(0, 1, completion));
        DmaTestSupport.assertAllBytes("dst before submit", dst.buffer(), 0, MEMCPY_SIZE, (byte)0);

        assertEquals(0, device.submit(0));
        dut.awaitEngine(device);
        assertEquals(1, device.completed(0, 1, completion));
        assertEquals(0, completion.lastIdx);
        assertFalse(completion.hasError);
        verifyMemory(src, dst);

        setupMemory(src, dst);
        assertEquals(1, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT));
        dut.awaitEngine(device);
        assertEquals(1, device.completed(0, 1, completion));
        assertEquals(1, completion.lastIdx);
        assertFalse(completion.hasError);
        verifyMemory(src, dst);

        device.stop();
    }

    @Test
    void shouldReportCompletedStatus()
    {
        final DmaRegion src = dut.memory().allocate(MEMCPY_SIZE);
        final DmaRegion dst = dut.memory().allocate(MEMCPY_SIZE);
        setupVchans(1, 0);
        device.start();

        final DmaStatus[] status = { DmaStatus.USER_ABORT };
        final Completion completion = new Completion();
        completion.lastIdx = 1;

        assertEquals(0, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, 0));
        dut.awaitEngine(device);
        assertEquals(0, device.completedStatus(0, 1, completion, status), "nothing completes before submit");
        assertEquals(DmaStatus.USER_ABORT, status[0]);
        assertEquals(0, device.submit(0));
        dut.awaitEngine(device);
        assertEquals(1, device.completedStatus(0, 1, completion, status));
        assertEquals(0, completion.lastIdx);
        assertEquals(DmaStatus.SUCCESSFUL, status[0]);

        status[0] = DmaStatus.USER_ABORT;
        assertEquals(0, device.completedStatus(0, 1, completion, status));
        assertEquals(0, completion.lastIdx);

        assertEquals(1, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT));
        dut.awaitEngine(device);
        assertEquals(1, device.completedStatus(0, 1, completion, status));
        assertEquals(1, completion.lastIdx);
        assertEquals(DmaStatus.SUCCESSFUL, status[0]);

        assertEquals(0, device.completedStatus(0, 0, completion, status), "nb_cpls 0");
        assertEquals(0, device.completedStatus(0, 1, completion, null), "null status");
        device.stop();
    }

    @Test
    void shouldCopyScatterGather()
    {
        assumeTrue((info.devCapa & DmaCapability.OPS_COPY_SG) != 0);
        final int nbSge = Math.min(info.maxSges, SG_MAX);
        final DmaRegion[] srcs = allocate(nbSge, MEMCPY_SIZE);
        final DmaRegion[] dsts = allocate(nbSge, MEMCPY_SIZE);
        final DmaSge[] srcSges = new DmaSge[nbSge];
        final DmaSge[] dstSges = new DmaSge[nbSge];
        for (int i = 0; i < nbSge; i++)
        {
            srcSges[i] = new DmaSge(srcs[i].iova(), MEMCPY_SIZE);
            dstSges[i] = new DmaSge(dsts[i].iova(), MEMCPY_SIZE);
        }
        setupVchans(1, 0);
        device.start();
        final Completion completion = new Completion();
        completion.lastIdx = -1;
        completion.hasError = true;

        sgMemorySetup(srcs, dsts);
        assertEquals(0, device.copySg(0, srcSges, dstSges, nbSge, nbSge, 0));
        dut.awaitEngine(device);
        assertEquals(0, device.completed(0, 1, completion));
        assertEquals(0, device.submit(0));
        dut.awaitEngine(device);
        assertEquals(1, device.completed(0, 1, completion));
        assertEquals(0, completion.lastIdx);
        assertFalse(completion.hasError);
        sgMemoryVerify(srcs, dsts);

        sgMemorySetup(srcs, dsts);
        assertEquals(1, device.copySg(0, srcSges, dstSges, nbSge, nbSge, OpFlags.SUBMIT));
        dut.awaitEngine(device);
        assertEquals(1, device.completed(0, 1, completion));
        assertEquals(1, completion.lastIdx);
        assertFalse(completion.hasError);
        sgMemoryVerify(srcs, dsts);

        device.stop();
    }

    @Test
    void shouldEnqueueAndDequeueOps()
    {
        assumeTrue((info.devCapa & DmaCapability.OPS_ENQ_DEQ) != 0);
        final int nbSge = Math.min(info.maxSges, SG_MAX);
        final DmaRegion[] srcs = allocate(nbSge, MEMCPY_SIZE);
        final DmaRegion[] dsts = allocate(nbSge, MEMCPY_SIZE);
        setupVchans(1, ConfFlags.ENQ_DEQ);
        device.start();

        final DmaOp op = new DmaOp(nbSge);
        for (int i = 0; i < nbSge; i++)
        {
            op.src[i].set(srcs[i].iova(), MEMCPY_SIZE);
            op.dst[i].set(dsts[i].iova(), MEMCPY_SIZE);
        }
        op.nbSrc = nbSge;
        op.nbDst = nbSge;
        op.userMeta = 0xCAFE_F00DL;
        op.status = DmaStatus.ERROR_UNKNOWN;
        sgMemorySetup(srcs, dsts);

        assertEquals(1, device.enqueueOps(0, new DmaOp[]{ op }, 1));
        dut.awaitEngine(device);
        final DmaOp[] dequeued = new DmaOp[1];
        assertEquals(1, device.dequeueOps(0, dequeued, 1));
        assertSame(op, dequeued[0]);
        assertEquals(DmaStatus.SUCCESSFUL, op.status);
        assertEquals(0xCAFE_F00DL, op.userMeta);
        sgMemoryVerify(srcs, dsts);
        assertEquals(0, device.dequeueOps(0, dequeued, 1));

        device.stop();
    }

    @Test
    void shouldRefuseAccessPairGroupsWithoutInterDomainCapability()
    {
        assumeTrue((info.devCapa & (DmaCapability.INTER_PROCESS_DOMAIN | DmaCapability.INTER_OS_DOMAIN)) == 0);
        final UUID domain = UUID.randomUUID();
        final UUID token = UUID.randomUUID();

        assertErrno(Errno.EINVAL, () -> device.accessPairGroupCreate(domain, token, null));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupDestroy(0));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupJoin(domain, token, 0, null));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupLeave(0));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupHandlerGet(0, domain));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupCreate(null, null, null));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupHandlerGet(0, null));
    }

    @Test
    void shouldRejectDataPathCallsBeforeStart()
    {
        final DmaRegion src = dut.memory().allocate(MEMCPY_SIZE);
        final DmaRegion dst = dut.memory().allocate(MEMCPY_SIZE);
        assertDataPathUnusable(src, dst);
        setupVchans(1, 0);
        assertDataPathUnusable(src, dst);

        device.start();
        assertEquals(0, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT));
        device.stop();
        assertDataPathUnusable(src, dst);
    }

    @Test
    void shouldValidateDataPathArguments()
    {
        final DmaRegion src = dut.memory().allocate(MEMCPY_SIZE);
        final DmaRegion dst = dut.memory().allocate(MEMCPY_SIZE);
        setupVchans(1, 0);
        device.start();
        final int capacity = device.burstCapacity(0);
        assertEquals(info.minDesc, capacity);

        assertEquals(-Errno.EINVAL, device.copy(0, src.iova(), dst.iova(), 0, 0));
        assertEquals(-Errno.EINVAL, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, OpFlags.AUTO_FREE));
        assertEquals(-Errno.EINVAL, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, 1L << 4));
        assertEquals(-Errno.EINVAL, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, 1L << 63));
        assertEquals(-Errno.EINVAL, device.copy(-1, src.iova(), dst.iova(), MEMCPY_SIZE, 0));
        assertEquals(-Errno.EINVAL, device.copy(1, src.iova(), dst.iova(), MEMCPY_SIZE, 0));
        assertEquals(-Errno.EINVAL, device.copy(DmaDevice.ALL_VCHAN, src.iova(), dst.iova(), MEMCPY_SIZE, 0));
        assertEquals(-Errno.EINVAL, device.fill(0, 0x1234L, dst.iova(), 0, 0));
        assertEquals(-Errno.EINVAL, device.fill(0, 0x1234L, dst.iova(), MEMCPY_SIZE, 1L << 40));
        assertEquals(-Errno.EINVAL, device.fill(1, 0x1234L, dst.iova(), MEMCPY_SIZE, 0));
        assertEquals(-Errno.EINVAL, device.submit(1));
        assertEquals(-Errno.EINVAL, device.submit(-1));
        assertEquals(0, device.completed(1, 1, null));
        assertEquals(0, device.completedStatus(1, 1, null, new DmaStatus[1]));
        assertEquals(0, device.burstCapacity(1));
        assertEquals(0, device.enqueueOps(0, new DmaOp[]{ new DmaOp(1).copy(src.iova(), dst.iova(), 8) }, 1),
            "enqueue ops without ENQ_DEQ mode");
        assertEquals(0, device.dequeueOps(0, new DmaOp[1], 1));

        if ((info.devCapa & DmaCapability.OPS_COPY_SG) != 0)
        {
            final DmaSge[] one = { new DmaSge(src.iova(), MEMCPY_SIZE) };
            final DmaSge[] other = { new DmaSge(dst.iova(), MEMCPY_SIZE) };
            final DmaSge[] tooMany = new DmaSge[info.maxSges + 1];
            for (int i = 0; i < tooMany.length; i++)
            {
                tooMany[i] = new DmaSge(dst.iova(), 1);
            }
            assertEquals(-Errno.EINVAL, device.copySg(0, null, other, 1, 1, 0));
            assertEquals(-Errno.EINVAL, device.copySg(0, one, null, 1, 1, 0));
            assertEquals(-Errno.EINVAL, device.copySg(0, one, other, 0, 1, 0));
            assertEquals(-Errno.EINVAL, device.copySg(0, one, other, 1, 0, 0));
            assertEquals(-Errno.EINVAL, device.copySg(0, one, other, 2, 1, 0), "more entries than the array");
            assertEquals(-Errno.EINVAL, device.copySg(0, one, other, 1, -1, 0));
            assertEquals(-Errno.EINVAL, device.copySg(0, one, tooMany, 1, tooMany.length, 0));
            assertEquals(-Errno.EINVAL, device.copySg(0, one, new DmaSge[1], 1, 1, 0), "null entry");
            assertEquals(-Errno.EINVAL, device.copySg(0, one, other, 1, 1, OpFlags.AUTO_FREE));
            assertEquals(-Errno.EINVAL, device.copySg(1, one, other, 1, 1, 0));
        }
        assertEquals(capacity, device.burstCapacity(0), "a refused job takes no descriptor");

        for (int i = 0; i < capacity; i++)
        {
            assertEquals(i, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, 0), "a refused job takes no index");
        }
        assertEquals(0, device.burstCapacity(0));
        assertEquals(-Errno.ENOSPC, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT));
        assertEquals(-Errno.ENOSPC, device.fill(0, 0L, dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT));
        assertEquals(0, device.submit(0));
        dut.awaitEngine(device);
        final Completion completion = new Completion();
        assertEquals(capacity, device.completed(0, capacity + 10, completion));
        assertEquals(capacity - 1, completion.lastIdx);
        assertEquals(capacity, device.burstCapacity(0));
        assertEquals(capacity, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT));
        dut.awaitEngine(device);
        assertEquals(1, device.completed(0, 0xFFFF, completion));
        assertEquals(0, device.completed(0, 0, completion), "nb_cpls 0");
        assertEquals(0, device.completed(0, -1, completion), "nb_cpls negative");
        device.stop();
    }

    @Test
    void shouldRejectEveryCallAfterClose()
    {
        final DmaRegion src = dut.memory().allocate(MEMCPY_SIZE);
        final DmaRegion dst = dut.memory().allocate(MEMCPY_SIZE);
        setupVchans(1, 0);
        device.start();
        assertEquals(0, device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT));
        device.stop();
        final int id = device.id();
        final String name = device.name();
        device.close();

        assertFalse(device.isValid());
        assertFalse(DmaDevices.isValid(id));
        assertErrno(Errno.EINVAL, () -> DmaDevices.get(id));
        assertErrno(Errno.EINVAL, () -> DmaDevices.idByName(name));

        final UUID uuid = UUID.randomUUID();
        assertErrno(Errno.EINVAL, device::info);
        assertErrno(Errno.EINVAL, () -> device.info(new DmaInfo()));
        assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(1, 0)));
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, new VchanConf(info.minDesc)));
        assertErrno(Errno.EINVAL, device::start);
        assertErrno(Errno.EINVAL, device::stop);
        assertErrno(Errno.EINVAL, device::close);
        assertErrno(Errno.EINVAL, () -> device.stats(0));
        assertErrno(Errno.EINVAL, () -> device.stats(DmaDevice.ALL_VCHAN));
        assertErrno(Errno.EINVAL, () -> device.statsReset(DmaDevice.ALL_VCHAN));
        assertErrno(Errno.EINVAL, () -> device.vchanStatus(0));
        assertErrno(Errno.EINVAL,
            () -> device.dump(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupCreate(uuid, uuid, null));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupDestroy(0));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupJoin(uuid, uuid, 0, null));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupLeave(0));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupHandlerGet(0, uuid));

        assertDataPathUnusable(src, dst);

        final DmaDevice again = dut.create(name);
        assertTrue(again.isValid());
        assertEquals(name, again.name());
    }

    private void assertDataPathUnusable(final DmaRegion src, final DmaRegion dst)
    {
        final DmaSge[] srcSges = { new DmaSge(src.iova(), MEMCPY_SIZE) };
        final DmaSge[] dstSges = { new DmaSge(dst.iova(), MEMCPY_SIZE) };
        final DmaStatus[] status = new DmaStatus[4];
        final Completion completion = new Completion();
        assertTrue(device.copy(0, src.iova(), dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT) < 0);
        assertTrue(device.copySg(0, srcSges, dstSges, 1, 1, OpFlags.SUBMIT) < 0);
        assertTrue(device.fill(0, 0x55L, dst.iova(), MEMCPY_SIZE, OpFlags.SUBMIT) < 0);
        assertTrue(device.submit(0) < 0);
        assertEquals(0, device.completed(0, 4, completion));
        assertFalse(completion.hasError);
        assertEquals(0, device.completedStatus(0, 4, completion, status));
        assertArrayEquals(new DmaStatus[4], status);
        assertEquals(0, device.burstCapacity(0));
        assertEquals(0, device.enqueueOps(0, new DmaOp[]{ new DmaOp(1).copy(src.iova(), dst.iova(), 8) }, 1));
        assertEquals(0, device.dequeueOps(0, new DmaOp[1], 1));
    }

    /**
     * Configures {@code nbVchans} vchans of the fewest descriptors, as DPDK's {@code setup_vchan}.
     *
     * @param nbVchans vchans.
     * @param flags    {@link ConfFlags}.
     */
    protected void setupVchans(final int nbVchans, final long flags)
    {
        device.configure(new DmaConf(nbVchans, flags));
        for (int i = 0; i < nbVchans; i++)
        {
            device.vchanSetup(i, new VchanConf(info.minDesc));
        }
    }

    private VchanConf vchanConf(final Direction direction, final PortType srcPort, final PortType dstPort)
    {
        final VchanConf conf = new VchanConf(info.minDesc);
        conf.direction = direction;
        conf.srcPort = new PortParam(srcPort);
        conf.dstPort = new PortParam(dstPort);
        return conf;
    }

    private String dump()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            device.dump(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private DmaRegion[] allocate(final int count, final int length)
    {
        final DmaRegion[] regions = new DmaRegion[count];
        for (int i = 0; i < count; i++)
        {
            regions[i] = dut.memory().allocate(length);
            assertNotNull(regions[i]);
        }
        return regions;
    }

    private static void setupMemory(final DmaRegion src, final DmaRegion dst)
    {
        setupMemory(src, dst, 0);
    }

    private static void setupMemory(final DmaRegion src, final DmaRegion dst, final int seed)
    {
        for (int i = 0; i < MEMCPY_SIZE; i++)
        {
            src.buffer().putByte(i, (byte)(i + seed));
        }
        dst.buffer().setMemory(0, MEMCPY_SIZE, (byte)0);
    }

    private static void verifyMemory(final DmaRegion src, final DmaRegion dst)
    {
        DmaTestSupport.assertSameBytes("copy", src.buffer(), 0, dst.buffer(), 0, MEMCPY_SIZE);
    }

    private static void sgMemorySetup(final DmaRegion[] srcs, final DmaRegion[] dsts)
    {
        for (int i = 0; i < srcs.length; i++)
        {
            setupMemory(srcs[i], dsts[i], 37 * i);
        }
    }

    private static void sgMemoryVerify(final DmaRegion[] srcs, final DmaRegion[] dsts)
    {
        for (int i = 0; i < srcs.length; i++)
        {
            DmaTestSupport.assertSameBytes("segment " + i, srcs[i].buffer(), 0, dsts[i].buffer(), 0, MEMCPY_SIZE);
        }
    }
}
