package io.shmdma.memory;

/**
 * One end of a vchan as the engine sees it: the domain memory a job's address resolves in. Asked once
 * per pass of the engine over the vchan, after the pass acquired its jobs' submit stamps, so a domain that was
 * revoked (member left, group destroyed, process died) stops resolving for every job submitted later, and for
 * every job of a later pass. Implementations must not allocate, block or throw.
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
