package io.shmdma.shm;

import io.shmdma.DmaDevice;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The reading JVM of {@link MemoryOrderingIT}: a domain whose inbox another JVM's engine writes, message by
 * message, payload first, then (a FENCE'd job) the sequence word. It polls the sequence word and, each time it
 * changes, reads the payload: every payload word must hold that sequence or a later one, or the sequence was seen
 * before its payload. Commands on stdin: {@code open <dir>}, {@code join <group> <token>}, {@code alloc},
 * {@code watch <messages> <payloadBytes>} (answers when the last sequence was seen), {@code exit}.
 */
public final class MemoryOrderingReaderMain
{
    /** Offset of the sequence word in the inbox, two cache lines past the largest payload it serves. */
    static final int SEQUENCE_OFFSET = 1024;
    /** Bytes of the inbox. */
    static final int INBOX_LENGTH = SEQUENCE_OFFSET + 128;

    private MemoryOrderingReaderMain()
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
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        ShmDomain domain = null;
        DmaDevice device = null;
        DmaRegion inbox = null;
        String line;
        try
        {
            while ((line = in.readLine()) != null)
            {
                final String[] words = line.trim().split("\\s+");
                switch (words[0])
                {
                    case "open":
                        domain = ShmDomain.open(new ShmContext().dir(Path.of(words[1])).domainSegmentSize(1 << 20));
                        device = domain.createDevice("ordering-reader", EngineThreading.backoff());
                        System.out.println("OK " + domain.domainId());
                        break;
                    case "join":
                        device.accessPairGroupJoin(domain.domainId(), UUID.fromString(words[2]),
                            Integer.parseInt(words[1]), null);
                        System.out.println("OK");
                        break;
                    case "alloc":
                        inbox = domain.memory().allocate(INBOX_LENGTH);
                        System.out.println("OK " + inbox.iova());
                        break;
                    case "watch":
                        System.out.println("OK " + watch(inbox.buffer(), Long.parseLong(words[1]),
                            Integer.parseInt(words[2])));
                        break;
                    case "exit":
                        System.out.println("OK");
                        return;
                    default:
                        System.out.println("ERR unknown command " + words[0]);
                        break;
                }
            }
        }
        finally
        {
            if (domain != null)
            {
                domain.close();
            }
        }
    }

    /**
     * Polls until the sequence word reads {@code messages}.
     *
     * @return {@code <observations> <violations> <first violation or -> <torn>}.
     */
    private static String watch(final UnsafeBuffer inbox, final long messages, final int payloadBytes)
    {
        final IdleStrategy idle = new BackoffIdleStrategy(100, 100, 1_000, 50_000);
        long last = 0;
        long observations = 0;
        long violations = 0;
        long torn = 0;
        String first = "-";
        final long deadlineNs = System.nanoTime() + 300_000_000_000L;
        while (last != messages && System.nanoTime() - deadlineNs < 0)
        {
            final long sequence = inbox.getLongAcquire(SEQUENCE_OFFSET);
            if (sequence == last)
            {
                idle.idle(0);
                continue;
            }
            idle.reset();
            if (sequence < last || sequence > messages)
            {
                torn++; // a sequence word that is not one the writer wrote, or went backwards
                if (first.equals("-"))
                {
                    first = "sequence " + sequence + " after " + last;
                }
                last = sequence;
                continue;
            }
            observations++;
            for (int offset = 0; offset < payloadBytes; offset += 8)
            {
                final long word = inbox.getLong(offset);
                if (word < sequence || word > messages)
                {
                    violations++;
                    if (first.equals("-"))
                    {
                        first = "sequence " + sequence + " with payload word " + offset / 8 + " = " + word;
                    }
                    break;
                }
            }
            last = sequence;
        }
        return observations + " " + violations + " " + torn + " " + last + " " + first.replace(' ', '_');
    }
}
