package io.shmdma.engine;

import io.shmdma.Completion;
import io.shmdma.ConfFlags;
import io.shmdma.DmaCapability;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaInfo;
import io.shmdma.DmaOp;
import io.shmdma.DmaSge;
import io.shmdma.DmaStats;
import io.shmdma.DmaStatus;
import io.shmdma.Errno;
import io.shmdma.InterDomainType;
import io.shmdma.VchanConf;
import io.shmdma.VchanStatus;
import io.shmdma.memory.DomainEndpoint;
import io.shmdma.memory.DomainMemory;
import io.shmdma.ring.DescriptorRing;
import io.shmdma.ring.RingDescriptor;
import io.shmdma.spi.DmaDriver;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AtomicBuffer;

import java.io.PrintStream;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A driver whose "hardware" is a {@link CopyEngine}: descriptor rings per vchan and one engine agent per
 * device. Subclasses say where ring memory lives and how inter-domain handlers resolve; everything else
 * (the data path, start/stop, stats) is here.
 * <p>
 * Errors reach {@link #onError(Throwable)}, which subclasses override to route them to an operator: every
 * error the engine agent throws, and once per halt each ring found forged or corrupt (see
 * {@link DescriptorRing}). A ring halted on the data path is reported by the next control call on the device
 * (vchan status, stats, stop, start, dump, close) or by {@link #reportHaltedRings()}, never by the data path
 * itself, which neither allocates nor locks.
 */
public abstract class SoftwareDmaDriver implements DmaDriver
{
    /** Most vchans per device. */
    public static final int MAX_VCHANS = 16;
    /** Fewest descriptors per vchan. */
    public static final int MIN_DESC = 32;
    /** Most descriptors per vchan. */
    public static final int MAX_DESC = 8192;
    /** Most scatter-gather entries per side. */
    public static final int MAX_SGES = 16;
    /** Capabilities of every software device. */
    public static final long BASE_CAPABILITIES = DmaCapability.MEM_TO_MEM | DmaCapability.HANDLES_ERRORS |
        DmaCapability.SILENT | DmaCapability.OPS_COPY | DmaCapability.OPS_COPY_SG | DmaCapability.OPS_FILL |
        DmaCapability.OPS_ENQ_DEQ;

    private static final DescriptorRing[] NO_RINGS = new DescriptorRing[0];

    private final DomainMemory localMemory;
    private final EngineThreading threading;
    private final AtomicLong engineErrors = new AtomicLong();
    private final AtomicLong ringErrors = new AtomicLong();
    private final ErrorHandler engineErrorHandler = this::onEngineError;
    private volatile Throwable lastEngineError;
    private String name = "dma";
    private DmaConf conf = new DmaConf();
    private DescriptorRing[] rings = NO_RINGS;
    /** Counts of rings a start replaced, since the last stats reset, by vchan. */
    private DmaStats[] carriedStats = new DmaStats[0];
    private DomainEndpoint[][] endpoints = new DomainEndpoint[0][];
    private volatile DescriptorRing[] activeRings = NO_RINGS;
    private boolean opsMode;
    private CopyEngine engine;
    private RemoteEngine remote;
    private AgentRunner runner;
    private volatile AgentInvoker invoker;

    /**
     * @param localMemory this domain's DMA-able memory, where local addresses resolve.
     * @param threading   how the engine runs.
     * @throws IllegalArgumentException when either is null.
     */
    protected SoftwareDmaDriver(final DomainMemory localMemory, final EngineThreading threading)
    {
        if (localMemory == null || threading == null)
        {
            throw new IllegalArgumentException("local memory and threading are required");
        }
        this.localMemory = localMemory;
        this.threading = threading;
    }

    /**
     * Capability bits beyond {@link #BASE_CAPABILITIES}.
     *
     * @return extra bits, e.g. {@link DmaCapability#INTER_PROCESS_DOMAIN}.
     */
    protected abstract long extraCapabilities();

    /**
     * Memory for a vchan's ring.
     *
     * @param vchan  the vchan.
     * @param length bytes needed.
     * @return an aligned buffer of at least {@code length} bytes.
     * @throws io.shmdma.DmaException (for example ENOSPC) when the memory cannot be had; it reaches the caller of
     *                                vchan setup unchanged, and the vchan is left not set up.
     */
    protected abstract AtomicBuffer ringBuffer(int vchan, int length);

    /**
     * New memory for a vchan's ring at a start that hands the rings to a {@link #remoteEngine()}: when given, the
     * ring is made again in it (a restart does the same to a ring in place: indices from 0, nothing left to gather;
     * its stats carry over), so the remote engine can be handed memory that no process had reached before.
     *
     * @param vchan  the vchan.
     * @param length bytes needed.
     * @return an aligned buffer of at least {@code length} bytes, or null (the default) to restart the ring in place.
     * @throws io.shmdma.DmaException when the memory cannot be had; it reaches the caller of start unchanged, and
     *                                the device stays stopped.
     */
    protected AtomicBuffer remoteRingBuffer(final int vchan, final int length)
    {
        return null;
    }

    /**
     * The endpoint an inter-process handler names, checked at vchan setup.
     *
     * @param handler the handler.
     * @return the endpoint, or null when this device may not use the handler.
     */
    protected DomainEndpoint interProcessEndpoint(final int handler)
    {
        return null;
    }

    /**
     * The buffer of a vchan's ring as set up, for a subclass's diagnostics.
     *
     * @param vchan the vchan.
     * @return the buffer, or null when the vchan has no ring.
     */
    protected final AtomicBuffer ringBufferOf(final int vchan)
    {
        final DescriptorRing[] current = rings;
        return vchan >= 0 && vchan < current.length && current[vchan] != null ? current[vchan].buffer() : null;
    }

    /**
     * The engine of another process that serves this device's rings once started, instead of an engine agent of
     * this driver (driver mode). Asked at each start.
     *
     * @return the remote engine, or null (the default) to run this driver's own engine.
     */
    protected RemoteEngine remoteEngine()
    {
        return null;
    }

    /**
     * This domain's memory.
     *
     * @return the local memory.
     */
    public DomainMemory localMemory()
    {
        return localMemory;
    }

    /**
     * The device name, for thread names.
     *
     * @param name the name.
     */
    protected void name(final String name)
    {
        this.name = name;
    }

    @Override
    public int infoGet(final DmaInfo info)
    {
        info.devCapa = BASE_CAPABILITIES | extraCapabilities();
        info.maxVchans = MAX_VCHANS;
        info.minDesc = MIN_DESC;
        info.maxDesc = MAX_DESC;
        info.maxSges = MAX_SGES;
        return 0;
    }

    @Override
    public int configure(final DmaConf newConf)
    {
        conf = newConf;
        opsMode = (newConf.flags & ConfFlags.ENQ_DEQ) != 0;
        rings = new DescriptorRing[newConf.nbVchans];
        carriedStats = new DmaStats[newConf.nbVchans];
        endpoints = new DomainEndpoint[newConf.nbVchans][];
        return 0;
    }

    @Override
    public int vchanSetup(final int vchan, final VchanConf vchanConf)
    {
        final DomainEndpoint source;
        final DomainEndpoint destination;
        if (vchanConf.domain.type == InterDomainType.INTER_PROCESS)
        {
            source = interProcessEndpoint(vchanConf.domain.srcHandler);
            destination = interProcessEndpoint(vchanConf.domain.dstHandler);
            if (source == null || destination == null)
            {
                return -Errno.EINVAL;
            }
        }
        else
        {
            source = this::localMemory;
            destination = source;
        }
        // forget the old ring first: ringBuffer may release (unmap) it and then fail to make a new one
        rings[vchan] = null;
        endpoints[vchan] = null;
        final int capacity = org.agrona.BitUtil.findNextPositivePowerOfTwo(vchanConf.nbDesc);
        final AtomicBuffer buffer = ringBuffer(vchan, RingDescriptor.ringLength(capacity, MAX_SGES));
        rings[vchan] = new DescriptorRing(buffer, vchanConf.nbDesc, MAX_SGES,
            (conf.flags & ConfFlags.SILENT) != 0, opsMode);
        carriedStats[vchan] = null;
        endpoints[vchan] = new DomainEndpoint[]{ source, destination };
        return 0;
    }

    @Override
    public int start()
    {
        for (final DescriptorRing ring : rings)
        {
            if (ring == null)
            {
                return -Errno.EINVAL;
            }
        }
        if (remoteEngine() != null)
        {
            return startRemote(remoteEngine());
        }
        final org.agrona.concurrent.IdleStrategy idleStrategy = threading.isInline() ?
            null : threading.newIdleStrategy();
        reportHaltedRings();
        engine = new CopyEngine("shmdma-engine-" + name, this::report);
        for (int i = 0; i < rings.length; i++)
        {
            rings[i].restart();
            engine.addVchan(rings[i].buffer(), endpoints[i][0], endpoints[i][1]);
        }
        if (threading.isInline())
        {
            final AgentInvoker newInvoker = new AgentInvoker(engineErrorHandler, null, engine);
            newInvoker.start();
            invoker = newInvoker;
        }
        else
        {
            runner = new AgentRunner(new BusErrorGuard(idleStrategy, this::report), engineErrorHandler, null, engine);
            final ThreadFactory threadFactory = threading.threadFactory();
            try
            {
                if (threadFactory == null)
                {
                    AgentRunner.startOnThread(runner);
                }
                else
                {
                    AgentRunner.startOnThread(runner, threadFactory);
                }
            }
            catch (final RuntimeException ex)
            {
                runner = null;
                engine = null;
                throw ex; // a thread factory that failed: the device stays stopped
            }
        }
        activeRings = rings;
        return 0;
    }

    /**
     * Restarts the rings, or makes them again in new memory ({@link #remoteRingBuffer}), and hands them to another
     * process's engine; they become usable once it took them.
     */
    private int startRemote(final RemoteEngine remoteEngine)
    {
        reportHaltedRings();
        for (int i = 0; i < rings.length; i++)
        {
            final DescriptorRing ring = rings[i];
            final AtomicBuffer renewed = remoteRingBuffer(i, RingDescriptor.ringLength(ring.capacity(), MAX_SGES));
            if (renewed == null)
            {
                ring.restart();
            }
            else
            {
                final DmaStats carried = carriedStats[i] == null ? new DmaStats() : carriedStats[i];
                ring.addStats(carried);
                carriedStats[i] = carried;
                rings[i] = new DescriptorRing(renewed, ring.nbDesc(), MAX_SGES, (conf.flags & ConfFlags.SILENT) != 0,
                    opsMode);
            }
        }
        final int result = remoteEngine.attach(rings);
        if (result == 0)
        {
            remote = remoteEngine;
            activeRings = rings;
        }
        return result;
    }

    @Override
    public int stop()
    {
        activeRings = NO_RINGS;
        final RemoteEngine oldRemote = remote;
        remote = null;
        if (oldRemote != null)
        {
            oldRemote.detach();
            reportHaltedRings();
            return 0;
        }
        final AgentInvoker oldInvoker = invoker;
        invoker = null;
        CloseHelper.quietClose(oldInvoker);
        CloseHelper.quietClose(runner);
        runner = null;
        drain(engine);
        engine = null;
        reportHaltedRings();
        return 0;
    }

    /**
     * Runs the stopped engine until it has nothing left, or has done more jobs than the rings can hold (a ring
     * whose submit stamps are being forged would otherwise keep it busy for ever). An error goes to the handler.
     */
    private void drain(final CopyEngine stoppedEngine)
    {
        long budget = 0;
        for (final DescriptorRing ring : rings)
        {
            budget += ring == null ? 0 : ring.capacity();
        }
        long done = 0;
        int work;
        do
        {
            try
            {
                work = stoppedEngine.doWork();
            }
            catch (final Throwable ex)
            {
                onEngineError(ex);
                work = 0;
            }
            done += work;
        }
        while (work > 0 && done <= budget);
    }

    @Override
    public int close()
    {
        reportHaltedRings();
        rings = NO_RINGS;
        endpoints = new DomainEndpoint[0][];
        return 0;
    }

    @Override
    public AgentInvoker engineInvoker()
    {
        return invoker;
    }

    private void onEngineError(final Throwable error)
    {
        engineErrors.incrementAndGet();
        lastEngineError = error;
        report(error);
    }

    /**
     * The handler the engine agent's runner (or invoker) reports its errors to: counts them in
     * {@link #engineErrors()} (a vchan with jobs left then reports {@link VchanStatus#HALTED_ERROR}) and passes them
     * to {@link #onError(Throwable)}. Any thread.
     *
     * @return the handler.
     */
    public ErrorHandler engineErrorHandler()
    {
        return engineErrorHandler;
    }

    /**
     * Receives each engine agent error, and one error per halt of each ring found forged or corrupt, on the
     * thread that reports it (the engine thread, or a thread making a control call). Override to route errors
     * to an operator; the default prints one line to {@code System.err}. Must not throw, and may be called by
     * several threads at once.
     *
     * @param error the error.
     */
    protected void onError(final Throwable error)
    {
        System.err.println("shmdma: device " + name + ": " + error);
    }

    private void report(final Throwable error)
    {
        try
        {
            onError(error);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("shmdma: device " + name + ": error handler failed on " + error + ": " + ex);
        }
    }

    /**
     * Reports each ring that halted since it was last reported to {@link #onError(Throwable)}, once. Called by the
     * control calls of this driver; a process that makes none for a while (a conductor) may call it. Allocates.
     *
     * @return rings reported.
     */
    public int reportHaltedRings()
    {
        int reported = 0;
        final DescriptorRing[] current = rings;
        for (int vchan = 0; vchan < current.length; vchan++)
        {
            final DescriptorRing ring = current[vchan];
            final String report = ring == null ? null : ring.takeHaltReport();
            if (report != null)
            {
                ringErrors.incrementAndGet();
                reported++;
                report(new IllegalStateException("device " + name + " vchan " + vchan + ": " + report));
            }
        }
        return reported;
    }

    /**
     * Errors thrown inside the engine agent (a bug if ever non-zero).
     *
     * @return the count.
     */
    public long engineErrors()
    {
        return engineErrors.get();
    }

    /**
     * Rings found forged or corrupt and reported, once per halt.
     *
     * @return the count.
     */
    public long ringErrors()
    {
        return ringErrors.get();
    }

    /**
     * The last error thrown inside the engine agent.
     *
     * @return the error, or null.
     */
    public Throwable lastEngineError()
    {
        return lastEngineError;
    }

    private boolean engineAlive()
    {
        final RemoteEngine currentRemote = remote;
        if (currentRemote != null)
        {
            return currentRemote.isAlive();
        }
        final AgentRunner currentRunner = runner;
        if (currentRunner != null)
        {
            return !currentRunner.isClosed() && engineErrors.get() == 0;
        }
        final AgentInvoker currentInvoker = invoker;
        return currentInvoker != null && currentInvoker.isRunning();
    }

    @Override
    public int statsGet(final int vchan, final DmaStats stats)
    {
        final DescriptorRing[] current = rings;
        for (int i = 0; i < current.length; i++)
        {
            if ((vchan == DmaDevice.ALL_VCHAN || vchan == i) && current[i] != null)
            {
                current[i].addStats(stats);
                addCarried(i, stats);
            }
        }
        reportHaltedRings();
        return 0;
    }

    /** Adds the counts of the rings a start replaced on a vchan. */
    private void addCarried(final int vchan, final DmaStats stats)
    {
        final DmaStats[] current = carriedStats;
        final DmaStats carried = vchan < current.length ? current[vchan] : null;
        if (carried != null)
        {
            stats.submitted += carried.submitted;
            stats.completed += carried.completed;
            stats.errors += carried.errors;
        }
    }

    @Override
    public int statsReset(final int vchan)
    {
        for (int i = 0; i < rings.length; i++)
        {
            if ((vchan == DmaDevice.ALL_VCHAN || vchan == i) && rings[i] != null)
            {
                rings[i].resetStats();
                carriedStats[i] = null;
            }
        }
        reportHaltedRings();
        return 0;
    }

    @Override
    public VchanStatus vchanStatus(final int vchan)
    {
        final DescriptorRing[] current = rings;
        final DescriptorRing ring = vchan >= 0 && vchan < current.length ? current[vchan] : null;
        final VchanStatus status = ring == null ? VchanStatus.IDLE : ring.status(engineAlive());
        reportHaltedRings();
        return status;
    }

    @Override
    public int dump(final PrintStream out)
    {
        out.printf("  engine: %s, %s, errors %d, rings halted %d%n", threading, engine != null ? "running" : "stopped",
            engineErrors.get(), ringErrors.get());
        for (int i = 0; i < rings.length; i++)
        {
            if (rings[i] != null)
            {
                final DmaStats stats = new DmaStats();
                rings[i].addStats(stats);
                addCarried(i, stats);
                out.printf("  vchan %d: capacity %d, submitted %d, completed %d, errors %d%s%n",
                    i, rings[i].capacity(), stats.submitted, stats.completed, stats.errors,
                    rings[i].isHalted() ? ", HALTED (ring forged or corrupt)" : "");
            }
        }
        reportHaltedRings();
        return 0;
    }

    private DescriptorRing ring(final int vchan)
    {
        final DescriptorRing[] current = activeRings;
        return vchan >= 0 && vchan < current.length ? current[vchan] : null;
    }

    private DescriptorRing burstRing(final int vchan)
    {
        return opsMode ? null : ring(vchan);
    }

    @Override
    public int copy(final int vchan, final long src, final long dst, final int length, final long flags)
    {
        final DescriptorRing ring = burstRing(vchan);
        return ring == null ? -Errno.EINVAL : ring.copy(src, dst, length, flags);
    }

    @Override
    public int copySg(
        final int vchan, final DmaSge[] src, final DmaSge[] dst, final int nbSrc, final int nbDst, final long flags)
    {
        final DescriptorRing ring = burstRing(vchan);
        return ring == null ? -Errno.EINVAL : ring.copySg(src, dst, nbSrc, nbDst, flags);
    }

    @Override
    public int fill(final int vchan, final long pattern, final long dst, final int length, final long flags)
    {
        final DescriptorRing ring = burstRing(vchan);
        return ring == null ? -Errno.EINVAL : ring.fill(pattern, dst, length, flags);
    }

    @Override
    public int submit(final int vchan)
    {
        final DescriptorRing ring = burstRing(vchan);
        return ring == null ? -Errno.EINVAL : ring.submit();
    }

    @Override
    public int completed(final int vchan, final int nbCpls, final Completion result)
    {
        final DescriptorRing ring = burstRing(vchan);
        return ring == null ? 0 : ring.completed(nbCpls, result);
    }

    @Override
    public int completedStatus(final int vchan, final int nbCpls, final Completion result, final DmaStatus[] status)
    {
        final DescriptorRing ring = burstRing(vchan);
        return ring == null ? 0 : ring.completedStatus(nbCpls, result, status);
    }

    @Override
    public int burstCapacity(final int vchan)
    {
        final DescriptorRing ring = ring(vchan);
        return ring == null ? 0 : ring.burstCapacity();
    }

    @Override
    public int enqueueOps(final int vchan, final DmaOp[] ops, final int nbOps)
    {
        final DescriptorRing ring = opsMode ? ring(vchan) : null;
        return ring == null ? 0 : ring.enqueueOps(ops, nbOps);
    }

    @Override
    public int dequeueOps(final int vchan, final DmaOp[] ops, final int nbOps)
    {
        final DescriptorRing ring = opsMode ? ring(vchan) : null;
        return ring == null ? 0 : ring.dequeueOps(ops, nbOps);
    }

    /**
     * An engine in another process that executes a started device's rings (driver mode): the application
     * process then runs no engine thread. Called under the device's monitor, from control calls only.
     */
    public interface RemoteEngine
    {
        /**
         * Hands every vchan's ring, restarted, to the remote engine and returns once it serves them.
         *
         * @param rings the rings, by vchan.
         * @return 0, or a negative errno (nothing is served then).
         * @throws io.shmdma.DmaException with a message naming what is missing, e.g. no live driver.
         */
        int attach(DescriptorRing[] rings);

        /** Hands the rings back: returns once the remote engine finished the submitted jobs and let go, or is gone. */
        void detach();

        /**
         * Whether the remote engine still serves the rings (for {@code vchan_status}). Any thread.
         *
         * @return false once it is gone.
         */
        boolean isAlive();
    }
}
