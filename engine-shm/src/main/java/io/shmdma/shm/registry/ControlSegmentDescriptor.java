package io.shmdma.shm.registry;

import io.shmdma.DmaException;
import io.shmdma.Errno;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Layout of the control segment: the one file every shmdma process on a host maps to find domains,
 * access pair groups, handlers, per-device counters, named regions and the error log. Every offset is computed from
 * the one before it; every section starts on a 128-byte boundary (two cache lines), and every field
 * written by a different process than its neighbours (lock word, heartbeats, device counters) has its
 * own 128 bytes (the acknowledged-departure cursors of a group's members share one 128-byte section of
 * their own). All numbers are in native (little-endian on x86/arm64) byte order.
 *
 * <pre>
 *   0        +--------------------------------------------------------------+
 *            | HEADER (128 B)                                                |
 *            |   0  marker "SHMDMACTL" (16 B, readable with xxd)             |
 *            |  16  layout version (int, written LAST with a release store;  |
 *            |      0 = not ready)                                           |
 *            |  20  header length (int)    24 total length (long)            |
 *            |  32  domain capacity        36 group capacity                 |
 *            |  40  members per group      44 handler table capacity         |
 *            |  48  device counters cap.   52 error log chunk count          |
 *            |  56  error log chunk length     60 named region capacity      |
 *            |  64  creation epoch ms      72 creator pid                    |
 *   128      +--------------------------------------------------------------+
 *            | LOCK (128 B): lock word = holder incarnation id, 0 = free     |
 *   256      +--------------------------------------------------------------+
 *            | LOCK INFO (128 B): holder pid, acquired epoch ms, operation,  |
 *            |   recoveries (count of locks taken over from dead holders)    |
 *   384      +--------------------------------------------------------------+
 *            | CHANGE COUNT (128 B): seqlock, odd while a mutation runs      |
 *   512      +--------------------------------------------------------------+
 *            | ALLOCATION (128 B): handler counter, sequence (membership     |
 *            |   tokens and group generations, never reused)                 |
 *   640      +--------------------------------------------------------------+
 *            | DOMAIN TABLE: 256 x 384 B                                     |
 *            |   +0 heartbeat ns (own 128 B, written by the owner)           |
 *            |   +128 state, name length, generation, incarnation, uuid,     |
 *            |        pid, segment size, registered epoch ms                 |
 *            |   +256 segment file name (128 B, UTF-8)                       |
 *   98944    +--------------------------------------------------------------+
 *            | GROUP TABLE: 256 x 1920 B                                     |
 *            |   +0 state, group id, generation, creator slot, id epoch,     |
 *            |      creator generation, failed joins, lockout until ns,      |
 *            |      token salt (16 B), SHA-256(salt || token) (32 B),        |
 *            |      created epoch ms, departure count                        |
 *            |   +128 MEMBER TABLE: 16 x 32 B {membership token (0 = free),  |
 *            |      domain generation, domain slot, handler, joined epoch ms}|
 *            |   +640 ACK CURSORS: 16 x 8 B, one per member slot: the last   |
 *            |      departure the member's conductor took; set under the     |
 *            |      lock at the join, then written only by that member's     |
 *            |      process, outside the lock (like a heartbeat)             |
 *            |   +768 DEPARTURES: ring of 32 x 32 B {departure number        |
 *            |      (written last), membership token, domain uuid}           |
 *            |   +1792 NAME (own 128 B): length, +1800 up to 64 UTF-8 bytes  |
 *            |      (length 0: unnamed; unique among live groups)            |
 *   590464   +--------------------------------------------------------------+
 *            | HANDLER TABLE: 65536 x int, (group slot + 1) * 65536 +        |
 *            |   member slot, 0 = free or revoked; entry 0 unused            |
 *   852608   +--------------------------------------------------------------+
 *            | DEVICE COUNTERS: 64 x 384 B                                   |
 *            |   +0 state, domain slot, domain generation, dev id, name[32], |
 *            |      info (written by the owner's conductor): capabilities,   |
 *            |      nb_vchans, max_vchans, min/max desc, max_sges,           |
 *            |      nb_priorities, numa node, device state                   |
 *            |   +128 submitted (own 128 B)  +256 completed, errors,         |
 *            |   +272 engine errors (engine agent errors and rings found     |
 *            |        forged or corrupt; added atomically by any thread)     |
 *   877184   +--------------------------------------------------------------+
 *            | NAMED REGIONS: 1024 x 128 B {state (0 free, 1 published,      |
 *            |   written last), name length, owner domain slot, owner        |
 *            |   domain generation, IOVA, length, published epoch ms;        |
 *            |   +64 name, up to 64 UTF-8 bytes}                             |
 *   1008256  +--------------------------------------------------------------+
 *            | ERROR LOG DIRECTORY: 16 x 128 B {state, owner incarnation,    |
 *            |   owner pid, claimed epoch ms, released epoch ms}             |
 *   1010304  +--------------------------------------------------------------+
 *            | ERROR LOG: 16 chunks x 64 KiB, one Agrona DistinctErrorLog    |
 *            |   per writing process (the log keeps its write position in    |
 *            |   the process, so two processes must never share a chunk)     |
 *   2060288  +--------------------------------------------------------------+ TOTAL_LENGTH (page aligned)
 * </pre>
 */
public final class ControlSegmentDescriptor
{
    /** Layout version; bump on any change to this class. 2: acknowledged-departure cursors, ring of 32;
     * 3: group names and the named region table. */
    public static final int LAYOUT_VERSION = 3;
    /** Alignment of every section: two cache lines, as in Agrona's ring buffers. */
    public static final int SECTION_ALIGNMENT = 128;
    /** Readable marker at offset 0. */
    public static final String MARKER = "SHMDMACTL";
    /** Bytes reserved for the marker. */
    public static final int MARKER_LENGTH = 16;

    /** Number of domain slots. */
    public static final int DOMAIN_CAPACITY = 256;
    /** Number of group slots. */
    public static final int GROUP_CAPACITY = 256;
    /** Members per group, creator included. */
    public static final int MEMBERS_PER_GROUP = 16;
    /** Handler table entries (handler values 1..65535; 0 is never a handler). */
    public static final int HANDLER_TABLE_CAPACITY = 65536;
    /** Largest handler value. */
    public static final int MAX_HANDLER = HANDLER_TABLE_CAPACITY - 1;
    /** Largest group id (int16, never negative). */
    public static final int MAX_GROUP_ID = Short.MAX_VALUE;
    /** Number of per-device counter slots. */
    public static final int DEVICE_COUNTERS_CAPACITY = 64;
    /** Number of error log chunks (one per process that records errors). */
    public static final int ERROR_LOG_CHUNK_COUNT = 16;
    /** Length of one error log chunk. */
    public static final int ERROR_LOG_CHUNK_LENGTH = 64 * 1024;
    /** Longest segment file name, in UTF-8 bytes. */
    public static final int MAX_SEGMENT_NAME_LENGTH = 128;
    /** Longest device name, in UTF-8 bytes. */
    public static final int MAX_DEVICE_NAME_LENGTH = 32;
    /** Longest name of a group or of a named region, in UTF-8 bytes. */
    public static final int MAX_NAME_LENGTH = 64;
    /** Number of named region entries. */
    public static final int REGION_CAPACITY = 1024;

    // ---------------------------------------------------------------- header
    /** Offset of the marker. */
    public static final int MARKER_OFFSET = 0;
    /** Offset of the layout version (the ready flag). */
    public static final int LAYOUT_VERSION_OFFSET = MARKER_OFFSET + MARKER_LENGTH;
    /** Offset of the header length. */
    public static final int HEADER_LENGTH_FIELD_OFFSET = LAYOUT_VERSION_OFFSET + Integer.BYTES;
    /** Offset of the total length. */
    public static final int TOTAL_LENGTH_FIELD_OFFSET = HEADER_LENGTH_FIELD_OFFSET + Integer.BYTES;
    /** Offset of the domain capacity. */
    public static final int DOMAIN_CAPACITY_FIELD_OFFSET = TOTAL_LENGTH_FIELD_OFFSET + Long.BYTES;
    /** Offset of the group capacity. */
    public static final int GROUP_CAPACITY_FIELD_OFFSET = DOMAIN_CAPACITY_FIELD_OFFSET + Integer.BYTES;
    /** Offset of the members per group. */
    public static final int MEMBERS_PER_GROUP_FIELD_OFFSET = GROUP_CAPACITY_FIELD_OFFSET + Integer.BYTES;
    /** Offset of the handler table capacity. */
    public static final int HANDLER_CAPACITY_FIELD_OFFSET = MEMBERS_PER_GROUP_FIELD_OFFSET + Integer.BYTES;
    /** Offset of the device counters capacity. */
    public static final int DEVICE_COUNTERS_CAPACITY_FIELD_OFFSET = HANDLER_CAPACITY_FIELD_OFFSET + Integer.BYTES;
    /** Offset of the error log chunk count. */
    public static final int ERROR_LOG_CHUNK_COUNT_FIELD_OFFSET = DEVICE_COUNTERS_CAPACITY_FIELD_OFFSET + Integer.BYTES;
    /** Offset of the error log chunk length. */
    public static final int ERROR_LOG_CHUNK_LENGTH_FIELD_OFFSET = ERROR_LOG_CHUNK_COUNT_FIELD_OFFSET + Integer.BYTES;
    /** Offset of the named region capacity. */
    public static final int REGION_CAPACITY_FIELD_OFFSET = ERROR_LOG_CHUNK_LENGTH_FIELD_OFFSET + Integer.BYTES;
    /** Offset of the creation time, epoch milliseconds. */
    public static final int CREATION_EPOCH_MS_OFFSET =
        BitUtil.align(REGION_CAPACITY_FIELD_OFFSET + Integer.BYTES, Long.BYTES);
    /** Offset of the pid of the process that created the file. */
    public static final int CREATOR_PID_OFFSET = CREATION_EPOCH_MS_OFFSET + Long.BYTES;
    /** Length of the header. */
    public static final int HEADER_LENGTH = BitUtil.align(CREATOR_PID_OFFSET + Long.BYTES, SECTION_ALIGNMENT);

    // ---------------------------------------------------------------- lock and counters
    /** Offset of the registry lock word: the holder's incarnation id, 0 when free. */
    public static final int LOCK_WORD_OFFSET = HEADER_LENGTH;
    /** Offset of the lock info section. */
    public static final int LOCK_INFO_OFFSET = LOCK_WORD_OFFSET + SECTION_ALIGNMENT;
    /** Offset of the lock holder's pid (informational). */
    public static final int LOCK_HOLDER_PID_OFFSET = LOCK_INFO_OFFSET;
    /** Offset of the time the lock was taken, epoch milliseconds (informational). */
    public static final int LOCK_ACQUIRED_EPOCH_MS_OFFSET = LOCK_HOLDER_PID_OFFSET + Long.BYTES;
    /** Offset of the operation the holder is doing ({@link RegistryOperation#code()}). */
    public static final int LOCK_OPERATION_OFFSET = LOCK_ACQUIRED_EPOCH_MS_OFFSET + Long.BYTES;
    /** Offset of the number of times the lock was taken over from a dead holder. */
    public static final int LOCK_RECOVERIES_OFFSET = LOCK_OPERATION_OFFSET + Integer.BYTES;
    /** Offset of the change count (seqlock for snapshots). */
    public static final int CHANGE_COUNT_OFFSET = LOCK_INFO_OFFSET + SECTION_ALIGNMENT;
    /** Offset of the allocation section. */
    public static final int ALLOCATION_OFFSET = CHANGE_COUNT_OFFSET + SECTION_ALIGNMENT;
    /** Offset of the handler allocation counter (counts every allocation attempt). */
    public static final int HANDLER_COUNTER_OFFSET = ALLOCATION_OFFSET;
    /** Offset of the sequence that issues membership tokens and group generations. */
    public static final int SEQUENCE_OFFSET = HANDLER_COUNTER_OFFSET + Long.BYTES;

    // ---------------------------------------------------------------- domain table
    /** Offset of the domain table. */
    public static final int DOMAIN_TABLE_OFFSET = ALLOCATION_OFFSET + SECTION_ALIGNMENT;
    /** Domain entry: heartbeat, System.nanoTime() of the owner (own 128 bytes). */
    public static final int DOMAIN_HEARTBEAT_NS_OFFSET = 0;
    /** Domain entry: state, one of {@link DomainState}. */
    public static final int DOMAIN_STATE_OFFSET = DOMAIN_HEARTBEAT_NS_OFFSET + SECTION_ALIGNMENT;
    /** Domain entry: length of the segment file name. */
    public static final int DOMAIN_SEGMENT_NAME_LENGTH_OFFSET = DOMAIN_STATE_OFFSET + Integer.BYTES;
    /** Domain entry: generation, bumped each time the slot is taken. */
    public static final int DOMAIN_GENERATION_OFFSET = DOMAIN_SEGMENT_NAME_LENGTH_OFFSET + Integer.BYTES;
    /** Domain entry: incarnation id of the owning process. */
    public static final int DOMAIN_INCARNATION_OFFSET = DOMAIN_GENERATION_OFFSET + Long.BYTES;
    /** Domain entry: most significant half of the domain UUID. */
    public static final int DOMAIN_UUID_MSB_OFFSET = DOMAIN_INCARNATION_OFFSET + Long.BYTES;
    /** Domain entry: least significant half of the domain UUID. */
    public static final int DOMAIN_UUID_LSB_OFFSET = DOMAIN_UUID_MSB_OFFSET + Long.BYTES;
    /** Domain entry: pid of the owner (informational; not an identity). */
    public static final int DOMAIN_PID_OFFSET = DOMAIN_UUID_LSB_OFFSET + Long.BYTES;
    /** Domain entry: size of the domain segment file. */
    public static final int DOMAIN_SEGMENT_SIZE_OFFSET = DOMAIN_PID_OFFSET + Long.BYTES;
    /** Domain entry: registration time, epoch milliseconds. */
    public static final int DOMAIN_REGISTERED_EPOCH_MS_OFFSET = DOMAIN_SEGMENT_SIZE_OFFSET + Long.BYTES;
    /** Domain entry: segment file name bytes. */
    public static final int DOMAIN_SEGMENT_NAME_OFFSET = DOMAIN_STATE_OFFSET + SECTION_ALIGNMENT;
    /** Length of one domain entry. */
    public static final int DOMAIN_ENTRY_LENGTH =
        BitUtil.align(DOMAIN_SEGMENT_NAME_OFFSET + MAX_SEGMENT_NAME_LENGTH, SECTION_ALIGNMENT);

    // ---------------------------------------------------------------- group table
    /** Offset of the group table. */
    public static final int GROUP_TABLE_OFFSET = DOMAIN_TABLE_OFFSET + DOMAIN_CAPACITY * DOMAIN_ENTRY_LENGTH;
    /** Group entry: state, one of {@link GroupState}. */
    public static final int GROUP_STATE_OFFSET = 0;
    /** Group entry: the group id handed out (slot in the low 8 bits, id epoch above). */
    public static final int GROUP_ID_OFFSET = GROUP_STATE_OFFSET + Integer.BYTES;
    /** Group entry: generation, unique for each group ever created here. */
    public static final int GROUP_GENERATION_OFFSET = GROUP_ID_OFFSET + Integer.BYTES;
    /** Group entry: creator's domain slot. */
    public static final int GROUP_CREATOR_SLOT_OFFSET = GROUP_GENERATION_OFFSET + Long.BYTES;
    /** Group entry: how many times this slot was used, to vary group ids. */
    public static final int GROUP_ID_EPOCH_OFFSET = GROUP_CREATOR_SLOT_OFFSET + Integer.BYTES;
    /** Group entry: creator's domain generation. */
    public static final int GROUP_CREATOR_GENERATION_OFFSET = GROUP_ID_EPOCH_OFFSET + Integer.BYTES;
    /** Group entry: consecutive wrong tokens. */
    public static final int GROUP_FAILED_JOINS_OFFSET = GROUP_CREATOR_GENERATION_OFFSET + Long.BYTES;
    /** Group entry: joins refused until this System.nanoTime(); 0 = none. */
    public static final int GROUP_LOCKOUT_UNTIL_NS_OFFSET = GROUP_FAILED_JOINS_OFFSET + Long.BYTES;
    /** Group entry: random salt for the token hash. */
    public static final int GROUP_TOKEN_SALT_OFFSET = GROUP_LOCKOUT_UNTIL_NS_OFFSET + Long.BYTES;
    /** Length of the salt. */
    public static final int TOKEN_SALT_LENGTH = 16;
    /** Group entry: SHA-256(salt || token). */
    public static final int GROUP_TOKEN_HASH_OFFSET = GROUP_TOKEN_SALT_OFFSET + TOKEN_SALT_LENGTH;
    /** Length of the hash. */
    public static final int TOKEN_HASH_LENGTH = 32;
    /** Group entry: creation time, epoch milliseconds. */
    public static final int GROUP_CREATED_EPOCH_MS_OFFSET = GROUP_TOKEN_HASH_OFFSET + TOKEN_HASH_LENGTH;
    /** Group entry: how many members have departed (left, died, removed) since the group was created. */
    public static final int GROUP_DEPARTURE_COUNT_OFFSET = GROUP_CREATED_EPOCH_MS_OFFSET + Long.BYTES;
    /** Group entry: the member table. */
    public static final int GROUP_MEMBERS_OFFSET =
        BitUtil.align(GROUP_DEPARTURE_COUNT_OFFSET + Long.BYTES, SECTION_ALIGNMENT);
    /** Member entry: membership token, unique and never reused; 0 = free slot. */
    public static final int MEMBER_TOKEN_OFFSET = 0;
    /** Member entry: the member domain's generation. */
    public static final int MEMBER_DOMAIN_GENERATION_OFFSET = MEMBER_TOKEN_OFFSET + Long.BYTES;
    /** Member entry: the member's domain slot. */
    public static final int MEMBER_DOMAIN_SLOT_OFFSET = MEMBER_DOMAIN_GENERATION_OFFSET + Long.BYTES;
    /** Member entry: the member's handler. */
    public static final int MEMBER_HANDLER_OFFSET = MEMBER_DOMAIN_SLOT_OFFSET + Integer.BYTES;
    /** Member entry: join time, epoch milliseconds. */
    public static final int MEMBER_JOINED_EPOCH_MS_OFFSET = MEMBER_HANDLER_OFFSET + Integer.BYTES;
    /** Length of one member entry. */
    public static final int MEMBER_ENTRY_LENGTH = MEMBER_JOINED_EPOCH_MS_OFFSET + Long.BYTES;
    /**
     * Group entry: the acknowledged-departure cursors, one long per member slot (index = member slot), in a
     * section of their own: each is written only by its member's own process (its conductor), outside the lock,
     * as a heartbeat is, and set under the lock when the member joins. The 16 share one 128-byte line; each is
     * written at most once per conductor cycle, so the sharing costs nothing measurable.
     */
    public static final int GROUP_ACK_CURSORS_OFFSET =
        BitUtil.align(GROUP_MEMBERS_OFFSET + MEMBERS_PER_GROUP * MEMBER_ENTRY_LENGTH, SECTION_ALIGNMENT);
    /** Length of one acknowledged-departure cursor. */
    public static final int ACK_CURSOR_LENGTH = Long.BYTES;
    /** Group entry: the departures, a ring indexed by (departure number - 1) % DEPARTURE_RING_CAPACITY. */
    public static final int GROUP_DEPARTURES_OFFSET =
        BitUtil.align(GROUP_ACK_CURSORS_OFFSET + MEMBERS_PER_GROUP * ACK_CURSOR_LENGTH, SECTION_ALIGNMENT);
    /**
     * Departures a group's ring holds. A departure is appended only while every other live member has
     * acknowledged all but fewer than this many, so no live member ever misses one: a leave waits (back-pressure).
     */
    public static final int DEPARTURE_RING_CAPACITY = 32;
    /** Departure entry: its number (1, 2, ...), written last; the entry is valid only when it is the one expected. */
    public static final int DEPARTURE_NUMBER_OFFSET = 0;
    /** Departure entry: the departed membership's token. */
    public static final int DEPARTURE_TOKEN_OFFSET = DEPARTURE_NUMBER_OFFSET + Long.BYTES;
    /** Departure entry: the departed domain's UUID, most significant half. */
    public static final int DEPARTURE_UUID_MSB_OFFSET = DEPARTURE_TOKEN_OFFSET + Long.BYTES;
    /** Departure entry: the departed domain's UUID, least significant half. */
    public static final int DEPARTURE_UUID_LSB_OFFSET = DEPARTURE_UUID_MSB_OFFSET + Long.BYTES;
    /** Length of one departure entry. */
    public static final int DEPARTURE_ENTRY_LENGTH = DEPARTURE_UUID_LSB_OFFSET + Long.BYTES;
    /** Group entry: the length of the group's name in UTF-8 bytes, 0 for an unnamed group (own 128 bytes). */
    public static final int GROUP_NAME_LENGTH_OFFSET = BitUtil.align(
        GROUP_DEPARTURES_OFFSET + DEPARTURE_RING_CAPACITY * DEPARTURE_ENTRY_LENGTH, SECTION_ALIGNMENT);
    /** Group entry: the group's name bytes, UTF-8, at most {@link #MAX_NAME_LENGTH}. */
    public static final int GROUP_NAME_OFFSET = GROUP_NAME_LENGTH_OFFSET + Long.BYTES;
    /** Length of one group entry, member table, departure ring and name included. */
    public static final int GROUP_ENTRY_LENGTH = BitUtil.align(GROUP_NAME_OFFSET + MAX_NAME_LENGTH, SECTION_ALIGNMENT);

    // ---------------------------------------------------------------- handler table
    /** Offset of the handler table. */
    public static final int HANDLER_TABLE_OFFSET = GROUP_TABLE_OFFSET + GROUP_CAPACITY * GROUP_ENTRY_LENGTH;
    /** Length of one handler table entry. */
    public static final int HANDLER_ENTRY_LENGTH = Integer.BYTES;

    // ---------------------------------------------------------------- device counters
    /** Offset of the device counters. */
    public static final int DEVICE_COUNTERS_OFFSET =
        BitUtil.align(HANDLER_TABLE_OFFSET + HANDLER_TABLE_CAPACITY * HANDLER_ENTRY_LENGTH, SECTION_ALIGNMENT);
    /** Device counters entry: state, 0 free, 1 in use. */
    public static final int COUNTERS_STATE_OFFSET = 0;
    /** Device counters entry: owning domain slot. */
    public static final int COUNTERS_DOMAIN_SLOT_OFFSET = COUNTERS_STATE_OFFSET + Integer.BYTES;
    /** Device counters entry: owning domain generation. */
    public static final int COUNTERS_DOMAIN_GENERATION_OFFSET = COUNTERS_DOMAIN_SLOT_OFFSET + Integer.BYTES;
    /** Device counters entry: device id in the owning process. */
    public static final int COUNTERS_DEV_ID_OFFSET = COUNTERS_DOMAIN_GENERATION_OFFSET + Long.BYTES;
    /** Device counters entry: name length. */
    public static final int COUNTERS_NAME_LENGTH_OFFSET = COUNTERS_DEV_ID_OFFSET + Integer.BYTES;
    /** Device counters entry: name bytes. */
    public static final int COUNTERS_NAME_OFFSET = COUNTERS_NAME_LENGTH_OFFSET + Integer.BYTES;
    /** Device counters entry: capabilities ({@code rte_dma_info.dev_capa}), written by the owner's conductor. */
    public static final int COUNTERS_CAPABILITIES_OFFSET =
        BitUtil.align(COUNTERS_NAME_OFFSET + MAX_DEVICE_NAME_LENGTH, Long.BYTES);
    /** Device counters entry: vchans configured ({@code nb_vchans}). */
    public static final int COUNTERS_NB_VCHANS_OFFSET = COUNTERS_CAPABILITIES_OFFSET + Long.BYTES;
    /** Device counters entry: most vchans ({@code max_vchans}). */
    public static final int COUNTERS_MAX_VCHANS_OFFSET = COUNTERS_NB_VCHANS_OFFSET + Integer.BYTES;
    /** Device counters entry: fewest descriptors per vchan ({@code min_desc}). */
    public static final int COUNTERS_MIN_DESC_OFFSET = COUNTERS_MAX_VCHANS_OFFSET + Integer.BYTES;
    /** Device counters entry: most descriptors per vchan ({@code max_desc}). */
    public static final int COUNTERS_MAX_DESC_OFFSET = COUNTERS_MIN_DESC_OFFSET + Integer.BYTES;
    /** Device counters entry: most scatter-gather entries ({@code max_sges}). */
    public static final int COUNTERS_MAX_SGES_OFFSET = COUNTERS_MAX_DESC_OFFSET + Integer.BYTES;
    /** Device counters entry: priority levels ({@code nb_priorities}). */
    public static final int COUNTERS_NB_PRIORITIES_OFFSET = COUNTERS_MAX_SGES_OFFSET + Integer.BYTES;
    /** Device counters entry: NUMA node ({@code numa_node}, -1 when unknown). */
    public static final int COUNTERS_NUMA_NODE_OFFSET = COUNTERS_NB_PRIORITIES_OFFSET + Integer.BYTES;
    /** Device counters entry: device state, one of {@code DEVICE_STATE_*}; written last by each publication. */
    public static final int COUNTERS_DEVICE_STATE_OFFSET = COUNTERS_NUMA_NODE_OFFSET + Integer.BYTES;
    /** Device counters entry: end of the info fields (they share the entry's first 128 bytes). */
    public static final int COUNTERS_INFO_END_OFFSET = COUNTERS_DEVICE_STATE_OFFSET + Integer.BYTES;
    /** Device counters entry: jobs submitted (written by the application thread). */
    public static final int COUNTERS_SUBMITTED_OFFSET = BitUtil.align(COUNTERS_INFO_END_OFFSET, SECTION_ALIGNMENT);
    /** Device counters entry: jobs completed (written by the engine thread). */
    public static final int COUNTERS_COMPLETED_OFFSET = COUNTERS_SUBMITTED_OFFSET + SECTION_ALIGNMENT;
    /** Device counters entry: jobs failed (written by the engine thread). */
    public static final int COUNTERS_ERRORS_OFFSET = COUNTERS_COMPLETED_OFFSET + Long.BYTES;
    /** Device counters entry: engine errors and rings found forged or corrupt (added atomically, any thread). */
    public static final int COUNTERS_ENGINE_ERRORS_OFFSET = COUNTERS_ERRORS_OFFSET + Long.BYTES;
    /** Length of one device counters entry. */
    public static final int DEVICE_COUNTERS_ENTRY_LENGTH =
        BitUtil.align(COUNTERS_ENGINE_ERRORS_OFFSET + Long.BYTES, SECTION_ALIGNMENT);

    // ---------------------------------------------------------------- named regions
    /** Offset of the named region table. */
    public static final int REGION_TABLE_OFFSET =
        DEVICE_COUNTERS_OFFSET + DEVICE_COUNTERS_CAPACITY * DEVICE_COUNTERS_ENTRY_LENGTH;
    /** Region entry: state, {@link #REGION_FREE} or {@link #REGION_PUBLISHED}; written last when publishing. */
    public static final int REGION_STATE_OFFSET = 0;
    /** Region entry: length of the name in UTF-8 bytes. */
    public static final int REGION_NAME_LENGTH_OFFSET = REGION_STATE_OFFSET + Integer.BYTES;
    /** Region entry: the owning domain's slot. */
    public static final int REGION_DOMAIN_SLOT_OFFSET = REGION_NAME_LENGTH_OFFSET + Integer.BYTES;
    /** Region entry: the owning domain's generation. */
    public static final int REGION_DOMAIN_GENERATION_OFFSET = REGION_DOMAIN_SLOT_OFFSET + Long.BYTES;
    /** Region entry: IOVA of the region's first byte, in the owning domain. */
    public static final int REGION_IOVA_OFFSET = REGION_DOMAIN_GENERATION_OFFSET + Long.BYTES;
    /** Region entry: length of the region in bytes. */
    public static final int REGION_LENGTH_OFFSET = REGION_IOVA_OFFSET + Long.BYTES;
    /** Region entry: publication time, epoch milliseconds. */
    public static final int REGION_PUBLISHED_EPOCH_MS_OFFSET = REGION_LENGTH_OFFSET + Long.BYTES;
    /** Region entry: name bytes, UTF-8, at most {@link #MAX_NAME_LENGTH}. */
    public static final int REGION_NAME_OFFSET = SECTION_ALIGNMENT - MAX_NAME_LENGTH;
    /** Length of one region entry. */
    public static final int REGION_ENTRY_LENGTH = SECTION_ALIGNMENT;

    // ---------------------------------------------------------------- error log
    /** Offset of the error log directory. */
    public static final int ERROR_LOG_DIRECTORY_OFFSET = REGION_TABLE_OFFSET + REGION_CAPACITY * REGION_ENTRY_LENGTH;
    /** Error log directory entry: state, one of {@code CHUNK_*}. */
    public static final int CHUNK_STATE_OFFSET = 0;
    /** Error log directory entry: owner's incarnation id. */
    public static final int CHUNK_OWNER_INCARNATION_OFFSET = CHUNK_STATE_OFFSET + Long.BYTES;
    /** Error log directory entry: owner's pid. */
    public static final int CHUNK_OWNER_PID_OFFSET = CHUNK_OWNER_INCARNATION_OFFSET + Long.BYTES;
    /** Error log directory entry: claim time, epoch milliseconds. */
    public static final int CHUNK_CLAIMED_EPOCH_MS_OFFSET = CHUNK_OWNER_PID_OFFSET + Long.BYTES;
    /** Error log directory entry: release time, epoch milliseconds; 0 while owned. */
    public static final int CHUNK_RELEASED_EPOCH_MS_OFFSET = CHUNK_CLAIMED_EPOCH_MS_OFFSET + Long.BYTES;
    /** Length of one error log directory entry. */
    public static final int ERROR_LOG_DIRECTORY_ENTRY_LENGTH = SECTION_ALIGNMENT;
    /** Offset of the first error log chunk. */
    public static final int ERROR_LOG_OFFSET =
        ERROR_LOG_DIRECTORY_OFFSET + ERROR_LOG_CHUNK_COUNT * ERROR_LOG_DIRECTORY_ENTRY_LENGTH;
    /** Length of the whole file, rounded up to a 4 KiB page. */
    public static final int TOTAL_LENGTH =
        BitUtil.align(ERROR_LOG_OFFSET + ERROR_LOG_CHUNK_COUNT * ERROR_LOG_CHUNK_LENGTH, 4096);

    // ---------------------------------------------------------------- states and codes
    /** Region state: free. */
    public static final int REGION_FREE = 0;
    /** Region state: published. */
    public static final int REGION_PUBLISHED = 1;
    /** Chunk state: never used. */
    public static final int CHUNK_FREE = 0;
    /** Chunk state: owned by a live process. */
    public static final int CHUNK_IN_USE = 1;
    /** Chunk state: owner closed or died; content kept for operators until the chunk is needed. */
    public static final int CHUNK_RELEASED = 2;
    /** Device counters state: free. */
    public static final int COUNTERS_FREE = 0;
    /** Device counters state: in use. */
    public static final int COUNTERS_IN_USE = 1;
    /** Device state in the counters entry: info not published yet. */
    public static final int DEVICE_STATE_UNKNOWN = 0;
    /** Device state in the counters entry: stopped ({@code rte_dma_stop}, or never started). */
    public static final int DEVICE_STATE_STOPPED = 1;
    /** Device state in the counters entry: started ({@code rte_dma_start}). */
    public static final int DEVICE_STATE_STARTED = 2;

    private static final byte[] MARKER_BYTES = MARKER.getBytes(StandardCharsets.US_ASCII);

    private ControlSegmentDescriptor()
    {
    }

    /**
     * Offset of a domain entry.
     *
     * @param slot domain slot, 0 to {@link #DOMAIN_CAPACITY} - 1.
     * @return the offset.
     */
    public static int domainOffset(final int slot)
    {
        return DOMAIN_TABLE_OFFSET + slot * DOMAIN_ENTRY_LENGTH;
    }

    /**
     * Offset of a group entry.
     *
     * @param groupSlot group slot, 0 to {@link #GROUP_CAPACITY} - 1.
     * @return the offset.
     */
    public static int groupOffset(final int groupSlot)
    {
        return GROUP_TABLE_OFFSET + groupSlot * GROUP_ENTRY_LENGTH;
    }

    /**
     * Offset of a member entry.
     *
     * @param groupSlot  group slot.
     * @param memberSlot member slot, 0 (the creator) to {@link #MEMBERS_PER_GROUP} - 1.
     * @return the offset.
     */
    public static int memberOffset(final int groupSlot, final int memberSlot)
    {
        return groupOffset(groupSlot) + GROUP_MEMBERS_OFFSET + memberSlot * MEMBER_ENTRY_LENGTH;
    }

    /**
     * Offset of a member slot's acknowledged-departure cursor.
     *
     * @param groupSlot  0..GROUP_CAPACITY-1.
     * @param memberSlot 0..MEMBERS_PER_GROUP-1.
     * @return the offset.
     */
    public static int ackCursorOffset(final int groupSlot, final int memberSlot)
    {
        return groupOffset(groupSlot) + GROUP_ACK_CURSORS_OFFSET + memberSlot * ACK_CURSOR_LENGTH;
    }

    /**
     * Offset of the ring entry that holds a departure number.
     *
     * @param groupSlot 0..GROUP_CAPACITY-1.
     * @param number    the departure number, 1 or more.
     * @return the offset.
     */
    public static int departureOffset(final int groupSlot, final long number)
    {
        return groupOffset(groupSlot) + GROUP_DEPARTURES_OFFSET +
            (int)((number - 1) & (DEPARTURE_RING_CAPACITY - 1)) * DEPARTURE_ENTRY_LENGTH;
    }

    /**
     * Offset of a handler table entry.
     *
     * @param handler handler value, 0 to {@link #MAX_HANDLER}.
     * @return the offset.
     */
    public static int handlerOffset(final int handler)
    {
        return HANDLER_TABLE_OFFSET + handler * HANDLER_ENTRY_LENGTH;
    }

    /**
     * Offset of a device counters entry.
     *
     * @param counterId counters slot, 0 to {@link #DEVICE_COUNTERS_CAPACITY} - 1.
     * @return the offset.
     */
    public static int deviceCountersOffset(final int counterId)
    {
        return DEVICE_COUNTERS_OFFSET + counterId * DEVICE_COUNTERS_ENTRY_LENGTH;
    }

    /**
     * Offset of a named region entry.
     *
     * @param regionSlot region slot, 0 to {@link #REGION_CAPACITY} - 1.
     * @return the offset.
     */
    public static int regionOffset(final int regionSlot)
    {
        return REGION_TABLE_OFFSET + regionSlot * REGION_ENTRY_LENGTH;
    }

    /**
     * Offset of an error log directory entry.
     *
     * @param chunk chunk index.
     * @return the offset.
     */
    public static int errorLogDirectoryOffset(final int chunk)
    {
        return ERROR_LOG_DIRECTORY_OFFSET + chunk * ERROR_LOG_DIRECTORY_ENTRY_LENGTH;
    }

    /**
     * Offset of an error log chunk.
     *
     * @param chunk chunk index.
     * @return the offset.
     */
    public static int errorLogChunkOffset(final int chunk)
    {
        return ERROR_LOG_OFFSET + chunk * ERROR_LOG_CHUNK_LENGTH;
    }

    /**
     * Handler table value for a member.
     *
     * @param groupSlot  group slot.
     * @param memberSlot member slot.
     * @return the non-zero handler table value.
     */
    public static int handlerEntry(final int groupSlot, final int memberSlot)
    {
        return ((groupSlot + 1) << 16) | memberSlot;
    }

    /**
     * Group slot named by a handler table value.
     *
     * @param entry non-zero handler table value.
     * @return the group slot.
     */
    public static int handlerEntryGroupSlot(final int entry)
    {
        return (entry >>> 16) - 1;
    }

    /**
     * Member slot named by a handler table value.
     *
     * @param entry non-zero handler table value.
     * @return the member slot.
     */
    public static int handlerEntryMemberSlot(final int entry)
    {
        return entry & 0xFFFF;
    }

    /**
     * Group slot of a group id.
     *
     * @param groupId group id, 0..{@link #MAX_GROUP_ID}.
     * @return the group slot.
     */
    public static int groupSlot(final int groupId)
    {
        return groupId % GROUP_CAPACITY;
    }

    /**
     * The group id handed out for a slot on its n-th use, so a stale id does not name the next group
     * in the same slot (until 128 reuses).
     *
     * @param groupSlot group slot.
     * @param idEpoch   number of earlier uses of the slot.
     * @return the group id, 0..{@link #MAX_GROUP_ID}.
     */
    public static int groupId(final int groupSlot, final int idEpoch)
    {
        return (idEpoch % ((MAX_GROUP_ID + 1) / GROUP_CAPACITY)) * GROUP_CAPACITY + groupSlot;
    }

    /**
     * The marker bytes written at offset 0.
     *
     * @return a copy of the marker bytes (shorter than {@link #MARKER_LENGTH}; the rest is zero).
     */
    public static byte[] markerBytes()
    {
        return MARKER_BYTES.clone();
    }

    /**
     * Whether a file of this length can hold the header.
     *
     * @param fileLength length of the file.
     * @return true when the header fits.
     */
    public static boolean isHeaderLengthSufficient(final long fileLength)
    {
        return fileLength >= HEADER_LENGTH;
    }

    /**
     * Checks the marker of a header.
     *
     * @param header the first bytes of a file, at least {@link #HEADER_LENGTH}.
     * @param file   the file, for the message.
     * @throws DmaException (EINVAL) naming the file when the marker is wrong.
     */
    public static void checkMarker(final DirectBuffer header, final Path file)
    {
        for (int i = 0; i < MARKER_LENGTH; i++)
        {
            final byte expected = i < MARKER_BYTES.length ? MARKER_BYTES[i] : 0;
            if (header.getByte(MARKER_OFFSET + i) != expected)
            {
                throw new DmaException(
                    Errno.EINVAL, "not a shmdma control segment (no " + MARKER + " marker): " + file);
            }
        }
    }

    /**
     * Checks a ready header (version non-zero) against this layout, and the file length against the header.
     *
     * @param header     the first bytes of a file, at least {@link #HEADER_LENGTH}.
     * @param fileLength length of the file.
     * @param file       the file, for the message.
     * @throws DmaException (EINVAL) naming the file when the header does not describe this layout, or
     *                      the file is shorter than the header says.
     */
    public static void checkHeader(final DirectBuffer header, final long fileLength, final Path file)
    {
        checkMarker(header, file);
        final int version = header.getInt(LAYOUT_VERSION_OFFSET);
        if (version != LAYOUT_VERSION)
        {
            throw new DmaException(Errno.EINVAL, "control segment " + file + " has layout version " + version +
                ", this build reads version " + LAYOUT_VERSION);
        }
        checkField(header, HEADER_LENGTH_FIELD_OFFSET, HEADER_LENGTH, "header length", file);
        checkField(header, DOMAIN_CAPACITY_FIELD_OFFSET, DOMAIN_CAPACITY, "domain capacity", file);
        checkField(header, GROUP_CAPACITY_FIELD_OFFSET, GROUP_CAPACITY, "group capacity", file);
        checkField(header, MEMBERS_PER_GROUP_FIELD_OFFSET, MEMBERS_PER_GROUP, "members per group", file);
        checkField(header, HANDLER_CAPACITY_FIELD_OFFSET, HANDLER_TABLE_CAPACITY, "handler capacity", file);
        checkField(header, DEVICE_COUNTERS_CAPACITY_FIELD_OFFSET, DEVICE_COUNTERS_CAPACITY, "device counters", file);
        checkField(header, REGION_CAPACITY_FIELD_OFFSET, REGION_CAPACITY, "region capacity", file);
        checkField(header, ERROR_LOG_CHUNK_COUNT_FIELD_OFFSET, ERROR_LOG_CHUNK_COUNT, "error log chunks", file);
        checkField(header, ERROR_LOG_CHUNK_LENGTH_FIELD_OFFSET, ERROR_LOG_CHUNK_LENGTH, "error log chunk length", file);
        final long totalLength = header.getLong(TOTAL_LENGTH_FIELD_OFFSET);
        if (totalLength != TOTAL_LENGTH)
        {
            throw new DmaException(Errno.EINVAL, "control segment " + file + " declares total length " + totalLength +
                ", layout " + LAYOUT_VERSION + " needs " + TOTAL_LENGTH);
        }
        if (fileLength < totalLength)
        {
            throw new DmaException(Errno.EINVAL, "control segment " + file + " is truncated: " + fileLength +
                " bytes, header says " + totalLength);
        }
    }

    private static void checkField(
        final DirectBuffer header, final int offset, final int expected, final String what, final Path file)
    {
        final int actual = header.getInt(offset);
        if (actual != expected)
        {
            throw new DmaException(Errno.EINVAL, "control segment " + file + " has " + what + " " + actual +
                ", expected " + expected);
        }
    }
}
