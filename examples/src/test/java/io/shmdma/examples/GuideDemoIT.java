package io.shmdma.examples;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs the README's main job (what {@code ./demo.sh} runs once built) end to end.
 */
class GuideDemoIT
{
    @Test
    void shouldNarrateEveryStepExitZeroAndLeaveNothingBehind() throws Exception
    {
        final List<Path> before = ExampleRunner.shmEntries("shmdma-demo-");
        final ExampleRunner.Result result = ExampleRunner.run(120, "-jar", ExampleRunner.JAR.toString());

        assertEquals(0, result.exitCode, result.output);
        final String[] steps = {
            "[creator ] opened domain",
            "[creator ] created access pair group",
            "[joiner  ] joined group",
            "[creator ] handlers: creator",
            "[joiner  ] handlers: creator",
            "[creator ] copied 1 MiB into the joiner's memory",
            "[joiner  ] verified the 1 MiB in its memory",
            "[joiner  ] copied 1 MiB back into the creator's memory",
            "[creator ] verified the 1 MiB the joiner copied back",
            "[joiner  ] left group",
            "[creator ] event MEMBER_LEFT",
            "[creator ] destroyed group",
            "[creator ] latency of a 64 B copy",
            "[creator ] done; removed",
        };
        int from = 0;
        for (final String step : steps)
        {
            final int at = result.output.indexOf(step, from);
            assertTrue(at >= 0, "missing or out of order: '" + step + "' in\n" + result.output);
            from = at;
        }
        assertEquals(before, ExampleRunner.shmEntries("shmdma-demo-"), "the demo left files in /dev/shm");
    }
}
