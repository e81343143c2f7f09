package com.rafaribe.homelab.hub.testing;

import com.rafaribe.homelab.hub.cluster.LeaseSettings;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Hubs as users run them, each the packaged jar in a process of its own, on clusters named in one
 * kubeconfig; who acts on a cluster is read where it is decided, its Lease.
 */
public final class HubProcesses implements AutoCloseable {
    private final Path dir;
    private final List<TestCluster> clusters;
    private final Map<String, Process> hubs = new LinkedHashMap<>();
    private final Path kubeconfig;

    /** Starts {@code n} mock clusters named c0, c1, ... */
    public HubProcesses(Path dir, int n) throws Exception {
        this(dir, Backend.MOCK.start(java.util.stream.IntStream.range(0, n).mapToObj(i -> "c" + i).toArray(String[]::new)));
    }

    /** On these clusters (closed with the hubs), through one kubeconfig with a context each, as the hub's identity. */
    public HubProcesses(Path dir, List<TestCluster> clusters) throws IOException {
        this.dir = dir;
        this.clusters = List.copyOf(clusters);
        this.kubeconfig = Backend.kubeconfig(Files.createDirectories(dir.resolve("kubeconfig")), clusters);
    }

    public List<TestCluster> clusters() {
        return clusters;
    }

    public java.util.Set<String> running() {
        return hubs.keySet();
    }

    /** {@code java -jar ... run} on every cluster, as {@code identity}, sharing the clusters {@code replicas} ways. */
    public void start(String identity, int replicas) throws IOException {
        Path log = dir.resolve(identity + "-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(HubJar.command(List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"), List.of("run", "--kubeconfig",
                kubeconfig.toString(), "--http-host", "127.0.0.1", "--http-port", "0", "--identity", identity, "--replicas",
                String.valueOf(replicas)))).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        hubs.put(identity, p);
    }

    /** SIGKILL: the hub releases nothing and flushes nothing. Returns when it is gone. */
    public Instant kill(String identity) throws InterruptedException {
        Process p = hubs.remove(identity);
        // On Linux destroyForcibly() is SIGKILL.
        if (!p.destroyForcibly().waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not kill " + identity);
        }
        return Instant.now();
    }

    /** Each cluster's Lease holder, for the Leases someone holds. */
    public Map<String, String> holders() {
        Map<String, String> held = new TreeMap<>();
        for (TestCluster c : clusters) {
            Lease lease = c.client().leases().inNamespace(HubFixture.HUB_NS).withName(LeaseSettings.NAME).get();
            if (lease != null && lease.getSpec().getHolderIdentity() != null && !lease.getSpec().getHolderIdentity().isEmpty()) {
                held.put(c.name(), lease.getSpec().getHolderIdentity());
            }
        }
        return held;
    }

    /** Every cluster held, each by a hub that runs. */
    public boolean allHeldByRunningHubs() {
        Map<String, String> held = holders();
        return held.size() == clusters.size() && hubs.keySet().containsAll(held.values());
    }

    /** How many Leases each hub holds. */
    public static Map<String, Long> perHub(Map<String, String> held) {
        return held.values().stream().collect(Collectors.groupingBy(h -> h, TreeMap::new, Collectors.counting()));
    }

    @Override
    public void close() throws Exception {
        for (Process p : hubs.values()) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        hubs.clear();
        for (TestCluster c : clusters) {
            c.close();
        }
    }
}
