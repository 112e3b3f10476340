package io.shmdma.engine;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;

/**
 * An idle strategy that passes on an {@link InternalError} instead of throwing it. Java 17 may deliver the SIGBUS
 * of a copy from a truncated mapped file late, after the job ended, at the engine thread's next safepoint poll: in
 * the idle strategy, where {@link org.agrona.concurrent.AgentRunner} would end the engine thread with it. The job
 * that caused it already completed (with whatever bytes it moved); the engine goes on. Used by the in-process
 * engine threads and by the driver's ({@code io.shmdma.shm.driver.ShmDriver}).
 */
public final class BusErrorGuard implements IdleStrategy
{
    private final IdleStrategy delegate;
    private final ErrorHandler errorHandler;

    /**
     * Wraps an idle strategy.
     *
     * @param delegate     the idle strategy that does the idling.
     * @param errorHandler is given each {@link InternalError} the delegate throws.
     */
    public BusErrorGuard(final IdleStrategy delegate, final ErrorHandler errorHandler)
    {
        this.delegate = delegate;
        this.errorHandler = errorHandler;
    }

    @Override
    public void idle(final int workCount)
    {
        try
        {
            delegate.idle(workCount);
        }
        catch (final InternalError ex)
        {
            errorHandler.onError(ex);
        }
    }

    @Override
    public void idle()
    {
        try
        {
            delegate.idle();
        }
        catch (final InternalError ex)
        {
            errorHandler.onError(ex);
        }
    }

    @Override
    public void reset()
    {
        delegate.reset();
    }

    @Override
    public String alias()
    {
        return delegate.alias();
    }
}
