package io.shmdma.shm.cli;

import io.shmdma.engine.EngineThreading;
import io.shmdma.shm.ShmContext;
import io.shmdma.shm.ShmDomain;
import io.shmdma.shm.ShmTestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every {@link Command} entry is complete: a name, a help line listed by {@code --help}, a text and a JSON
 * rendering that print something beyond the common header, and every command-only option has its command.
 */
class CommandTest
{
    private ShmTestDirectory dir;
    private String dirArg;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
        dirArg = dir.path().toString();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        dir.close();
    }

    @Test
    void shouldListEveryCommandWithItsHelpInTheHelp()
    {
        final String help = CliRun.run("--help").assertOk().out();
        final String helpCommand = CliRun.run("help").assertOk().out();
        assertEquals(help, helpCommand, "'help' and '--help' print the same");
        final int commandsAt = help.indexOf("\nCommands:\n");
        final int optionsAt = help.indexOf("\nOptions:\n");
        assertTrue(commandsAt > 0 && optionsAt > commandsAt, help);
        final List<String> section = help.substring(commandsAt, optionsAt).lines()
            .filter(line -> line.startsWith("  ") && !line.startsWith("   ")).toList();
        final List<String> listed = new ArrayList<>();
        for (final String line : section)
        {
            listed.add(line.trim().split("\\s+")[0]);
        }
        final List<String> names = new ArrayList<>();
        for (final Command command : Command.values())
        {
            names.add(command.commandName());
            assertFalse(command.help().isBlank(), command + " has help");
            assertEquals(command.name().toLowerCase(Locale.ROOT), command.commandName());
            assertSame(command, Command.byName(command.commandName()));
            for (final String helpLine : command.help().split("\n"))
            {
                assertTrue(help.contains(helpLine + "\n"), "help of " + command + " line '" + helpLine + "'");
            }
            assertTrue(help.contains("\n  " + command.commandName() + " ".repeat(10 - command.commandName().length()) +
                command.help().split("\n")[0] + "\n"), command + " aligned in the help");
        }
        assertEquals(names, listed, "the help lists every command once, in order");
    }

    @Test
    void shouldRefuseACommandOnlyOptionWithEveryOtherCommand()
    {
        for (final String option : List.of(CliOptions.INTERVAL, CliOptions.COUNT, CliOptions.DRY_RUN,
            CliOptions.IGNORE_PIDS))
        {
            final Command owner = Command.owning(option);
            assertNotNull(owner, option);
            for (final Command command : Command.values())
            {
                if (command != owner)
                {
                    final List<String> args = new ArrayList<>(List.of(command.commandName(), "--dir", dirArg, option));
                    if (!option.equals(CliOptions.DRY_RUN) && !option.equals(CliOptions.IGNORE_PIDS))
                    {
                        args.add("1");
                    }
                    final String line = CliRun.run(args.toArray(new String[0]))
                        .assertOneLineFailure(ShmdmaCli.EXIT_USAGE);
                    assertTrue(line.contains(option + " is for " + owner.commandName() + " only"), line);
                }
            }
        }
        assertNull(Command.byName("frobnicate"));
        assertNull(Command.owning("--json"));
    }

    @Test
    void shouldRenderEveryCommandAsTextAndAsJson() throws Exception
    {
        try (ShmDomain domain = ShmDomain.open(new ShmContext().dir(dir.path()).domainSegmentSize(1 << 20)))
        {
            domain.createDevice("cmd-test", EngineThreading.inline());
            final Map<Command, Set<String>> jsonKeys = new LinkedHashMap<>();
            for (final Command command : Command.values())
            {
                final CliRun text = CliRun.run(args(command, false));
                assertRan(command, text);
                final List<String> lines = text.out().lines().toList();
                assertTrue(lines.size() > 2 && lines.get(0).startsWith("shmdma " + dirArg + "  layout ") &&
                    lines.get(1).isEmpty() && !lines.get(2).isBlank(), command + " text: " + text.out());

                final CliRun json = CliRun.run(args(command, true));
                assertRan(command, json);
                final Map<String, Object> object = Json.object(json.out());
                assertEquals(dirArg, object.get("directory"), command + " json: " + json.out());
                jsonKeys.put(command, object.keySet());
            }
            final Set<String> common = new HashSet<>(jsonKeys.values().iterator().next());
            jsonKeys.values().forEach(common::retainAll);
            assertTrue(common.contains("directory") && common.contains("layout_version"), common.toString());
            for (final Map.Entry<Command, Set<String>> entry : jsonKeys.entrySet())
            {
                final Set<String> own = new HashSet<>(entry.getValue());
                own.removeAll(common);
                assertFalse(own.isEmpty(), entry.getKey() + " json has fields of its own: " + entry.getValue());
            }
        }
    }

    private String[] args(final Command command, final boolean json)
    {
        final List<String> args = new ArrayList<>(List.of(command.commandName(), "--dir", dirArg));
        if (command.ownOptions().contains(CliOptions.COUNT))
        {
            args.addAll(List.of(CliOptions.COUNT, "1"));
        }
        if (command.ownOptions().contains(CliOptions.DRY_RUN))
        {
            args.add(CliOptions.DRY_RUN);
        }
        if (json)
        {
            args.add("--json");
        }
        return args.toArray(new String[0]);
    }

    private static void assertRan(final Command command, final CliRun run)
    {
        assertTrue(run.exitCode() == ShmdmaCli.EXIT_OK || run.exitCode() == ShmdmaCli.EXIT_FAILED,
            command + " exit " + run.exitCode() + ": " + run.err());
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run.err());
        assertFalse(run.out().isBlank(), command + " printed nothing");
    }
}
