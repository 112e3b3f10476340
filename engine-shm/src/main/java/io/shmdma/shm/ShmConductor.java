package io.shmdma.shm;

import io.shmdma.shm.registry.GroupView;
import io.shmdma.shm.registry.Registry;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The process's conductor: an {@link Agent} run on its own thread with a sleeping idle strategy. Each duty cycle
 * checks the mapped segments, writes this domain's heartbeat, reaps dead domains, takes the departures of this
 * domain's groups into the event delivery queue (acknowledging them in the registry) and publishes device
 * counters. It never runs application code (listeners run on the {@link GroupEventDelivery} thread) and never
 * takes a lock that application code can hold, so no listener or user lock can stop the heartbeat.
 * {@link #doWork()} returns the work done (domains reaped, events queued), so the idle strategy only sleeps when
 * there was none: a burst of departures is taken without waiting an interval per ring.
 * <p>
 * Idle: it sleeps the conductor interval, except for one interval after a cycle that did work, when it looks
 * again every {@link #ACTIVE_POLL_NS}: while members churn, a leave waiting for this domain to take departures
 * waits about a millisecond, not an interval. {@link #wake()} ends a sleep at once.
 */
final class ShmConductor implements Agent
{
    /** Sleep between duty cycles for one interval after a cycle that did work. */
    static final long ACTIVE_POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ShmDomain domain;
    private final Registry registry;
    private final GroupEventDelivery delivery;
    private volatile Thread thread;
    private volatile boolean snapshotRequested = true;
    private long lastChangeCount = -1;

    ShmConductor(final ShmDomain domain, final GroupEventDelivery delivery)
    {
        this.domain = domain;
        this.registry = domain.registry();
        this.delivery = delivery;
    }

    @Override
    public void onStart()
    {
        thread = Thread.currentThread();
    }

    /**
     * Asks for a fresh registry snapshot at the next duty cycle and wakes the conductor if it sleeps: a device
     * began a membership, or a leave of this process waits for this domain's acknowledgement. Any thread; never
     * blocks.
     */
    void wake()
    {
        snapshotRequested = true;
        final Thread conductorThread = thread;
        if (null != conductorThread)
        {
            LockSupport.unpark(conductorThread);
        }
    }

    @Override
    public int doWork()
    {
        if (domain.isClosed() || !domain.checkRegistryIntact())
        {
            return 0;
        }
        final long nowNs = System.nanoTime();
        domain.checkSegments();
        domain.heartbeat();
        int work = domain.reapDeadDomains(nowNs);
        work += takeDepartures();
        if (!domain.isDeclaredDead())
        {
            for (final ShmDmaDriver driver : domain.drivers())
            {
                driver.publishCounters();
            }
        }
        return work;
    }

    /**
     * Takes a snapshot when the registry changed, when asked, or when the delivery queue was full last time, and
     * lets each device queue its events. The memberships are copied before the snapshot is taken, so every
     * membership followed existed in the registry when the snapshot was read.
     */
    private int takeDepartures()
    {
        final long changeCount = registry.changeCount();
        if (changeCount == lastChangeCount && !snapshotRequested)
        {
            return 0;
        }
        snapshotRequested = false;
        lastChangeCount = changeCount;
        final List<ShmDmaDriver> drivers = new ArrayList<>(domain.drivers());
        final List<List<GroupMembership>> followed = new ArrayList<>(drivers.size());
        boolean any = false;
        for (final ShmDmaDriver driver : drivers)
        {
            final List<GroupMembership> memberships = driver.memberships();
            followed.add(memberships);
            any |= !memberships.isEmpty();
        }
        if (!any)
        {
            return 0;
        }
        final List<GroupView> groups = registry.groups();
        int work = 0;
        for (int i = 0; i < followed.size(); i++)
        {
            work += drivers.get(i).deliverEvents(followed.get(i), groups, delivery);
        }
        if (delivery.takeRejected())
        {
            snapshotRequested = true; // the queue is full: try again next cycle even if nothing changes
        }
        return work;
    }

    @Override
    public String roleName()
    {
        return "shmdma-conductor-" + domain.domainId();
    }

    /**
     * The conductor's idle strategy: sleeps the interval, or {@link #ACTIVE_POLL_NS} for one interval after work;
     * an unpark ({@link #wake()}) ends a sleep early.
     */
    static final class Idle implements IdleStrategy
    {
        private final long intervalNs;
        private final long activePollNs;
        private long activeUntilNs;

        Idle(final long intervalNs)
        {
            this.intervalNs = intervalNs;
            this.activePollNs = Math.min(intervalNs, ACTIVE_POLL_NS);
        }

        @Override
        public void idle(final int workCount)
        {
            if (workCount > 0)
            {
                activeUntilNs = System.nanoTime() + intervalNs;
                return;
            }
            idle();
        }

        @Override
        public void idle()
        {
            LockSupport.parkNanos(System.nanoTime() - activeUntilNs < 0 ? activePollNs : intervalNs);
        }

        @Override
        public void reset()
        {
        }

        @Override
        public String alias()
        {
            return "shmdma-conductor";
        }
    }
}
