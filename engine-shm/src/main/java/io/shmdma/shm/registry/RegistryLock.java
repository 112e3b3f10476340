package io.shmdma.shm.registry;

import io.shmdma.Errno;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * The registry lock: a 64-bit word in the control segment holding the holder's incarnation id (0 = free), taken
 * with CAS and a spin-then-park backoff, plus a {@link ReentrantLock} that orders the threads of this process. It
 * is the only class that holds the writable mapping for the tables: it hands out the {@link FencedWriter} inside
 * {@link #locked(RegistryOperation, ToIntFunction)} and nowhere else.
 * <p>
 * A waiter that has seen the same holder for longer than the liveness timeout, and finds that holder without a fresh
 * heartbeat in any domain it owns, takes the lock over with CAS, counts the takeover in the lock info and calls the
 * {@link Takeover} handler, which repairs the tables and records the takeover. While waiting, a waiter heartbeats
 * this process's domains: the conductor that usually does may itself be waiting behind it. Before taking the lock,
 * every operation checks that the file was not truncated (-EIO).
 */
final class RegistryLock
{
    private final ControlSegmentFile file;
    private final AtomicBuffer buffer;
    private final SegmentReader reader;
    private final OwnerStores ownerStores;
    private final RegistryConfig config;
    private final long incarnation;
    private final long pid;
    private final boolean readOnly;
    private final ReentrantLock processLock = new ReentrantLock();
    private final FencedWriter writer;
    private final Takeover takeover;
    private final Consumer<Throwable> lostLockReport;
    private int depth;
    private boolean closed;
    private volatile boolean truncationReported;

    /**
     * Called, under the lock just taken over, with what the dead holder left in the lock info.
     */
    @FunctionalInterface
    interface Takeover
    {
        /**
         * Repairs the tables and records the takeover.
         *
         * @param writer        the writer of the new holder.
         * @param deadHolder    the dead holder's incarnation id.
         * @param deadPid       its pid.
         * @param deadOperation the code of the operation it was doing.
         */
        void afterTakeover(FencedWriter writer, long deadHolder, long deadPid, int deadOperation);
    }

    RegistryLock(
        final ControlSegmentFile file,
        final SegmentReader reader,
        final OwnerStores ownerStores,
        final RegistryConfig config,
        final long incarnation,
        final long pid,
        final boolean readOnly,
        final Takeover takeover,
        final Consumer<Throwable> lostLockReport)
    {
        this.file = file;
        this.buffer = file.buffer();
        this.reader = reader;
        this.ownerStores = ownerStores;
        this.config = config;
        this.incarnation = incarnation;
        this.pid = pid;
        this.readOnly = readOnly;
        this.writer = new FencedWriter(buffer, incarnation, processLock);
        this.takeover = takeover;
        this.lostLockReport = lostLockReport;
    }

    /**
     * Runs an operation under the lock.
     *
     * @param operation recorded in the lock info.
     * @param body      the operation, given the writer.
     * @return its result, or the lock's errno when it could not be had (-ETIMEDOUT, -EIO), or -ESRCH when this
     *         process lost the lock while it held it (paused past the liveness timeout).
     * @throws IllegalStateException when read-only or closed.
     */
    int locked(final RegistryOperation operation, final ToIntFunction<FencedWriter> body)
    {
        final int rc = lock(operation);
        if (rc < 0)
        {
            return rc;
        }
        try
        {
            return body.applyAsInt(writer);
        }
        catch (final FencedWriter.LockLostException ex)
        {
            return -Errno.ESRCH;
        }
        finally
        {
            unlock();
        }
    }

    /**
     * Runs an operation with a result under the lock.
     *
     * @param operation recorded in the lock info.
     * @param body      the operation, given the writer.
     * @param otherwise the result when the lock could not be had or was lost, given the errno.
     * @param <T>       the result type.
     * @return the result.
     * @throws IllegalStateException when read-only or closed.
     */
    <T> T locked(
        final RegistryOperation operation, final Function<FencedWriter, T> body, final IntFunction<T> otherwise)
    {
        final int rc = lock(operation);
        if (rc < 0)
        {
            return otherwise.apply(rc);
        }
        try
        {
            return body.apply(writer);
        }
        catch (final FencedWriter.LockLostException ex)
        {
            return otherwise.apply(-Errno.ESRCH);
        }
        finally
        {
            unlock();
        }
    }

    /**
     * Runs an action holding only this process's lock, so that no other thread of the process runs a locked
     * operation meanwhile; the action may take the registry lock itself.
     *
     * @param action the action.
     * @param <T>    the result type.
     * @return its result.
     */
    <T> T exclusively(final Supplier<T> action)
    {
        processLock.lock();
        try
        {
            return action.get();
        }
        finally
        {
            processLock.unlock();
        }
    }

    /**
     * Runs a last action holding this process's lock, then refuses every later operation; does nothing when
     * already closed.
     *
     * @param lastAction may take the registry lock.
     */
    void close(final Runnable lastAction)
    {
        processLock.lock();
        try
        {
            if (!closed)
            {
                lastAction.run();
                closed = true;
            }
        }
        finally
        {
            processLock.unlock();
        }
    }

    /**
     * Whether the control segment file still covers the whole layout (one fstat); says so once on stderr when not.
     *
     * @return false when the file was truncated.
     */
    boolean isIntact()
    {
        if (!file.isIntact())
        {
            if (!truncationReported)
            {
                truncationReported = true;
                System.err.println("shmdma: control segment " + path() + " was truncated to " + file.fileLength() +
                    " bytes (layout needs " + TOTAL_LENGTH + "); registry operations now fail with EIO");
            }
            return false;
        }
        return true;
    }

    /**
     * Throws when opened read-only.
     *
     * @throws IllegalStateException when read-only.
     */
    void checkWritable()
    {
        if (readOnly)
        {
            throw new IllegalStateException("registry opened read-only: " + path());
        }
    }

    /**
     * Heartbeats every active domain of this instance: on taking the lock, and while waiting for it (and for
     * acknowledgements), since the conductor that usually heartbeats may itself be waiting behind this thread, and a
     * process waiting for a lock that a chain of dead holders left behind is alive.
     *
     * @param nowNs {@link System#nanoTime()}.
     */
    void heartbeatOwnDomains(final long nowNs)
    {
        for (int slot = 0; slot < DOMAIN_CAPACITY; slot++)
        {
            if (DomainTable.isOwnedActive(reader, slot, incarnation))
            {
                ownerStores.heartbeat(slot, nowNs);
            }
        }
    }

    /**
     * Idles a waiting thread: spin, then yield, then park.
     *
     * @param idleCount how many times it idled so far.
     */
    static void idle(final int idleCount)
    {
        if (idleCount < 20)
        {
            Thread.onSpinWait();
        }
        else if (idleCount < 30)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(idleCount < 100 ? 50_000 : 1_000_000);
        }
    }

    private Path path()
    {
        return file.path();
    }

    private int lock(final RegistryOperation operation)
    {
        checkWritable();
        processLock.lock();
        if (depth > 0)
        {
            depth++;
            return 0;
        }
        if (closed)
        {
            processLock.unlock();
            throw new IllegalStateException("registry is closed: " + path());
        }
        if (!isIntact())
        {
            processLock.unlock();
            return -Errno.EIO;
        }
        try
        {
            final int rc = acquire(operation);
            if (rc < 0)
            {
                processLock.unlock();
            }
            return rc;
        }
        catch (final FencedWriter.LockLostException ex)
        {
            depth = 0;
            processLock.unlock();
            return -Errno.ESRCH;
        }
        catch (final RuntimeException | Error ex)
        {
            depth = 0;
            buffer.compareAndSetLong(LOCK_WORD_OFFSET, incarnation, 0);
            processLock.unlock();
            throw ex;
        }
    }

    private void unlock()
    {
        if (--depth == 0)
        {
            if (!isIntact())
            {
                processLock.unlock();
                return; // the file shrank while we held the lock: do not touch it (a CAS there can crash the JVM)
            }
            if (buffer.getLongVolatile(LOCK_WORD_OFFSET) == incarnation)
            {
                buffer.putInt(LOCK_OPERATION_OFFSET, RegistryOperation.NONE.code());
            }
            if (!buffer.compareAndSetLong(LOCK_WORD_OFFSET, incarnation, 0))
            {
                lostLockReport.accept(new IllegalStateException("registry lock of pid " + pid +
                    " was taken over by another process while held (heartbeat older than " +
                    TimeUnit.NANOSECONDS.toMillis(config.livenessTimeoutNs()) + " ms?)"));
            }
        }
        processLock.unlock();
    }

    private int acquire(final RegistryOperation operation)
    {
        final long startNs = System.nanoTime();
        long observedHolder = 0;
        long observedSinceNs = startNs;
        long heartbeatNs = startNs;
        int idleCount = 0;
        while (true)
        {
            final long holder = buffer.compareAndExchangeLong(LOCK_WORD_OFFSET, 0, incarnation);
            if (0 == holder)
            {
                onAcquired(operation);
                return 0;
            }
            final long nowNs = System.nanoTime();
            if (holder == incarnation || (holder == observedHolder &&
                nowNs - observedSinceNs > config.livenessTimeoutNs() && isHolderDead(holder, nowNs)))
            {
                final long deadPid = buffer.getLong(LOCK_HOLDER_PID_OFFSET);
                final int deadOperation = buffer.getInt(LOCK_OPERATION_OFFSET);
                if (holder == incarnation || buffer.compareAndSetLong(LOCK_WORD_OFFSET, holder, incarnation))
                {
                    onAcquired(operation);
                    writer.putInt(LOCK_RECOVERIES_OFFSET, reader.getInt(LOCK_RECOVERIES_OFFSET) + 1);
                    takeover.afterTakeover(writer, holder, deadPid, deadOperation);
                    return 0;
                }
                continue;
            }
            if (holder != observedHolder)
            {
                observedHolder = holder;
                observedSinceNs = nowNs;
            }
            if (nowNs - startNs > config.lockTimeoutNs())
            {
                return -Errno.ETIMEDOUT;
            }
            if (nowNs - heartbeatNs > config.livenessTimeoutNs() / 8)
            {
                heartbeatNs = nowNs;
                heartbeatOwnDomains(nowNs);
            }
            idle(idleCount++);
        }
    }

    private void onAcquired(final RegistryOperation operation)
    {
        depth = 1;
        writer.putLong(LOCK_HOLDER_PID_OFFSET, pid);
        writer.putLong(LOCK_ACQUIRED_EPOCH_MS_OFFSET, System.currentTimeMillis());
        writer.putInt(LOCK_OPERATION_OFFSET, operation.code());
        heartbeatOwnDomains(System.nanoTime());
        writer.pause("lock:acquired");
    }

    private boolean isHolderDead(final long holder, final long nowNs)
    {
        for (int slot = 0; slot < DOMAIN_CAPACITY; slot++)
        {
            final int state = DomainTable.state(reader, slot);
            if ((state == DomainTable.ACTIVE || state == DomainTable.DEAD) &&
                DomainTable.incarnation(reader, slot) == holder &&
                nowNs - DomainTable.heartbeatNs(reader, slot) <= config.livenessTimeoutNs())
            {
                return false;
            }
        }
        return true;
    }
}
