package io.shmdma;

import io.shmdma.spi.DmaDriver;

import java.util.UUID;

/**
 * A driver whose answers a test sets, to reach the generic layer's paths a software device never takes.
 * Operations it does not override keep the SPI defaults ({@code -ENOTSUP}, as a NULL op in DPDK).
 */
class StubDriver implements DmaDriver
{
    long capabilities = DmaCapability.MEM_TO_MEM | DmaCapability.OPS_COPY;
    int nbPriorities;
    int maxVchans = 4;
    int infoResult;
    int configureResult;
    int vchanSetupResult;
    int startResult;
    int stopResult;
    int closeResult;
    int groupResult = 5;
    int registeredId = -1;
    DmaConf configured;
    VchanConf setUp;
    int dataResult = 3;

    @Override
    public void registered(final int devId)
    {
        registeredId = devId;
    }

    @Override
    public int infoGet(final DmaInfo info)
    {
        info.devCapa = capabilities;
        info.maxVchans = maxVchans;
        info.minDesc = 2;
        info.maxDesc = 64;
        info.maxSges = 1;
        info.nbPriorities = nbPriorities;
        return infoResult;
    }

    @Override
    public int configure(final DmaConf conf)
    {
        configured = conf;
        return configureResult;
    }

    @Override
    public int vchanSetup(final int vchan, final VchanConf conf)
    {
        setUp = conf;
        return vchanSetupResult;
    }

    @Override
    public int start()
    {
        return startResult;
    }

    @Override
    public int stop()
    {
        return stopResult;
    }

    @Override
    public int close()
    {
        return closeResult;
    }

    @Override
    public int accessPairGroupCreate(final UUID domainId, final UUID token, final GroupEventListener listener)
    {
        return groupResult;
    }

    @Override
    public int accessPairGroupHandlerGet(final int groupId, final UUID domainId)
    {
        return groupResult;
    }

    @Override
    public int copy(final int vchan, final long src, final long dst, final int length, final long flags)
    {
        return dataResult;
    }

    @Override
    public int copySg(
        final int vchan, final DmaSge[] src, final DmaSge[] dst, final int nbSrc, final int nbDst, final long flags)
    {
        return dataResult;
    }

    @Override
    public int fill(final int vchan, final long pattern, final long dst, final int length, final long flags)
    {
        return dataResult;
    }

    @Override
    public int submit(final int vchan)
    {
        return 0;
    }

    @Override
    public int completed(final int vchan, final int nbCpls, final Completion result)
    {
        return 0;
    }

    @Override
    public int completedStatus(final int vchan, final int nbCpls, final Completion result, final DmaStatus[] status)
    {
        return 0;
    }

    @Override
    public int burstCapacity(final int vchan)
    {
        return 0;
    }
}
