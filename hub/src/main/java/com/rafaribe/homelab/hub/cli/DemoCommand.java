package com.rafaribe.homelab.hub.cli;

import com.rafaribe.homelab.hub.sandbox.Demo;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Sandbox clusters with real restic, the hub watching them, and stale locks injected: no cluster needed. */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = HubVersion.class,
        description = {"Runs the hub against sandbox clusters whose VolSync movers run the real restic.",
                "Injects a stale restic lock every --lock-every seconds and prints what the hub does about it.",
                "Needs Linux, Java 17 or newer, and restic on the PATH (Debian: apt-get install restic).",
                "Needs root: each sandbox pod runs restic under its own hostname and user.",
                "Needs unshare and setpriv for that (Debian: apt-get install util-linux).",
                "Ctrl-C stops everything and removes the demo's temporary folder."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--http-port", defaultValue = "8080", description = {"Serves the hub's API and dashboard on this port; 0 picks a free one.",
            "Default: ${DEFAULT-VALUE}."})
    private int httpPort;

    @Option(names = "--clusters", defaultValue = "2", description = {"Starts this many sandbox clusters.", "Default: ${DEFAULT-VALUE}."})
    private int clusters;

    @Option(names = "--lock-every", defaultValue = "60", description = {"Injects a stale lock every this many seconds.", "Default: ${DEFAULT-VALUE}."})
    private int lockEvery;

    @Override
    public Integer call() throws Exception {
        Demo demo;
        try {
            demo = Demo.start(Math.max(1, clusters), httpPort, Duration.ofSeconds(lockEvery), Duration.ofSeconds(10),
                    Duration.ofSeconds(20), System.out);
        } catch (IllegalStateException e) {
            System.err.println("demo: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            demo.close();
            stopped.countDown();
        }, "demo-shutdown"));
        stopped.await();
        return 0;
    }
}
