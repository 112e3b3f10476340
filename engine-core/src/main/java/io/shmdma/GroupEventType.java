package io.shmdma;

/**
 * Access pair group events ({@code enum rte_dma_access_pair_group_event_type}).
 */
public enum GroupEventType
{
    /** A member left the group or its process died; told to the creator and remaining joiners. */
    MEMBER_LEFT,
    /** The group went away because its creator's process died; told to joiners. */
    GROUP_DESTROYED
}
