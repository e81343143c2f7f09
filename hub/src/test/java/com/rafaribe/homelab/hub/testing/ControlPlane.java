package com.rafaribe.homelab.hub.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A real Kubernetes control plane on 127.0.0.1: Debian's etcd,
 * and kube-apiserver (token auth, RBAC) and kube-controller-manager (Job controller, garbage
 * collector, namespaces, TTL) built from Debian's source package by scripts/build-kube-control-plane.
 * Two static tokens: an admin (system:masters) and the hub's ServiceAccount identity, which only
 * agent-config's ClusterRoleBinding gives any permission.
 */
public final class ControlPlane implements AutoCloseable {
    public static final String HUB_USER = "system:serviceaccount:homelab-assistant-system:volsync-monitor-hub";
    private static final Duration READY = Duration.ofSeconds(60);

    public final Path dir;
    public final String server;
    public final String adminToken = random();
    public final String hubToken = random();
    /** etcd, the API server, the controller manager: stopped in reverse. */
    private final List<Process> processes = new ArrayList<>();
    private List<String> apiServerArgv;

    private ControlPlane(Path dir, int apiPort) {
        this.dir = dir;
        this.server = "https://127.0.0.1:" + apiPort;
    }

    /** Where the build script caches the binaries: the newest kube-* folder under its cache. */
    public static Path binaries() {
        String configured = System.getenv("KUBE_BIN_DIR");
        if (configured != null) {
            return Path.of(configured);
        }
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "volsync-monitor-hub");
        try (var folders = Files.list(cache)) {
            return folders.filter(p -> p.getFileName().toString().startsWith("kube-") && Files.isExecutable(p.resolve("kube-apiserver")))
                    .sorted().reduce((a, b) -> b).orElse(cache.resolve("kube-missing"));
        } catch (IOException e) {
            return cache.resolve("kube-missing");
        }
    }

    public static void requireInstalled() {
        Tier.require(Files.isExecutable(binaries().resolve("kube-apiserver")) && Files.isExecutable(Path.of("/usr/bin/etcd")),
                "tier 4 (a real kube-apiserver)", "run scripts/build-kube-control-plane as root once (about 5 minutes)");
    }

    public static ControlPlane start() throws Exception {
        requireInstalled();
        try {
            return startOnce();
        } catch (NotReady first) {
            // Once more, on other ports: a port found free can be taken by another process before etcd or the API server
            // binds it, and the plane then never gets ready. A plane that fails twice fails the test, with both logs' ends.
            try {
                return startOnce();
            } catch (NotReady second) {
                second.addSuppressed(first);
                throw second;
            }
        }
    }

    private static ControlPlane startOnce() throws Exception {
        Path dir = Files.createTempDirectory("control-plane");
        ControlPlane plane = new ControlPlane(dir, freePort());
        try {
            plane.boot();
            return plane;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            NotReady notReady = new NotReady(plane, e);
            plane.close();
            throw notReady;
        } catch (Exception | Error e) {
            plane.close();
            throw e;
        }
    }

    /** The API server did not answer /readyz in time; the message ends with the last lines of etcd's and its logs. */
    static final class NotReady extends IllegalStateException {
        NotReady(ControlPlane plane, Exception cause) {
            super("the control plane at " + plane.server + " was not ready within " + READY.toSeconds() + " s; etcd: "
                    + plane.logTail("etcd") + "; kube-apiserver: " + plane.logTail("kube-apiserver"), cause);
        }
    }

    private String logTail(String name) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e + ")";
        }
    }

    private void boot() throws Exception {
        int etcdClient = freePort();
        int etcdPeer = freePort();
        int apiPort = URI.create(server).getPort();
        KeyPair serviceAccounts = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Path saKey = Files.writeString(dir.resolve("sa.key"), pem("PRIVATE KEY", serviceAccounts.getPrivate().getEncoded()));
        Path saPub = Files.writeString(dir.resolve("sa.pub"), pem("PUBLIC KEY", serviceAccounts.getPublic().getEncoded()));
        Path tokens = Files.writeString(dir.resolve("tokens.csv"), adminToken + ",admin,admin,system:masters\n"
                + hubToken + "," + HUB_USER + ",hub,\"system:serviceaccounts,system:serviceaccounts:homelab-assistant-system\"\n");
        Path bin = binaries();
        start("etcd", List.of("/usr/bin/etcd", "--name", "default", "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + etcdClient, "--advertise-client-urls", "http://127.0.0.1:" + etcdClient,
                "--listen-peer-urls", "http://127.0.0.1:" + etcdPeer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + etcdPeer,
                "--initial-cluster", "default=http://127.0.0.1:" + etcdPeer));
        apiServerArgv = List.of(bin.resolve("kube-apiserver").toString(), "--etcd-servers", "http://127.0.0.1:" + etcdClient,
                "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", String.valueOf(apiPort),
                "--insecure-port", "0", "--cert-dir", dir.resolve("certs").toString(), "--token-auth-file", tokens.toString(),
                "--authorization-mode", "RBAC", "--service-account-key-file", saPub.toString(),
                "--service-account-signing-key-file", saKey.toString(), "--service-account-issuer", "https://kubernetes.default.svc",
                "--service-cluster-ip-range", "10.0.0.0/24", "--disable-admission-plugins", "ServiceAccount",
                "--feature-gates", "TTLAfterFinished=true");
        start("kube-apiserver", apiServerArgv);
        awaitReady();
        Path kubeconfig = kubeconfig("admin", adminToken);
        start("kube-controller-manager", List.of(bin.resolve("kube-controller-manager").toString(), "--kubeconfig", kubeconfig.toString(),
                "--controllers", "job,garbagecollector,namespace,ttl-after-finished", "--feature-gates", "TTLAfterFinished=true",
                "--leader-elect=false", "--port", "0", "--secure-port", "0"));
    }

    private void start(String name, List<String> argv) throws IOException {
        processes.add(launch(name, argv));
    }

    private Process launch(String name, List<String> argv) throws IOException {
        return new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
    }

    /** An outage of the API server alone: etcd keeps every object, the controller manager waits for it. */
    public void stopApiServer() throws InterruptedException {
        stop(processes.get(1));
    }

    /** The API server back on the same port, over the same etcd, ready. */
    public void startApiServer() throws IOException {
        processes.set(1, launch("kube-apiserver", apiServerArgv));
        awaitReady();
    }

    /**
     * A second API server over the same etcd, on a port of its own (as in an HA control plane):
     * a way in while the first is stopped. Closing the client does not stop it; {@link #close} does.
     */
    public KubernetesClient backdoor() throws IOException {
        int port = freePort();
        List<String> argv = new ArrayList<>(apiServerArgv);
        argv.set(argv.indexOf("--secure-port") + 1, String.valueOf(port));
        argv.set(argv.indexOf("--cert-dir") + 1, dir.resolve("certs-" + port).toString());
        processes.add(launch("kube-apiserver-" + port, argv));
        KubernetesClient client = client("https://127.0.0.1:" + port, adminToken);
        await().atMost(READY).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> "ok".equals(client.raw("/readyz")));
        return client;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    /**
     * Whether this plane serves policy/v1 PodDisruptionBudgets. Debian's 1.20 does not (only
     * policy/v1beta1, which every release the hub supports has dropped since 1.25), so deploy/'s
     * budget, which must be policy/v1, is the one object it cannot store.
     */
    public boolean servesPolicyV1() {
        try (KubernetesClient admin = admin()) {
            var group = admin.getApiGroup("policy");
            return group != null && group.getVersions().stream().anyMatch(v -> "policy/v1".equals(v.getGroupVersion()));
        }
    }

    private void awaitReady() {
        try (KubernetesClient admin = admin()) {
            await().atMost(READY).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> "ok".equals(admin.raw("/readyz")));
        }
    }

    /**
     * A kubeconfig with one context, {@code name}, for this token: what the hub's `run` reads. It
     * verifies the API server's certificate with the CA the API server generated, as a real
     * cluster's kubeconfig does (agent-config/mint-kubeconfig refuses a context that does not).
     */
    public Path kubeconfig(String name, String token) throws IOException {
        return writeKubeconfig(name, token, "certificate-authority-data: \"" + caData() + "\"");
    }

    /** The same without TLS verification (insecure-skip-tls-verify: true), as some hand-written kubeconfigs are. */
    public Path insecureKubeconfig(String name, String token) throws IOException {
        return writeKubeconfig(name, token, "insecure-skip-tls-verify: true");
    }

    private Path writeKubeconfig(String name, String token, String tls) throws IOException {
        return Files.writeString(dir.resolve(name + ".kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: %1$s, cluster: {server: "%2$s", %4$s}}]
                users: [{name: %1$s, user: {token: "%3$s"}}]
                contexts: [{name: %1$s, context: {cluster: %1$s, user: %1$s}}]
                current-context: %1$s
                """.formatted(name, server, token, tls));
    }

    /**
     * The API server's self-signed certificate and the CA that signed it (it names 127.0.0.1),
     * written to --cert-dir when it first starts and kept across restarts: base64, for certificate-authority-data.
     */
    public String caData() throws IOException {
        return Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("certs/apiserver.crt")));
    }

    public KubernetesClient client(String token) {
        return client(server, token);
    }

    private static KubernetesClient client(String server, String token) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server).withOauthToken(token).withTrustCerts(true)
                .withDisableHostnameVerification(true).withRequestRetryBackoffLimit(0).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    public KubernetesClient admin() {
        return client(adminToken);
    }

    @Override
    public void close() throws IOException {
        // The controller manager and the API server first, etcd last.
        for (int i = processes.size() - 1; i >= 0; i--) {
            try {
                stop(processes.get(i));
            } catch (InterruptedException e) {
                processes.get(i).destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        Teardown.delete(dir);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String random() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
