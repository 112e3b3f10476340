package io.shmdma;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Capability bits, flags and status codes are DPDK's, bit for bit, and print by DPDK's names.
 */
class DmaCapabilityTest
{
    @Test
    void shouldUseDpdkBitPositionsAndNames()
    {
        final long[] bits = {
            DmaCapability.MEM_TO_MEM, DmaCapability.MEM_TO_DEV, DmaCapability.DEV_TO_MEM, DmaCapability.DEV_TO_DEV,
            DmaCapability.SVA, DmaCapability.SILENT, DmaCapability.HANDLES_ERRORS, DmaCapability.M2D_AUTO_FREE,
            DmaCapability.PRI_POLICY_SP, DmaCapability.INTER_PROCESS_DOMAIN, DmaCapability.INTER_OS_DOMAIN,
            DmaCapability.OPS_COPY, DmaCapability.OPS_COPY_SG, DmaCapability.OPS_FILL, DmaCapability.OPS_ENQ_DEQ };
        final int[] positions = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 32, 33, 34, 35 };
        final String[] names = {
            "mem2mem", "mem2dev", "dev2mem", "dev2dev", "sva", "silent", "handles_errors", "m2d_auto_free",
            "pri_policy_sp", "inter_process_domain", "inter_os_domain", "copy", "copy_sg", "fill", "enq_deq" };
        for (int i = 0; i < bits.length; i++)
        {
            assertEquals(1L << positions[i], bits[i], names[i]);
            assertEquals(names[i], DmaCapability.name(bits[i]));
        }
        assertEquals("unknown", DmaCapability.name(1L << 11));
        assertEquals("unknown", DmaCapability.name(1L << 63));
        assertEquals("unknown", DmaCapability.name(0));
        assertEquals("unknown", DmaCapability.name(DmaCapability.MEM_TO_MEM | DmaCapability.SVA), "one bit at a time");
    }

    @Test
    void shouldListNamesLowestBitFirst()
    {
        assertEquals("", DmaCapability.names(0));
        assertEquals("mem2mem silent handles_errors copy copy_sg fill enq_deq",
            DmaCapability.names(DmaCapability.OPS_ENQ_DEQ | DmaCapability.OPS_FILL | DmaCapability.OPS_COPY_SG |
                DmaCapability.OPS_COPY | DmaCapability.HANDLES_ERRORS | DmaCapability.SILENT |
                DmaCapability.MEM_TO_MEM));
        assertEquals("mem2mem unknown unknown",
            DmaCapability.names(DmaCapability.MEM_TO_MEM | (1L << 40) | (1L << 63)));
    }

    @Test
    void shouldUseDpdkFlagValues()
    {
        assertEquals(1L, OpFlags.FENCE);
        assertEquals(2L, OpFlags.SUBMIT);
        assertEquals(4L, OpFlags.LLC);
        assertEquals(8L, OpFlags.AUTO_FREE);
        assertEquals(0, OpFlags.VALID_MASK & OpFlags.AUTO_FREE, "no memory-to-device auto free here");
        assertEquals(1L, ConfFlags.SILENT);
        assertEquals(2L, ConfFlags.ENQ_DEQ);
        assertEquals(0xFFFF, DmaDevice.ALL_VCHAN);
    }

    @Test
    void shouldUseDpdkStatusCodes()
    {
        final DmaStatus[] statuses = DmaStatus.values();
        for (int code = 0; code <= 14; code++)
        {
            assertEquals(code, statuses[code].code());
            assertSame(statuses[code], DmaStatus.of(code));
        }
        assertEquals(0x100, DmaStatus.ERROR_UNKNOWN.code());
        assertSame(DmaStatus.ERROR_UNKNOWN, DmaStatus.of(0x100));
        assertSame(DmaStatus.ERROR_UNKNOWN, DmaStatus.of(15));
        assertSame(DmaStatus.ERROR_UNKNOWN, DmaStatus.of(-1));
        assertSame(DmaStatus.ERROR_UNKNOWN, DmaStatus.of(Integer.MIN_VALUE));
        assertEquals(2, DmaStatus.NOT_ATTEMPTED.code());
        assertEquals(3, DmaStatus.INVALID_SRC_ADDR.code());
        assertEquals(4, DmaStatus.INVALID_DST_ADDR.code());
        assertEquals(11, DmaStatus.DATA_POISON.code());
    }
}
