package com.rafaribe.homelab.hub.testing;

import com.rafaribe.homelab.hub.sandbox.Sandbox;
import com.rafaribe.homelab.hub.sandbox.VirtualKubelet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Tier 4: a real control plane of its own (API server with RBAC, Job controller, garbage
 * collector) with agent-config applied; the hub runs as agent-config's identity. Logs set by a
 * test are served by a virtual kubelet that runs nothing, so pods/log goes through the API
 * server's proxy as on a real cluster.
 */
public final class PlaneCluster implements TestCluster {
    private final String name;
    private final ControlPlane plane;
    private final KubernetesClient admin;
    private VirtualKubelet logs;

    private PlaneCluster(String name, ControlPlane plane) {
        this.name = name;
        this.plane = plane;
        this.admin = plane.admin();
    }

    /** The log Node is registered now, while the API server runs: a test may fail a pod through a back door later. */
    private void startLogKubelet() throws Exception {
        logs = VirtualKubelet.servingLogsOnly(admin, Files.createDirectories(plane.dir.resolve("log-kubelet")));
    }

    public static PlaneCluster start(String name) throws Exception {
        ControlPlane plane = ControlPlane.start();
        PlaneCluster cluster = new PlaneCluster(name, plane);
        try {
            AgentConfig.apply(cluster.admin);
            cluster.startLogKubelet();
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public KubernetesClient client() {
        return admin;
    }

    @Override
    public String server() {
        return plane.server;
    }

    @Override
    public String hubToken() {
        return plane.hubToken;
    }

    @Override
    public void setLog(String namespace, String pod, String text) {
        logs.setLog(namespace, pod, text);
    }

    @Override
    public String logNode() {
        return VirtualKubelet.LOG_NODE;
    }

    @Override
    public Sandbox sandbox(Path root, List<String> apps, String monitorSpec) throws Exception {
        return Sandbox.startOn(name, admin, root, apps, null, monitorSpec);
    }

    @Override
    public void stop() throws InterruptedException {
        plane.stopApiServer();
    }

    @Override
    public void restart() throws Exception {
        plane.startApiServer();
    }

    @Override
    public KubernetesClient backdoor() throws Exception {
        return plane.backdoor();
    }

    @Override
    public Optional<List<Long>> statusWrites(String namespace, String monitor) {
        return Optional.empty();
    }

    @Override
    public void close() throws Exception {
        if (logs != null) {
            logs.close();
        }
        admin.close();
        plane.close();
    }
}
