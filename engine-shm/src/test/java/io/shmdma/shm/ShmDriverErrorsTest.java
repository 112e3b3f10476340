package io.shmdma.shm;

import io.shmdma.Completion;
import io.shmdma.DeviceDrivers;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.VchanStatus;
import io.shmdma.engine.EngineThreading;
import io.shmdma.engine.SoftwareDmaDriver;
import io.shmdma.memory.DmaRegion;
import io.shmdma.ring.RingDescriptor;
import io.shmdma.shm.cli.ShmdmaCli;
import io.shmdma.shm.registry.DeviceCountersView;
import io.shmdma.shm.registry.ErrorLogEntry;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Engine errors and rings forged by another process reach the operator: each once in the shared error log
 * ({@code shmdma errors}) and in the device's engine errors counter ({@code shmdma stats}).
 */
class ShmDriverErrorsTest
{
    private static final long CONDUCTOR_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private ShmTestDirectory dir;
    private ShmDomain domain;
    private DmaDevice device;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
        domain = ShmDomain.open(new ShmContext().dir(dir.path()).domainSegmentSize(1 << 20)
            .conductorIntervalNs(CONDUCTOR_INTERVAL_NS));
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (device != null && device.isValid())
        {
            if (device.isStarted())
            {
                device.stop();
            }
            device.close();
        }
        domain.close();
        dir.close();
    }

    @Test
    void shouldLogAnEngineErrorAndAForgedRingOnceEachAndCountBoth() throws Exception
    {
        final String name = "shm-errors";
        final AtomicBuffer ring = startAndMapRing(name);
        final SoftwareDmaDriver driver = (SoftwareDmaDriver)DeviceDrivers.driverOf(device);

        driver.engineErrorHandler().onError(new IllegalStateException("engine failure raised by the test"));
        assertEquals(1, entriesContaining("engine failure raised by the test").size());
        assertEquals(1, counters(name).engineErrors());

        final DmaRegion src = domain.memory().allocate(64);
        final DmaRegion dst = domain.memory().allocate(64);
        assertEquals(0, device.copy(0, src.iova(), dst.iova(), 64, OpFlags.SUBMIT));
        ring.putLongRelease(RingDescriptor.COMPLETED_INDEX_OFFSET, 1L << 40); // another process forges the header
        assertEquals(VchanStatus.HALTED_ERROR, device.vchanStatus(0));
        device.stats(0);
        device.vchanStatus(0);
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(CONDUCTOR_INTERVAL_NS) * 10); // the conductor reads stats meanwhile

        final List<ErrorLogEntry> forged = entriesContaining("completed index " + (1L << 40));
        assertEquals(1, forged.size(), forged.toString());
        assertEquals(1, forged.get(0).observationCount());
        assertTrue(forged.get(0).encodedError().contains(name + " vchan 0"), forged.get(0).encodedError());
        assertEquals(1, entriesContaining("engine failure raised by the test").size());
        assertEquals(1, entriesContaining("engine failure raised by the test").get(0).observationCount());
        assertEquals(2, counters(name).engineErrors(), "one engine error, one forged ring");
        assertEquals(1, driver.ringErrors());
    }

    @Test
    void shouldLogARingHaltedOnTheDataPathWithoutAnyControlCallFromTheApplication() throws Exception
    {
        final String name = "shm-silent-app";
        final AtomicBuffer ring = startAndMapRing(name);
        final DmaRegion src = domain.memory().allocate(64);
        final DmaRegion dst = domain.memory().allocate(64);
        assertEquals(0, device.copy(0, src.iova(), dst.iova(), 64, OpFlags.SUBMIT));
        device.engineInvoker().invoke();
        ring.putIntRelease(RingDescriptor.statusOffset(ring.getInt(RingDescriptor.CAPACITY_OFFSET), 0), 0x5EED_0000);
        final Completion completion = new Completion();
        assertEquals(0, device.completed(0, 8, completion), "a status word no engine writes");
        assertTrue(completion.hasError);

        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counters(name).engineErrors() == 0)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("the conductor did not report the halted ring");
            }
            Thread.sleep(5);
        }
        final List<ErrorLogEntry> entries = entriesContaining("status word " + 0x5EED_0000);
        assertEquals(1, entries.size(), entries.toString());
        assertEquals(1, counters(name).engineErrors());

        final String stats = cli("stats");
        assertTrue(stats.contains("ENGINE ERRORS"), stats);
        final String row = stats.lines().filter(line -> line.contains(name)).findFirst().orElseThrow();
        assertTrue(row.trim().endsWith(" 1"), "the device's row ends with its engine errors: " + row);
        assertTrue(cli("stats", "--json").contains("\"engine_errors\":1"), cli("stats", "--json"));
        final String pid = Long.toString(ProcessHandle.current().pid());
        assertTrue(cli("errors").contains("dev " + device.id() + " '" + name + "' (pid " + pid + "): 1 engine error"),
            cli("errors"));
    }

    private String cli(final String... command)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final String[] args = Arrays.copyOf(command, command.length + 2);
        args[command.length] = "--dir";
        args[command.length + 1] = dir.path().toString();
        assertEquals(ShmdmaCli.EXIT_OK, ShmdmaCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        return out.toString(StandardCharsets.UTF_8);
    }

    private AtomicBuffer startAndMapRing(final String name)
    {
        device = domain.createDevice(name, EngineThreading.inline());
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, new VchanConf(32));
        device.start();
        return RingAccess.mappedRing(domain, name);
    }

    private List<ErrorLogEntry> entriesContaining(final String text)
    {
        return domain.registry().errorLogEntries().stream().filter(entry -> entry.encodedError().contains(text))
            .toList();
    }

    private DeviceCountersView counters(final String name)
    {
        return domain.registry().deviceCountersViews().stream().filter(view -> view.name().equals(name))
            .findFirst().orElseThrow();
    }
}
