package io.shmdma.shm.driver;

import io.shmdma.DmaException;
import io.shmdma.shm.file.ShmFiles;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.shmdma.shm.driver.DriverFileDescriptor.*;

/**
 * A directory's driver as its {@code driver.shm} shows it, read once through a read-only mapping: for
 * {@code shmdma driver --status} and {@code shmdma list}. Every field is a copy of what the file held; the file
 * can say anything, so the values are only shown, never acted on.
 *
 * @param file             the driver file.
 * @param pid              the driver's pid as it wrote it (informational).
 * @param alive            whether its layout is this one's and its heartbeat within the liveness timeout.
 * @param heartbeatAgeMs   age of its heartbeat.
 * @param incarnation      the driver's random incarnation id.
 * @param engineThreads    its engine threads.
 * @param slots            the vchan slots in use.
 */
public record DriverStatus(
    Path file, long pid, boolean alive, long heartbeatAgeMs, long incarnation, int engineThreads, List<Slot> slots)
{
    /**
     * A vchan slot in use.
     *
     * @param slot         its index.
     * @param state        its state's name.
     * @param clientDomain the client's domain.
     * @param device       the client's device name.
     * @param vchan        the vchan.
     * @param route        {@code local} or {@code inter-process S -> D} (handlers).
     */
    public record Slot(int slot, String state, UUID clientDomain, String device, int vchan, String route)
    {
    }

    /**
     * Reads the driver file of a directory.
     *
     * @param dir               the shmdma directory.
     * @param livenessTimeoutNs a heartbeat older than this is a dead driver's.
     * @return the status, or null when the directory has no driver file.
     * @throws DmaException when the file exists but cannot be read as a driver file (too short, a link, not ours,
     *                      or cut short while read).
     */
    public static DriverStatus read(final Path dir, final long livenessTimeoutNs)
    {
        final Path file = DriverFileDescriptor.file(dir);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            return null;
        }
        try (FileChannel channel = ShmFiles.openExisting(file, true))
        {
            if (channel.size() < TOTAL_LENGTH)
            {
                throw new DmaException(io.shmdma.Errno.EINVAL, file + " is shorter than a driver file (" +
                    channel.size() + " bytes)");
            }
            final MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, TOTAL_LENGTH);
            try
            {
                return read(file, new UnsafeBuffer(mapping), livenessTimeoutNs);
            }
            finally
            {
                ShmFiles.unmap(mapping);
            }
        }
        catch (final IOException | InternalError ex)
        {
            // InternalError: the file was cut short under the mapping (SIGBUS)
            throw new DmaException(io.shmdma.Errno.EIO, "cannot read " + file + ": " + ex.getMessage());
        }
    }

    private static DriverStatus read(final Path file, final UnsafeBuffer buffer, final long livenessTimeoutNs)
    {
        final long ageNs = Math.max(0, System.nanoTime() - buffer.getLongAcquire(HEARTBEAT_OFFSET));
        final boolean alive = buffer.getIntAcquire(VERSION_OFFSET) == LAYOUT_VERSION && ageNs <= livenessTimeoutNs;
        final List<Slot> slots = new ArrayList<>();
        for (int slot = 0; slot < SLOT_COUNT; slot++)
        {
            final int state = state(lvStateWord(buffer, slot));
            if (state == FREE)
            {
                continue;
            }
            final int offset = slotOffset(slot);
            slots.add(new Slot(slot, stateName(state), clientDomain(buffer, slot),
                getString(buffer, offset + SLOT_DEVICE_NAME_LENGTH_OFFSET, DEVICE_NAME_MAX_LENGTH),
                buffer.getInt(offset + SLOT_VCHAN_OFFSET),
                buffer.getInt(offset + SLOT_TYPE_OFFSET) == TYPE_INTER_PROCESS ? "inter-process " +
                buffer.getInt(offset + SLOT_SRC_HANDLER_OFFSET) + " -> " +
                buffer.getInt(offset + SLOT_DST_HANDLER_OFFSET) : "local"));
        }
        return new DriverStatus(file, buffer.getLong(PID_OFFSET), alive, TimeUnit.NANOSECONDS.toMillis(ageNs),
            buffer.getLong(INCARNATION_OFFSET), buffer.getInt(ENGINE_THREADS_OFFSET), List.copyOf(slots));
    }

    /**
     * One line: the driver, its liveness and how many of its slots are in use.
     *
     * @return the line, without a newline.
     */
    public String summary()
    {
        return String.format(java.util.Locale.ROOT, "driver: pid %d, %s (heartbeat %d ms old), incarnation %x, " +
            "%d engine thread(s), %d of %d vchan slots in use",
            pid, alive ? "ALIVE" : "DEAD", heartbeatAgeMs, incarnation, engineThreads, slots.size(), SLOT_COUNT);
    }
}
