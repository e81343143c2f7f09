package com.rafaribe.homelab.hub.testing;

import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.sandbox.Sandbox;
import com.rafaribe.homelab.hub.sandbox.VirtualKubelet;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.Testcontainers;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A k3s server in Docker through Testcontainers, for machines with a Docker engine (CI has none:
 * there it is skipped in one line). k3s runs without its own agent: the sandbox's virtual kubelet
 * is the only Node, reached from the container through Testcontainers' host port forwarding. Only
 * the sandbox suite runs on it (its pipeline tests need {@link #setLog}, which this does not offer).
 */
public final class K3sCluster implements TestCluster {
    static final DockerImageName IMAGE = DockerImageName.parse("rancher/k3s:v1.31.4-k3s1");
    private static final String FORWARDED_HOST = "host.testcontainers.internal";

    private final String name;
    private final K3sContainer k3s;
    private final KubernetesClient admin;
    private final int kubeletPort;
    private final String hubToken;

    private K3sCluster(String name, K3sContainer k3s, KubernetesClient admin, int kubeletPort, String hubToken) {
        this.name = name;
        this.k3s = k3s;
        this.admin = admin;
        this.kubeletPort = kubeletPort;
        this.hubToken = hubToken;
    }

    public static void requireDocker() {
        boolean configured = System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
        Tier.optional(configured && DockerClientFactory.instance().isDockerAvailable(), "the k3s backend (Testcontainers)",
                "no Docker engine here; it runs where one is");
    }

    public static K3sCluster start(String name) throws Exception {
        requireDocker();
        int kubeletPort;
        try (ServerSocket s = new ServerSocket(0)) {
            kubeletPort = s.getLocalPort();
        }
        // Before the container starts, so that it gets the forwarding host's name.
        Testcontainers.exposeHostPorts(kubeletPort);
        K3sContainer k3s = new K3sContainer(IMAGE);
        k3s.withCommand("server", "--disable-agent", "--disable=traefik,servicelb,metrics-server,local-storage,coredns",
                "--tls-san=" + k3s.getHost()).waitingFor(Wait.forListeningPort());
        k3s.start();
        KubernetesClient admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build();
        try {
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> "ok".equals(admin.raw("/readyz")));
            AgentConfig.apply(admin);
            String token = admin.serviceAccounts().inNamespace(AgentConfig.HUB_NAMESPACE).withName(AgentConfig.HUB_SERVICE_ACCOUNT)
                    .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                    .getStatus().getToken();
            return new K3sCluster(name, k3s, admin, kubeletPort, token);
        } catch (Exception | Error e) {
            admin.close();
            k3s.stop();
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
        return admin.getMasterUrl().toString();
    }

    @Override
    public String hubToken() {
        return hubToken;
    }

    @Override
    public void setLog(String namespace, String pod, String text) {
        throw new UnsupportedOperationException("k3s runs the sandbox suite only");
    }

    @Override
    public String logNode() {
        throw new UnsupportedOperationException("k3s runs the sandbox suite only");
    }

    @Override
    public Sandbox sandbox(Path root, List<String> apps, String monitorSpec) throws Exception {
        return Sandbox.startOn(name, admin, VirtualKubelet.Endpoint.reachableAs(FORWARDED_HOST, kubeletPort), root, apps, null, monitorSpec);
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("k3s runs the sandbox suite only");
    }

    @Override
    public void restart() {
        throw new UnsupportedOperationException("k3s runs the sandbox suite only");
    }

    @Override
    public KubernetesClient backdoor() {
        throw new UnsupportedOperationException("k3s runs the sandbox suite only");
    }

    @Override
    public Optional<List<Long>> statusWrites(String namespace, String monitor) {
        return Optional.empty();
    }

    @Override
    public void close() {
        admin.close();
        k3s.stop();
    }
}
