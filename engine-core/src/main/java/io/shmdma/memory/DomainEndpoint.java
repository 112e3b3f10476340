package io.shmdma.memory;

/**
 * One end of a vchan as the engine sees it: the domain memory a job's address resolves in. Asked once
 * per job, so a domain that was revoked (member left, group destroyed, process died) stops resolving
 * for every later job. Implementations must not allocate, block or throw.
 */
@FunctionalInterface
public interface DomainEndpoint
{
    /**
     * The memory of the domain this end names right now.
     *
     * @return the memory, or null when the domain is no longer reachable.
     */
    DomainMemory memory();
}
