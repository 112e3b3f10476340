package io.shmdma.engine;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaDevices;
import io.shmdma.DmaStats;
import io.shmdma.DmaStatus;
import io.shmdma.DmaTestSupport;
import io.shmdma.Errno;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.VchanStatus;
import io.shmdma.memory.DmaRegion;
import io.shmdma.memory.DomainMemory;
import io.shmdma.ring.RingDescriptor;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Engine errors and rings found forged reach the driver's error handler, each once; the data path never reports
 * (it neither allocates nor locks), the next control call does.
 */
class SoftwareDmaDriverErrorsTest
{
    private static final long BASE = 0x4000_0000L;

    private final DomainMemory memory = DomainMemory.allocateDirect(BASE, 1 << 20);
    private RecordingDriver driver;
    private DmaDevice device;
    private DmaRegion src;
    private DmaRegion dst;

    @BeforeEach
    void setUp()
    {
        driver = new RecordingDriver(memory);
        device = DmaDevices.register(DmaTestSupport.uniqueName("errors"), driver);
        device.configure(new DmaConf(2, 0));
        device.vchanSetup(0, new VchanConf(32));
        device.vchanSetup(1, new VchanConf(32));
        device.start();
        src = memory.allocate(4096);
        dst = memory.allocate(4096);
    }

    @AfterEach
    void tearDown()
    {
        if (device.isValid())
        {
            if (device.isStarted())
            {
                device.stop();
            }
            device.close();
        }
    }

    @Test
    void shouldPassEngineErrorsToTheHandlerOnce()
    {
        final IllegalStateException error = new IllegalStateException("engine bug");
        driver.engineErrorHandler().onError(error);
        assertEquals(List.of(error), driver.errors);
        assertEquals(1, driver.engineErrors());
        assertSame(error, driver.lastEngineError());
        device.vchanStatus(0);
        device.stats(DmaDevice.ALL_VCHAN);
        assertEquals(1, driver.errors.size(), "reported when it happened, not again");
        assertEquals(0, driver.ringErrors());
    }

    @Test
    void shouldReportAForgedCompletedIndexOnceAndRunAgainAfterARestart()
    {
        final Completion completion = new Completion();
        for (int i = 0; i < 3; i++)
        {
            assertEquals(i, device.copy(0, src.iova(i * 8L), dst.iova(i * 8L), 8, OpFlags.SUBMIT));
        }
        device.engineInvoker().invoke();
        assertEquals(3, device.completed(0, 32, completion));
        assertEquals(3, device.copy(0, src.iova(), dst.iova(), 8, 0));
        assertEquals(4, device.copy(0, src.iova(), dst.iova(), 8, OpFlags.SUBMIT));

        driver.rings[0].putLongRelease(RingDescriptor.COMPLETED_INDEX_OFFSET, Long.MAX_VALUE);
        assertEquals(0, device.completed(0, 32, completion), "the two jobs never ran");
        assertEquals(List.of(), driver.errors, "the data path reports nothing");
        assertEquals(VchanStatus.HALTED_ERROR, device.vchanStatus(0));
        assertEquals(VchanStatus.IDLE, device.vchanStatus(1), "the other vchan is not affected");
        assertEquals(1, driver.errors.size());
        final String message = driver.errors.get(0).getMessage();
        assertTrue(message.contains("vchan 0") && message.contains("completed index " + Long.MAX_VALUE), message);
        assertEquals(1, driver.ringErrors());

        final DmaStats stats = device.stats(0);
        assertEquals(5, stats.submitted);
        assertTrue(stats.completed >= 3 && stats.completed <= 5, stats.toString());
        device.vchanStatus(0);
        device.dump(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(1, driver.errors.size(), "reported once");

        final DmaStatus[] status = new DmaStatus[32];
        assertEquals(2, device.completedStatus(0, 32, completion, status));
        assertSame(DmaStatus.ERROR_UNKNOWN, status[0]);
        assertSame(DmaStatus.ERROR_UNKNOWN, status[1]);
        assertEquals(4, completion.lastIdx);
        assertEquals(-Errno.EIO, device.copy(0, src.iova(), dst.iova(), 8, OpFlags.SUBMIT));
        assertEquals(0, device.burstCapacity(0));

        device.stop();
        device.start();
        assertEquals(VchanStatus.IDLE, device.vchanStatus(0));
        src.buffer().putLong(0, 0x1234);
        assertEquals(0, device.copy(0, src.iova(), dst.iova(64), 8, OpFlags.SUBMIT));
        device.engineInvoker().invoke();
        assertEquals(1, device.completed(0, 32, completion));
        assertEquals(0x1234, dst.buffer().getLong(64));
        assertEquals(1, driver.errors.size());

        driver.rings[0].putLongRelease(RingDescriptor.ERROR_COUNT_OFFSET, -7);
        device.stats(0);
        assertEquals(2, driver.errors.size(), "a new halt is a new report");
        assertTrue(driver.errors.get(1).getMessage().contains("error count -7"), driver.errors.get(1).getMessage());
    }

    @Test
    void shouldReportARingHaltedOnTheDataPathAtTheNextControlCall()
    {
        assertEquals(0, device.copy(1, src.iova(), dst.iova(), 8, OpFlags.SUBMIT));
        device.engineInvoker().invoke();
        driver.rings[1].putInt(RingDescriptor.statusOffset(32, 0), 0x7EAD_BEEF);
        final Completion completion = new Completion();
        assertEquals(0, device.completed(1, 32, completion));
        assertTrue(completion.hasError);
        assertEquals(List.of(), driver.errors);
        device.stop();
        assertEquals(1, driver.errors.size());
        assertTrue(driver.errors.get(0).getMessage().contains("vchan 1: "), driver.errors.get(0).getMessage());
        device.start();
        device.stop();
        device.close();
        assertEquals(1, driver.errors.size());
    }

    /** A software driver with rings in direct memory that records what reaches its error handler. */
    static final class RecordingDriver extends SoftwareDmaDriver
    {
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final AtomicBuffer[] rings = new AtomicBuffer[MAX_VCHANS];

        RecordingDriver(final DomainMemory memory)
        {
            super(memory, EngineThreading.inline());
        }

        @Override
        protected long extraCapabilities()
        {
            return 0;
        }

        @Override
        protected AtomicBuffer ringBuffer(final int vchan, final int length)
        {
            rings[vchan] = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, 128));
            return rings[vchan];
        }

        @Override
        protected void onError(final Throwable error)
        {
            errors.add(error);
        }
    }
}
