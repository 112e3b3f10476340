package io.shmdma;

import io.shmdma.spi.DmaDriver;
import org.agrona.concurrent.AgentInvoker;

import java.io.PrintStream;
import java.util.UUID;

/**
 * One DMA device: the generic layer of {@code rte_dmadev.c}. Every control-plane call validates its
 * arguments and the device state with DPDK's error codes and throws a {@link DmaException} carrying the
 * errno; then it delegates to the {@link DmaDriver}. Data-path calls return a ring index, a count or a
 * negative errno, never throw and never allocate.
 * <p>
 * Thread safety, as in DPDK: the data path ({@code copy}, {@code copySg}, {@code fill}, {@code submit},
 * {@code completed}, {@code completedStatus}, {@code burstCapacity}, {@code enqueueOps}, {@code dequeueOps} and an
 * inline engine's {@code engineInvoker().invoke()}) is used by one thread at a time per device, with no lock; hand a
 * device to another thread only with a happens-before edge (a volatile write and read, a queue). The control plane
 * ({@code info}, {@code configure}, {@code vchanSetup}, {@code start}, {@code stop}, {@code close}, {@code stats},
 * {@code statsReset}, {@code vchanStatus}, {@code dump}, the access pair group calls) and {@link #id()},
 * {@link #name()}, {@link #isValid()}, {@link #isStarted()} are safe from any thread; configure, vchan setup, start,
 * stop and close must still not race with the data path, as in DPDK. Group event listeners are called on the
 * driver's event thread (for a shared-memory device, its domain's delivery thread), never on the caller's.
 */
public final class DmaDevice
{
    /** Every vchan, for stats ({@code RTE_DMA_ALL_VCHAN}). */
    public static final int ALL_VCHAN = 0xFFFF;

    private final int id;
    private final String name;
    private final DmaDriver driver;
    private final DmaConf conf = new DmaConf();
    private volatile boolean valid = true;
    private boolean started;

    DmaDevice(final int id, final String name, final DmaDriver driver)
    {
        this.id = id;
        this.name = name;
        this.driver = driver;
    }

    /**
     * The device id, local to this process.
     *
     * @return the id.
     */
    public int id()
    {
        return id;
    }

    /**
     * The unique name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The driver behind this device: the SPI object, not for applications (its calls skip every check of this
     * class).
     *
     * @return the driver.
     */
    DmaDriver driver()
    {
        return driver;
    }

    /**
     * Whether the device has been neither closed nor released ({@code rte_dma_is_valid}).
     *
     * @return true while usable.
     */
    public boolean isValid()
    {
        return valid;
    }

    /**
     * Whether the device is started.
     *
     * @return true between start and stop.
     */
    public synchronized boolean isStarted()
    {
        return started;
    }

    /**
     * The device information ({@code rte_dma_info_get}).
     *
     * @return a new info object.
     * @throws DmaException EINVAL for a closed device or an inconsistent driver.
     */
    public DmaInfo info()
    {
        final DmaInfo info = new DmaInfo();
        info(info);
        return info;
    }

    /**
     * Fills device information ({@code rte_dma_info_get}).
     *
     * @param info to be filled.
     * @throws DmaException EINVAL for a closed device, a null info or an inconsistent driver.
     */
    public synchronized void info(final DmaInfo info)
    {
        checkValid();
        if (info == null)
        {
            throw new DmaException(Errno.EINVAL, "info is null");
        }
        info.clear();
        DmaException.check(driver.infoGet(info), "device " + id + " info");
        if ((info.devCapa & DmaCapability.PRI_POLICY_SP) != 0 && info.nbPriorities <= 1)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + ": number of priorities must be > 1");
        }
        info.devName = name;
        info.numaNode = -1;
        info.nbVchans = conf.nbVchans;
    }

    /**
     * Configures the device ({@code rte_dma_configure}); again allowed while stopped.
     *
     * @param newConf the configuration.
     * @throws DmaException EINVAL for bad arguments, EBUSY while started.
     */
    public synchronized void configure(final DmaConf newConf)
    {
        checkValid();
        if (newConf == null)
        {
            throw new DmaException(Errno.EINVAL, "conf is null");
        }
        checkStopped("configuration");
        final DmaInfo info = infoOrEinval();
        if (newConf.nbVchans <= 0)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " configure zero vchans");
        }
        if (newConf.nbVchans > info.maxVchans)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " configure too many vchans: " +
                newConf.nbVchans + " > " + info.maxVchans);
        }
        if ((info.devCapa & DmaCapability.PRI_POLICY_SP) != 0)
        {
            if (newConf.priority < 0 || newConf.priority >= info.nbPriorities)
            {
                throw new DmaException(Errno.EINVAL, "device " + id + " configure invalid priority");
            }
        }
        else if (newConf.priority != 0)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " should not configure priority");
        }
        if ((newConf.flags & ~ConfFlags.VALID_MASK) != 0)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " configure invalid flags");
        }
        if ((newConf.flags & ConfFlags.SILENT) != 0 && (info.devCapa & DmaCapability.SILENT) == 0)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " does not support silent mode");
        }
        if ((newConf.flags & ConfFlags.ENQ_DEQ) != 0 && (info.devCapa & DmaCapability.OPS_ENQ_DEQ) == 0)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " does not support enqueue/dequeue");
        }
        DmaException.check(driver.configure(newConf.copy()), "device " + id + " configure");
        conf.nbVchans = newConf.nbVchans;
        conf.priority = newConf.priority;
        conf.flags = newConf.flags;
    }

    /**
     * A copy of the current configuration.
     *
     * @return the configuration; zero vchans before configure.
     */
    public synchronized DmaConf conf()
    {
        return conf.copy();
    }

    /**
     * Sets up a vchan ({@code rte_dma_vchan_setup}).
     *
     * @param vchan   0..nbVchans-1.
     * @param vchanConf the vchan configuration.
     * @throws DmaException EINVAL for bad arguments or capabilities, EBUSY while started.
     */
    public synchronized void vchanSetup(final int vchan, final VchanConf vchanConf)
    {
        checkValid();
        if (vchanConf == null)
        {
            throw new DmaException(Errno.EINVAL, "vchan conf is null");
        }
        checkStopped("configuration");
        checkVchanConf(vchanConf);
        final DmaInfo info = infoOrEinval();
        if (conf.nbVchans == 0)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " must be configured first");
        }
        if (vchan < 0 || vchan >= info.nbVchans)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " vchan " + vchan + " out of range");
        }
        if ((info.devCapa & vchanConf.direction.capability()) == 0)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " does not support " +
                DmaCapability.name(vchanConf.direction.capability()) + " transfer");
        }
        if (vchanConf.nbDesc < info.minDesc || vchanConf.nbDesc > info.maxDesc)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " number of descriptors invalid: " +
                vchanConf.nbDesc + " not in " + info.minDesc + ".." + info.maxDesc);
        }
        if (vchanConf.domain.type == InterDomainType.INTER_OS && (info.devCapa & DmaCapability.INTER_OS_DOMAIN) == 0)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " does not support inter os domain");
        }
        if (vchanConf.domain.type == InterDomainType.INTER_PROCESS &&
            (info.devCapa & DmaCapability.INTER_PROCESS_DOMAIN) == 0)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " does not support inter process domain");
        }
        DmaException.check(driver.vchanSetup(vchan, vchanConf), "device " + id + " vchan " + vchan + " setup");
    }

    private void checkVchanConf(final VchanConf vchanConf)
    {
        final Direction direction = vchanConf.direction;
        if (direction == null)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " direction invalid");
        }
        if (vchanConf.srcPort == null || vchanConf.srcPort.portType == null)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " source port type unsupported");
        }
        if ((vchanConf.srcPort.portType == PortType.NONE) == direction.sourceIsDevice())
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " source port type invalid");
        }
        if (vchanConf.dstPort == null || vchanConf.dstPort.portType == null)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " destination port type unsupported");
        }
        if ((vchanConf.dstPort.portType == PortType.NONE) == direction.destinationIsDevice())
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " destination port type invalid");
        }
        if (vchanConf.domain == null || vchanConf.domain.type == null)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " domain type invalid");
        }
        if (vchanConf.domain.type != InterDomainType.NONE && direction != Direction.MEM_TO_MEM)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " inter domain only supports mem-to-mem transfer");
        }
    }

    /**
     * Starts the device ({@code rte_dma_start}); ring indices start at 0. Starting a started device does nothing.
     *
     * @throws DmaException EINVAL when not configured, or the driver's errno.
     */
    public synchronized void start()
    {
        checkValid();
        if (conf.nbVchans == 0)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " must be configured first");
        }
        if (started)
        {
            return;
        }
        DmaException.check(driver.start(), "device " + id + " start");
        started = true;
    }

    /**
     * Stops the device ({@code rte_dma_stop}); submitted jobs are finished first. Stopping a stopped device does
     * nothing.
     *
     * @throws DmaException EINVAL for a closed device, or the driver's errno.
     */
    public synchronized void stop()
    {
        checkValid();
        if (!started)
        {
            return;
        }
        DmaException.check(driver.stop(), "device " + id + " stop");
        started = false;
    }

    /**
     * Closes the device and frees its id ({@code rte_dma_close}).
     *
     * @throws DmaException EINVAL when already closed, EBUSY while started, ENOTSUP if the driver cannot close.
     */
    public synchronized void close()
    {
        checkValid();
        if (started)
        {
            throw new DmaException(Errno.EBUSY, "device " + id + " must be stopped before closing");
        }
        DmaException.check(driver.close(), "device " + id + " close");
        valid = false;
        DmaDevices.release(this);
    }

    /**
     * Statistics of a vchan or all vchans ({@code rte_dma_stats_get}).
     *
     * @param vchan a configured vchan or {@link #ALL_VCHAN}.
     * @return a new stats object.
     * @throws DmaException EINVAL for a bad vchan.
     */
    public DmaStats stats(final int vchan)
    {
        final DmaStats stats = new DmaStats();
        stats(vchan, stats);
        return stats;
    }

    /**
     * Fills statistics of a vchan or all vchans ({@code rte_dma_stats_get}).
     *
     * @param vchan a configured vchan or {@link #ALL_VCHAN}.
     * @param stats to be filled.
     * @throws DmaException EINVAL for a bad vchan or null stats.
     */
    public synchronized void stats(final int vchan, final DmaStats stats)
    {
        checkValid();
        if (stats == null)
        {
            throw new DmaException(Errno.EINVAL, "stats is null");
        }
        checkStatsVchan(vchan);
        stats.clear();
        DmaException.check(driver.statsGet(vchan, stats), "device " + id + " stats");
    }

    /**
     * Resets statistics of a vchan or all vchans ({@code rte_dma_stats_reset}).
     *
     * @param vchan a configured vchan or {@link #ALL_VCHAN}.
     * @throws DmaException EINVAL for a bad vchan.
     */
    public synchronized void statsReset(final int vchan)
    {
        checkValid();
        checkStatsVchan(vchan);
        DmaException.check(driver.statsReset(vchan), "device " + id + " stats reset");
    }

    private void checkStatsVchan(final int vchan)
    {
        if ((vchan < 0 || vchan >= conf.nbVchans) && vchan != ALL_VCHAN)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " vchan " + vchan + " out of range");
        }
    }

    /**
     * Whether a vchan has work in flight ({@code rte_dma_vchan_status}).
     *
     * @param vchan a configured vchan.
     * @return the status.
     * @throws DmaException EINVAL for a bad vchan, ENOTSUP if the driver cannot tell.
     */
    public synchronized VchanStatus vchanStatus(final int vchan)
    {
        checkValid();
        if (vchan < 0 || vchan >= conf.nbVchans)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " vchan " + vchan + " out of range");
        }
        final VchanStatus status = driver.vchanStatus(vchan);
        if (status == null)
        {
            throw new DmaException(Errno.ENOTSUP, "device " + id + " cannot report vchan status");
        }
        return status;
    }

    /**
     * Prints the device state ({@code rte_dma_dump}), capabilities by DPDK's names.
     *
     * @param out where to print.
     * @throws DmaException EINVAL for a null stream or a closed device.
     */
    public synchronized void dump(final PrintStream out)
    {
        checkValid();
        if (out == null)
        {
            throw new DmaException(Errno.EINVAL, "output is null");
        }
        final DmaInfo info = infoOrEinval();
        out.printf("DMA Dev %d, '%s' [%s]%n", id, name, started ? "started" : "stopped");
        out.printf("  dev_capa: 0x%x - %s%n", info.devCapa, DmaCapability.names(info.devCapa));
        out.printf("  max_vchans_supported: %d%n", info.maxVchans);
        out.printf("  nb_vchans_configured: %d%n", info.nbVchans);
        out.printf("  silent_mode: %s%n", (conf.flags & ConfFlags.SILENT) != 0 ? "on" : "off");
        out.printf("  ops_mode: %s%n", (conf.flags & ConfFlags.ENQ_DEQ) != 0 ? "on" : "off");
        DmaException.check(driver.dump(out), "device " + id + " dump");
    }

    /**
     * Creates an access pair group ({@code rte_dma_access_pair_group_create}).
     *
     * @param domainId this process's domain.
     * @param token    the group's secret, to be passed to joiners out of band.
     * @param listener receives MEMBER_LEFT events; may be null.
     * @return the group id.
     * @throws DmaException EINVAL without an inter-domain capability or with null ids, else the driver's errno.
     */
    public int accessPairGroupCreate(final UUID domainId, final UUID token, final GroupEventListener listener)
    {
        checkInterDomain();
        if (domainId == null || token == null)
        {
            throw new DmaException(Errno.EINVAL, "domain id and token are required");
        }
        return DmaException.check(driver.accessPairGroupCreate(domainId, token, listener),
            "device " + id + " access pair group create");
    }

    /**
     * Destroys a group this device created, once no joiner remains ({@code rte_dma_access_pair_group_destroy}).
     *
     * @param groupId the group.
     * @throws DmaException EINVAL without an inter-domain capability, else the driver's errno.
     */
    public void accessPairGroupDestroy(final int groupId)
    {
        checkInterDomain();
        DmaException.check(driver.accessPairGroupDestroy(groupId),
            "device " + id + " access pair group " + groupId + " destroy");
    }

    /**
     * Joins a group ({@code rte_dma_access_pair_group_join}, with the joiner's own domain as upstream).
     *
     * @param domainId this process's domain.
     * @param token    the group's secret.
     * @param groupId  the group.
     * @param listener receives MEMBER_LEFT and GROUP_DESTROYED events; may be null.
     * @throws DmaException EINVAL without an inter-domain capability or with null ids, else the driver's errno.
     */
    public void accessPairGroupJoin(
        final UUID domainId, final UUID token, final int groupId, final GroupEventListener listener)
    {
        checkInterDomain();
        if (domainId == null || token == null)
        {
            throw new DmaException(Errno.EINVAL, "domain id and token are required");
        }
        DmaException.check(driver.accessPairGroupJoin(domainId, token, groupId, listener),
            "device " + id + " access pair group " + groupId + " join");
    }

    /**
     * Leaves a group this device joined ({@code rte_dma_access_pair_group_leave}).
     *
     * @param groupId the group.
     * @throws DmaException EINVAL without an inter-domain capability, else the driver's errno.
     */
    public void accessPairGroupLeave(final int groupId)
    {
        checkInterDomain();
        DmaException.check(driver.accessPairGroupLeave(groupId),
            "device " + id + " access pair group " + groupId + " leave");
    }

    /**
     * The handler of a member's domain, for {@link InterDomainParam} ({@code rte_dma_access_pair_group_handler_get}).
     *
     * @param groupId  the group.
     * @param domainId the member's domain.
     * @return the handler, 0..65535.
     * @throws DmaException EINVAL without an inter-domain capability or with a null id, else the driver's errno.
     */
    public int accessPairGroupHandlerGet(final int groupId, final UUID domainId)
    {
        checkInterDomain();
        if (domainId == null)
        {
            throw new DmaException(Errno.EINVAL, "domain id is required");
        }
        return DmaException.check(driver.accessPairGroupHandlerGet(groupId, domainId),
            "device " + id + " access pair group " + groupId + " handler get");
    }

    private void checkInterDomain()
    {
        final DmaInfo info;
        synchronized (this)
        {
            checkValid();
            info = infoOrEinval();
        }
        if ((info.devCapa & (DmaCapability.INTER_PROCESS_DOMAIN | DmaCapability.INTER_OS_DOMAIN)) == 0)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " doesn't support inter-process or inter-os domain");
        }
    }

    /**
     * The inline engine's invoker, when the device runs its engine inline: call {@code invoke()} to execute
     * submitted jobs on the calling thread.
     *
     * @return the invoker, or null while stopped or when the engine has its own thread.
     */
    public AgentInvoker engineInvoker()
    {
        return driver.engineInvoker();
    }

    /**
     * Enqueues a copy ({@code rte_dma_copy}).
     *
     * @param vchan  the vchan.
     * @param src    source IOVA.
     * @param dst    destination IOVA.
     * @param length bytes, unsigned, not 0.
     * @param flags  {@link OpFlags}.
     * @return the ring index 0..65535, {@code -ENOSPC} when the ring is full, or another negative errno.
     */
    public int copy(final int vchan, final long src, final long dst, final int length, final long flags)
    {
        return driver.copy(vchan, src, dst, length, flags);
    }

    /**
     * Enqueues a scatter-gather copy ({@code rte_dma_copy_sg}); the two lists must have equal total lengths.
     *
     * @param vchan the vchan.
     * @param src   source entries.
     * @param dst   destination entries.
     * @param nbSrc source entries used, 1..maxSges.
     * @param nbDst destination entries used, 1..maxSges.
     * @param flags {@link OpFlags}.
     * @return the ring index, or a negative errno.
     */
    public int copySg(
        final int vchan, final DmaSge[] src, final DmaSge[] dst, final int nbSrc, final int nbDst, final long flags)
    {
        return driver.copySg(vchan, src, dst, nbSrc, nbDst, flags);
    }

    /**
     * Enqueues a fill ({@code rte_dma_fill}): byte j of the destination becomes byte j % 8 of the pattern in
     * little-endian order.
     *
     * @param vchan   the vchan.
     * @param pattern the pattern.
     * @param dst     destination IOVA.
     * @param length  bytes, unsigned, not 0.
     * @param flags   {@link OpFlags}.
     * @return the ring index, or a negative errno.
     */
    public int fill(final int vchan, final long pattern, final long dst, final int length, final long flags)
    {
        return driver.fill(vchan, pattern, dst, length, flags);
    }

    /**
     * Rings the doorbell of a vchan ({@code rte_dma_submit}).
     *
     * @param vchan the vchan.
     * @return 0, or a negative errno.
     */
    public int submit(final int vchan)
    {
        return driver.submit(vchan);
    }

    /**
     * Gathers the run of successfully completed jobs, stopping at the first failed one ({@code rte_dma_completed}).
     *
     * @param vchan  the vchan.
     * @param nbCpls most jobs to report.
     * @param result receives last index and has-error; may be null.
     * @return the number of successful jobs.
     */
    public int completed(final int vchan, final int nbCpls, final Completion result)
    {
        return driver.completed(vchan, nbCpls, result);
    }

    /**
     * Gathers completed jobs with their status ({@code rte_dma_completed_status}).
     *
     * @param vchan  the vchan.
     * @param nbCpls most jobs to report.
     * @param result receives the last index; may be null.
     * @param status receives one status per job.
     * @return the number of jobs.
     */
    public int completedStatus(final int vchan, final int nbCpls, final Completion result, final DmaStatus[] status)
    {
        return driver.completedStatus(vchan, nbCpls, result, status);
    }

    /**
     * Free descriptors for the current burst ({@code rte_dma_burst_capacity}).
     *
     * @param vchan the vchan.
     * @return the capacity, 0 on error.
     */
    public int burstCapacity(final int vchan)
    {
        return driver.burstCapacity(vchan);
    }

    /**
     * Enqueues and submits operation objects ({@code rte_dma_enqueue_ops}); needs {@link ConfFlags#ENQ_DEQ}.
     *
     * @param vchan the vchan.
     * @param ops   the operations.
     * @param nbOps how many.
     * @return how many were enqueued.
     */
    public int enqueueOps(final int vchan, final DmaOp[] ops, final int nbOps)
    {
        return driver.enqueueOps(vchan, ops, nbOps);
    }

    /**
     * Dequeues completed operation objects with their status ({@code rte_dma_dequeue_ops}).
     *
     * @param vchan the vchan.
     * @param ops   receives the operations.
     * @param nbOps room in {@code ops}.
     * @return how many were dequeued.
     */
    public int dequeueOps(final int vchan, final DmaOp[] ops, final int nbOps)
    {
        return driver.dequeueOps(vchan, ops, nbOps);
    }

    private DmaInfo infoOrEinval()
    {
        final DmaInfo info = new DmaInfo();
        try
        {
            info(info);
        }
        catch (final DmaException ex)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " get device info failed", ex);
        }
        return info;
    }

    private void checkValid()
    {
        if (!valid)
        {
            throw new DmaException(Errno.EINVAL, "device " + id + " (" + name + ") is not valid (closed)");
        }
    }

    private void checkStopped(final String what)
    {
        if (started)
        {
            throw new DmaException(Errno.EBUSY, "device " + id + " must be stopped to allow " + what);
        }
    }

    @Override
    public String toString()
    {
        return "DmaDevice{id=" + id + ", name=" + name + '}';
    }
}
