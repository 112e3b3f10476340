package io.shmdma;

/**
 * Checks, once, that Agrona can reach {@code jdk.internal.misc.Unsafe}, and otherwise says in one sentence
 * which JVM flag is missing instead of letting a {@code NoClassDefFoundError} surface later.
 */
public final class AgronaAccess
{
    /** The JVM option every shmdma JVM needs. */
    public static final String REQUIRED_JVM_OPTION = "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED";

    private AgronaAccess()
    {
    }

    /**
     * Initialises Agrona's Unsafe access.
     *
     * @throws IllegalStateException naming the missing JVM option.
     */
    public static void ensureAvailable()
    {
        try
        {
            Class.forName("org.agrona.UnsafeApi", true, AgronaAccess.class.getClassLoader());
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            throw new IllegalStateException("shmdma needs the JVM option " + REQUIRED_JVM_OPTION +
                " (Agrona reaches jdk.internal.misc.Unsafe); add it to the java command line or JDK_JAVA_OPTIONS", ex);
        }
    }
}
