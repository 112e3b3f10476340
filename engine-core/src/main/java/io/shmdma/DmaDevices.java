package io.shmdma;

import io.shmdma.spi.DmaDriver;

/**
 * The process's device registry ({@code rte_dma_count_avail}, {@code rte_dma_get_dev_id_by_name},
 * {@code rte_dma_is_valid}, {@code rte_dma_next_dev}, and the driver side {@code rte_dma_pmd_allocate}).
 * Device ids are local to the process, as in DPDK. Every method is safe from any thread (they lock this class;
 * none is on the data path).
 */
public final class DmaDevices
{
    /** Most devices in one process ({@code RTE_DMADEV_DEFAULT_MAX}). */
    public static final int MAX_DEVICES = 64;
    /** Longest device name, in characters, plus one ({@code RTE_DEV_NAME_MAX_LEN}). */
    public static final int NAME_MAX_LENGTH = 64;

    private static final DmaDevice[] DEVICES = new DmaDevice[MAX_DEVICES];

    private DmaDevices()
    {
    }

    /**
     * Registers a driver as a new device ({@code rte_dma_pmd_allocate}).
     *
     * @param name   unique name, 1..63 characters.
     * @param driver the driver.
     * @return the device.
     * @throws DmaException EINVAL for a bad name or null driver, EEXIST for a name in use, ENOSPC when full.
     */
    public static synchronized DmaDevice register(final String name, final DmaDriver driver)
    {
        AgronaAccess.ensureAvailable();
        checkName(name);
        if (driver == null)
        {
            throw new DmaException(Errno.EINVAL, "driver is null");
        }
        int free = -1;
        for (int id = 0; id < MAX_DEVICES; id++)
        {
            if (DEVICES[id] != null && DEVICES[id].name().equals(name))
            {
                throw new DmaException(Errno.EEXIST, "device name in use: " + name);
            }
            if (free < 0 && DEVICES[id] == null)
            {
                free = id;
            }
        }
        if (free < 0)
        {
            throw new DmaException(Errno.ENOSPC, "all " + MAX_DEVICES + " device ids are in use");
        }
        final DmaDevice device = new DmaDevice(free, name, driver);
        DEVICES[free] = device;
        driver.registered(free);
        return device;
    }

    static synchronized void release(final DmaDevice device)
    {
        if (DEVICES[device.id()] == device)
        {
            DEVICES[device.id()] = null;
        }
    }

    /**
     * The device id of a name ({@code rte_dma_get_dev_id_by_name}).
     *
     * @param name the device name.
     * @return the id.
     * @throws DmaException EINVAL for a bad or unknown name.
     */
    public static synchronized int idByName(final String name)
    {
        checkName(name);
        for (int id = 0; id < MAX_DEVICES; id++)
        {
            if (DEVICES[id] != null && DEVICES[id].name().equals(name))
            {
                return id;
            }
        }
        throw new DmaException(Errno.EINVAL, "no device named " + name);
    }

    /**
     * Whether an id names a device ({@code rte_dma_is_valid}).
     *
     * @param devId the id.
     * @return true when a device has this id.
     */
    public static synchronized boolean isValid(final int devId)
    {
        return devId >= 0 && devId < MAX_DEVICES && DEVICES[devId] != null;
    }

    /**
     * The device with an id.
     *
     * @param devId the id.
     * @return the device.
     * @throws DmaException EINVAL for an invalid id.
     */
    public static synchronized DmaDevice get(final int devId)
    {
        final DmaDevice device = devId >= 0 && devId < MAX_DEVICES ? DEVICES[devId] : null;
        if (device == null)
        {
            throw new DmaException(Errno.EINVAL, "invalid device id " + devId);
        }
        return device;
    }

    /**
     * The number of devices ({@code rte_dma_count_avail}).
     *
     * @return the count.
     */
    public static synchronized int count()
    {
        int count = 0;
        for (final DmaDevice device : DEVICES)
        {
            if (device != null)
            {
                count++;
            }
        }
        return count;
    }

    /**
     * The first valid id at or after {@code startDevId} ({@code rte_dma_next_dev}).
     *
     * @param startDevId where to start.
     * @return the id, or -1 when there is none.
     */
    public static synchronized int nextDev(final int startDevId)
    {
        for (int id = Math.max(0, startDevId); id < MAX_DEVICES; id++)
        {
            if (DEVICES[id] != null)
            {
                return id;
            }
        }
        return -1;
    }

    private static void checkName(final String name)
    {
        if (name == null || name.isEmpty() || name.length() >= NAME_MAX_LENGTH)
        {
            throw new DmaException(Errno.EINVAL, "device name must be 1.." + (NAME_MAX_LENGTH - 1) + " characters");
        }
    }
}
