package io.shmdma.shm.registry;

import java.util.function.Consumer;

/**
 * Gives test code outside this package (the scriptable peer process) access to the registry's test-only pause
 * hook.
 */
public final class RegistryTestHooks
{
    private RegistryTestHooks()
    {
    }

    /**
     * Sets the hook called, with the lock held, at each named point of a mutation.
     *
     * @param hook the hook, or null for none.
     */
    public static void pauseHook(final Consumer<String> hook)
    {
        FencedWriter.pauseHook = hook;
    }
}
