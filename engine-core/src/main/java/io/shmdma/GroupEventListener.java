package io.shmdma;

import java.util.UUID;

/**
 * Receives access pair group events ({@code rte_dma_access_pair_group_event_cb_t}). Called on the
 * process's conductor thread, never on an engine thread.
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
