package io.shmdma.shm;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaStatus;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Two domains in this JVM sharing one directory, as two processes would: the creator's device made a group
 * and the joiner's device joined it; both handlers are known. For in-JVM tests of inter-domain behaviour.
 */
final class DomainPair implements AutoCloseable
{
    private static final AtomicInteger NAMES = new AtomicInteger();

    final UUID token = UUID.randomUUID();
    final ShmDomain creator;
    final ShmDomain joiner;
    final DmaDevice creatorDevice;
    final DmaDevice joinerDevice;
    final int groupId;
    final int creatorHandler;
    final int joinerHandler;

    DomainPair(final Path dir, final long segmentSize)
    {
        this(context(dir, segmentSize), context(dir, segmentSize));
    }

    DomainPair(final ShmContext creatorContext, final ShmContext joinerContext)
    {
        this(creatorContext, joinerContext, EngineThreading.inline());
    }

    DomainPair(final ShmContext creatorContext, final ShmContext joinerContext, final EngineThreading threading)
    {
        ShmDomain openedCreator = null;
        ShmDomain openedJoiner = null;
        try
        {
            openedCreator = ShmDomain.open(creatorContext);
            openedJoiner = ShmDomain.open(joinerContext);
            creator = openedCreator;
            joiner = openedJoiner;
            final int id = NAMES.incrementAndGet();
            creatorDevice = creator.createDevice("pair-creator-" + id, threading);
            joinerDevice = joiner.createDevice("pair-joiner-" + id, EngineThreading.inline());
            groupId = creatorDevice.accessPairGroupCreate(creator.domainId(), token, null);
            joinerDevice.accessPairGroupJoin(joiner.domainId(), token, groupId, null);
            creatorHandler = creatorDevice.accessPairGroupHandlerGet(groupId, creator.domainId());
            joinerHandler = creatorDevice.accessPairGroupHandlerGet(groupId, joiner.domainId());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(openedJoiner, openedCreator);
            throw ex;
        }
    }

    static ShmContext context(final Path dir, final long segmentSize)
    {
        return new ShmContext().dir(dir).domainSegmentSize(segmentSize)
            .conductorIntervalNs(TimeUnit.MILLISECONDS.toNanos(10))
            .livenessTimeoutNs(TimeUnit.SECONDS.toNanos(2));
    }

    /**
     * Sets up vchan 0 of the creator's device from the creator's domain to the joiner's and starts it.
     */
    void creatorToJoiner()
    {
        creatorDevice.stop();
        creatorDevice.configure(new DmaConf(1, 0));
        creatorDevice.vchanSetup(0, VchanConf.interProcess(64, creatorHandler, joinerHandler));
        creatorDevice.start();
    }

    /**
     * Runs one copy on the creator's device and returns its status: inline, or waiting up to 5 s for a
     * dedicated engine.
     *
     * @return the job's status.
     */
    DmaStatus copy(final DmaRegion source, final long dstIova, final int length)
    {
        return copy(source, dstIova, length, 5);
    }

    /**
     * Runs one copy on the creator's device and returns its status, waiting up to {@code timeoutSeconds}.
     */
    DmaStatus copy(final DmaRegion source, final long dstIova, final int length, final long timeoutSeconds)
    {
        final int ringIdx = creatorDevice.copy(0, source.iova(), dstIova, length, OpFlags.SUBMIT);
        if (ringIdx < 0)
        {
            throw new AssertionError("enqueue failed: " + io.shmdma.Errno.errorString(ringIdx));
        }
        final DmaStatus[] status = new DmaStatus[1];
        final Completion completion = new Completion();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true)
        {
            final AgentInvoker invoker = creatorDevice.engineInvoker();
            if (invoker != null)
            {
                invoker.invoke();
            }
            if (creatorDevice.completedStatus(0, 1, completion, status) == 1)
            {
                if (completion.lastIdx != ringIdx)
                {
                    throw new AssertionError("completed job " + completion.lastIdx + ", expected " + ringIdx +
                        " (an earlier job was never gathered)");
                }
                return status[0];
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("the job did not complete in " + timeoutSeconds + " s; vchan " +
                    creatorDevice.vchanStatus(0));
            }
            LockSupport.parkNanos(100_000);
        }
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(joiner, creator);
    }
}
