package io.shmdma.examples.trading;

import io.shmdma.Completion;
import io.shmdma.DmaDevice;
import io.shmdma.OpFlags;
import io.shmdma.engine.EngineThreading;
import io.shmdma.examples.ExampleSupport;
import io.shmdma.memory.DmaRegion;
import io.shmdma.shm.ShmContext;
import io.shmdma.shm.ShmDomain;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.shmdma.examples.ExampleSupport.say;
import static io.shmdma.examples.trading.SnapshotLayout.*;

/**
 * A trading-style copy offload: this JVM is the market-data feed. It builds order-book snapshots and hands
 * each to its DMA engine (three jobs: mark the snapshot slot as being written, copy the payload, publish
 * the sequence and time) into the strategy JVM's memory, and goes on with its own work without waiting for
 * the copies. The strategy (launched here) reads only consistent snapshots and reports their age. The strategy
 * is told only the directory, the group's token and the names ({@value #GROUP_NAME}, {@value #SLOT_NAME}): it
 * finds the group by name, and the feed finds the strategy's domain among the group's members and its snapshot
 * slot by region name.
 * <p>
 * Arguments: {@code [seconds] [snapshotBytes] [intervalMicros]}, default {@code 5 16384 100}.
 */
public final class TradingDemo
{
    /** The name of the feed's access pair group. */
    static final String GROUP_NAME = "market-data";
    /** The name of the snapshot slot the strategy publishes in its memory. */
    static final String SLOT_NAME = "snapshot-slot";
    private static final int STAGING_SLOTS = 64;

    private TradingDemo()
    {
    }

    /**
     * Runs the feed and launches the strategy.
     *
     * @param args seconds, snapshot bytes, interval in microseconds.
     * @throws Exception when a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int payloadLength = args.length > 1 ? Integer.parseInt(args[1]) : 16384;
        final long intervalNs = TimeUnit.MICROSECONDS.toNanos(args.length > 2 ? Long.parseLong(args[2]) : 100);
        if (payloadLength < 64 || payloadLength % 8 != 0 || payloadLength > 1 << 20)
        {
            throw new IllegalArgumentException("snapshot bytes must be a multiple of 8 in 64..1048576");
        }
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "shmdma-trading-");
        Process strategy = null;
        try (ShmDomain domain = ShmDomain.open(new ShmContext().dir(dir).domainSegmentSize(64L << 20)))
        {
            final DmaDevice device = domain.createDevice("feed-dma", EngineThreading.backoff());
            final UUID token = UUID.randomUUID();
            final int groupId = domain.accessPairGroupCreate(device, GROUP_NAME, token, null);
            strategy = ExampleSupport.startJvm(TradingStrategy.class);
            final PrintWriter toStrategy = new PrintWriter(
                new OutputStreamWriter(strategy.getOutputStream(), StandardCharsets.UTF_8), true);
            final BufferedReader fromStrategy = new BufferedReader(
                new InputStreamReader(strategy.getInputStream(), StandardCharsets.UTF_8));
            toStrategy.println(dir + " " + token + " " + GROUP_NAME + " " + SLOT_NAME + " " + payloadLength);
            ExampleSupport.expect(fromStrategy, "JOINED");
            final List<UUID> members = domain.groupMembers(groupId);
            final UUID strategyDomain = members.get(members.size() - 1);
            final long slotIova = domain.lookupRegion(strategyDomain, SLOT_NAME).iova();

            ExampleSupport.interProcessVchan(device,
                device.accessPairGroupHandlerGet(groupId, domain.domainId()),
                device.accessPairGroupHandlerGet(groupId, strategyDomain));
            say("feed", String.format("publishing %,d-byte snapshots every %d us for %d s into the strategy's memory",
                payloadLength, TimeUnit.NANOSECONDS.toMicros(intervalNs), seconds));

            final FeedStats stats = publish(device, domain, slotIova, payloadLength, intervalNs,
                TimeUnit.SECONDS.toNanos(seconds));
            say("feed", String.format("published %,d snapshots (%,d jobs) without waiting for a copy; " +
                "%,d ticks skipped because the engine was behind; %,d idle waits between ticks",
                stats.published, stats.published * 3, stats.ringFull, stats.workUnits));

            toStrategy.println("STOP " + stats.published * 2);
            final String report = ExampleSupport.expect(fromStrategy, "REPORT");
            say("strategy", report);
            if (!strategy.waitFor(10, TimeUnit.SECONDS) || strategy.exitValue() != 0)
            {
                throw new IllegalStateException("the strategy did not exit cleanly");
            }
            if (!report.contains(" 0 inconsistent"))
            {
                throw new IllegalStateException("the strategy read an inconsistent snapshot: " + report);
            }
        }
        finally
        {
            if (strategy != null && strategy.isAlive())
            {
                strategy.destroyForcibly();
                strategy.waitFor(10, TimeUnit.SECONDS);
            }
            ExampleSupport.deleteRecursively(dir);
        }
    }

    private static final class FeedStats
    {
        long published;
        long ringFull;
        long workUnits;
    }

    /**
     * The feed loop: build the next book in a staging slot, enqueue three jobs, keep working; staging slots
     * are reused only after their jobs completed.
     */
    private static FeedStats publish(
        final DmaDevice device, final ShmDomain domain, final long slotIova, final int payloadLength,
        final long intervalNs, final long durationNs)
    {
        final int slotBytes = 2 * HEADER_LENGTH + payloadLength;
        final DmaRegion staging = domain.memory().allocate((long)STAGING_SLOTS * slotBytes);
        final UnsafeBuffer buffer = staging.buffer();
        final Completion completion = new Completion();
        final FeedStats stats = new FeedStats();
        long completedJobs = 0;
        final long end = System.nanoTime() + durationNs;
        long nextPublish = System.nanoTime();
        long now;
        while ((now = System.nanoTime()) - end < 0)
        {
            completedJobs += device.completed(0, 64, completion);
            if (completion.hasError)
            {
                throw new IllegalStateException("a snapshot copy failed");
            }
            if (now - nextPublish < 0)
            {
                stats.workUnits++; // the feed's own work between snapshots: here, waiting for the next tick
                LockSupport.parkNanos(Math.min(nextPublish - now, 20_000));
                continue;
            }
            final long inFlight = stats.published - completedJobs / 3;
            if (inFlight >= STAGING_SLOTS - 1 || device.burstCapacity(0) < 3)
            {
                stats.ringFull++; // the engine is behind: skip this tick rather than block the feed
                nextPublish = now + intervalNs;
                continue;
            }
            final long snapshot = stats.published + 1;
            final int slot = (int)(snapshot % STAGING_SLOTS);
            final int begin = slot * slotBytes;
            final int finish = begin + HEADER_LENGTH;
            final int payload = finish + HEADER_LENGTH;
            fillPayload(buffer, payload, payloadLength, 2 * snapshot);
            stamp(buffer, begin, 2 * snapshot - 1, now, payloadLength);
            stamp(buffer, finish, 2 * snapshot, now, payloadLength);
            // FENCE: each job's stores become visible after the previous job's, on every platform (a seqlock needs it)
            device.copy(0, staging.iova(begin), slotIova, STAMP_LENGTH, 0);
            device.copy(0, staging.iova(payload), slotIova + HEADER_LENGTH, payloadLength, OpFlags.FENCE);
            device.copy(0, staging.iova(finish), slotIova, STAMP_LENGTH, OpFlags.FENCE | OpFlags.SUBMIT);
            stats.published = snapshot;
            nextPublish = Math.max(nextPublish + intervalNs, now);
        }
        final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (completedJobs < stats.published * 3 && System.nanoTime() - drainDeadline < 0)
        {
            completedJobs += device.completed(0, 64, completion);
            Thread.yield();
        }
        return stats;
    }

    private static void stamp(
        final UnsafeBuffer buffer, final int offset, final long sequence, final long timeNs, final int length)
    {
        buffer.putLong(offset + SEQUENCE_OFFSET, sequence);
        buffer.putLong(offset + PUBLISH_TIME_OFFSET, timeNs);
        buffer.putInt(offset + LENGTH_OFFSET, length);
    }
}
