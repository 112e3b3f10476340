package io.shmdma.shm.driver;

import org.agrona.concurrent.AtomicBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Layout of {@code <dir>/driver.shm}, the file a shmdma driver process creates and owns (as Aeron's media driver
 * owns its CnC file), through which clients in driver mode hand their vchans to it. Native byte order.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Marker "SHMDMADRV" (16 bytes)                ...  0
 *  +---------------+---------------+-------------------------------+
 *  | Layout Version| Header Length |          Total Length         |  16  version written last (release)
 *  +---------------+---------------+-------------------------------+
 *  |  Slot Count   |  Slot Length  |       Creation Epoch ms       |  32
 *  +---------------+---------------+-------------------------------+
 *  |              Pid              | Engine Threads|   reserved    |  48
 *  +-------------------------------+---------------+---------------+
 *  |       Liveness Timeout ns     |          padding             ...  64
 *  +-------------------------------+-------------------------------+
 *  |   Driver Incarnation (random) |  Heartbeat ns (nanoTime)      |  128  own 128 bytes, driver writes
 *  +-------------------------------+-------------------------------+
 *  |                Vchan slots: Slot Count x 256 bytes           ...  256
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A vchan slot; the state word is changed only by compare-and-set, every other field is written by one side
 * while the state word says that side owns the slot:
 * <pre>
 *  +-------------------------------+
 *  | State Word: sequence &lt;&lt; 32 | state                     |  0   client and driver (CAS)
 *  +-------------------------------+
 *  |  Driver Incarnation that took the slot                        |  8   driver, before TAKEN
 *  +---------------+---------------+
 *  |  Errno        |   Vchan       |  16  driver before REFUSED; client
 *  +---------------+---------------+
 *  | Client Domain Slot | Type     |  24  client: registry domain slot, 0 NONE / 1 INTER_PROCESS
 *  +-------------------------------+
 *  |  Client Domain Generation     |  32
 *  +-------------------------------+
 *  |  Client Domain UUID (16)      |  40
 *  +---------------+---------------+
 *  |  Src Handler  |  Dst Handler  |  56
 *  +---------------+---------------+
 *  |  Ring Length  | Dev Name Len  |  64
 *  +---------------+---------------+
 *  |  Device Name (32 bytes)      ...  72
 *  +---------------+
 *  | Ring Name Len |  Ring File Name (128 bytes, in the directory) ...  104
 *  +---------------+
 * </pre>
 *
 * States: {@code FREE -> CLAIMING} (client, sequence + 1) {@code -> REQUESTED} (client, fields written)
 * {@code -> TAKEN} (driver serves it) or {@code -> REFUSED} (driver, errno) {@code -> FREE} (client). A client's
 * stop moves {@code TAKEN -> RELEASE_REQUESTED}; the driver finishes the submitted jobs, lets go of the ring and
 * moves it {@code -> FREE}. A driver that finds a client dead frees its slots; a client that finds the driver
 * gone frees its own.
 */
public final class DriverFileDescriptor
{
    /** Name of the driver's file in the directory. */
    public static final String FILE_NAME = "driver.shm";
    /** Readable marker at offset 0. */
    public static final byte[] MARKER = "SHMDMADRV".getBytes(StandardCharsets.US_ASCII);
    /** Layout version; 0 in the file means not ready. */
    public static final int LAYOUT_VERSION = 1;

    /** Offset of the marker. */
    public static final int MARKER_OFFSET = 0;
    /** Offset of the layout version. */
    public static final int VERSION_OFFSET = MARKER_OFFSET + 16;
    /** Offset of the header length. */
    public static final int HEADER_LENGTH_OFFSET = VERSION_OFFSET + 4;
    /** Offset of the total length. */
    public static final int TOTAL_LENGTH_OFFSET = HEADER_LENGTH_OFFSET + 4;
    /** Offset of the slot count. */
    public static final int SLOT_COUNT_OFFSET = TOTAL_LENGTH_OFFSET + 8;
    /** Offset of the slot length. */
    public static final int SLOT_LENGTH_OFFSET = SLOT_COUNT_OFFSET + 4;
    /** Offset of the creation time, epoch ms. */
    public static final int CREATION_TIME_OFFSET = SLOT_LENGTH_OFFSET + 4;
    /** Offset of the driver's pid (for people). */
    public static final int PID_OFFSET = CREATION_TIME_OFFSET + 8;
    /** Offset of the number of engine threads. */
    public static final int ENGINE_THREADS_OFFSET = PID_OFFSET + 8;
    /** Offset of the driver's liveness timeout. */
    public static final int LIVENESS_TIMEOUT_OFFSET = ENGINE_THREADS_OFFSET + 8;
    /** Offset of the driver's incarnation id. */
    public static final int INCARNATION_OFFSET = 128;
    /** Offset of the driver's heartbeat. */
    public static final int HEARTBEAT_OFFSET = INCARNATION_OFFSET + 8;
    /** Length of the header and the liveness line. */
    public static final int HEADER_LENGTH = INCARNATION_OFFSET + 128;

    /** Vchan slots: vchans the driver can serve at once. */
    public static final int SLOT_COUNT = 256;
    /** Bytes per slot. */
    public static final int SLOT_LENGTH = 256;
    /** Length of the file. */
    public static final int TOTAL_LENGTH = HEADER_LENGTH + SLOT_COUNT * SLOT_LENGTH;

    /** Offset of the state word in a slot. */
    public static final int SLOT_STATE_OFFSET = 0;
    /** Offset of the incarnation of the driver that took the slot. */
    public static final int SLOT_DRIVER_INCARNATION_OFFSET = SLOT_STATE_OFFSET + 8;
    /** Offset of the errno of a refusal. */
    public static final int SLOT_ERRNO_OFFSET = SLOT_DRIVER_INCARNATION_OFFSET + 8;
    /** Offset of the vchan. */
    public static final int SLOT_VCHAN_OFFSET = SLOT_ERRNO_OFFSET + 4;
    /** Offset of the client's registry domain slot. */
    public static final int SLOT_DOMAIN_SLOT_OFFSET = SLOT_VCHAN_OFFSET + 4;
    /** Offset of the inter-domain type: 0 local, 1 inter-process. */
    public static final int SLOT_TYPE_OFFSET = SLOT_DOMAIN_SLOT_OFFSET + 4;
    /** Offset of the client's domain generation. */
    public static final int SLOT_DOMAIN_GENERATION_OFFSET = SLOT_TYPE_OFFSET + 4;
    /** Offset of the client's domain UUID, most significant half. */
    public static final int SLOT_DOMAIN_MSB_OFFSET = SLOT_DOMAIN_GENERATION_OFFSET + 8;
    /** Offset of the client's domain UUID, least significant half. */
    public static final int SLOT_DOMAIN_LSB_OFFSET = SLOT_DOMAIN_MSB_OFFSET + 8;
    /** Offset of the source handler. */
    public static final int SLOT_SRC_HANDLER_OFFSET = SLOT_DOMAIN_LSB_OFFSET + 8;
    /** Offset of the destination handler. */
    public static final int SLOT_DST_HANDLER_OFFSET = SLOT_SRC_HANDLER_OFFSET + 4;
    /** Offset of the ring file's length. */
    public static final int SLOT_RING_LENGTH_OFFSET = SLOT_DST_HANDLER_OFFSET + 4;
    /** Offset of the device name's length. */
    public static final int SLOT_DEVICE_NAME_LENGTH_OFFSET = SLOT_RING_LENGTH_OFFSET + 4;
    /** Offset of the device name. */
    public static final int SLOT_DEVICE_NAME_OFFSET = SLOT_DEVICE_NAME_LENGTH_OFFSET + 4;
    /** Most bytes of a device name. */
    public static final int DEVICE_NAME_MAX_LENGTH = 32;
    /** Offset of the ring file name's length. */
    public static final int SLOT_RING_NAME_LENGTH_OFFSET = SLOT_DEVICE_NAME_OFFSET + DEVICE_NAME_MAX_LENGTH;
    /** Offset of the ring file name. */
    public static final int SLOT_RING_NAME_OFFSET = SLOT_RING_NAME_LENGTH_OFFSET + 4;
    /** Most bytes of a ring file name. */
    public static final int RING_NAME_MAX_LENGTH = 128;

    /** Slot state: free. */
    public static final int FREE = 0;
    /** Slot state: a client is writing its request. */
    public static final int CLAIMING = 1;
    /** Slot state: a client asks the driver to serve it. */
    public static final int REQUESTED = 2;
    /** Slot state: the driver serves it. */
    public static final int TAKEN = 3;
    /** Slot state: the driver refused it (errno in the slot). */
    public static final int REFUSED = 4;
    /** Slot state: the client asks for its ring back. */
    public static final int RELEASE_REQUESTED = 5;

    /** Inter-domain type of a local vchan. */
    public static final int TYPE_LOCAL = 0;
    /** Inter-domain type of an inter-process vchan. */
    public static final int TYPE_INTER_PROCESS = 1;

    private DriverFileDescriptor()
    {
    }

    /**
     * The driver's file in a directory.
     *
     * @param dir the shmdma directory.
     * @return the path.
     */
    public static Path file(final Path dir)
    {
        return dir.resolve(FILE_NAME);
    }

    /**
     * Offset of a slot.
     *
     * @param slot 0..{@link #SLOT_COUNT} - 1.
     * @return the offset.
     */
    public static int slotOffset(final int slot)
    {
        return HEADER_LENGTH + slot * SLOT_LENGTH;
    }

    /**
     * A state word.
     *
     * @param sequence the slot's claim sequence.
     * @param state    one of the states.
     * @return the word.
     */
    public static long stateWord(final int sequence, final int state)
    {
        return ((long)sequence << 32) | (state & 0xFFFF_FFFFL);
    }

    /**
     * The state of a state word.
     *
     * @param word the word.
     * @return the state.
     */
    public static int state(final long word)
    {
        return (int)word;
    }

    /**
     * The sequence of a state word.
     *
     * @param word the word.
     * @return the sequence.
     */
    public static int sequence(final long word)
    {
        return (int)(word >>> 32);
    }

    /**
     * Reads a slot's state word (acquire).
     *
     * @param buffer the mapped file.
     * @param slot   the slot.
     * @return the word.
     */
    public static long lvStateWord(final AtomicBuffer buffer, final int slot)
    {
        return buffer.getLongAcquire(slotOffset(slot) + SLOT_STATE_OFFSET);
    }

    /**
     * Compare-and-sets a slot's state word.
     *
     * @param buffer   the mapped file.
     * @param slot     the slot.
     * @param expected the word expected.
     * @param update   the new word.
     * @return whether it was set.
     */
    public static boolean casStateWord(
        final AtomicBuffer buffer, final int slot, final long expected, final long update)
    {
        return buffer.compareAndSetLong(slotOffset(slot) + SLOT_STATE_OFFSET, expected, update);
    }

    /**
     * Writes a short string field: its length, then its bytes (plain stores).
     *
     * @param buffer       the mapped file.
     * @param lengthOffset offset of the length.
     * @param value        the string.
     * @param maxLength    room for the bytes.
     * @throws IllegalArgumentException when the string does not fit.
     */
    public static void putString(final AtomicBuffer buffer, final int lengthOffset, final String value,
        final int maxLength)
    {
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxLength)
        {
            throw new IllegalArgumentException("'" + value + "' is longer than " + maxLength + " bytes");
        }
        buffer.putInt(lengthOffset, bytes.length);
        buffer.putBytes(lengthOffset + 4, bytes);
    }

    /**
     * Reads a short string field once: a length out of range gives null.
     *
     * @param buffer       the mapped file.
     * @param lengthOffset offset of the length.
     * @param maxLength    room for the bytes.
     * @return the string, or null.
     */
    public static String getString(final AtomicBuffer buffer, final int lengthOffset, final int maxLength)
    {
        final int length = buffer.getInt(lengthOffset);
        if (length < 0 || length > maxLength)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(lengthOffset + 4, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Reads the client's domain UUID of a slot.
     *
     * @param buffer the mapped file.
     * @param slot   the slot.
     * @return the UUID.
     */
    public static UUID clientDomain(final AtomicBuffer buffer, final int slot)
    {
        final int offset = slotOffset(slot);
        return new UUID(
            buffer.getLong(offset + SLOT_DOMAIN_MSB_OFFSET), buffer.getLong(offset + SLOT_DOMAIN_LSB_OFFSET));
    }

    /**
     * The name of a state, for people.
     *
     * @param state a state.
     * @return its name.
     */
    public static String stateName(final int state)
    {
        switch (state)
        {
            case FREE: return "FREE";
            case CLAIMING: return "CLAIMING";
            case REQUESTED: return "REQUESTED";
            case TAKEN: return "TAKEN";
            case REFUSED: return "REFUSED";
            case RELEASE_REQUESTED: return "RELEASE_REQUESTED";
            default: return "UNKNOWN(" + state + ")";
        }
    }
}
