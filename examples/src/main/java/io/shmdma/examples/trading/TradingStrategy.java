package io.shmdma.examples.trading;

import io.shmdma.DmaDevice;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.shm.ShmContext;
import io.shmdma.shm.ShmDomain;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.shmdma.examples.trading.SnapshotLayout.*;

/**
 * The strategy JVM of the trading example: joins the feed's group, lends it one snapshot slot in its own
 * memory, and polls it: a snapshot counts only when its sequence is even and unchanged across the read of
 * the payload, and its payload must then match the sequence. Reports snapshot age percentiles.
 */
public final class TradingStrategy
{
    private TradingStrategy()
    {
    }

    /**
     * Reads {@code dir token groupName slotName payloadBytes} on stdin, then {@code STOP <lastSequence>}.
     *
     * @param args unused.
     * @throws Exception when a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        final String[] hello = in.readLine().split(" ");
        final int payloadLength = Integer.parseInt(hello[4]);
        try (ShmDomain domain = ShmDomain.open(new ShmContext().dir(Path.of(hello[0])).domainSegmentSize(4L << 20)))
        {
            final DmaDevice device = domain.createDevice("strategy-dma", EngineThreading.backoff());
            device.accessPairGroupJoin(domain.domainId(), UUID.fromString(hello[1]), domain.groupIdByName(hello[2]),
                null);
            final DmaRegion slot = domain.allocateNamed(hello[3], HEADER_LENGTH + payloadLength);
            System.out.println("JOINED");
            System.out.flush();

            final AtomicBoolean stop = new AtomicBoolean();
            final long[] lastSequence = { Long.MAX_VALUE };
            final Thread control = new Thread(() ->
            {
                try
                {
                    final String line = in.readLine();
                    lastSequence[0] = line == null ? 0 : Long.parseLong(line.split(" ")[1]);
                }
                catch (final Exception ex)
                {
                    lastSequence[0] = 0;
                }
                stop.set(true);
            }, "strategy-control");
            control.setDaemon(true);
            control.start();

            final Reader reader = new Reader(slot.buffer(), payloadLength);
            final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 20_000);
            while (!stop.get() || reader.lastSeen < lastSequence[0])
            {
                if (!reader.poll())
                {
                    idle.idle();
                }
                else
                {
                    idle.reset();
                }
                if (stop.get() && reader.idleSinceNs > 0 && System.nanoTime() - reader.idleSinceNs > 2_000_000_000L)
                {
                    break;
                }
            }
            final Histogram age = reader.age;
            System.out.printf("REPORT read %,d snapshots, %d inconsistent, %,d torn reads retried; " +
                "age p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us; last sequence %s%n",
                reader.consistent, reader.inconsistent, reader.torn,
                age.getValueAtPercentile(50) / 1000.0, age.getValueAtPercentile(90) / 1000.0,
                age.getValueAtPercentile(99) / 1000.0, age.getMaxValue() / 1000.0,
                reader.lastSeen == lastSequence[0] ? "seen" : "missed");
            System.out.flush();
        }
    }

    /** The seqlock reader of the snapshot slot. */
    static final class Reader
    {
        final UnsafeBuffer slot;
        final int payloadLength;
        final Histogram age = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        long lastSeen;
        long consistent;
        long inconsistent;
        long torn;
        long idleSinceNs;

        Reader(final UnsafeBuffer slot, final int payloadLength)
        {
            this.slot = slot;
            this.payloadLength = payloadLength;
        }

        /** Reads the slot once; true when a new consistent snapshot was read. */
        boolean poll()
        {
            final long before = slot.getLongAcquire(SEQUENCE_OFFSET);
            if (before == lastSeen || (before & 1) != 0)
            {
                if (idleSinceNs == 0)
                {
                    idleSinceNs = System.nanoTime();
                }
                return false;
            }
            final long publishedNs = slot.getLong(PUBLISH_TIME_OFFSET);
            final boolean matches = payloadMatches(slot, HEADER_LENGTH, payloadLength, before);
            VarHandle.acquireFence();
            final long after = slot.getLongVolatile(SEQUENCE_OFFSET);
            if (after != before)
            {
                torn++;
                return false;
            }
            idleSinceNs = 0;
            lastSeen = before;
            if (matches)
            {
                consistent++;
                age.recordValue(Math.max(0, System.nanoTime() - publishedNs));
            }
            else
            {
                inconsistent++;
            }
            return true;
        }
    }
}
