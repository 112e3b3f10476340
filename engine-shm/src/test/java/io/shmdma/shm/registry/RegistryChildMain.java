package io.shmdma.shm.registry;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A child JVM for the multi-process tests: reads one command per line on stdin, answers one line on stdout.
 *
 * <pre>
 *   open-at &lt;epochMs&gt; &lt;file&gt; &lt;livenessNs&gt;  -&gt; opened created=&lt;bool&gt;
 *                                              incarnation=&lt;long&gt; pid=&lt;pid&gt;
 *   register &lt;uuid&gt;                        -&gt; slot &lt;n&gt;
 *   heartbeat &lt;slot&gt;                       -&gt; heartbeating (a daemon thread heartbeats every 20 ms)
 *   create &lt;slot&gt; &lt;token&gt;                  -&gt; rc &lt;group id or errno&gt;
 *   join &lt;slot&gt; &lt;token&gt; &lt;group&gt;            -&gt; rc &lt;n&gt;
 *   leave &lt;slot&gt; &lt;group&gt;                   -&gt; rc &lt;n&gt;
 *   unregister &lt;slot&gt;                      -&gt; rc &lt;n&gt;
 *   domains                                -&gt; domains &lt;count&gt;
 *   pause-at &lt;point&gt;                       -&gt; armed; the next mutation reaching the point prints
 *                                             "paused &lt;point&gt;" and sleeps, holding the lock, until killed
 *   close                                  -&gt; closed
 *   exit                                   -&gt; bye, then exits
 * </pre>
 */
final class RegistryChildMain
{
    private static volatile Registry registry;

    private RegistryChildMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while (null != (line = in.readLine()))
        {
            final String[] words = line.trim().split("\\s+");
            final String reply = execute(words);
            System.out.println(reply);
            System.out.flush();
            if (words[0].equals("exit"))
            {
                return;
            }
        }
    }

    private static String execute(final String[] words) throws InterruptedException
    {
        switch (words[0])
        {
            case "open-at":
            {
                final long startMs = Long.parseLong(words[1]);
                final long waitMs = startMs - System.currentTimeMillis();
                if (waitMs > 0)
                {
                    Thread.sleep(waitMs);
                }
                registry = Registry.openOrCreate(Path.of(words[2]),
                    RegistryTestSupport.testConfig().livenessTimeoutNs(Long.parseLong(words[3])));
                return "opened created=" + registry.created() + " incarnation=" + registry.incarnation() +
                    " pid=" + ProcessHandle.current().pid();
            }
            case "register":
                return "slot " + registry.registerDomain(UUID.fromString(words[1]), "domain-" + words[1] + ".shm",
                    4096);
            case "heartbeat":
            {
                final int slot = Integer.parseInt(words[1]);
                final Thread heartbeats = new Thread(() ->
                {
                    while (registry.heartbeat(slot))
                    {
                        RegistryTestSupport.sleepMs(20);
                    }
                }, "heartbeat");
                heartbeats.setDaemon(true);
                heartbeats.start();
                return "heartbeating";
            }
            case "create":
                return "rc " + registry.createGroup(Integer.parseInt(words[1]), UUID.fromString(words[2]));
            case "join":
                return "rc " + registry.joinGroup(
                    Integer.parseInt(words[1]), UUID.fromString(words[2]), Integer.parseInt(words[3]));
            case "leave":
                return "rc " + registry.leaveGroup(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
            case "unregister":
                return "rc " + registry.unregisterDomain(Integer.parseInt(words[1]));
            case "domains":
                return "domains " + registry.domains().size();
            case "pause-at":
            {
                final String point = words[1];
                FencedWriter.pauseHook = reached ->
                {
                    if (reached.equals(point))
                    {
                        System.out.println("paused " + point);
                        System.out.flush();
                        RegistryTestSupport.sleepMs(Long.MAX_VALUE);
                    }
                };
                return "armed";
            }
            case "close":
                registry.close();
                return "closed";
            case "exit":
                return "bye";
            default:
                return "unknown " + words[0];
        }
    }
}
