package io.shmdma;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.shmdma.DmaTestSupport.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process's registry ({@code rte_dma_pmd_allocate}, {@code rte_dma_get_dev_id_by_name}, ...).
 */
class DmaDevicesTest
{
    @Test
    void shouldValidateNamesAndDrivers()
    {
        assertErrno(Errno.EINVAL, () -> DmaDevices.register(null, new StubDriver()));
        assertErrno(Errno.EINVAL, () -> DmaDevices.register("", new StubDriver()));
        assertErrno(Errno.EINVAL, () -> DmaDevices.register("x".repeat(DmaDevices.NAME_MAX_LENGTH), new StubDriver()));
        assertErrno(Errno.EINVAL, () -> DmaDevices.register(DmaTestSupport.uniqueName("null-driver"), null));
        assertErrno(Errno.EINVAL, () -> DmaDevices.idByName("x".repeat(DmaDevices.NAME_MAX_LENGTH)));

        final String longest = "y".repeat(DmaDevices.NAME_MAX_LENGTH - 1);
        final DmaDevice device = DmaDevices.register(longest, new StubDriver());
        try
        {
            assertEquals(device.id(), DmaDevices.idByName(longest));
            assertErrno(Errno.EEXIST, () -> DmaDevices.register(longest, new StubDriver()));
        }
        finally
        {
            device.close();
        }
        DmaDevices.register(longest, new StubDriver()).close();
    }

    @Test
    void shouldRunOutOfIdsAtTheMaximum()
    {
        final int before = DmaDevices.count();
        final List<DmaDevice> devices = new ArrayList<>();
        try
        {
            while (DmaDevices.count() < DmaDevices.MAX_DEVICES)
            {
                devices.add(DmaDevices.register(DmaTestSupport.uniqueName("fill"), new StubDriver()));
            }
            assertErrno(Errno.ENOSPC,
                () -> DmaDevices.register(DmaTestSupport.uniqueName("one-more"), new StubDriver()));

            int seen = 0;
            for (int id = DmaDevices.nextDev(0); id >= 0; id = DmaDevices.nextDev(id + 1))
            {
                assertTrue(DmaDevices.isValid(id));
                seen++;
            }
            assertEquals(DmaDevices.MAX_DEVICES, seen);

            final DmaDevice freed = devices.remove(devices.size() / 2);
            final int freedId = freed.id();
            freed.close();
            assertFalse(DmaDevices.isValid(freedId));
            final DmaDevice reused = DmaDevices.register(DmaTestSupport.uniqueName("reuse"), new StubDriver());
            devices.add(reused);
            assertEquals(freedId, reused.id(), "the lowest free id is reused");
        }
        finally
        {
            devices.forEach(DmaDevice::close);
        }
        assertEquals(before, DmaDevices.count());
        assertEquals(-1, DmaDevices.nextDev(DmaDevices.MAX_DEVICES));
    }
}
