package io.shmdma.shm;

import org.agrona.concurrent.AtomicBuffer;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The mapping of a device's ring (in driver mode, the memory the driver executes too), for tests that play a process
 * writing into it: the ring file has no name once mapped (in driver mode, once the driver took the vchan), so such a
 * process needs this process's memory (ptrace, {@code /proc/<pid>/map_files}).
 */
final class RingAccess
{
    private RingAccess()
    {
    }

    /**
     * The ring of vchan 0 of a device.
     *
     * @param domain the device's domain.
     * @param device the device's name.
     * @return the mapped ring.
     */
    static AtomicBuffer mappedRing(final ShmDomain domain, final String device)
    {
        for (final ShmDmaDriver driver : domain.drivers())
        {
            final AtomicBuffer ring = driver.mappedRing(device, 0);
            if (ring != null)
            {
                return ring;
            }
        }
        assertNotNull(null, "no ring for vchan 0 of " + device);
        return null;
    }
}
