package io.shmdma.engine;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.Supplier;

/**
 * How a device's engine runs: on its own thread with an idle strategy, or inline, driven by the
 * application through the device's {@link org.agrona.concurrent.AgentInvoker}.
 */
public final class EngineThreading
{
    private final Supplier<IdleStrategy> idleStrategy;

    private EngineThreading(final Supplier<IdleStrategy> idleStrategy)
    {
        this.idleStrategy = idleStrategy;
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
        return new EngineThreading(idleStrategy);
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
        return new EngineThreading(null);
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
