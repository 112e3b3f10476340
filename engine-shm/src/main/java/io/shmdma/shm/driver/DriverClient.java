package io.shmdma.shm.driver;

import io.shmdma.DmaException;
import io.shmdma.Errno;
import io.shmdma.engine.SoftwareDmaDriver;
import io.shmdma.ring.DescriptorRing;
import io.shmdma.shm.file.ShmFiles;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

import static io.shmdma.shm.driver.DriverFileDescriptor.*;

/**
 * The application side of driver mode for one device: its start hands every vchan to the driver process of the
 * directory through {@code driver.shm} ({@link DriverFileDescriptor}) and returns once the driver took them; its
 * stop hands them back. This process runs no engine: it maps its own segment and rings only. The driver maps each
 * ring by its file's name; once it took the vchan the name is removed, so a ring being served has no name (each
 * start hands the driver rings in new files, see {@code ShmDmaDriver.remoteRingBuffer}).
 * <p>
 * The process's conductor calls {@link #checkLiveness(long)} every cycle: once the driver's heartbeat is older than
 * the liveness timeout, or another driver replaced it, or the driver let go of a vchan (it found this domain dead),
 * the vchans are halted ({@link DescriptorRing#haltEngineGone()}): {@code vchan_status} reports HALTED_ERROR,
 * enqueue and submit return {@code -EIO}, every job not yet gathered completes with an error status, and the halt
 * goes to the error log. A stop then start serves the device again through whatever live driver is there by then.
 */
public final class DriverClient implements SoftwareDmaDriver.RemoteEngine
{
    private static final long POLL_NS = TimeUnit.MICROSECONDS.toNanos(200);

    private final Path dir;
    private final UUID domainId;
    private final int domainSlot;
    private final LongSupplier domainGeneration;
    private final String deviceName;
    private final long livenessTimeoutNs;
    private final long driverTimeoutNs;
    private final IntFunction<VchanRequest> requests;
    private final ErrorHandler errorHandler;
    private DriverFile cachedFile;
    private volatile Attachment attachment;

    /**
     * What the driver needs to serve one vchan.
     *
     * @param interProcess   whether the vchan is inter-process (else both ends are this domain).
     * @param srcHandler     source handler of an inter-process vchan.
     * @param dstHandler     destination handler of an inter-process vchan.
     * @param ringFileName   the ring's file name in the directory, removed once the driver took the vchan.
     * @param ringLength     the ring's length in bytes.
     */
    public record VchanRequest(
        boolean interProcess, int srcHandler, int dstHandler, String ringFileName, int ringLength)
    {
    }

    /**
     * @param dir               the shmdma directory.
     * @param domainId          this process's domain.
     * @param domainSlot        its registry slot.
     * @param domainGeneration  its registry generation, read at each start.
     * @param deviceName        the device, for people.
     * @param livenessTimeoutNs a driver heartbeat older than this is a dead driver's.
     * @param driverTimeoutNs   longest wait for the driver at start and stop.
     * @param requests          the request of each vchan, asked at each start.
     * @param errorHandler      where halts and failed hand-backs are reported (the error log).
     */
    public DriverClient(
        final Path dir, final UUID domainId, final int domainSlot, final LongSupplier domainGeneration,
        final String deviceName, final long livenessTimeoutNs, final long driverTimeoutNs,
        final IntFunction<VchanRequest> requests, final ErrorHandler errorHandler)
    {
        this.dir = dir;
        this.domainId = domainId;
        this.domainSlot = domainSlot;
        this.domainGeneration = domainGeneration;
        this.deviceName = deviceName;
        this.livenessTimeoutNs = livenessTimeoutNs;
        this.driverTimeoutNs = driverTimeoutNs;
        this.requests = requests;
        this.errorHandler = errorHandler;
    }

    @Override
    public int attach(final DescriptorRing[] rings)
    {
        final long startNs = System.nanoTime();
        DriverFile file = cachedFile;
        if (file == null || !file.isAlive(startNs, livenessTimeoutNs))
        {
            file = DriverFile.openLive(dir, livenessTimeoutNs, driverTimeoutNs);
            cachedFile = file;
        }
        final AtomicBuffer buffer = file.buffer();
        final int[] slots = new int[rings.length];
        final int[] sequences = new int[rings.length];
        java.util.Arrays.fill(slots, -1);
        final String[] ringNames = new String[rings.length];
        final long generation = domainGeneration.getAsLong();
        try
        {
            for (int vchan = 0; vchan < rings.length; vchan++)
            {
                final VchanRequest request = requests.apply(vchan);
                ringNames[vchan] = request.ringFileName();
                claim(buffer, vchan, request, generation, slots, sequences);
            }
            awaitTaken(file, slots, sequences, startNs + driverTimeoutNs, ringNames);
        }
        catch (final RuntimeException ex)
        {
            giveBack(file, slots, sequences);
            throw ex;
        }
        attachment = new Attachment(file, rings, slots, sequences);
        return 0;
    }

    private void claim(
        final AtomicBuffer buffer, final int vchan, final VchanRequest request, final long generation,
        final int[] slots, final int[] sequences)
    {
        final byte[] ringName = request.ringFileName().getBytes(StandardCharsets.UTF_8);
        if (ringName.length > RING_NAME_MAX_LENGTH)
        {
            throw new DmaException(Errno.EINVAL, "ring file name of device " + deviceName + " vchan " + vchan +
                " is longer than " + RING_NAME_MAX_LENGTH + " bytes: use a shorter device name in driver mode");
        }
        for (int slot = 0; slot < SLOT_COUNT; slot++)
        {
            final long word = lvStateWord(buffer, slot);
            if (state(word) != FREE)
            {
                continue;
            }
            final int sequence = sequence(word) + 1;
            if (!casStateWord(buffer, slot, word, stateWord(sequence, CLAIMING)))
            {
                continue;
            }
            final int offset = slotOffset(slot);
            buffer.putInt(offset + SLOT_ERRNO_OFFSET, 0);
            buffer.putInt(offset + SLOT_VCHAN_OFFSET, vchan);
            buffer.putInt(offset + SLOT_DOMAIN_SLOT_OFFSET, domainSlot);
            buffer.putInt(offset + SLOT_TYPE_OFFSET, request.interProcess() ? TYPE_INTER_PROCESS : TYPE_LOCAL);
            buffer.putLong(offset + SLOT_DOMAIN_GENERATION_OFFSET, generation);
            buffer.putLong(offset + SLOT_DOMAIN_MSB_OFFSET, domainId.getMostSignificantBits());
            buffer.putLong(offset + SLOT_DOMAIN_LSB_OFFSET, domainId.getLeastSignificantBits());
            buffer.putInt(offset + SLOT_SRC_HANDLER_OFFSET, request.srcHandler());
            buffer.putInt(offset + SLOT_DST_HANDLER_OFFSET, request.dstHandler());
            buffer.putInt(offset + SLOT_RING_LENGTH_OFFSET, request.ringLength());
            putString(buffer, offset + SLOT_DEVICE_NAME_LENGTH_OFFSET, shortName(deviceName), DEVICE_NAME_MAX_LENGTH);
            putString(buffer, offset + SLOT_RING_NAME_LENGTH_OFFSET, request.ringFileName(), RING_NAME_MAX_LENGTH);
            if (casStateWord(buffer, slot, stateWord(sequence, CLAIMING), stateWord(sequence, REQUESTED)))
            {
                slots[vchan] = slot;
                sequences[vchan] = sequence;
                return;
            }
            // the driver took the claim for a dead one's (this process paused longer than its timeout): look again
        }
        throw new DmaException(Errno.ENOSPC, "the shmdma driver in " + dir + " serves " + SLOT_COUNT +
            " vchans already: no free slot for device " + deviceName + " vchan " + vchan);
    }

    /** The device name cut to fit its field (it is only shown to people). */
    private static String shortName(final String name)
    {
        String cut = name;
        while (cut.getBytes(StandardCharsets.UTF_8).length > DEVICE_NAME_MAX_LENGTH)
        {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut;
    }

    /**
     * Waits until the driver took every vchan, and removes each ring's name as soon as its vchan is taken: the driver
     * has mapped it, and no other process may open it by name from then on (or truncate it, which would raise
     * SIGBUS in this process's own calls). Unlinking never follows the name, and the directory is this user's.
     */
    private void awaitTaken(
        final DriverFile file, final int[] slots, final int[] sequences, final long deadlineNs,
        final String[] ringNames)
    {
        final AtomicBuffer buffer = file.buffer();
        for (int vchan = 0; vchan < slots.length; vchan++)
        {
            while (true)
            {
                final long word = lvStateWord(buffer, slots[vchan]);
                final int state = state(word);
                if (sequence(word) != sequences[vchan] || (state != REQUESTED && state != TAKEN && state != REFUSED))
                {
                    throw new DmaException(Errno.EIO, "the request of device " + deviceName + " vchan " + vchan +
                        " in " + file.file() + " was changed by another process (slot " + slots[vchan] + ": " +
                        stateName(state) + ")");
                }
                if (state == TAKEN)
                {
                    if (buffer.getLong(slotOffset(slots[vchan]) + SLOT_DRIVER_INCARNATION_OFFSET) != file.incarnation())
                    {
                        throw new DmaException(Errno.EIO, "device " + deviceName + " vchan " + vchan +
                            " was taken by another driver than the one found in " + dir);
                    }
                    ShmFiles.deleteQuietly(dir.resolve(ringNames[vchan]));
                    break;
                }
                if (state == REFUSED)
                {
                    final int errno = buffer.getInt(slotOffset(slots[vchan]) + SLOT_ERRNO_OFFSET);
                    final int code = errno > 0 && errno < 4096 ? errno : Errno.EIO;
                    throw new DmaException(code, "the shmdma driver in " + dir + " refused device " + deviceName +
                        " vchan " + vchan + ": " + Errno.name(-code) +
                        " (the reason is in the error log: shmdma errors)");
                }
                final long nowNs = System.nanoTime();
                if (!file.isAlive(nowNs, livenessTimeoutNs) || nowNs - deadlineNs > 0)
                {
                    throw new DmaException(Errno.ETIMEDOUT, "the shmdma driver in " + dir + " did not take device " +
                        deviceName + " vchan " + vchan + " within " + TimeUnit.NANOSECONDS.toMillis(driverTimeoutNs) +
                        " ms (driver " + (file.isAlive(nowNs, livenessTimeoutNs) ? "alive but busy" : "gone") + ")");
                }
                LockSupport.parkNanos(POLL_NS);
            }
        }
    }

    @Override
    public void detach()
    {
        final Attachment current = attachment;
        attachment = null;
        if (current != null)
        {
            giveBack(current.file, current.slots, current.sequences);
        }
    }

    /**
     * Takes back every slot claimed: withdraws requests not taken yet, asks for taken ones back and waits (bounded)
     * until the driver let go; frees them itself when the driver is gone or does not answer in time.
     */
    private void giveBack(final DriverFile file, final int[] slots, final int[] sequences)
    {
        final AtomicBuffer buffer = file.buffer();
        for (int vchan = 0; vchan < slots.length; vchan++)
        {
            final int slot = slots[vchan];
            if (slot < 0)
            {
                continue;
            }
            final int sequence = sequences[vchan];
            if (!casStateWord(buffer, slot, stateWord(sequence, REQUESTED), stateWord(sequence, FREE)) &&
                !casStateWord(buffer, slot, stateWord(sequence, REFUSED), stateWord(sequence, FREE)))
            {
                casStateWord(buffer, slot, stateWord(sequence, TAKEN), stateWord(sequence, RELEASE_REQUESTED));
            }
        }
        final long deadlineNs = System.nanoTime() + driverTimeoutNs;
        for (int vchan = 0; vchan < slots.length; vchan++)
        {
            final int slot = slots[vchan];
            if (slot < 0)
            {
                continue;
            }
            final long releasing = stateWord(sequences[vchan], RELEASE_REQUESTED);
            while (lvStateWord(buffer, slot) == releasing)
            {
                final long nowNs = System.nanoTime();
                final boolean alive = file.isAlive(nowNs, livenessTimeoutNs);
                if (!alive || nowNs - deadlineNs > 0)
                {
                    if (casStateWord(buffer, slot, releasing, stateWord(sequences[vchan], FREE)) && alive)
                    {
                        report(new IllegalStateException("the shmdma driver in " + dir + " did not hand back device " +
                            deviceName + " vchan " + vchan + " within " +
                            TimeUnit.NANOSECONDS.toMillis(driverTimeoutNs) + " ms; slot freed by the device"));
                    }
                    break;
                }
                LockSupport.parkNanos(POLL_NS);
            }
        }
    }

    /** Halts the vchans first when it finds the driver gone, as {@link #checkLiveness(long)} does. */
    @Override
    public boolean isAlive()
    {
        checkLiveness(System.nanoTime());
        final Attachment current = attachment;
        return current != null && !current.halted;
    }

    /**
     * Halts the vchans of a driver that is gone, or that let go of them. Called every cycle by the process's
     * conductor (any thread); the caller then reports the halted rings.
     *
     * @param nowNs {@link System#nanoTime()}.
     * @return true when this call halted rings.
     */
    public boolean checkLiveness(final long nowNs)
    {
        final Attachment current = attachment;
        if (current == null || current.halted)
        {
            return false;
        }
        final boolean driverAlive = current.file.isAlive(nowNs, livenessTimeoutNs);
        boolean halted = false;
        for (int vchan = 0; vchan < current.rings.length; vchan++)
        {
            final long word = lvStateWord(current.file.buffer(), current.slots[vchan]);
            final boolean served = word == stateWord(current.sequences[vchan], TAKEN);
            if (!driverAlive || !served)
            {
                halted |= current.rings[vchan].haltEngineGone();
            }
        }
        if (!driverAlive)
        {
            current.halted = true;
        }
        return halted;
    }

    private void report(final Throwable error)
    {
        try
        {
            errorHandler.onError(error);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("shmdma: " + error + " (and reporting it failed: " + ex + ")");
        }
    }

    /** What a start handed to the driver; replaced at each start. */
    private static final class Attachment
    {
        private final DriverFile file;
        private final DescriptorRing[] rings;
        private final int[] slots;
        private final int[] sequences;
        private volatile boolean halted;

        private Attachment(
            final DriverFile file, final DescriptorRing[] rings, final int[] slots, final int[] sequences)
        {
            this.file = file;
            this.rings = rings;
            this.slots = slots;
            this.sequences = sequences;
        }
    }
}
