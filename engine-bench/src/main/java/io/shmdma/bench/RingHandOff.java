package io.shmdma.bench;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The software baseline of a burst of small copies: the caller writes each payload into an Agrona
 * {@link OneToOneRingBuffer}; a consumer thread (a busy-spin {@link AgentRunner}, as the copy engine)
 * copies it to its destination slot and publishes a consumed count in its own padded line once per
 * {@code read}; the caller spins until every message of the burst has been consumed. Same two threads,
 * same payload and same closed loop as a DMA burst of copies.
 */
public final class RingHandOff implements AutoCloseable
{
    private static final int CONSUMED_OFFSET = 0;

    private final OneToOneRingBuffer ring;
    private final UnsafeBuffer consumedLine = Buffers.alignedDirect(Buffers.PADDING);
    private final AgentRunner runner;
    private long sent;

    /**
     * Starts the consumer thread.
     *
     * @param ringCapacity bytes of the ring, a power of two.
     * @param destination  where the consumer copies message {@code slot} to, at {@code slot * slotStride}.
     * @param slotStride   bytes between destination slots.
     */
    public RingHandOff(final int ringCapacity, final MutableDirectBuffer destination, final int slotStride)
    {
        ring = new OneToOneRingBuffer(Buffers.alignedDirect(ringCapacity + RingBufferDescriptor.TRAILER_LENGTH));
        runner = new AgentRunner(new BusySpinIdleStrategy(), Throwable::printStackTrace, null,
            new Consumer(ring, consumedLine, destination, slotStride));
        AgentRunner.startOnThread(runner);
    }

    /**
     * Writes one message; spins while the ring is full.
     *
     * @param slot   destination slot, 0 or more.
     * @param source payload buffer.
     * @param offset payload offset.
     * @param length payload bytes.
     */
    public void send(final int slot, final DirectBuffer source, final int offset, final int length)
    {
        while (!ring.write(slot + 1, source, offset, length))
        {
            // ring full: the consumer is behind
        }
        sent++;
    }

    /**
     * Spins until every message sent so far has been consumed.
     *
     * @return messages sent so far.
     */
    public long awaitConsumed()
    {
        final long target = sent;
        while (consumedLine.getLongAcquire(CONSUMED_OFFSET) != target)
        {
            // spin, as a DMA caller polls completions
        }
        return target;
    }

    /** Stops the consumer thread. */
    @Override
    public void close()
    {
        CloseHelper.close(runner);
    }

    private static final class Consumer implements Agent, MessageHandler
    {
        private final OneToOneRingBuffer ring;
        private final UnsafeBuffer consumedLine;
        private final MutableDirectBuffer destination;
        private final int slotStride;
        private long consumed;

        Consumer(
            final OneToOneRingBuffer ring,
            final UnsafeBuffer consumedLine,
            final MutableDirectBuffer destination,
            final int slotStride)
        {
            this.ring = ring;
            this.consumedLine = consumedLine;
            this.destination = destination;
            this.slotStride = slotStride;
        }

        @Override
        public int doWork()
        {
            final int read = ring.read(this);
            if (read > 0)
            {
                consumed += read;
                consumedLine.putLongRelease(CONSUMED_OFFSET, consumed);
            }
            return read;
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            destination.putBytes((msgTypeId - 1) * slotStride, buffer, index, length);
        }

        @Override
        public String roleName()
        {
            return "bench-ring-hand-off";
        }
    }
}
