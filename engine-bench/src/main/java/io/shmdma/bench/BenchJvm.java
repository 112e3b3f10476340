package io.shmdma.bench;

/**
 * JVM options every benchmark JVM needs, for {@code @Fork(jvmArgsAppend = ...)} and the launcher scripts.
 */
public final class BenchJvm
{
    /** Agrona 2.x reaches {@code jdk.internal.misc.Unsafe}; forked JMH JVMs do not read the jar manifest. */
    public static final String ADD_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    private BenchJvm()
    {
    }
}
