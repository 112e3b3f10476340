package io.shmdma.shm;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.ring.RingDescriptor;
import io.shmdma.shm.registry.DomainView;
import io.shmdma.shm.registry.RegistryConfig;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a {@link ShmContext} carries besides plain values reaches the domain: the registry's settings, the thread
 * factory (conductor, delivery and engine threads) and the error handler, which runs on the delivery thread and
 * cannot stop the conductor by throwing.
 */
class ShmContextThreadsTest
{
    private static final long CONDUCTOR_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final RecordingThreadFactory threads = new RecordingThreadFactory();
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private final List<String> handlerThreads = new CopyOnWriteArrayList<>();
    private ShmTestDirectory dir;
    private ShmDomain domain;
    private DmaDevice device;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (domain != null)
        {
            domain.close();
        }
        dir.close();
    }

    @Test
    void shouldPassTheContextsRegistrySettingsToTheRegistry()
    {
        domain = ShmDomain.open(context()
            .livenessTimeoutNs(TimeUnit.SECONDS.toNanos(3))
            .joinLockoutAttempts(7)
            .joinLockoutDurationNs(TimeUnit.MILLISECONDS.toNanos(250))
            .lockTimeoutNs(TimeUnit.SECONDS.toNanos(4))
            .openTimeoutNs(TimeUnit.MILLISECONDS.toNanos(400)));

        final RegistryConfig config = domain.registry().config();
        assertEquals(TimeUnit.SECONDS.toNanos(3), config.livenessTimeoutNs());
        assertEquals(7, config.joinLockoutAttempts());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(250), config.joinLockoutDurationNs());
        assertEquals(TimeUnit.SECONDS.toNanos(4), config.lockTimeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(400), config.openTimeoutNs());
        assertFalse(config.groupShared());
    }

    @Test
    void shouldMakeEveryThreadOfTheDomainWithTheContextsFactory() throws Exception
    {
        domain = ShmDomain.open(context().threadFactory(threads));
        final String id = domain.domainId().toString();
        awaitTrue(() -> threads.ran.size() == 2, "conductor and delivery threads run what the factory wrapped");
        final Thread conductor = threads.named("shmdma-conductor-" + id);
        final Thread events = threads.named("shmdma-events-" + id);
        assertTrue(events.isDaemon(), "a listener blocked at close must not keep the JVM alive");
        assertFalse(conductor.isDaemon(), "Thread::new semantics kept: inherits from the (non-daemon) test thread");

        device = domain.createDevice("ctx-engine", EngineThreading.backoff());
        start(device);
        final Thread engine = threads.named("shmdma-engine-ctx-engine");
        awaitTrue(() -> threads.ran.contains(engine), "the engine runs on the thread the factory made");
        copyOnce(device);

        final RecordingThreadFactory own = new RecordingThreadFactory();
        final DmaDevice ownDevice = domain.createDevice("ctx-own",
            EngineThreading.backoff().withThreadFactory(own));
        start(ownDevice);
        assertEquals(1, own.made.size(), "a threading's own factory comes first");
        assertEquals("shmdma-engine-ctx-own", own.made.get(0).getName());
        assertEquals(3, threads.made.size(), threads.made.toString());

        final DmaDevice inline = domain.createDevice("ctx-inline", EngineThreading.inline());
        start(inline);
        assertEquals(3, threads.made.size(), "inline threading makes no thread");

        domain.close();
        domain = null;
        for (final Thread thread : List.of(conductor, events, engine, own.made.get(0)))
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(thread.isAlive(), thread.getName() + " ends when the domain closes");
        }
    }

    @Test
    void shouldUndoTheOpenWhenTheThreadFactoryFails() throws Exception
    {
        final ThreadFactory failing = runnable ->
        {
            if (threads.made.size() == 1)
            {
                throw new IllegalStateException("no second thread, says the test");
            }
            return threads.newThread(runnable);
        };

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> ShmDomain.open(context().threadFactory(failing)));
        assertEquals("no second thread, says the test", ex.getMessage());
        final Thread events = threads.made.get(0);
        events.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(events.isAlive(), "the delivery thread already started ends");
        try (var files = Files.list(dir.path()))
        {
            assertEquals(List.of(dir.path().resolve(ShmDomain.CONTROL_FILE_NAME)), files.toList(),
                "the domain's segment is gone");
        }
        domain = ShmDomain.open(context());
        assertEquals(List.of(domain.domainId()),
            domain.registry().domains().stream().map(DomainView::domainId).toList(), "and its registration");
    }

    @Test
    void shouldPassRecordedErrorsToTheErrorHandlerOnTheDeliveryThread()
    {
        domain = ShmDomain.open(context().threadFactory(threads).errorHandler(recordingHandler(false)));

        domain.recordError(new IllegalStateException("raised by the test"));

        awaitTrue(() -> handled.stream().anyMatch(message -> message.contains("raised by the test")),
            "the handler receives the error");
        assertEquals(List.of("shmdma-events-" + domain.domainId()), List.copyOf(handlerThreads));
        assertTrue(domain.registry().errorLogEntries().stream()
            .anyMatch(entry -> entry.encodedError().contains("raised by the test")), "and the shared log has it");
    }

    @Test
    void shouldKeepTheConductorRunningWhenTheErrorHandlerThrows() throws Exception
    {
        domain = ShmDomain.open(context().threadFactory(threads).errorHandler(recordingHandler(true)));
        final Thread conductor = threads.named("shmdma-conductor-" + domain.domainId());

        forgeACompletionStatusTheConductorReports();
        awaitTrue(() -> handled.stream().anyMatch(message -> message.contains("status word " + 0x5EED_0000)),
            "the handler receives the halted ring the conductor reports");
        assertTrue(handlerThreads.stream().allMatch(name -> name.startsWith("shmdma-events-")),
            handlerThreads::toString);

        final long heartbeatNs = ownHeartbeatNs();
        awaitTrue(() -> ownHeartbeatNs() != heartbeatNs, "the conductor still heartbeats after the handler threw");
        assertTrue(conductor.isAlive());
        assertFalse(domain.isDeclaredDead());
        domain.recordError(new IllegalStateException("second error"));
        awaitTrue(() -> handled.stream().anyMatch(message -> message.contains("second error")),
            "the delivery thread survived the handler too");
        assertTrue(domain.registry().errorLogEntries().stream()
            .anyMatch(entry -> entry.encodedError().contains("the error handler threw")), "its failure is logged");
    }

    private ShmContext context()
    {
        return new ShmContext().dir(dir.path()).domainSegmentSize(1 << 20).conductorIntervalNs(CONDUCTOR_INTERVAL_NS)
            .livenessTimeoutNs(TimeUnit.SECONDS.toNanos(2));
    }

    private ErrorHandler recordingHandler(final boolean throwing)
    {
        return error ->
        {
            handlerThreads.add(Thread.currentThread().getName());
            handled.add(String.valueOf(error));
            if (throwing)
            {
                throw new IllegalStateException("handler failure raised by the test");
            }
        };
    }

    private void forgeACompletionStatusTheConductorReports() throws Exception
    {
        device = domain.createDevice("ctx-forged", EngineThreading.inline());
        start(device);
        final AtomicBuffer ring = RingAccess.mappedRing(domain, "ctx-forged");
        final DmaRegion src = domain.memory().allocate(64);
        final DmaRegion dst = domain.memory().allocate(64);
        assertEquals(0, device.copy(0, src.iova(), dst.iova(), 64, OpFlags.SUBMIT));
        device.engineInvoker().invoke();
        ring.putIntRelease(RingDescriptor.statusOffset(ring.getInt(RingDescriptor.CAPACITY_OFFSET), 0), 0x5EED_0000);
        final Completion completion = new Completion();
        assertEquals(0, device.completed(0, 8, completion), "a status word no engine writes halts the ring");
        assertTrue(completion.hasError);
    }

    private long ownHeartbeatNs()
    {
        for (final DomainView view : domain.registry().domains())
        {
            if (view.domainId().equals(domain.domainId()))
            {
                return view.heartbeatNs();
            }
        }
        throw new AssertionError("domain not registered");
    }

    private static void start(final DmaDevice device)
    {
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, new VchanConf(32));
        device.start();
    }

    private void copyOnce(final DmaDevice device)
    {
        final DmaRegion src = domain.memory().allocate(64);
        final DmaRegion dst = domain.memory().allocate(64);
        src.buffer().setMemory(0, 64, (byte)0x3C);
        assertEquals(0, device.copy(0, src.iova(), dst.iova(), 64, OpFlags.SUBMIT));
        final Completion completion = new Completion();
        awaitTrue(() -> device.completed(0, 1, completion) == 1, "the engine thread copies");
        assertEquals(0x3C, dst.buffer().getByte(63));
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out: " + what);
            }
            try
            {
                Thread.sleep(2);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /** Records the threads it makes, and which of them ran the runnable they were given (as a pinning factory). */
    private static final class RecordingThreadFactory implements ThreadFactory
    {
        private final List<Thread> made = new CopyOnWriteArrayList<>();
        private final Set<Thread> ran = ConcurrentHashMap.newKeySet();

        @Override
        public Thread newThread(final Runnable runnable)
        {
            final Thread thread = new Thread(() ->
            {
                ran.add(Thread.currentThread());
                runnable.run();
            });
            made.add(thread);
            return thread;
        }

        private Thread named(final String name)
        {
            for (final Thread thread : made)
            {
                if (thread.getName().equals(name))
                {
                    return thread;
                }
            }
            fail("no thread named " + name + " in " + made);
            return null;
        }
    }
}
