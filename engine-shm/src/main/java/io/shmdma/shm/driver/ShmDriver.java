package io.shmdma.shm.driver;

import io.shmdma.engine.BusErrorGuard;
import io.shmdma.shm.ShmDomain;
import io.shmdma.shm.registry.Registry;
import io.shmdma.shm.registry.RegistryConfig;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingIdleStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shmdma driver: one process (or an object embedded in one, {@link #launch(DriverContext)}) that runs the
 * engines of every device opened in driver mode in a directory, as Aeron's media driver does for publications.
 * It owns {@code driver.shm} ({@link DriverFileDescriptor}), maps the control segment to resolve handlers and record
 * errors (it registers no domain), and maps a client's rings and the domain segments its vchans name only while it
 * serves them.
 * <p>
 * Threads: {@code shmdma-driver-conductor} takes and gives back vchans and watches clients;
 * {@code shmdma-driver-engine-<n>} (one per engine thread) runs the vchans given to it; {@code shmdma-driver-heartbeat}
 * writes the driver's heartbeat, so that a conductor waiting on the registry lock never looks like a dead driver.
 * Errors go to the shared error log ({@code shmdma errors}).
 */
public final class ShmDriver implements AutoCloseable
{
    private final DriverContext context;
    private final DriverFile file;
    private final Registry registry;
    private final EngineAgent[] engines;
    private final AgentRunner[] engineRunners;
    private final DriverConductor conductor;
    private final AgentRunner conductorRunner;
    private final AgentRunner heartbeatRunner;
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean closed;

    private ShmDriver(final DriverContext context)
    {
        this.context = context;
        file = DriverFile.create(context.dir(), context.groupShared(), context.engineThreads(),
            context.livenessTimeoutNs());
        try
        {
            registry = Registry.openOrCreate(context.dir().resolve(ShmDomain.CONTROL_FILE_NAME), new RegistryConfig()
                .livenessTimeoutNs(context.livenessTimeoutNs())
                .groupShared(context.groupShared()));
        }
        catch (final RuntimeException ex)
        {
            file.close();
            throw ex;
        }
        final ErrorHandler errorHandler = this::recordError;
        engines = new EngineAgent[context.engineThreads()];
        engineRunners = new AgentRunner[engines.length];
        for (int i = 0; i < engines.length; i++)
        {
            engines[i] = new EngineAgent("shmdma-driver-engine-" + i);
            engineRunners[i] = new AgentRunner(new BusErrorGuard(DriverContext.idleStrategy(context.idle()).get(),
                errorHandler), errorHandler, null, engines[i]);
        }
        conductor = new DriverConductor(context, registry, file, engines, errorHandler);
        conductorRunner = new AgentRunner(
            new SleepingIdleStrategy(context.conductorIntervalNs()), errorHandler, null, conductor);
        final long heartbeatNs = Math.min(TimeUnit.MILLISECONDS.toNanos(10), context.livenessTimeoutNs() / 10);
        heartbeatRunner = new AgentRunner(new SleepingIdleStrategy(heartbeatNs), errorHandler, null, new Heartbeat());
        for (final AgentRunner runner : engineRunners)
        {
            AgentRunner.startOnThread(runner);
        }
        AgentRunner.startOnThread(conductorRunner);
        AgentRunner.startOnThread(heartbeatRunner);
    }

    /**
     * Starts a driver for a directory: creates {@code driver.shm} (replacing one a dead driver left), maps the
     * control segment (creating it when absent) and starts the threads.
     *
     * @param context the configuration; concluded here.
     * @return the running driver; close it to stop.
     * @throws IllegalArgumentException for an invalid setting.
     * @throws io.shmdma.DmaException   naming the file: EEXIST when a live driver serves the directory, ENOSPC, EACCES,
     *                                  EINVAL for a control segment of another layout.
     */
    public static ShmDriver launch(final DriverContext context)
    {
        if (context == null)
        {
            throw new IllegalArgumentException("context is required");
        }
        context.conclude();
        return new ShmDriver(context);
    }

    /**
     * The configuration.
     *
     * @return the concluded context.
     */
    public DriverContext context()
    {
        return context;
    }

    /**
     * The directory served.
     *
     * @return the directory.
     */
    public Path dir()
    {
        return context.dir();
    }

    /**
     * This driver's random incarnation id, as written in its file.
     *
     * @return the id.
     */
    public long incarnation()
    {
        return file.incarnation();
    }

    /**
     * Vchans served now, over every client. A vchan whose client's {@code start()} returned is counted.
     *
     * @return the count.
     */
    public int servedVchans()
    {
        return conductor.servedCount();
    }

    /**
     * Errors recorded by this driver (refused requests, clients gone, engine faults).
     *
     * @return the count.
     */
    public long errors()
    {
        return errors.get();
    }

    private void recordError(final Throwable error)
    {
        errors.incrementAndGet();
        try
        {
            if (!closed)
            {
                registry.errorLog().record(error);
                return;
            }
        }
        catch (final RuntimeException | InternalError ex)
        {
            // a damaged or closed control segment: stderr is what is left
        }
        System.err.println("shmdma driver: " + error);
    }

    /**
     * Stops the engine threads (clients see the driver gone within their liveness timeout: at once, as the heartbeat
     * is cleared), then the conductor, unmaps everything and deletes {@code driver.shm}.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        CloseHelper.quietClose(heartbeatRunner);
        for (final AgentRunner runner : engineRunners)
        {
            CloseHelper.quietClose(runner);
        }
        CloseHelper.quietClose(conductorRunner);
        closed = true;
        file.close();
        CloseHelper.quietClose(registry);
    }

    @Override
    public String toString()
    {
        return "ShmDriver{dir=" + context.dir() + ", incarnation=" + Long.toHexString(file.incarnation()) +
            ", engineThreads=" + engines.length + ", idle=" + context.idle() + '}';
    }

    /** Writes the heartbeat of {@code driver.shm} every interval. */
    private final class Heartbeat implements Agent
    {
        @Override
        public int doWork()
        {
            file.heartbeat();
            return 0;
        }

        @Override
        public String roleName()
        {
            return "shmdma-driver-heartbeat";
        }
    }
}
