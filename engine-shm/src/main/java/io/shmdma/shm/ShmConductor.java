package io.shmdma.shm;

import org.agrona.concurrent.Agent;

/**
 * The process's conductor: an {@link Agent} run on its own thread with a sleeping idle strategy. Each duty
 * cycle writes this domain's heartbeat, reaps dead domains and delivers group events to listeners, so
 * callbacks never run on an engine thread.
 */
final class ShmConductor implements Agent
{
    private final ShmDomain domain;

    ShmConductor(final ShmDomain domain)
    {
        this.domain = domain;
    }

    @Override
    public int doWork()
    {
        domain.conduct();
        return 0;
    }

    @Override
    public String roleName()
    {
        return "shmdma-conductor-" + domain.domainId();
    }
}
