package io.shmdma.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PerfConfigTest
{
    private static final String DPDK_EXAMPLE = String.join("\n",
        "; comment",
        "[GLOBAL]",
        "eal_args=--in-memory --file-prefix=test -l 9-12",
        "cache_flush=0",
        "test_seconds=2",
        "",
        "[case1]",
        "type=DMA_MEM_COPY",
        "mem_size=10",
        "buf_size=64,8192,2,MUL",
        "dma_ring_size=1024",
        "kick_batch=32",
        "src_numa_node=0",
        "lcore_dma0=lcore=10,dev=0000:00:04.1,dir=mem2mem",
        "",
        "[case2]",
        "type=DMA_MEM_COPY",
        "mem_size=10",
        "buf_size=64,8192,2,MUL",
        "dma_ring_size=1024",
        "dma_src_sge=4",
        "dma_dst_sge=1",
        "kick_batch=32",
        "",
        "[case3]",
        "skip=1",
        "type=DMA_MEM_COPY",
        "",
        "[case4]",
        "type=CPU_MEM_COPY",
        "mem_size=10",
        "buf_size=64,8192,2,MUL",
        "lcore = 10, 11",
        "");

    @Test
    void shouldReadDpdkExampleConfig() throws IOException
    {
        final PerfConfig config = PerfConfig.parse(new StringReader(DPDK_EXAMPLE));
        assertEquals(2.0, config.testSeconds());
        assertEquals(4, config.cases().size());

        final PerfCase plain = config.cases().get(0);
        assertEquals(PerfCase.Type.DMA_MEM_COPY, plain.type());
        assertFalse(plain.isScatterGather());
        final List<PerfCase.Scenario> scenarios = plain.scenarios();
        assertEquals(8, scenarios.size());
        assertEquals(64, scenarios.get(0).bufSize);
        assertEquals(8192, scenarios.get(7).bufSize);
        assertEquals(1024, scenarios.get(3).ringSize);
        assertEquals(32, scenarios.get(3).kickBatch);
        assertEquals(4, scenarios.get(3).id);
        assertEquals(10L * 1024 * 1024 / (64 * 2), scenarios.get(0).nrBuf());
        assertTrue(plain.notes().stream().anyMatch(note -> note.contains("lcore_dma0 ignored")));
        assertTrue(plain.notes().stream().anyMatch(note -> note.contains("src_numa_node ignored")));

        final PerfCase sg = config.cases().get(1);
        assertTrue(sg.isScatterGather());
        assertEquals(4, sg.srcSges());
        assertEquals(1, sg.dstSges());

        assertTrue(config.cases().get(2).skip());

        final PerfCase cpu = config.cases().get(3);
        assertEquals(PerfCase.Type.CPU_MEM_COPY, cpu.type());
        assertEquals(8, cpu.scenarios().size());
        assertTrue(cpu.notes().stream().anyMatch(note -> note.contains("lcore ignored")));
        assertTrue(config.notes().stream().anyMatch(note -> note.contains("eal_args ignored")));
    }

    @Test
    void shouldSweepKickBatch() throws IOException
    {
        final PerfConfig config = parse("type=DMA_MEM_COPY", "mem_size=10", "buf_size=4096", "dma_ring_size=1024",
            "kick_batch=1,64,4,MUL");
        final List<PerfCase.Scenario> scenarios = config.cases().get(0).scenarios();
        assertEquals(4, scenarios.size());
        assertEquals(1, scenarios.get(0).kickBatch);
        assertEquals(64, scenarios.get(3).kickBatch);
        assertEquals(4096, scenarios.get(3).bufSize);
    }

    @Test
    void shouldRejectTwoVariableParameters()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> parse(
            "type=DMA_MEM_COPY", "mem_size=10", "buf_size=64,128,2,MUL", "dma_ring_size=1024", "kick_batch=1,8,2,MUL"));
        assertTrue(ex.getMessage().contains("single variable parameter"), ex.getMessage());
    }

    @Test
    void shouldRequireDmaKeys()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> parse(
            "type=DMA_MEM_COPY", "mem_size=10", "buf_size=64", "kick_batch=32"));
        assertTrue(ex.getMessage().contains("dma_ring_size"), ex.getMessage());
    }

    @Test
    void shouldRejectUnknownType()
    {
        assertThrows(IllegalArgumentException.class, () -> parse("type=GPU_COPY", "mem_size=10", "buf_size=64"));
    }

    @Test
    void shouldRequireBothSgeKeys()
    {
        assertThrows(IllegalArgumentException.class, () -> parse("type=DMA_MEM_COPY", "mem_size=10", "buf_size=64",
            "dma_ring_size=1024", "kick_batch=32", "dma_src_sge=4"));
        assertThrows(IllegalArgumentException.class, () -> parse("type=DMA_MEM_COPY", "mem_size=10", "buf_size=64",
            "dma_ring_size=1024", "kick_batch=32", "dma_src_sge=0", "dma_dst_sge=1"));
    }

    @Test
    void shouldRejectRingSizeOutsideDeviceLimits()
    {
        assertThrows(IllegalArgumentException.class, () -> parse("type=DMA_MEM_COPY", "mem_size=10", "buf_size=64",
            "dma_ring_size=16", "kick_batch=8"));
    }

    @Test
    void shouldReadEngineAndOpsExtensions() throws IOException
    {
        final PerfCase perfCase = parse("type=DMA_MEM_COPY", "mem_size=10", "buf_size=64", "dma_ring_size=1024",
            "kick_batch=32", "engine=inline", "use_enq_deq_ops=1").cases().get(0);
        assertEquals(EngineMode.INLINE, perfCase.engine());
        assertTrue(perfCase.useOps());
    }

    @Test
    void shouldRejectRepeatedKeysAndStrayLines()
    {
        assertThrows(IllegalArgumentException.class,
            () -> PerfConfig.parse(new StringReader("[case1]\ntype=CPU_MEM_COPY\ntype=CPU_MEM_COPY\n")));
        assertThrows(IllegalArgumentException.class, () -> PerfConfig.parse(new StringReader("type=CPU_MEM_COPY\n")));
        assertThrows(IllegalArgumentException.class, () -> PerfConfig.parse(new StringReader("[case1]\nnonsense\n")));
        assertThrows(IllegalArgumentException.class, () -> PerfConfig.parse(new StringReader("[GLOBAL]\n")));
    }

    @Test
    void shouldParseBundledConfig() throws IOException
    {
        try (Reader reader = new InputStreamReader(
            PerfConfigTest.class.getResourceAsStream(DmaPerf.BUNDLED_CONFIG), StandardCharsets.UTF_8))
        {
            final PerfConfig config = PerfConfig.parse(reader);
            assertFalse(config.cases().isEmpty());
            assertTrue(config.cases().stream().anyMatch(PerfCase::skip));
        }
    }

    @Test
    void shouldNameResultAfterConfig()
    {
        assertEquals("dir/config_result.csv", DmaPerf.defaultResult("dir/config.ini"));
        assertEquals("dma-perf_result.csv", DmaPerf.defaultResult(null));
    }

    private static PerfConfig parse(final String... caseLines) throws IOException
    {
        return PerfConfig.parse(new StringReader("[GLOBAL]\ntest_seconds=1\n[case1]\n" +
            String.join("\n", caseLines) + "\n"));
    }
}
