package io.shmdma.shm.driver;

import io.shmdma.DmaException;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.shmdma.shm.driver.DriverFileDescriptor.*;

/**
 * {@code ./shmdma driver [--dir DIR] [--engine-threads N] [--idle busy-spin|backoff|yield|sleep]
 * [--liveness-timeout MS]}: runs a {@link ShmDriver} until SIGINT or SIGTERM. {@code ./shmdma driver --status [--dir
 * DIR]} prints the driver of a directory and the vchans it serves, from {@code driver.shm}, read-only.
 */
public final class ShmDriverMain
{
    private static final String USAGE =
        "Usage: shmdma driver [--dir <path>] [--engine-threads <n>] [--idle busy-spin|backoff|yield|sleep]\n" +
        "                     [--liveness-timeout <ms>]\n" +
        "       shmdma driver --status [--dir <path>]\n" +
        "\n" +
        "Runs the engines of every device opened in driver mode (ShmContext.engineMode(DRIVER), or\n" +
        "-Dshmdma.engine.mode=driver) in the directory, until SIGINT or SIGTERM. --status shows the driver\n" +
        "of the directory and the vchans it serves.\n";

    private ShmDriverMain()
    {
    }

    /**
     * Runs the driver, or prints its status.
     *
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        final int exitCode = run(args, System.out, System.err);
        if (exitCode != 0)
        {
            System.exit(exitCode); // not after a signal: the JVM is shutting down then, and exit would wait for ever
        }
    }

    /**
     * Runs the command in this JVM.
     *
     * @param args the command line.
     * @param out  where the status and the banner go.
     * @param err  where failures go.
     * @return the exit code: 0, 1 for a failure, 64 for bad usage.
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final DriverContext context = new DriverContext();
        boolean status = false;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--dir":
                        context.dir(Path.of(value(args, ++i)));
                        break;
                    case "--engine-threads":
                        context.engineThreads(Integer.parseInt(value(args, ++i)));
                        break;
                    case "--idle":
                        context.idle(value(args, ++i));
                        break;
                    case "--liveness-timeout":
                        context.livenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(Long.parseLong(value(args, ++i))));
                        break;
                    case "--status":
                        status = true;
                        break;
                    case "-h":
                    case "--help":
                        out.print(USAGE);
                        return 0;
                    default:
                        throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("shmdma driver: " + ex.getMessage());
            err.print(USAGE);
            return 64;
        }
        if (status)
        {
            return printStatus(context.dir(), context.livenessTimeoutNs(), out, err);
        }
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier(); ShmDriver driver = ShmDriver.launch(context))
        {
            out.println("shmdma driver serving " + context.dir() + ": pid " + ProcessHandle.current().pid() + ", " +
                context.engineThreads() + " engine thread(s), idle " + context.idle() + ", incarnation " +
                Long.toHexString(driver.incarnation()));
            out.flush();
            barrier.await();
            out.println("shmdma driver stopping");
            return 0;
        }
        catch (final DmaException | IllegalArgumentException ex)
        {
            err.println("shmdma driver: " + ex.getMessage());
            return 1;
        }
    }

    private static String value(final String[] args, final int index)
    {
        if (index >= args.length)
        {
            throw new IllegalArgumentException(args[index - 1] + " needs a value");
        }
        return args[index];
    }

    /** Prints the driver file of a directory, read-only: the driver, its liveness and each slot in use. */
    private static int printStatus(final Path dir, final long livenessTimeoutNs, final PrintStream out,
        final PrintStream err)
    {
        final DriverStatus status;
        try
        {
            status = DriverStatus.read(dir, livenessTimeoutNs);
        }
        catch (final DmaException ex)
        {
            err.println("shmdma driver --status: " + ex.getMessage());
            return 1;
        }
        if (status == null)
        {
            out.println("no shmdma driver in " + dir + " (no " + FILE_NAME + "): devices in driver mode cannot start");
            return 1;
        }
        out.println(status.summary() + "  (" + dir + ")");
        for (final DriverStatus.Slot slot : status.slots())
        {
            out.printf("  slot %3d  %-17s domain %s  device %s  vchan %d  %s%n", slot.slot(), slot.state(),
                slot.clientDomain(), slot.device(), slot.vchan(), slot.route());
        }
        return status.alive() ? 0 : 1;
    }
}
