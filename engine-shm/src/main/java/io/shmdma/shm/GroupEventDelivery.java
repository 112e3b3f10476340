package io.shmdma.shm;

import io.shmdma.GroupEventListener;
import io.shmdma.GroupEventType;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The thread that calls a domain's {@link GroupEventListener}s, one per {@link ShmDomain}, fed by the conductor
 * through a bounded single-producer queue. A listener that blocks delays only the events behind it: the conductor
 * keeps heartbeating, and stops taking departures from the registry (so the registry applies back-pressure to
 * leavers) only once the queue is full. Events of a membership are queued, and so delivered, in the order of the
 * departures.
 */
final class GroupEventDelivery implements Runnable
{
    /** Events the queue holds; beyond that the conductor stops acknowledging departures until there is room. */
    static final int QUEUE_CAPACITY = 16 * 1024;
    private static final long IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final OneToOneConcurrentArrayQueue<Event> queue = new OneToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final Consumer<Throwable> errors;
    private final Thread thread;
    private volatile boolean closing;
    /** Whether an offer found the queue full since the last {@link #takeRejected()}. Conductor thread only. */
    private boolean rejected;

    GroupEventDelivery(final String name, final Consumer<Throwable> errors)
    {
        this.errors = errors;
        thread = new Thread(this, name);
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

    @Override
    public void run()
    {
        while (true)
        {
            final Event event = queue.poll();
            if (null != event)
            {
                deliver(event);
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
