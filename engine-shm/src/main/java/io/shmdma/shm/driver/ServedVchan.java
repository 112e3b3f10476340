package io.shmdma.shm.driver;

import io.shmdma.engine.CopyEngine;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * One client vchan the driver serves: its ring mapped from the client's ring file (whose name and descriptor are
 * gone once taken), a {@link CopyEngine} of its own
 * run by one of the driver's engine threads, and the domain segments its two ends resolve in. Created and retired
 * by the driver's conductor; between, only the engine thread runs the engine.
 */
final class ServedVchan
{
    final int slot;
    final int sequence;
    final UUID clientDomain;
    final int clientDomainSlot;
    final long clientDomainGeneration;
    final String deviceName;
    final int vchan;
    final Path ringFile;
    final MappedByteBuffer ringMapping;
    final CopyEngine engine;
    final List<DriverSegments.Key> segments;
    final int capacity;
    EngineAgent agent;
    /** Set by the conductor: drain the jobs submitted before letting go (a hand-back), or not (a dead client). */
    volatile boolean drainOnRemoval = true;
    /** Set by the conductor once it asked the engine thread to let go. */
    boolean removalRequested;
    /** Set by the engine thread once it no longer runs this vchan (release). */
    volatile boolean removed;

    ServedVchan(
        final int slot, final int sequence, final UUID clientDomain, final int clientDomainSlot,
        final long clientDomainGeneration, final String deviceName, final int vchan, final Path ringFile,
        final MappedByteBuffer ringMapping, final CopyEngine engine, final List<DriverSegments.Key> segments,
        final int capacity)
    {
        this.slot = slot;
        this.sequence = sequence;
        this.clientDomain = clientDomain;
        this.clientDomainSlot = clientDomainSlot;
        this.clientDomainGeneration = clientDomainGeneration;
        this.deviceName = deviceName;
        this.vchan = vchan;
        this.ringFile = ringFile;
        this.ringMapping = ringMapping;
        this.engine = engine;
        this.segments = segments;
        this.capacity = capacity;
    }

    /**
     * Runs the engine until it has nothing left or did more jobs than the ring holds (a ring whose stamps are being
     * forged would keep it busy for ever). Engine thread.
     */
    void drain()
    {
        long done = 0;
        int work;
        do
        {
            work = engine.doWork();
            done += work;
        }
        while (work > 0 && done <= capacity);
    }

    @Override
    public String toString()
    {
        return "domain " + clientDomain + " device " + deviceName + " vchan " + vchan + " (slot " + slot + ")";
    }
}
