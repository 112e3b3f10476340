package io.shmdma.shm;

import io.shmdma.Completion;
import io.shmdma.DeviceDrivers;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaException;
import io.shmdma.DmaStatus;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.shm.registry.RegistryTestHooks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

/**
 * A scriptable member process for multi-process tests: reads one command per line on stdin, answers
 * {@code OK ...} or {@code ERR <errno> ...} on stdout, and prints group events as {@code EVENT ...} lines.
 * Tokens arrive on stdin, never on the command line.
 *
 * <p>Fault-injection commands: {@code pause-at <point|any> <nth> <holdMs>} makes the nth registry pause point
 * reached (on any thread, lock held) print {@code PAUSED <point> <thread>} and sleep holdMs (forever when
 * negative); {@code status} answers {@code OK dead=<isDeclaredDead>}; {@code copyloop <src> <dst> <len>} copies
 * on a background thread until {@code copyloop-stop}, which answers {@code OK <successes> <failures>};
 * {@code cycles <n> <token> <group>:<creator>,...} runs n load cycles and answers the latency of each call.
 * {@code open <dir> <livenessMs> <segmentBytes> [driver]} opens the domain, in driver mode with the last word;
 * {@code vstatus} answers vchan 0's status.
 *
 * <p>Group event commands: {@code churn <group> <token> <n>} joins and leaves a group n times as fast as it can and
 * answers {@code OK completed=<n> starts=<departure count at each join,...> join=<ns,...> leave=<ns,...>};
 * {@code block-listener <ms>} makes the listener sleep that long in its next call, before printing the event;
 * {@code hold-device <ms>} holds the device's and its driver's monitors on another thread for that long (answers once
 * they are held).
 */
public final class PeerProcess
{
    private static final PrintStream OUT = System.out;
    private ShmDomain domain;
    private DmaDevice device;
    private final Map<Long, DmaRegion> regions = new HashMap<>();
    private Thread copyLoop;
    private volatile boolean copyLoopRunning;
    private final AtomicInteger copyLoopSuccesses = new AtomicInteger();
    private final AtomicInteger copyLoopFailures = new AtomicInteger();
    private final AtomicLong blockListenerMs = new AtomicLong();

    private PeerProcess()
    {
    }

    /**
     * Runs the command loop.
     *
     * @param args unused.
     * @throws Exception on an I/O failure.
     */
    public static void main(final String[] args) throws Exception
    {
        new PeerProcess().run();
    }

    private void run() throws Exception
    {
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        reply("READY");
        String line;
        while ((line = in.readLine()) != null)
        {
            final String[] words = line.trim().split("\\s+");
            try
            {
                if (!execute(words))
                {
                    break;
                }
            }
            catch (final DmaException ex)
            {
                reply("ERR " + ex.errno() + " " + ex.getMessage());
            }
            catch (final RuntimeException ex)
            {
                reply("ERR -1 " + ex);
            }
        }
        stopCopyLoop();
        if (domain != null)
        {
            domain.close();
        }
    }

    /** Ends the background copy loop, so that one thread at a time uses the device (as DPDK requires). */
    private void stopCopyLoop() throws InterruptedException
    {
        copyLoopRunning = false;
        if (copyLoop != null)
        {
            copyLoop.join(TimeUnit.SECONDS.toMillis(20));
        }
    }

    private boolean execute(final String[] words) throws Exception
    {
        switch (words[0])
        {
            case "open":
                domain = ShmDomain.open(new ShmContext()
                    .dir(Path.of(words[1]))
                    .livenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(Long.parseLong(words[2])))
                    .conductorIntervalNs(TimeUnit.MILLISECONDS.toNanos(Math.max(1, Long.parseLong(words[2]) / 10)))
                    .domainSegmentSize(Long.parseLong(words[3]))
                    .engineMode(words.length > 4 && words[4].equals("driver") ?
                        ShmContext.EngineMode.DRIVER : ShmContext.EngineMode.EMBEDDED));
                device = domain.createDevice("peer-dma", EngineThreading.backoff());
                reply("OK " + domain.domainId());
                return true;
            case "create":
                reply("OK " + device.accessPairGroupCreate(domain.domainId(), UUID.fromString(words[1]),
                    this::onEvent));
                return true;
            case "join":
                device.accessPairGroupJoin(domain.domainId(), UUID.fromString(words[2]), Integer.parseInt(words[1]),
                    this::onEvent);
                reply("OK");
                return true;
            case "handler":
                reply("OK " + device.accessPairGroupHandlerGet(Integer.parseInt(words[1]), UUID.fromString(words[2])));
                return true;
            case "leave":
                device.accessPairGroupLeave(Integer.parseInt(words[1]));
                reply("OK");
                return true;
            case "destroy":
                device.accessPairGroupDestroy(Integer.parseInt(words[1]));
                reply("OK");
                return true;
            case "alloc":
                final DmaRegion region = domain.memory().allocate(Long.parseLong(words[1]));
                regions.put(region.iova(), region);
                reply("OK " + region.iova());
                return true;
            case "fill":
                reply("OK " + fillRandom(Long.parseLong(words[1]), Integer.parseInt(words[2]),
                    Long.parseLong(words[3])));
                return true;
            case "crc":
                reply("OK " + crc(Long.parseLong(words[1]), Integer.parseInt(words[2])));
                return true;
            case "vchan":
                stopCopyLoop();
                device.stop();
                device.configure(new DmaConf(1, 0));
                device.vchanSetup(0, VchanConf.interProcess(256, Integer.parseInt(words[1]),
                    Integer.parseInt(words[2])));
                device.start();
                reply("OK");
                return true;
            case "copy":
                reply("OK " + copy(Long.parseLong(words[1]), Long.parseLong(words[2]), Integer.parseInt(words[3])));
                return true;
            case "vstatus":
                reply("OK " + device.vchanStatus(0));
                return true;
            case "hang":
                reply("OK");
                Thread.sleep(Long.MAX_VALUE);
                return true;
            case "exit":
                reply("OK");
                return false;
            case "pause-at":
                armPause(words[1], Integer.parseInt(words[2]), Long.parseLong(words[3]));
                reply("OK armed");
                return true;
            case "status":
                reply("OK dead=" + domain.isDeclaredDead());
                return true;
            case "copyloop":
                startCopyLoop(Long.parseLong(words[1]), Long.parseLong(words[2]), Integer.parseInt(words[3]));
                reply("OK");
                return true;
            case "copyloop-stop":
                stopCopyLoop();
                reply("OK " + copyLoopSuccesses.get() + " " + copyLoopFailures.get());
                return true;
            case "churn":
                reply("OK " + churn(Integer.parseInt(words[1]), UUID.fromString(words[2]), Integer.parseInt(words[3])));
                return true;
            case "block-listener":
                blockListenerMs.set(Long.parseLong(words[1]));
                reply("OK");
                return true;
            case "hold-device":
                holdDevice(Long.parseLong(words[1]));
                reply("OK held");
                return true;
            case "cycles":
                reply("OK " + new LoadCycles(device, domain.domainId()).run(
                    Integer.parseInt(words[1]), UUID.fromString(words[2]), words[3]));
                return true;
            default:
                reply("ERR -1 unknown command " + words[0]);
                return true;
        }
    }

    private DmaStatus copy(final long src, final long dst, final int length)
    {
        final int idx = device.copy(0, src, dst, length, OpFlags.SUBMIT);
        if (idx < 0)
        {
            throw new DmaException(-idx, "copy enqueue failed");
        }
        final DmaStatus[] status = new DmaStatus[1];
        final Completion completion = new Completion();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (device.completedStatus(0, 1, completion, status) == 0)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("copy did not complete in 10 s");
            }
            LockSupport.parkNanos(20_000);
        }
        return status[0];
    }

    private void armPause(final String point, final int nth, final long holdMs)
    {
        final AtomicInteger hits = new AtomicInteger();
        RegistryTestHooks.pauseHook(reached ->
        {
            if ((point.equals("any") || point.equals(reached)) && hits.incrementAndGet() == nth)
            {
                RegistryTestHooks.pauseHook(null);
                reply("PAUSED " + reached + " " + Thread.currentThread().getName());
                final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(holdMs);
                while (holdMs < 0 || System.nanoTime() - deadlineNs < 0)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
        });
    }

    private void startCopyLoop(final long src, final long dst, final int length)
    {
        copyLoopRunning = true;
        copyLoop = new Thread(() ->
        {
            while (copyLoopRunning)
            {
                final DmaStatus status = copy(src, dst, length);
                (status == DmaStatus.SUCCESSFUL ? copyLoopSuccesses : copyLoopFailures).incrementAndGet();
            }
        }, "copy-loop");
        copyLoop.setDaemon(true);
        copyLoop.start();
    }

    private long fillRandom(final long iova, final int length, final long seed)
    {
        final DmaRegion region = region(iova);
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        region.buffer().putBytes((int)(iova - region.iova()), bytes);
        return crc(iova, length);
    }

    private long crc(final long iova, final int length)
    {
        final DmaRegion region = region(iova);
        final byte[] bytes = new byte[length];
        region.buffer().getBytes((int)(iova - region.iova()), bytes);
        final CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private DmaRegion region(final long iova)
    {
        for (final DmaRegion region : regions.values())
        {
            if (iova >= region.iova() && iova < region.iova() + region.length())
            {
                return region;
            }
        }
        throw new IllegalArgumentException("no region at " + iova);
    }

    private void onEvent(final int devId, final int groupId, final UUID domainId, final io.shmdma.GroupEventType type)
    {
        sleepFor(blockListenerMs.getAndSet(0));
        reply("EVENT " + type + " " + groupId + " " + domainId);
    }

    private static void sleepFor(final long ms)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (ms > 0 && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(deadlineNs - System.nanoTime());
        }
    }

    private String churn(final int groupId, final UUID token, final int cycles)
    {
        final StringBuilder starts = new StringBuilder();
        final StringBuilder joins = new StringBuilder();
        final StringBuilder leaves = new StringBuilder();
        final ShmDmaDriver driver = (ShmDmaDriver)DeviceDrivers.driverOf(device);
        int completed = 0;
        for (; completed < cycles; completed++)
        {
            final long joinStartNs = System.nanoTime();
            device.accessPairGroupJoin(domain.domainId(), token, groupId, this::onEvent);
            final long leaveStartNs = System.nanoTime();
            final long start = driver.joinedAfterDeparture(groupId);
            device.accessPairGroupLeave(groupId);
            final long endNs = System.nanoTime();
            final String separator = completed == 0 ? "" : ",";
            starts.append(separator).append(start);
            joins.append(separator).append(leaveStartNs - joinStartNs);
            leaves.append(separator).append(endNs - leaveStartNs);
        }
        return "completed=" + completed + " starts=" + starts + " join=" + joins + " leave=" + leaves;
    }

    private void holdDevice(final long holdMs) throws InterruptedException
    {
        final CountDownLatch held = new CountDownLatch(1);
        final Thread holder = new Thread(() ->
        {
            synchronized (device)
            {
                synchronized (DeviceDrivers.driverOf(device))
                {
                    held.countDown();
                    sleepFor(holdMs);
                }
            }
        }, "device-monitor-holder");
        holder.setDaemon(true);
        holder.start();
        held.await();
    }

    private static void reply(final String line)
    {
        synchronized (OUT)
        {
            OUT.println(line);
            OUT.flush();
        }
    }
}
