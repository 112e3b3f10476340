package io.shmdma.spi;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaInfo;
import io.shmdma.DmaOp;
import io.shmdma.DmaSge;
import io.shmdma.DmaStats;
import io.shmdma.DmaStatus;
import io.shmdma.Errno;
import io.shmdma.GroupEventListener;
import io.shmdma.VchanConf;
import io.shmdma.VchanStatus;
import org.agrona.concurrent.AgentInvoker;

import java.io.PrintStream;
import java.util.UUID;

/**
 * What a driver implements ({@code struct rte_dma_dev_ops} and the fast-path object). The generic layer,
 * {@link io.shmdma.DmaDevice}, has already validated every control-plane argument and the device state
 * as {@code rte_dmadev.c} does; the driver only does its work. Control operations return 0 (or a
 * non-negative result) or a negative errno; an operation a driver lacks keeps its default, which answers
 * {@code -ENOTSUP} like a NULL op pointer. Data-path methods must not allocate, lock or throw.
 */
public interface DmaDriver
{
    /**
     * Told the device id once the device is registered, before any other call.
     *
     * @param devId the device id.
     */
    default void registered(final int devId)
    {
    }

    /**
     * Fills capabilities and limits ({@code dev_info_get}); name and nbVchans are filled by the generic layer.
     *
     * @param info cleared info to fill.
     * @return 0 or a negative errno.
     */
    int infoGet(DmaInfo info);

    /**
     * Applies a validated configuration ({@code dev_configure}); the device is stopped.
     *
     * @param conf the configuration.
     * @return 0 or a negative errno.
     */
    default int configure(final DmaConf conf)
    {
        return -Errno.ENOTSUP;
    }

    /**
     * Sets up a validated vchan ({@code vchan_setup}); the device is configured and stopped.
     *
     * @param vchan the vchan, below nbVchans.
     * @param conf  the vchan configuration.
     * @return 0 or a negative errno.
     */
    default int vchanSetup(final int vchan, final VchanConf conf)
    {
        return -Errno.ENOTSUP;
    }

    /**
     * Starts the engine ({@code dev_start}).
     *
     * @return 0 or a negative errno.
     */
    default int start()
    {
        return 0;
    }

    /**
     * Stops the engine ({@code dev_stop}).
     *
     * @return 0 or a negative errno.
     */
    default int stop()
    {
        return 0;
    }

    /**
     * Releases everything ({@code dev_close}); the device is stopped.
     *
     * @return 0 or a negative errno.
     */
    default int close()
    {
        return -Errno.ENOTSUP;
    }

    /**
     * Adds the counts of a vchan or of all vchans ({@code stats_get}).
     *
     * @param vchan a vchan or {@link io.shmdma.DmaDevice#ALL_VCHAN}.
     * @param stats cleared stats to fill.
     * @return 0 or a negative errno.
     */
    default int statsGet(final int vchan, final DmaStats stats)
    {
        return -Errno.ENOTSUP;
    }

    /**
     * Resets the counts of a vchan or of all vchans ({@code stats_reset}).
     *
     * @param vchan a vchan or {@link io.shmdma.DmaDevice#ALL_VCHAN}.
     * @return 0 or a negative errno.
     */
    default int statsReset(final int vchan)
    {
        return -Errno.ENOTSUP;
    }

    /**
     * The status of a vchan ({@code vchan_status}).
     *
     * @param vchan a configured vchan.
     * @return the status, or null when not supported.
     */
    default VchanStatus vchanStatus(final int vchan)
    {
        return null;
    }

    /**
     * Prints driver-specific state after the generic dump ({@code dev_dump}).
     *
     * @param out where to print.
     * @return 0 or a negative errno.
     */
    default int dump(final PrintStream out)
    {
        return 0;
    }

    /**
     * Creates an access pair group ({@code access_pair_group_create}).
     *
     * @param domainId the creator's domain.
     * @param token    the group's secret.
     * @param listener receives MEMBER_LEFT events.
     * @return the group id (0..32767) or a negative errno.
     */
    default int accessPairGroupCreate(final UUID domainId, final UUID token, final GroupEventListener listener)
    {
        return -Errno.ENOTSUP;
    }

    /**
     * Destroys a group this device created ({@code access_pair_group_destroy}).
     *
     * @param groupId the group.
     * @return 0 or a negative errno.
     */
    default int accessPairGroupDestroy(final int groupId)
    {
        return -Errno.ENOTSUP;
    }

    /**
     * Joins a group ({@code access_pair_group_join}).
     *
     * @param domainId the joiner's own domain.
     * @param token    the group's secret.
     * @param groupId  the group.
     * @param listener receives MEMBER_LEFT and GROUP_DESTROYED events.
     * @return 0 or a negative errno.
     */
    default int accessPairGroupJoin(
        final UUID domainId, final UUID token, final int groupId, final GroupEventListener listener)
    {
        return -Errno.ENOTSUP;
    }

    /**
     * Leaves a group this device joined ({@code access_pair_group_leave}).
     *
     * @param groupId the group.
     * @return 0 or a negative errno.
     */
    default int accessPairGroupLeave(final int groupId)
    {
        return -Errno.ENOTSUP;
    }

    /**
     * The handler of a member domain ({@code access_pair_group_handler_get}).
     *
     * @param groupId  the group.
     * @param domainId a member's domain.
     * @return the handler (0..65535) or a negative errno.
     */
    default int accessPairGroupHandlerGet(final int groupId, final UUID domainId)
    {
        return -Errno.ENOTSUP;
    }

    /**
     * The invoker of an engine the application drives inline.
     *
     * @return the invoker, or null when the engine has its own thread or the device is stopped.
     */
    default AgentInvoker engineInvoker()
    {
        return null;
    }

    /**
     * Enqueues a copy. See {@link io.shmdma.DmaDevice#copy}.
     *
     * @param vchan  the vchan.
     * @param src    source IOVA.
     * @param dst    destination IOVA.
     * @param length bytes.
     * @param flags  op flags.
     * @return ring index or negative errno.
     */
    int copy(int vchan, long src, long dst, int length, long flags);

    /**
     * Enqueues a scatter-gather copy. See {@link io.shmdma.DmaDevice#copySg}.
     *
     * @param vchan the vchan.
     * @param src   source entries.
     * @param dst   destination entries.
     * @param nbSrc source entries used.
     * @param nbDst destination entries used.
     * @param flags op flags.
     * @return ring index or negative errno.
     */
    int copySg(int vchan, DmaSge[] src, DmaSge[] dst, int nbSrc, int nbDst, long flags);

    /**
     * Enqueues a fill. See {@link io.shmdma.DmaDevice#fill}.
     *
     * @param vchan   the vchan.
     * @param pattern the pattern.
     * @param dst     destination IOVA.
     * @param length  bytes.
     * @param flags   op flags.
     * @return ring index or negative errno.
     */
    int fill(int vchan, long pattern, long dst, int length, long flags);

    /**
     * Rings the doorbell.
     *
     * @param vchan the vchan.
     * @return 0 or negative errno.
     */
    int submit(int vchan);

    /**
     * Gathers successful completions.
     *
     * @param vchan  the vchan.
     * @param nbCpls most to report.
     * @param result out parameters, may be null.
     * @return count.
     */
    int completed(int vchan, int nbCpls, Completion result);

    /**
     * Gathers completions with status.
     *
     * @param vchan  the vchan.
     * @param nbCpls most to report.
     * @param result out parameters, may be null.
     * @param status receives statuses.
     * @return count.
     */
    int completedStatus(int vchan, int nbCpls, Completion result, DmaStatus[] status);

    /**
     * Free descriptors.
     *
     * @param vchan the vchan.
     * @return capacity, 0 on error.
     */
    int burstCapacity(int vchan);

    /**
     * Enqueues operation objects.
     *
     * @param vchan the vchan.
     * @param ops   the ops.
     * @param nbOps how many.
     * @return how many were enqueued.
     */
    default int enqueueOps(final int vchan, final DmaOp[] ops, final int nbOps)
    {
        return 0;
    }

    /**
     * Dequeues completed operation objects.
     *
     * @param vchan the vchan.
     * @param ops   receives the ops.
     * @param nbOps room.
     * @return how many were dequeued.
     */
    default int dequeueOps(final int vchan, final DmaOp[] ops, final int nbOps)
    {
        return 0;
    }
}
