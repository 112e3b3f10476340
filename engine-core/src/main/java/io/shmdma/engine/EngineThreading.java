package io.shmdma.engine;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * How a device's engine runs: on its own thread with an idle strategy, or inline, driven by the
 * application through the device's {@link org.agrona.concurrent.AgentInvoker}. A dedicated engine thread is
 * made by a {@link ThreadFactory} when one is given ({@link #withThreadFactory(ThreadFactory)}, or the domain's
 * for devices of a shared-memory domain), else as a plain {@code new Thread}; either way it is named
 * {@code shmdma-engine-<device>}. Immutable.
 */
public final class EngineThreading
{
    private final Supplier<IdleStrategy> idleStrategy;
    private final ThreadFactory threadFactory;

    private EngineThreading(final Supplier<IdleStrategy> idleStrategy, final ThreadFactory threadFactory)
    {
        this.idleStrategy = idleStrategy;
        this.threadFactory = threadFactory;
    }

    /**
     * The engine runs on its own thread.
     *
     * @param idleStrategy makes a fresh idle strategy for each start.
     * @return the threading.
     * @throws IllegalArgumentException when the supplier is null.
     */
    public static EngineThreading dedicated(final Supplier<IdleStrategy> idleStrategy)
    {
        if (idleStrategy == null)
        {
            throw new IllegalArgumentException("idle strategy supplier is required");
        }
        return new EngineThreading(idleStrategy, null);
    }

    /**
     * The engine runs on its own thread and busy-spins: lowest latency, burns a core.
     *
     * @return the threading.
     */
    public static EngineThreading busySpin()
    {
        return dedicated(BusySpinIdleStrategy::new);
    }

    /**
     * The engine runs on its own thread and backs off when idle: for shared machines and tests.
     *
     * @return the threading.
     */
    public static EngineThreading backoff()
    {
        return dedicated(() -> new BackoffIdleStrategy(10, 20, 1_000, 100_000));
    }

    /**
     * The application drives the engine by calling the device's {@code engineInvoker().invoke()}.
     *
     * @return the threading.
     */
    public static EngineThreading inline()
    {
        return new EngineThreading(null, null);
    }

    /**
     * The same threading, with the engine thread made by a factory: to pin it to a core or set its priority. The
     * factory must return a new, unstarted thread that runs the given runnable; the engine names it.
     *
     * @param threadFactory makes the engine thread at each start.
     * @return a new threading.
     * @throws IllegalArgumentException when the factory is null.
     * @throws IllegalStateException    for inline threading, which has no engine thread.
     */
    public EngineThreading withThreadFactory(final ThreadFactory threadFactory)
    {
        if (threadFactory == null)
        {
            throw new IllegalArgumentException("thread factory is required");
        }
        if (isInline())
        {
            throw new IllegalStateException("inline threading has no engine thread");
        }
        return new EngineThreading(idleStrategy, threadFactory);
    }

    /**
     * The factory of the engine thread.
     *
     * @return the factory, or null when none was given (a plain {@code new Thread}).
     */
    public ThreadFactory threadFactory()
    {
        return threadFactory;
    }

    /**
     * Whether the application drives the engine.
     *
     * @return true for inline.
     */
    public boolean isInline()
    {
        return idleStrategy == null;
    }

    /**
     * A new idle strategy for a dedicated engine thread.
     *
     * @return the idle strategy.
     * @throws IllegalStateException for inline threading, or when the supplier returns null.
     */
    public IdleStrategy newIdleStrategy()
    {
        if (idleStrategy == null)
        {
            throw new IllegalStateException("inline threading has no idle strategy");
        }
        final IdleStrategy strategy = idleStrategy.get();
        if (strategy == null)
        {
            throw new IllegalStateException("the idle strategy supplier returned null");
        }
        return strategy;
    }

    @Override
    public String toString()
    {
        if (isInline())
        {
            return "inline";
        }
        final IdleStrategy strategy = idleStrategy.get();
        return "dedicated(" + (strategy == null ? "null" : strategy.alias()) + ")";
    }
}
