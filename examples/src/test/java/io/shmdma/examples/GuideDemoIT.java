package io.shmdma.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs the README's main job (what {@code ./demo.sh} runs once built) end to end.
 */
class GuideDemoIT
{
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "embedded", "driver" })
    void shouldNarrateEveryStepExitZeroAndLeaveNothingBehind(final String mode) throws Exception
    {
        final List<Path> before = ExampleRunner.shmEntries("shmdma-demo-");
        final boolean driverMode = "driver".equals(mode);
        final ExampleRunner.Result result = driverMode ?
            ExampleRunner.run(120, "-jar", ExampleRunner.JAR.toString(), GuideDemo.DRIVER_FLAG) :
            ExampleRunner.run(120, "-jar", ExampleRunner.JAR.toString());

        assertEquals(0, result.exitCode, result.output);
        final String[] steps = {
            driverMode ? "[creator ] launched a shmdma driver" : "[creator ] opened domain",
            driverMode ? "(driver mode)" : "(embedded engine)",
            "[creator ] created access pair group",
            "[joiner  ] joined group",
            "(found by its name '" + GuideDemo.GROUP_NAME + "')",
            "[joiner  ] handlers: creator",
            "[creator ] handlers: creator",
            "[creator ] looked up the joiner's region '" + GuideDemo.JOINER_REGION + "'",
            "[creator ] copied 1 MiB into the joiner's memory",
            "[joiner  ] verified the 1 MiB in its memory",
            "[joiner  ] looked up the creator's region '" + GuideDemo.CREATOR_REGION + "'",
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

    @Test
    void shouldGiveTheJoinerOnlyTheTokenAndTheNames() throws Exception
    {
        final String source = Files.readString(
            Path.of("src", "main", "java", "io", "shmdma", "examples", "GuideDemo.java"), StandardCharsets.UTF_8);
        final List<String> toJoiner = source.lines().filter(line -> line.contains("toJoiner.println(")).toList();
        assertEquals(List.of(
            "toJoiner.println(dir + \" \" + token + \" \" + GROUP_NAME + \" \" + CREATOR_REGION + \" \" + " +
                "JOINER_REGION);",
            "toJoiner.println(\"VERIFY \" + crc(outbound, MIB));",
            "toJoiner.println(\"COPY-BACK\");",
            "toJoiner.println(\"LEAVE\");",
            "toJoiner.println(\"EXIT\");"),
            toJoiner.stream().map(String::strip).toList(),
            "the creator tells the joiner the directory, the token, the names, a checksum and instructions: no group " +
            "id, no domain id, no IOVA");
    }
}
