package io.shmdma.shm.registry;

import org.junit.jupiter.api.Test;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlSegmentDescriptorTest
{
    @Test
    void shouldStartEverySectionOnItsOwnTwoCacheLines()
    {
        final int[] sections = {
            LOCK_WORD_OFFSET, LOCK_INFO_OFFSET, CHANGE_COUNT_OFFSET, ALLOCATION_OFFSET, DOMAIN_TABLE_OFFSET,
            GROUP_TABLE_OFFSET, HANDLER_TABLE_OFFSET, DEVICE_COUNTERS_OFFSET, REGION_TABLE_OFFSET,
            ERROR_LOG_DIRECTORY_OFFSET, ERROR_LOG_OFFSET, DOMAIN_ENTRY_LENGTH, GROUP_ENTRY_LENGTH,
            DEVICE_COUNTERS_ENTRY_LENGTH,
            DOMAIN_STATE_OFFSET, GROUP_MEMBERS_OFFSET, COUNTERS_SUBMITTED_OFFSET, COUNTERS_COMPLETED_OFFSET,
            GROUP_NAME_LENGTH_OFFSET, REGION_ENTRY_LENGTH };
        for (final int offset : sections)
        {
            assertEquals(0, offset % SECTION_ALIGNMENT, "offset " + offset);
        }
        assertEquals(LOCK_WORD_OFFSET + SECTION_ALIGNMENT, LOCK_INFO_OFFSET, "lock word alone on its lines");
        assertEquals(SECTION_ALIGNMENT, DOMAIN_STATE_OFFSET - DOMAIN_HEARTBEAT_NS_OFFSET, "heartbeat alone");
    }

    @Test
    void shouldMatchTheDiagram()
    {
        assertEquals(128, HEADER_LENGTH);
        assertEquals(128, LOCK_WORD_OFFSET);
        assertEquals(256, LOCK_INFO_OFFSET);
        assertEquals(384, CHANGE_COUNT_OFFSET);
        assertEquals(512, ALLOCATION_OFFSET);
        assertEquals(640, DOMAIN_TABLE_OFFSET);
        assertEquals(98944, GROUP_TABLE_OFFSET);
        assertEquals(590464, HANDLER_TABLE_OFFSET);
        assertEquals(852608, DEVICE_COUNTERS_OFFSET);
        assertEquals(877184, REGION_TABLE_OFFSET);
        assertEquals(1008256, ERROR_LOG_DIRECTORY_OFFSET);
        assertEquals(1010304, ERROR_LOG_OFFSET);
        assertEquals(2060288, TOTAL_LENGTH);
        assertEquals(384, DOMAIN_ENTRY_LENGTH);
        assertEquals(1920, GROUP_ENTRY_LENGTH);
        assertEquals(1792, GROUP_NAME_LENGTH_OFFSET);
        assertEquals(1800, GROUP_NAME_OFFSET);
        assertEquals(128, REGION_ENTRY_LENGTH);
        assertEquals(64, REGION_NAME_OFFSET);
        assertTrue(REGION_PUBLISHED_EPOCH_MS_OFFSET + Long.BYTES <= REGION_NAME_OFFSET, "fields before the name");
        assertEquals(REGION_TABLE_OFFSET + REGION_CAPACITY * REGION_ENTRY_LENGTH, ERROR_LOG_DIRECTORY_OFFSET);
        assertEquals(60, REGION_CAPACITY_FIELD_OFFSET);
        assertEquals(64, CREATION_EPOCH_MS_OFFSET, "the region capacity took the header's free int");
        assertEquals(32, MEMBER_ENTRY_LENGTH);
        assertEquals(128, COUNTERS_SUBMITTED_OFFSET);
        assertEquals(256, COUNTERS_COMPLETED_OFFSET);
        assertEquals(264, COUNTERS_ERRORS_OFFSET);
        assertEquals(272, COUNTERS_ENGINE_ERRORS_OFFSET);
        assertEquals(384, DEVICE_COUNTERS_ENTRY_LENGTH);
        assertEquals(640, GROUP_ACK_CURSORS_OFFSET);
        assertEquals(768, GROUP_DEPARTURES_OFFSET);
        assertEquals(0, GROUP_ACK_CURSORS_OFFSET % SECTION_ALIGNMENT,
            "the cursors share no line with the lock's writes");
        assertEquals(MEMBERS_PER_GROUP * ACK_CURSOR_LENGTH, GROUP_DEPARTURES_OFFSET - GROUP_ACK_CURSORS_OFFSET);
        assertEquals(0, DEPARTURE_RING_CAPACITY & (DEPARTURE_RING_CAPACITY - 1), "a power of two");
        assertEquals(ackCursorOffset(1, 0) + 15 * ACK_CURSOR_LENGTH, ackCursorOffset(1, 15));
        assertEquals(departureOffset(2, 1), departureOffset(2, 1 + DEPARTURE_RING_CAPACITY), "the ring wraps");
        assertEquals(GROUP_TABLE_OFFSET + GROUP_CAPACITY * GROUP_ENTRY_LENGTH, HANDLER_TABLE_OFFSET);
        assertTrue(TOTAL_LENGTH >= ERROR_LOG_OFFSET + ERROR_LOG_CHUNK_COUNT * ERROR_LOG_CHUNK_LENGTH);
        assertEquals(0, TOTAL_LENGTH % 4096);
    }

    @Test
    void shouldKeepEveryLongNaturallyAligned()
    {
        final int[] longs = {
            TOTAL_LENGTH_FIELD_OFFSET, CREATION_EPOCH_MS_OFFSET, CREATOR_PID_OFFSET, LOCK_HOLDER_PID_OFFSET,
            SEQUENCE_OFFSET, DOMAIN_GENERATION_OFFSET, DOMAIN_INCARNATION_OFFSET, DOMAIN_SEGMENT_SIZE_OFFSET,
            GROUP_GENERATION_OFFSET, GROUP_CREATOR_GENERATION_OFFSET, GROUP_LOCKOUT_UNTIL_NS_OFFSET,
            GROUP_DEPARTURE_COUNT_OFFSET, GROUP_ACK_CURSORS_OFFSET, GROUP_DEPARTURES_OFFSET, DEPARTURE_TOKEN_OFFSET,
            DEPARTURE_UUID_LSB_OFFSET,
            MEMBER_TOKEN_OFFSET, MEMBER_DOMAIN_GENERATION_OFFSET, MEMBER_JOINED_EPOCH_MS_OFFSET,
            COUNTERS_DOMAIN_GENERATION_OFFSET, COUNTERS_ERRORS_OFFSET, COUNTERS_ENGINE_ERRORS_OFFSET,
            CHUNK_OWNER_INCARNATION_OFFSET, REGION_DOMAIN_GENERATION_OFFSET, REGION_IOVA_OFFSET, REGION_LENGTH_OFFSET,
            REGION_PUBLISHED_EPOCH_MS_OFFSET };
        for (final int offset : longs)
        {
            assertEquals(0, offset % Long.BYTES, "offset " + offset);
        }
        assertTrue(GROUP_CREATED_EPOCH_MS_OFFSET + Long.BYTES <= GROUP_MEMBERS_OFFSET);
    }

    @Test
    void shouldEncodeHandlerEntriesThatAreNeverZero()
    {
        for (int groupSlot = 0; groupSlot < GROUP_CAPACITY; groupSlot++)
        {
            for (int memberSlot = 0; memberSlot < MEMBERS_PER_GROUP; memberSlot++)
            {
                final int entry = handlerEntry(groupSlot, memberSlot);
                assertTrue(entry != 0);
                assertEquals(groupSlot, handlerEntryGroupSlot(entry));
                assertEquals(memberSlot, handlerEntryMemberSlot(entry));
            }
        }
    }

    @Test
    void shouldHandOutGroupIdsInInt16RangeThatNameTheirSlot()
    {
        for (int groupSlot = 0; groupSlot < GROUP_CAPACITY; groupSlot++)
        {
            for (int epoch = 0; epoch < 300; epoch++)
            {
                final int groupId = groupId(groupSlot, epoch);
                assertTrue(groupId >= 0 && groupId <= MAX_GROUP_ID, "group id " + groupId);
                assertEquals(groupSlot, groupSlot(groupId));
            }
            assertTrue(groupId(groupSlot, 0) != groupId(groupSlot, 1));
        }
    }

    @Test
    void shouldLookUpEveryLockOperationByTheCodeStoredInTheLockInfo()
    {
        for (final RegistryOperation operation : RegistryOperation.values())
        {
            assertSame(operation, RegistryOperation.of(operation.code()));
            assertEquals(operation.label(), RegistryOperation.labelOf(operation.code()));
        }
        assertEquals(0, RegistryOperation.NONE.code(), "a zeroed lock info records no operation");
        assertEquals(11, RegistryOperation.CHECK.code(), "codes are part of layout " + LAYOUT_VERSION);
        assertEquals(12, RegistryOperation.REGION.code());
        assertNull(RegistryOperation.of(-1));
        assertEquals("operation 13", RegistryOperation.labelOf(13));
    }
}
