package io.shmdma.bench;

import io.shmdma.DmaDevice;
import io.shmdma.OpFlags;

/**
 * One kind of request/response measured by {@link RoundTripLatency}: started for a phase, then driven one round
 * trip at a time by the caller thread, then stopped so that its helper thread no longer spins. The two-JVM
 * harness adds implementations here (a device whose engine runs in another process) and reuses the recorder.
 */
public interface RoundTrip
{
    /**
     * A short name for the report.
     *
     * @return the name.
     */
    String name();

    /** Starts the helper thread, if any. */
    void start();

    /**
     * One round trip; must not allocate.
     *
     * @return a value depending on the round trip, against dead-code elimination.
     */
    long roundTrip();

    /** Stops the helper thread, if any. */
    void stop();

    /** The padded cache-line ping-pong with a busy-spin helper thread. */
    final class PingPongRoundTrip implements RoundTrip
    {
        private PingPong pingPong;

        @Override
        public String name()
        {
            return "ping-pong";
        }

        @Override
        public void start()
        {
            pingPong = new PingPong();
        }

        @Override
        public long roundTrip()
        {
            return pingPong.roundTrip();
        }

        @Override
        public void stop()
        {
            pingPong.close();
            pingPong = null;
        }
    }

    /** One copy with SUBMIT, then polling {@code completed}, on a fresh started device per phase. */
    final class DmaCopyRoundTrip implements RoundTrip
    {
        private final DeviceKind kind;
        private final EngineMode mode;
        private final int size;
        private BenchTarget target;
        private DmaDevice device;
        private long srcIova;
        private long dstIova;

        /**
         * @param kind the device under test.
         * @param mode how its engine runs.
         * @param size bytes per copy.
         */
        public DmaCopyRoundTrip(final DeviceKind kind, final EngineMode mode, final int size)
        {
            this.kind = kind;
            this.mode = mode;
            this.size = size;
        }

        @Override
        public String name()
        {
            return "dma-" + mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        @Override
        public void start()
        {
            target = BenchTarget.open(kind, mode, CopySlots.domainBytes(size, 1), 64, 0);
            final CopySlots slots = new CopySlots(target, size, 1);
            device = target.device();
            srcIova = slots.srcIova(0);
            dstIova = slots.dstIova(0);
        }

        @Override
        public long roundTrip()
        {
            BenchTarget.checkEnqueued(device.copy(BenchTarget.VCHAN, srcIova, dstIova, size, OpFlags.SUBMIT));
            return target.awaitCompleted(1);
        }

        @Override
        public void stop()
        {
            target.close();
            target = null;
            device = null;
        }
    }
}
