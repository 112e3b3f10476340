package io.shmdma.shm.registry;

import io.shmdma.memory.SharedMemory;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.CHANGE_COUNT_OFFSET;
import static io.shmdma.shm.registry.ControlSegmentDescriptor.LOCK_WORD_OFFSET;

/**
 * The only way to write the tables of the control segment: {@link RegistryLock} creates one per registry and hands
 * it out only inside {@code locked(...)}, and no other class that changes the tables holds the writable buffer.
 * Every store is fenced: it first checks that the calling thread holds this process's lock and that the lock word
 * still holds this instance's incarnation. A holder that was stopped past the liveness timeout has had its lock
 * taken over and the tables repaired without it; its next store throws {@link LockLostException} instead of
 * writing, and the operation answers -ESRCH. A pause that falls between the check and the store can still let that
 * one store through.
 */
final class FencedWriter
{
    /**
     * Test-only: called with a point name at steps of a mutation, while the lock is held, so a test can stop or
     * kill the process there. Points: {@code lock:acquired}, {@code register:fields-written},
     * {@code create:member-written}, {@code join:member-written}, {@code leave:handler-revoked},
     * {@code destroy:state-destroying}, {@code teardown:domain-dead}.
     */
    static volatile Consumer<String> pauseHook;

    private final AtomicBuffer buffer;
    private final long incarnation;
    private final ReentrantLock processLock;

    FencedWriter(final AtomicBuffer buffer, final long incarnation, final ReentrantLock processLock)
    {
        this.buffer = buffer;
        this.incarnation = incarnation;
        this.processLock = processLock;
    }

    /**
     * Throws unless this thread holds the lock and the lock word still holds this instance's incarnation.
     *
     * @throws LockLostException when the lock was taken over.
     * @throws IllegalStateException when called by a thread that does not hold the lock.
     */
    void checkLockHeld()
    {
        if (!processLock.isHeldByCurrentThread())
        {
            throw new IllegalStateException("registry writer used outside locked(...)");
        }
        if (buffer.getLongVolatile(LOCK_WORD_OFFSET) != incarnation)
        {
            throw new LockLostException();
        }
    }

    /**
     * Runs the test pause hook at a named step, then checks the lock is still held.
     *
     * @param point the step's name.
     */
    void pause(final String point)
    {
        final Consumer<String> hook = pauseHook;
        if (null != hook)
        {
            hook.accept(point);
        }
        checkLockHeld();
    }

    /** Fenced plain store of an int. */
    void putInt(final int offset, final int value)
    {
        checkLockHeld();
        buffer.putInt(offset, value);
    }

    /** Fenced release store of an int. */
    void putIntRelease(final int offset, final int value)
    {
        checkLockHeld();
        buffer.putIntRelease(offset, value);
    }

    /** Fenced plain store of a long. */
    void putLong(final int offset, final long value)
    {
        checkLockHeld();
        buffer.putLong(offset, value);
    }

    /** Fenced release store of a long. */
    void putLongRelease(final int offset, final long value)
    {
        checkLockHeld();
        buffer.putLongRelease(offset, value);
    }

    /** Fenced copy of bytes into the segment. */
    void putBytes(final int offset, final byte[] bytes)
    {
        checkLockHeld();
        buffer.putBytes(offset, bytes);
    }

    /** Fenced zeroing of a range. */
    void clear(final int offset, final int length)
    {
        checkLockHeld();
        SharedMemory.clear(buffer, offset, length);
    }

    /**
     * Opens a visible change: makes the change count odd (volatile store) unless a change is already open, so that
     * snapshot readers retry; then a release fence orders it before the writes of the change.
     */
    void beginChange()
    {
        final long count = buffer.getLong(CHANGE_COUNT_OFFSET);
        if ((count & 1) == 0)
        {
            checkLockHeld();
            buffer.putLongVolatile(CHANGE_COUNT_OFFSET, count + 1);
        }
        VarHandle.releaseFence();
    }

    /**
     * Closes a visible change: the change count becomes even again, two more than before the change (release
     * store).
     */
    void endChange()
    {
        final long count = buffer.getLong(CHANGE_COUNT_OFFSET);
        putLongRelease(CHANGE_COUNT_OFFSET, (count & 1) == 0 ? count + 2 : count + 1);
    }

    /** This process's lock was taken over while it held it; the mutation stops writing and fails with -ESRCH. */
    static final class LockLostException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        LockLostException()
        {
            super("registry lock taken over while held", null, false, false);
        }
    }
}
