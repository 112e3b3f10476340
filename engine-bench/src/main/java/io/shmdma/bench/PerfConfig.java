package io.shmdma.bench;

import io.shmdma.engine.SoftwareDmaDriver;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A dma-perf config file ({@code app/test-dma-perf/config.ini} format): a {@code [GLOBAL]} section and
 * {@code [case1]}, {@code [case2]}, ... sections, read as DPDK's dma-perf reads them. Keys that only make
 * sense for DPDK's EAL or hardware (lcores, PCI devices, NUMA nodes) are accepted and noted as ignored.
 */
public final class PerfConfig
{
    /** The global section. */
    public static final String GLOBAL_SECTION = "GLOBAL";
    /** Default measured seconds per scenario. */
    public static final double DEFAULT_TEST_SECONDS = 2;
    /** Default warm-up seconds per scenario before measuring (dma-perf waits 10 ms; a JIT needs longer). */
    public static final double DEFAULT_WARMUP_SECONDS = 0.5;

    private static final Set<String> KNOWN_KEYS = Set.of(
        "type", "mem_size", "buf_size", "dma_ring_size", "kick_batch", "dma_src_sge", "dma_dst_sge",
        "use_enq_deq_ops", "engine", "skip");

    private final double testSeconds;
    private final double warmupSeconds;
    private final List<PerfCase> cases;
    private final List<String> notes;

    private PerfConfig(
        final double testSeconds, final double warmupSeconds, final List<PerfCase> cases, final List<String> notes)
    {
        this.testSeconds = testSeconds;
        this.warmupSeconds = warmupSeconds;
        this.cases = cases;
        this.notes = notes;
    }

    /**
     * Reads and validates a config.
     *
     * @param reader the INI text.
     * @return the config.
     * @throws IOException              on a read error.
     * @throws IllegalArgumentException naming the case and key at fault.
     */
    public static PerfConfig parse(final Reader reader) throws IOException
    {
        final IniFile ini = IniFile.parse(reader);
        final List<String> notes = new ArrayList<>();
        double testSeconds = DEFAULT_TEST_SECONDS;
        double warmupSeconds = DEFAULT_WARMUP_SECONDS;
        for (final Map.Entry<String, String> entry : ini.section(GLOBAL_SECTION).entrySet())
        {
            switch (entry.getKey())
            {
                case "test_seconds":
                    testSeconds = seconds(entry.getValue(), "test_seconds");
                    break;
                case "warmup_seconds":
                    warmupSeconds = seconds(entry.getValue(), "warmup_seconds");
                    break;
                case "eal_args":
                    notes.add("[GLOBAL] eal_args ignored: there is no EAL; the JVM runs the device in-process");
                    break;
                case "cache_flush":
                    if (!"0".equals(entry.getValue()))
                    {
                        notes.add("[GLOBAL] cache_flush ignored: Java cannot flush CPU caches; buffers start warm");
                    }
                    break;
                default:
                    notes.add("[GLOBAL] " + entry.getKey() + " ignored: unknown key");
                    break;
            }
        }

        final TreeMap<Integer, String> caseSections = new TreeMap<>();
        for (final String name : ini.sectionNames())
        {
            if (name.matches("case[0-9]+"))
            {
                caseSections.put(Integer.parseInt(name.substring(4)), name);
            }
            else if (!GLOBAL_SECTION.equals(name))
            {
                notes.add("[" + name + "] ignored: not GLOBAL or caseN");
            }
        }
        final List<PerfCase> cases = new ArrayList<>();
        for (final Map.Entry<Integer, String> section : caseSections.entrySet())
        {
            cases.add(parseCase(section.getKey(), ini.section(section.getValue())));
        }
        if (cases.isEmpty())
        {
            throw new IllegalArgumentException("no [caseN] section");
        }
        return new PerfConfig(testSeconds, warmupSeconds, Collections.unmodifiableList(cases),
            Collections.unmodifiableList(notes));
    }

    private static double seconds(final String value, final String key)
    {
        try
        {
            final double seconds = Double.parseDouble(value);
            if (!(seconds > 0) || seconds > 3600)
            {
                throw new IllegalArgumentException(key + " must be in (0, 3600]: " + value);
            }
            return seconds;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + " is not a number: " + value, ex);
        }
    }

    static PerfCase parseCase(final int id, final Map<String, String> entries)
    {
        final String where = "case" + id;
        final List<String> notes = new ArrayList<>();
        if ("1".equals(entries.get("skip")))
        {
            return new PerfCase(id, null, null, null, null, null, 0, 0, false, EngineMode.BUSY_SPIN, true, notes);
        }
        final String typeText = require(entries, "type", where);
        final PerfCase.Type type;
        try
        {
            type = PerfCase.Type.valueOf(typeText);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(where + ": wrong test case type " + typeText +
                " (DMA_MEM_COPY or CPU_MEM_COPY)", ex);
        }
        final SweepEntry memSize = entry(entries, "mem_size", where, true);
        final SweepEntry bufSize = entry(entries, "buf_size", where, true);
        SweepEntry ringSize = SweepEntry.single(1024);
        SweepEntry kickBatch = SweepEntry.single(32);
        int srcSges = 0;
        int dstSges = 0;
        boolean useOps = false;
        EngineMode engine = EngineMode.BUSY_SPIN;
        if (type == PerfCase.Type.DMA_MEM_COPY)
        {
            ringSize = entry(entries, "dma_ring_size", where, true);
            kickBatch = entry(entries, "kick_batch", where, true);
            final String src = entries.get("dma_src_sge");
            final String dst = entries.get("dma_dst_sge");
            if ((src == null) != (dst == null))
            {
                throw new IllegalArgumentException(where + ": dma_src_sge and dma_dst_sge go together");
            }
            if (src != null)
            {
                srcSges = sges(src, "dma_src_sge", where);
                dstSges = sges(dst, "dma_dst_sge", where);
            }
            useOps = "1".equals(entries.get("use_enq_deq_ops"));
            if (entries.containsKey("engine"))
            {
                try
                {
                    engine = EngineMode.parse(entries.get("engine"));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException(where + ": engine must be busy-spin, backoff or inline: " +
                        entries.get("engine"), ex);
                }
            }
        }

        int sweeps = 0;
        for (final SweepEntry sweep : new SweepEntry[]{ memSize, bufSize, ringSize, kickBatch })
        {
            sweeps += sweep.isSweep() ? 1 : 0;
        }
        if (sweeps > 1)
        {
            throw new IllegalArgumentException(where + ": each section can only have a single variable parameter");
        }
        check(memSize, 1, 1 << 16, where, "mem_size");
        check(bufSize, 1, Integer.MAX_VALUE / 2, where, "buf_size");
        if (type == PerfCase.Type.DMA_MEM_COPY)
        {
            check(ringSize, SoftwareDmaDriver.MIN_DESC, SoftwareDmaDriver.MAX_DESC, where, "dma_ring_size");
            check(kickBatch, 1, SoftwareDmaDriver.MAX_DESC, where, "kick_batch");
        }

        for (final String key : entries.keySet())
        {
            if (key.startsWith("lcore_dma") || "lcore".equals(key))
            {
                notes.add(where + ": " + key + " ignored: the caller thread is the one worker and the device's " +
                    "engine runs on its own thread (or inline), placed by the OS");
            }
            else if ("src_numa_node".equals(key) || "dst_numa_node".equals(key))
            {
                notes.add(where + ": " + key + " ignored: memory is allocated where the JVM allocates it");
            }
            else if (!KNOWN_KEYS.contains(key))
            {
                notes.add(where + ": " + key + " ignored: unknown key");
            }
        }
        return new PerfCase(id, type, memSize, bufSize, ringSize, kickBatch, srcSges, dstSges, useOps, engine,
            false, Collections.unmodifiableList(notes));
    }

    private static String require(final Map<String, String> entries, final String key, final String where)
    {
        final String value = entries.get(key);
        if (value == null)
        {
            throw new IllegalArgumentException("can't get entry '" + key + "' in section '" + where + "'");
        }
        return value;
    }

    private static SweepEntry entry(
        final Map<String, String> entries, final String key, final String where, final boolean required)
    {
        final String value = required ? require(entries, key, where) : entries.get(key);
        try
        {
            return SweepEntry.parse(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(where + ": " + key + ": " + ex.getMessage(), ex);
        }
    }

    private static int sges(final String value, final String key, final String where)
    {
        final int sges;
        try
        {
            sges = Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(where + ": " + key + " is not a number: " + value, ex);
        }
        if (sges < 1 || sges > SoftwareDmaDriver.MAX_SGES)
        {
            throw new IllegalArgumentException(where + ": " + key + " must be 1.." + SoftwareDmaDriver.MAX_SGES +
                ": " + value);
        }
        return sges;
    }

    private static void check(
        final SweepEntry entry, final long min, final long max, final String where, final String key)
    {
        for (final long value : entry.values())
        {
            if (value < min || value > max)
            {
                throw new IllegalArgumentException(where + ": " + key + " value " + value + " not in " +
                    min + ".." + max);
            }
        }
    }

    /**
     * Measured seconds per scenario ({@code test_seconds}).
     *
     * @return seconds.
     */
    public double testSeconds()
    {
        return testSeconds;
    }

    /**
     * Warm-up seconds per scenario ({@code warmup_seconds}, an shmdma extension).
     *
     * @return seconds.
     */
    public double warmupSeconds()
    {
        return warmupSeconds;
    }

    /**
     * The cases, by case number.
     *
     * @return the cases.
     */
    public List<PerfCase> cases()
    {
        return cases;
    }

    /**
     * Global keys accepted but without effect, each with the reason.
     *
     * @return the notes.
     */
    public List<String> notes()
    {
        return notes;
    }

    /**
     * The same config with other timings, for {@code --quick} and command-line overrides.
     *
     * @param newTestSeconds   measured seconds per scenario.
     * @param newWarmupSeconds warm-up seconds per scenario.
     * @return a new config.
     */
    public PerfConfig withTimes(final double newTestSeconds, final double newWarmupSeconds)
    {
        return new PerfConfig(newTestSeconds, newWarmupSeconds, cases, notes);
    }
}
