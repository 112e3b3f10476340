package io.shmdma.bench;

import io.shmdma.engine.EngineThreading;

/**
 * How the device's engine runs during a benchmark.
 */
public enum EngineMode
{
    /** The engine has its own thread and busy-spins when idle: the "hardware" analogue. */
    BUSY_SPIN,
    /** The engine has its own thread and backs off when idle: what a shared machine would use. */
    BACKOFF,
    /** The caller drives the engine through the device's invoker: no second thread. */
    INLINE;

    /**
     * The threading that implements this mode.
     *
     * @return a new threading.
     */
    public EngineThreading threading()
    {
        switch (this)
        {
            case BUSY_SPIN:
                return EngineThreading.busySpin();
            case BACKOFF:
                return EngineThreading.backoff();
            default:
                return EngineThreading.inline();
        }
    }

    /**
     * Parses a mode name, case-insensitive, with {@code -} or {@code _}.
     *
     * @param name e.g. {@code busy-spin}.
     * @return the mode.
     * @throws IllegalArgumentException for an unknown name.
     */
    public static EngineMode parse(final String name)
    {
        return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
}
