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
        description = {"Starts sandbox clusters whose VolSync movers really run restic, runs the hub against them, and",
                "injects a stale restic lock every so often; prints what happens. Ctrl-C stops everything."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--http-port", defaultValue = "8080", description = "Port of the hub's API and dashboard, 0 for any free one. Default: ${DEFAULT-VALUE}.")
    private int httpPort;

    @Option(names = "--clusters", defaultValue = "2", description = "How many sandbox clusters. Default: ${DEFAULT-VALUE}.")
    private int clusters;

    @Option(names = "--lock-every", defaultValue = "60", description = "Seconds between injected locks. Default: ${DEFAULT-VALUE}.")
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
