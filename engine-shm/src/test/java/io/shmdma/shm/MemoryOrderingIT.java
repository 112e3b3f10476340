package io.shmdma.shm;

import io.shmdma.Completion;
import io.shmdma.DeviceDrivers;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.engine.SoftwareDmaDriver;
import io.shmdma.memory.DmaRegion;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * FENCE as a memory-ordering guarantee across processes: this JVM's engine writes 10 million messages into another
 * JVM's memory, each as a payload job, then a FENCE'd job that copies the 8-byte sequence word; the other JVM polls
 * the sequence word and checks, every time it changes, that the payload already holds that message (or a later
 * one). It must never see a sequence before its payload, nor a sequence word the writer did not write.
 * <p>
 * The engine runs inline on the writing thread (bursts of {@link #BURST} messages, one doorbell each); the reader
 * polls with a backoff idle strategy. Messages and payload size can be changed with
 * {@code -Dshmdma.ordering.messages} and {@code -Dshmdma.ordering.payload}.
 */
class MemoryOrderingIT
{
    private static final long MESSAGES = Long.getLong("shmdma.ordering.messages", 10_000_000L);
    private static final int PAYLOAD = Integer.getInteger("shmdma.ordering.payload", 128);
    private static final int BURST = 256;
    private static final int RING = 2 * BURST;
    /** A source slot: the payload, then the sequence word on its own cache line. */
    private static final int SLOT = PAYLOAD + 64;

    @Test
    void shouldNeverShowASequenceBeforeItsPayloadInAnotherProcess() throws Exception
    {
        assertTrue(PAYLOAD > 0 && PAYLOAD % 64 == 0 && PAYLOAD <= MemoryOrderingReaderMain.SEQUENCE_OFFSET - 128);
        try (ShmTestDirectory dir = new ShmTestDirectory();
            ChildJava reader = new ChildJava(null, List.of(), MemoryOrderingReaderMain.class.getName()))
        {
            final ShmDomain domain = ShmDomain.open(new ShmContext().dir(dir.path()).domainSegmentSize(4 << 20));
            try
            {
                final UUID readerDomain = UUID.fromString(reader.ok("open " + dir));
                final DmaDevice device = domain.createDevice("ordering-writer", EngineThreading.inline());
                final UUID token = UUID.randomUUID();
                final int group = device.accessPairGroupCreate(domain.domainId(), token, null);
                reader.ok("join " + group + " " + token);
                final long inbox = Long.parseLong(reader.ok("alloc"));
                device.configure(new DmaConf(1, 0));
                device.vchanSetup(0, VchanConf.interProcess(RING,
                    device.accessPairGroupHandlerGet(group, domain.domainId()),
                    device.accessPairGroupHandlerGet(group, readerDomain)));
                device.start();
                final DmaRegion outbox = domain.memory().allocate((long)BURST * SLOT);

                reader.write("watch " + MESSAGES + " " + PAYLOAD);
                final long startNs = System.nanoTime();
                send(device, outbox, inbox);
                final long sentNs = System.nanoTime() - startNs;
                final String answer = reader.nextReply();
                final long seenNs = System.nanoTime() - startNs;
                final String[] reply = answer.split(" ");
                assertEquals("OK", reply[0], answer);
                final long observations = Long.parseLong(reply[1]);
                System.out.printf("[ordering] %,d messages of %d B (2 jobs each, FENCE on the sequence word), " +
                    "inline engine, bursts of %d: sent in %.1f s (%.0f ns per message), last seen after %.1f s; the " +
                    "reader saw %,d distinct sequences, %s violations, %s torn%n", MESSAGES, PAYLOAD, BURST,
                    sentNs / 1e9, (double)sentNs / MESSAGES, seenNs / 1e9, observations, reply[2], reply[3]);
                assertEquals("0", reply[2], "a sequence was seen before its payload: " + reply[5]);
                assertEquals("0", reply[3], "a sequence word the writer never wrote: " + reply[5]);
                assertEquals(Long.toString(MESSAGES), reply[4], "the reader saw the last message");
                // how many of these overlap a burst depends on how often the two JVMs run at the same time: a few
                // hundred with other busy processes on a 2-vCPU VM, hundreds of thousands otherwise
                assertTrue(observations >= Math.min(MESSAGES, 100), "the reader polled while the writer ran: " +
                    answer);
                assertEquals(0, ((SoftwareDmaDriver)DeviceDrivers.driverOf(device)).engineErrors());
                reader.ok("exit");
                assertEquals(0, reader.waitForExit());
            }
            finally
            {
                domain.close();
            }
        }
    }

    private static void send(final DmaDevice device, final DmaRegion outbox, final long inbox)
    {
        final UnsafeBuffer out = outbox.buffer();
        final AgentInvoker engine = device.engineInvoker();
        final Completion completion = new Completion();
        long message = 0;
        while (message < MESSAGES)
        {
            final int burst = (int)Math.min(BURST, MESSAGES - message);
            for (int i = 0; i < burst; i++)
            {
                final long sequence = message + i + 1;
                final int slot = i * SLOT;
                for (int offset = 0; offset < PAYLOAD; offset += 8)
                {
                    out.putLong(slot + offset, sequence);
                }
                out.putLong(slot + PAYLOAD, sequence);
                check(device.copy(0, outbox.iova(slot), inbox, PAYLOAD, 0));
                check(device.copy(0, outbox.iova(slot + PAYLOAD), inbox + MemoryOrderingReaderMain.SEQUENCE_OFFSET, 8,
                    OpFlags.FENCE));
            }
            device.submit(0);
            int completed = 0;
            while (completed < 2 * burst)
            {
                engine.invoke();
                completed += device.completed(0, RING, completion);
                if (completion.hasError)
                {
                    throw new AssertionError("a job failed after message " + (message + completed / 2));
                }
            }
            message += burst;
        }
    }

    private static void check(final int ringIdx)
    {
        if (ringIdx < 0)
        {
            throw new AssertionError("enqueue failed: " + ringIdx);
        }
    }
}
