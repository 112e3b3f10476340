package io.shmdma.shm;

import io.shmdma.GroupEventListener;
import io.shmdma.GroupEventType;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.UUID;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The thread that calls a domain's {@link GroupEventListener}s, one per {@link ShmDomain}, fed by the conductor
 * through a bounded single-producer queue. A listener that blocks delays only the events behind it: the conductor
 * keeps heartbeating, and stops taking departures from the registry (so the registry applies back-pressure to
 * leavers) only once the queue is full. Events of a membership are queued, and so delivered, in the order of the
 * departures.
 * <p>
 * The same thread calls the application's {@link ErrorHandler} ({@link ShmContext#errorHandler}) with the errors any
 * thread passes to {@link #offerError(Throwable)}, so that neither the conductor nor an engine thread ever runs it.
 * Once the thread has ended, {@link #offerError(Throwable)} calls the handler on the calling thread.
 */
final class GroupEventDelivery implements Runnable
{
    /** Events the queue holds; beyond that the conductor stops acknowledging departures until there is room. */
    static final int QUEUE_CAPACITY = 16 * 1024;
    /** Errors waiting for the error handler; beyond that they are counted and reported as one. */
    static final int ERROR_QUEUE_CAPACITY = 1024;
    private static final long IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final OneToOneConcurrentArrayQueue<Event> queue = new OneToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final ManyToOneConcurrentArrayQueue<Throwable> errorQueue =
        new ManyToOneConcurrentArrayQueue<>(ERROR_QUEUE_CAPACITY);
    private final AtomicLong droppedErrors = new AtomicLong();
    /** Held by whoever polls {@link #errorQueue}, its single consumer: the thread, or once it ended, any caller. */
    private final AtomicBoolean drainingErrors = new AtomicBoolean();
    private final Consumer<Throwable> errors;
    private final ErrorHandler errorHandler;
    private final Thread thread;
    private volatile boolean closing;
    private volatile boolean ended;
    /** Whether an offer found the queue full since the last {@link #takeRejected()}. Conductor thread only. */
    private boolean rejected;

    /**
     * @param threadFactory makes the thread, which is then named and made a daemon.
     * @param name          of the thread.
     * @param errors        where errors thrown by listeners go.
     * @param errorHandler  the application's error handler, or null; must not throw.
     */
    GroupEventDelivery(
        final ThreadFactory threadFactory, final String name, final Consumer<Throwable> errors,
        final ErrorHandler errorHandler)
    {
        this.errors = errors;
        this.errorHandler = errorHandler;
        thread = threadFactory.newThread(this);
        if (null == thread)
        {
            throw new IllegalStateException("the thread factory returned null");
        }
        thread.setName(name);
        thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /**
     * Queues one event. Conductor thread only (single producer); never blocks.
     *
     * @return false when the queue is full: try again later.
     */
    boolean offer(
        final GroupEventListener listener, final int devId, final int groupId, final UUID domainId,
        final GroupEventType type)
    {
        if (null == listener)
        {
            return true;
        }
        if (!queue.offer(new Event(listener, devId, groupId, domainId, type)))
        {
            rejected = true;
            return false;
        }
        LockSupport.unpark(thread);
        return true;
    }

    /**
     * Whether an offer found the queue full since the last call, which clears it. Conductor thread only.
     *
     * @return true when events wait for room.
     */
    boolean takeRejected()
    {
        final boolean wasRejected = rejected;
        rejected = false;
        return wasRejected;
    }

    /**
     * Passes an error to the error handler on the delivery thread; once that thread has ended, on this one. Any
     * thread; never blocks. When the queue is full the error is counted and reported to the handler as one later
     * (the shared error log holds it anyway).
     *
     * @param error the error.
     */
    void offerError(final Throwable error)
    {
        if (null == errorHandler)
        {
            return;
        }
        if (!errorQueue.offer(error))
        {
            droppedErrors.incrementAndGet();
        }
        if (ended)
        {
            drainErrors();
        }
        else
        {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void run()
    {
        try
        {
            while (true)
            {
                final Event event = queue.poll();
                if (null != event)
                {
                    deliver(event);
                }
                else if (drainErrors() > 0)
                {
                    continue;
                }
                else if (closing)
                {
                    return;
                }
                else
                {
                    LockSupport.parkNanos(this, IDLE_PARK_NS);
                }
            }
        }
        finally
        {
            ended = true;
            drainErrors(); // an error offered before the offerer saw the end
        }
    }

    /**
     * Calls the error handler with the queued errors, by whichever thread wins the right to poll; an error queued while
     * another thread drains is taken by that thread's next round.
     */
    private int drainErrors()
    {
        int drained = 0;
        while (!errorQueue.isEmpty() || droppedErrors.get() > 0)
        {
            if (!drainingErrors.compareAndSet(false, true))
            {
                break;
            }
            try
            {
                Throwable error;
                while (null != (error = errorQueue.poll()))
                {
                    handle(error);
                    drained++;
                }
                final long dropped = droppedErrors.getAndSet(0);
                if (dropped > 0)
                {
                    handle(new IllegalStateException(dropped + " errors were not passed to the error handler (its " +
                        "queue of " + ERROR_QUEUE_CAPACITY + " was full); the shared error log holds them"));
                    drained++;
                }
            }
            finally
            {
                drainingErrors.set(false);
            }
        }
        return drained;
    }

    private void handle(final Throwable error)
    {
        try
        {
            errorHandler.onError(error);
        }
        catch (final RuntimeException | Error ignore)
        {
            // the domain's handler catches what the application's throws; nothing is left to tell
        }
    }

    private void deliver(final Event event)
    {
        try
        {
            event.listener.onEvent(event.devId, event.groupId, event.domainId, event.type);
        }
        catch (final RuntimeException | Error ex)
        {
            try
            {
                errors.accept(ex);
            }
            catch (final RuntimeException | Error ignore)
            {
                // the error log itself failed (a closed or damaged control segment): nothing else to tell
            }
        }
    }

    /**
     * Delivers what is queued, then ends the thread; waits for that at most {@code timeoutNs} (a listener that is
     * still blocked keeps the daemon thread, which delivers the events behind it once it returns). Called after
     * the conductor stopped, so nothing more is queued.
     *
     * @param timeoutNs longest wait.
     */
    void close(final long timeoutNs)
    {
        closing = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread)
        {
            try
            {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNs)));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class Event
    {
        private final GroupEventListener listener;
        private final int devId;
        private final int groupId;
        private final UUID domainId;
        private final GroupEventType type;

        private Event(
            final GroupEventListener listener, final int devId, final int groupId, final UUID domainId,
            final GroupEventType type)
        {
            this.listener = listener;
            this.devId = devId;
            this.groupId = groupId;
            this.domainId = domainId;
            this.type = type;
        }
    }
}
