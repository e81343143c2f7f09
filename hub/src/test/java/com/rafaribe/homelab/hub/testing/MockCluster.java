package com.rafaribe.homelab.hub.testing;

import com.rafaribe.homelab.hub.sandbox.Sandbox;
import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Tier 2: a fabric8 mock API server in CRUD mode that serves pods/log. */
public final class MockCluster implements TestCluster {
    public final SandboxApiServer api;
    /** Destroying a mock server shuts the dispatcher it shares down: back doors go with the cluster. */
    private final List<KubernetesMockServer> backdoors = new java.util.concurrent.CopyOnWriteArrayList<>();

    public MockCluster(SandboxApiServer api) {
        this.api = api;
    }

    @Override
    public String name() {
        return api.name;
    }

    @Override
    public KubernetesClient client() {
        return api.client();
    }

    @Override
    public String server() {
        return api.url();
    }

    @Override
    public String hubToken() {
        return "token-" + api.name;
    }

    @Override
    public void setLog(String namespace, String pod, String text) {
        api.setLog(namespace, pod, text);
    }

    @Override
    public String logNode() {
        return null;
    }

    @Override
    public Sandbox sandbox(Path root, List<String> apps, String monitorSpec) throws Exception {
        return Sandbox.startOn(api, root, apps, null, monitorSpec);
    }

    @Override
    public void stop() {
        api.stop();
    }

    @Override
    public void restart() {
        api.restart();
    }

    @Override
    public KubernetesClient backdoor() {
        KubernetesMockServer side = api.backdoor();
        backdoors.add(side);
        return side.createClient();
    }

    @Override
    public Optional<List<Long>> statusWrites(String namespace, String monitor) {
        return Optional.of(api.statusWrites.getOrDefault(namespace + "/" + monitor, List.of()));
    }

    @Override
    public void close() {
        api.close();
        backdoors.forEach(KubernetesMockServer::destroy);
    }
}
