package io.shmdma;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.shmdma.DmaTestSupport.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generic layer ({@code rte_dmadev.c}) over a driver whose answers the test sets.
 */
class DmaDeviceTest
{
    private final List<DmaDevice> devices = new ArrayList<>();

    @AfterEach
    void closeDevices()
    {
        for (final DmaDevice device : devices)
        {
            if (device.isValid())
            {
                final StubDriver driver = (StubDriver)device.driver();
                driver.stopResult = 0;
                driver.closeResult = 0;
                device.stop();
                device.close();
            }
        }
    }

    @Test
    void shouldTellTheDriverItsId()
    {
        final StubDriver driver = new StubDriver();
        final DmaDevice device = register(driver);
        assertEquals(device.id(), driver.registeredId);
        assertSame(driver, device.driver());
        assertEquals("DmaDevice{id=" + device.id() + ", name=" + device.name() + "}", device.toString());
    }

    @Test
    void shouldThrowTheDriversErrnoAndKeepTheState()
    {
        final StubDriver driver = new StubDriver();
        final DmaDevice device = register(driver);

        driver.configureResult = -Errno.ENOMEM;
        assertErrno(Errno.ENOMEM, () -> device.configure(new DmaConf(2, 0)));
        assertEquals(0, device.info().nbVchans, "a configuration the driver refused is not kept");
        driver.configureResult = 0;
        final DmaConf conf = new DmaConf(2, 0);
        device.configure(conf);
        assertNotSame(conf, driver.configured, "the driver gets a copy");
        conf.nbVchans = 3;
        assertEquals(2, device.conf().nbVchans);

        driver.vchanSetupResult = -Errno.EIO;
        assertErrno(Errno.EIO, () -> device.vchanSetup(0, new VchanConf(2)));
        driver.vchanSetupResult = 0;
        device.vchanSetup(0, new VchanConf(2));

        driver.startResult = -Errno.EIO;
        assertErrno(Errno.EIO, device::start);
        assertFalse(device.isStarted());
        driver.startResult = 0;
        device.start();

        driver.stopResult = -Errno.ETIMEDOUT;
        assertErrno(Errno.ETIMEDOUT, device::stop);
        assertTrue(device.isStarted());
        driver.stopResult = 0;
        device.stop();

        driver.closeResult = -Errno.EBUSY;
        assertErrno(Errno.EBUSY, device::close);
        assertTrue(device.isValid(), "a close the driver refused leaves the device");
        assertTrue(DmaDevices.isValid(device.id()));
    }

    @Test
    void shouldAnswerEnotsupForOperationsADriverLacks()
    {
        final StubDriver driver = new StubDriver()
        {
            @Override
            public int configure(final DmaConf conf)
            {
                return -Errno.ENOTSUP;
            }
        };
        final DmaDevice device = register(driver);
        assertErrno(Errno.ENOTSUP, () -> device.configure(new DmaConf(1, 0)));
        assertErrno(Errno.ENOTSUP, () -> device.stats(DmaDevice.ALL_VCHAN));
        assertErrno(Errno.ENOTSUP, () -> device.statsReset(DmaDevice.ALL_VCHAN));
        assertNull(device.engineInvoker());
        assertEquals(0, device.enqueueOps(0, new DmaOp[1], 1));
        assertEquals(0, device.dequeueOps(0, new DmaOp[1], 1));

        final DmaDevice configurable = register(new StubDriver());
        configurable.configure(new DmaConf(1, 0));
        assertErrno(Errno.ENOTSUP, () -> configurable.vchanStatus(0));
        assertErrno(Errno.EINVAL, () -> configurable.vchanStatus(1));
    }

    @Test
    void shouldRequireSeveralPrioritiesWithStrictPriority()
    {
        final StubDriver driver = new StubDriver();
        driver.capabilities |= DmaCapability.PRI_POLICY_SP;
        driver.nbPriorities = 1;
        final DmaDevice device = register(driver);
        assertErrno(Errno.EINVAL, device::info);
        assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(1, 0)));

        driver.nbPriorities = 4;
        final DmaConf conf = new DmaConf(1, 0);
        conf.priority = 3;
        device.configure(conf);
        assertEquals(3, driver.configured.priority);
        conf.priority = 4;
        assertErrno(Errno.EINVAL, () -> device.configure(conf));
        conf.priority = -1;
        assertErrno(Errno.EINVAL, () -> device.configure(conf));
    }

    @Test
    void shouldRefuseModesWithoutTheirCapability()
    {
        final StubDriver driver = new StubDriver();
        final DmaDevice device = register(driver);
        assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(1, ConfFlags.SILENT)));
        assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(1, ConfFlags.ENQ_DEQ)));
        assertNull(driver.configured);
        driver.capabilities |= DmaCapability.SILENT | DmaCapability.OPS_ENQ_DEQ;
        device.configure(new DmaConf(1, ConfFlags.SILENT | ConfFlags.ENQ_DEQ));
    }

    @Test
    void shouldRefuseCallsNeedingInfoWhenInfoFails()
    {
        final StubDriver driver = new StubDriver();
        final DmaDevice device = register(driver);
        device.configure(new DmaConf(1, 0));
        driver.infoResult = -Errno.EIO;
        assertErrno(Errno.EIO, device::info);
        assertErrno(Errno.EINVAL, () -> device.configure(new DmaConf(1, 0)));
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, new VchanConf(2)));
        assertErrno(Errno.EINVAL,
            () -> device.dump(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupLeave(0));
    }

    @Test
    void shouldDelegateAccessPairGroupsToACapableDriver()
    {
        final StubDriver driver = new StubDriver();
        driver.capabilities |= DmaCapability.INTER_PROCESS_DOMAIN;
        final DmaDevice device = register(driver);
        final UUID domain = UUID.randomUUID();
        final UUID token = UUID.randomUUID();

        assertEquals(5, device.accessPairGroupCreate(domain, token, null));
        assertEquals(5, device.accessPairGroupHandlerGet(5, domain));
        assertErrno(Errno.ENOTSUP, () -> device.accessPairGroupDestroy(5));
        assertErrno(Errno.ENOTSUP, () -> device.accessPairGroupJoin(domain, token, 5, null));
        assertErrno(Errno.ENOTSUP, () -> device.accessPairGroupLeave(5));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupCreate(null, token, null));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupCreate(domain, null, null));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupJoin(domain, null, 5, null));
        assertErrno(Errno.EINVAL, () -> device.accessPairGroupHandlerGet(5, null));
        driver.groupResult = -Errno.EACCES;
        assertErrno(Errno.EACCES, () -> device.accessPairGroupCreate(domain, token, null));
    }

    @Test
    void shouldPassInterDomainVchansOnlyWithTheirCapability()
    {
        final StubDriver driver = new StubDriver();
        driver.capabilities |= DmaCapability.INTER_PROCESS_DOMAIN;
        final DmaDevice device = register(driver);
        device.configure(new DmaConf(1, 0));
        final VchanConf interProcess = VchanConf.interProcess(2, 1, 2);
        device.vchanSetup(0, interProcess);
        assertSame(interProcess, driver.setUp);

        final VchanConf interOs = new VchanConf(2);
        interOs.domain = new InterDomainParam(InterDomainType.INTER_OS, 1, 2);
        assertErrno(Errno.EINVAL, () -> device.vchanSetup(0, interOs));
    }

    @Test
    void shouldHandDataPathResultsThroughUnchanged()
    {
        final StubDriver driver = new StubDriver();
        final DmaDevice device = register(driver);
        assertEquals(3, device.copy(0, 1, 2, 3, 0));
        assertEquals(3, device.fill(0, 1, 2, 3, 0));
        assertEquals(3, device.copySg(0, null, null, 0, 0, 0));
        driver.dataResult = -Errno.ENOSPC;
        assertEquals(-Errno.ENOSPC, device.copy(0, 1, 2, 3, 0));
    }

    private DmaDevice register(final StubDriver driver)
    {
        final DmaDevice device = DmaDevices.register(DmaTestSupport.uniqueName("stub"), driver);
        devices.add(device);
        return device;
    }
}
