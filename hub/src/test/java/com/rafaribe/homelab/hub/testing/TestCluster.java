package com.rafaribe.homelab.hub.testing;

import com.rafaribe.homelab.hub.sandbox.Sandbox;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A cluster as the tests see it, on any {@link Backend}: the test is its admin and plays its
 * kubelet, VolSync and, where the backend has none, its Job controller; the hub only gets
 * {@link #server()} and {@link #hubToken()}.
 */
public interface TestCluster extends AutoCloseable {
    String name();

    /** Every right. */
    KubernetesClient client();

    String server();

    /** The token the hub runs with: on a real API server, agent-config's identity and nothing more. */
    String hubToken();

    /** What a pod's container printed, served as its pods/log. */
    void setLog(String namespace, String pod, String text);

    /** The Node a test's pod must be bound to for {@link #setLog} to reach pods/log; null where any pod's log is served. */
    String logNode();

    /** The sandbox's apps, whose movers really run restic, on this cluster; closed before the cluster. */
    Sandbox sandbox(Path root, List<String> apps, String monitorSpec) throws Exception;

    /** An outage: the hub's server stops, and every object stays. */
    void stop() throws Exception;

    /** Back on the same address with the same objects. */
    void restart() throws Exception;

    /** A client of the same objects through another server, which lives as long as the cluster: it works while {@link #stop()} holds. */
    KubernetesClient backdoor() throws Exception;

    /** When the monitor's status was written, where the server can count it (the mock's dispatcher). */
    Optional<List<Long>> statusWrites(String namespace, String monitor);
}
