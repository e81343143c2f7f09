package com.rafaribe.homelab.hub;

import com.rafaribe.homelab.hub.cli.CheckLogCommand;
import com.rafaribe.homelab.hub.cli.DemoCommand;
import com.rafaribe.homelab.hub.cli.HubVersion;
import com.rafaribe.homelab.hub.cli.RunCommand;
import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The command line: {@code volsync-monitor-hub <command>}. */
@Command(name = "volsync-monitor-hub",
        mixinStandardHelpOptions = true,
        versionProvider = HubVersion.class,
        description = "Watches VolSync restic movers across Kubernetes clusters and removes stale restic locks safely.",
        subcommands = {RunCommand.class, DemoCommand.class, CheckLogCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Wide enough that no description is wrapped: each of its lines is a whole sentence (HelpTextTest). */
    static final int HELP_WIDTH = 110;
    /** The longest option, with its parameter, before its description: --monitor-namespace=NS[,NS...]. */
    static final int LONG_OPTIONS_WIDTH = 30;

    @Spec
    private CommandSpec spec;

    private InputStream stdin = System.in;

    public static void main(String[] args) {
        System.exit(execute(System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line with the given streams; returns its exit code (2: usage or read error). */
    public static int execute(InputStream in, PrintWriter out, PrintWriter err, String... args) {
        Main main = new Main();
        main.stdin = in;
        return new CommandLine(main).setOut(out).setErr(err).setUsageHelpWidth(HELP_WIDTH)
                .setUsageHelpLongOptionsMaxWidth(LONG_OPTIONS_WIDTH).execute(args);
    }

    public InputStream stdin() {
        return stdin;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: see the list above");
    }
}
