package io.shmdma.bench;

import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The "hardware" analogue of a DMA round trip: the caller writes a sequence number into one padded cache
 * line, a responder thread echoes it into another, and the caller spins until it sees the echo. The
 * responder is an Agrona {@link Agent} run by an {@link AgentRunner} with a {@link BusySpinIdleStrategy},
 * exactly as a busy-spin copy engine is, so the difference to a DMA round trip is the device's own work.
 */
public final class PingPong implements AutoCloseable
{
    private static final int PING_OFFSET = 0;
    private static final int PONG_OFFSET = PING_OFFSET + Buffers.PADDING;
    private static final int LENGTH = PONG_OFFSET + Buffers.PADDING;

    private final UnsafeBuffer lines = Buffers.alignedDirect(LENGTH);
    private final AgentRunner runner;
    private long sequence;

    /** Starts the responder thread. */
    public PingPong()
    {
        runner = new AgentRunner(new BusySpinIdleStrategy(), Throwable::printStackTrace, null, new Responder(lines));
        AgentRunner.startOnThread(runner);
    }

    /**
     * One round trip: publish a ping and spin until the pong comes back.
     *
     * @return the sequence number.
     */
    public long roundTrip()
    {
        final UnsafeBuffer buffer = lines;
        final long ping = ++sequence;
        buffer.putLongRelease(PING_OFFSET, ping);
        while (buffer.getLongAcquire(PONG_OFFSET) != ping)
        {
            // spin, as a DMA caller polls completions
        }
        return ping;
    }

    /** Stops the responder thread. */
    @Override
    public void close()
    {
        CloseHelper.close(runner);
    }

    private static final class Responder implements Agent
    {
        private final UnsafeBuffer buffer;
        private long lastPing;

        Responder(final UnsafeBuffer buffer)
        {
            this.buffer = buffer;
        }

        @Override
        public int doWork()
        {
            final long ping = buffer.getLongAcquire(PING_OFFSET);
            if (ping != lastPing)
            {
                lastPing = ping;
                buffer.putLongRelease(PONG_OFFSET, ping);
                return 1;
            }
            return 0;
        }

        @Override
        public String roleName()
        {
            return "bench-ping-pong";
        }
    }
}
