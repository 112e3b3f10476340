package io.shmdma;

import io.shmdma.spi.DmaDriver;

/**
 * Test-only access to the driver behind a device, for tests outside this package ({@link DmaDevice#driver()} is
 * package-private so that applications cannot bypass the validating layer).
 */
public final class DeviceDrivers
{
    private DeviceDrivers()
    {
    }

    /**
     * The driver behind a device.
     *
     * @param device the device.
     * @return its driver.
     */
    public static DmaDriver driverOf(final DmaDevice device)
    {
        return device.driver();
    }
}
