package io.shmdma.shm;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JDK Flight Recorder event of one access pair group operation, the counterpart of DPDK's
 * {@code rte_dma_trace_access_pair_group_*} trace points. It carries the device, group, domain and result,
 * never the token.
 */
@Name("io.shmdma.AccessPairGroupOperation")
@Label("Access Pair Group Operation")
@Category({ "shmdma", "Control Plane" })
@Description("create, join, leave, destroy or handler_get of an access pair group")
public final class GroupOperationEvent extends Event
{
    /** create. */
    public static final String CREATE = "create";
    /** join. */
    public static final String JOIN = "join";
    /** leave. */
    public static final String LEAVE = "leave";
    /** destroy. */
    public static final String DESTROY = "destroy";
    /** handler_get. */
    public static final String HANDLER_GET = "handler_get";

    /** The operation: create, join, leave, destroy or handler_get. */
    @Label("Operation")
    public String operation;

    /** The process-local device id. */
    @Label("Device Id")
    public int devId;

    /** The group id, or -1 when a create failed. */
    @Label("Group Id")
    public int groupId;

    /** The domain the operation named (for handler_get the target domain). */
    @Label("Domain Id")
    public String domainId;

    /** 0 or positive on success (a group id or handler), a negative errno on failure. */
    @Label("Result")
    public int result;

    /**
     * Records one operation if the event is enabled.
     *
     * @param operation one of the constants.
     * @param devId     the device.
     * @param groupId   the group.
     * @param domainId  the domain named.
     * @param result    the result.
     */
    static void record(
        final String operation, final int devId, final int groupId, final java.util.UUID domainId, final int result)
    {
        final GroupOperationEvent event = new GroupOperationEvent();
        if (event.isEnabled())
        {
            event.operation = operation;
            event.devId = devId;
            event.groupId = groupId;
            event.domainId = domainId == null ? null : domainId.toString();
            event.result = result;
            event.commit();
        }
    }
}
