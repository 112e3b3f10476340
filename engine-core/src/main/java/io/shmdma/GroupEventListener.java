package io.shmdma;

import java.util.UUID;

/**
 * Receives access pair group events ({@code rte_dma_access_pair_group_event_cb_t}).
 * <p>
 * Threads: with the inter-process driver ({@code engine-shm}), every listener of a domain is called on that
 * domain's event delivery thread ({@code shmdma-events-<domain>}), one event at a time, never on the conductor
 * (which writes the heartbeat) and never on an engine thread. A listener may block or call the group operations:
 * it delays only the events queued behind it, which are delivered, in order, once it returns. The queue is
 * bounded; while it is full the domain stops acknowledging departures, so other processes' leaves wait for it
 * (and fail with EAGAIN after twice the liveness timeout).
 * <p>
 * Each member hears exactly one MEMBER_LEFT for every other member that departed (left, died, or was removed)
 * while it was a member, in the order of the departures, and a joiner one GROUP_DESTROYED when its group goes.
 */
@FunctionalInterface
public interface GroupEventListener
{
    /**
     * @param devId    the device that is a member of the group.
     * @param groupId  the group.
     * @param domainId the domain that left, or for GROUP_DESTROYED the creator's domain.
     * @param event    what happened.
     */
    void onEvent(int devId, int groupId, UUID domainId, GroupEventType event);
}
