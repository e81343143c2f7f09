package com.rafaribe.homelab.hub.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kubelet for a real API server that has no nodes: it registers one Node, binds every unbound
 * Pod to it (there is no scheduler either), runs them with a {@link PodRunner}, and serves
 * {@code /containerLogs/{namespace}/{pod}/{container}} over HTTPS, so the API server's
 * {@code pods/log} proxy works. The API server passes tailLines and limitBytes through without
 * applying them: this applies them, as a kubelet does.
 */
public final class VirtualKubelet implements AutoCloseable, ContainerLogs {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualKubelet.class);
    public static final String NODE = "sandbox-node";
    /** The Node of a kubelet that only serves logs: it may run beside the sandbox's. */
    public static final String LOG_NODE = "sandbox-log-node";

    private final KubernetesClient client;
    private final String node;
    private final Map<String, String> logs = new ConcurrentHashMap<>();
    private final HttpsServer server;
    private final ExecutorService http = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "virtual-kubelet-http");
        t.setDaemon(true);
        return t;
    });
    /** Both null when it only serves logs. */
    private final SharedIndexInformer<Pod> unbound;
    private final PodRunner runner;

    /**
     * Where the API server finds this kubelet. An API server on this machine uses 127.0.0.1; one
     * in a container uses a name that leads back to this machine, on a port forwarded to it.
     */
    public record Endpoint(InetSocketAddress listen, String address, String addressType) {
        public static final Endpoint LOOPBACK = new Endpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "127.0.0.1", "InternalIP");

        /** Listening on every interface at {@code port}; the Node names {@code hostname}. */
        public static Endpoint reachableAs(String hostname, int port) {
            return new Endpoint(new InetSocketAddress(port), hostname, "Hostname");
        }
    }

    /** A kubelet that binds every unscheduled pod to its Node and runs it. */
    public VirtualKubelet(KubernetesClient client, Path root) throws IOException, GeneralSecurityException, InterruptedException {
        this(client, root, Endpoint.LOOPBACK, NODE, true);
    }

    public VirtualKubelet(KubernetesClient client, Path root, Endpoint endpoint) throws IOException, GeneralSecurityException,
            InterruptedException {
        this(client, root, endpoint, NODE, true);
    }

    /**
     * A Node whose kubelet only serves the logs set with {@link #setLog}: for tests that write
     * pods' status themselves, as the pipeline tests do on a mock server, and need pods/log.
     */
    public static VirtualKubelet servingLogsOnly(KubernetesClient client, Path root) throws IOException, GeneralSecurityException,
            InterruptedException {
        return new VirtualKubelet(client, root, Endpoint.LOOPBACK, LOG_NODE, false);
    }

    private VirtualKubelet(KubernetesClient client, Path root, Endpoint endpoint, String node, boolean runPods) throws IOException, GeneralSecurityException,
            InterruptedException {
        this.client = client;
        this.node = node;
        Files.createDirectories(root);
        server = HttpsServer.create(endpoint.listen(), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(selfSigned(root, node)));
        server.setExecutor(http);
        server.createContext("/containerLogs/", this::serveLog);
        server.start();
        register(endpoint, server.getAddress().getPort());
        runner = runPods ? new PodRunner(client, this, root, node) : null;
        unbound = runPods ? client.pods().inAnyNamespace().withField("spec.nodeName", "").inform(OnChange.handler(this::bind, pod -> { }))
                : null;
    }

    /** The Node the API server finds this kubelet through: the endpoint's address and the port of its HTTPS server. */
    private void register(Endpoint endpoint, int port) {
        Node registered = client.nodes().withName(node).get();
        if (registered == null) {
            registered = client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build()).create();
        }
        String now = Instant.now().toString();
        registered.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
                .addNewAddress(endpoint.address(), endpoint.addressType())
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(port).endKubeletEndpoint().endDaemonEndpoints()
                .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                    .withMessage("the sandbox's virtual kubelet runs pods as local processes")
                    .withLastHeartbeatTime(now).withLastTransitionTime(now).endCondition()
                .build());
        client.nodes().resource(registered).updateStatus();
    }

    private void bind(Pod pod) {
        if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty() || pod.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        try {
            client.bindings().inNamespace(pod.getMetadata().getNamespace()).resource(new BindingBuilder()
                    .withNewMetadata().withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace()).endMetadata()
                    .withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget().build()).create();
        } catch (KubernetesClientException e) {
            // 409: bound already (an informer may call twice). Anything else is worth a line.
            if (e.getCode() != 409) {
                LOG.warn("virtual kubelet: pod {}/{} not bound: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), e.getMessage());
            }
        }
    }

    /** The runner of this kubelet's pods; null when it only serves logs. */
    PodRunner runner() {
        return runner;
    }

    @Override
    public void setLog(String namespace, String pod, String text) {
        logs.put(namespace + "/" + pod, text);
    }

    private void serveLog(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] parts = exchange.getRequestURI().getPath().split("/");
            // /containerLogs/{namespace}/{pod}/{container}
            String text = parts.length >= 4 ? logs.get(parts[2] + "/" + parts[3]) : null;
            if (text == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            byte[] body = select(text, query.get("tailLines"), query.get("limitBytes"));
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** The last {@code tailLines} lines, then at most {@code limitBytes} of them, as the kubelet applies them. */
    static byte[] select(String text, String tailLines, String limitBytes) {
        String selected = text;
        if (tailLines != null) {
            int n = Integer.parseInt(tailLines);
            String[] lines = text.split("(?<=\n)");
            selected = String.join("", Arrays.copyOfRange(lines, Math.max(0, lines.length - n), lines.length));
        }
        byte[] bytes = selected.getBytes(StandardCharsets.UTF_8);
        if (limitBytes != null && Long.parseLong(limitBytes) < bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Long.parseLong(limitBytes));
        }
        return bytes;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    /** A key and certificate made by the JDK's keytool: the API server does not verify a kubelet's certificate unless told to. */
    private static SSLContext selfSigned(Path root, String node) throws IOException, GeneralSecurityException, InterruptedException {
        Path store = root.resolve("kubelet.p12");
        char[] password = "sandbox".toCharArray();
        if (!Files.exists(store)) {
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                    "-alias", "kubelet", "-keyalg", "RSA", "-keysize", "2048", "-validity", "7", "-dname", "CN=" + node,
                    "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "sandbox",
                    "-keypass", "sandbox").redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (keytool.waitFor() != 0) {
                throw new IOException("keytool could not make the virtual kubelet's certificate: " + output);
            }
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, password);
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, password);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(managers.getKeyManagers(), null, null);
        return ssl;
    }

    @Override
    public void close() {
        if (runner != null) {
            unbound.close();
            runner.close();
        }
        server.stop(0);
        http.shutdownNow();
    }
}
