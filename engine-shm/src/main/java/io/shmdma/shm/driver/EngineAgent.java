package io.shmdma.shm.driver;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.Arrays;

/**
 * One engine thread of the driver: runs the {@link io.shmdma.engine.CopyEngine} of every vchan given to it, one
 * after the other, and takes vchans on and off between duty cycles when the conductor asks. A vchan taken off is
 * first drained (its submitted jobs finish, as a device's stop requires) unless its client is dead, then marked
 * {@link ServedVchan#removed}; only then may the conductor unmap its memory.
 */
final class EngineAgent implements Agent
{
    private static final ServedVchan[] NONE = new ServedVchan[0];

    private final String roleName;
    private final ManyToOneConcurrentArrayQueue<ServedVchan> additions =
        new ManyToOneConcurrentArrayQueue<>(2 * DriverFileDescriptor.SLOT_COUNT);
    private final ManyToOneConcurrentArrayQueue<ServedVchan> removals =
        new ManyToOneConcurrentArrayQueue<>(2 * DriverFileDescriptor.SLOT_COUNT);
    private ServedVchan[] vchans = NONE;
    /** Vchans given to this thread and not yet removed; conductor only. */
    int assigned;

    EngineAgent(final String roleName)
    {
        this.roleName = roleName;
    }

    /** Conductor: starts running a vchan at the next duty cycle. */
    void add(final ServedVchan vchan)
    {
        vchan.agent = this;
        assigned++;
        if (!additions.offer(vchan))
        {
            throw new IllegalStateException("engine thread queue full"); // bounded by the slot count: never
        }
    }

    /** Conductor: stops running a vchan at the next duty cycle; it is then marked removed. */
    void remove(final ServedVchan vchan)
    {
        vchan.removalRequested = true;
        assigned--;
        if (!removals.offer(vchan))
        {
            throw new IllegalStateException("engine thread queue full"); // bounded by the slot count: never
        }
    }

    @Override
    public int doWork()
    {
        int work = 0;
        if (!additions.isEmpty() || !removals.isEmpty())
        {
            work += changeVchans();
        }
        for (final ServedVchan vchan : vchans)
        {
            work += vchan.engine.doWork();
        }
        return work;
    }

    /** Control plane, between duty cycles: allocates. */
    private int changeVchans()
    {
        int changed = 0;
        ServedVchan added;
        while ((added = additions.poll()) != null)
        {
            vchans = Arrays.copyOf(vchans, vchans.length + 1);
            vchans[vchans.length - 1] = added;
            changed++;
        }
        ServedVchan removed;
        while ((removed = removals.poll()) != null)
        {
            int index = -1;
            for (int i = 0; i < vchans.length; i++)
            {
                if (vchans[i] == removed)
                {
                    index = i;
                }
            }
            if (index >= 0)
            {
                final ServedVchan[] fewer = new ServedVchan[vchans.length - 1];
                System.arraycopy(vchans, 0, fewer, 0, index);
                System.arraycopy(vchans, index + 1, fewer, index, vchans.length - index - 1);
                vchans = fewer;
            }
            if (removed.drainOnRemoval)
            {
                removed.drain();
            }
            removed.removed = true;
            changed++;
        }
        return changed;
    }

    @Override
    public void onClose()
    {
        vchans = NONE;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
