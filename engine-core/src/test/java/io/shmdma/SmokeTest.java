package io.shmdma;

import io.shmdma.engine.EngineThreading;
import io.shmdma.inprocess.InProcessDmaDriver;
import io.shmdma.memory.DmaRegion;
import io.shmdma.memory.DomainMemory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SmokeTest
{
    @Test
    void shouldCopy()
    {
        final DomainMemory memory = DomainMemory.allocateDirect(0x1000_0000L, 1 << 20);
        final DmaDevice device = InProcessDmaDriver.create("smoke", memory, EngineThreading.inline());
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, new VchanConf(64));
        device.start();
        final DmaRegion src = memory.allocate(1024);
        final DmaRegion dst = memory.allocate(1024);
        src.buffer().setMemory(0, 1024, (byte)7);
        assertEquals(0, device.copy(0, src.iova(), dst.iova(), 1024, OpFlags.SUBMIT));
        device.engineInvoker().invoke();
        final Completion c = new Completion();
        assertEquals(1, device.completed(0, 32, c));
        assertEquals(0, c.lastIdx);
        assertEquals(7, dst.buffer().getByte(1023));
        device.stop();
        device.close();
    }
}
