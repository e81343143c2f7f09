package com.rafaribe.homelab.hub.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API server of a sandbox cluster: fabric8's kubernetes-server-mock in CRUD mode (a real HTTP
 * server speaking the Kubernetes API), plus what CRUD mode lacks: {@code pods/log}, served from the
 * logs the sandbox's pod runner records, honouring tailLines as a kubelet does; and a watch from a
 * resource version that starts there, as a real server's does ({@link SinceResourceVersion}). The
 * VolSyncMonitor CRD is registered first, so status lives in its subresource.
 */
public final class SandboxApiServer implements AutoCloseable, ContainerLogs {
    /** Held so the level sticks: the mock server logs every request at INFO, which drowns the demo's own lines. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger(MockWebServer.class.getName());

    static {
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private static final Pattern LOG_PATH = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/]+)/log(\\?.*)?$");

    public final String name;
    private final Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    private final LogServingDispatcher dispatcher;
    private KubernetesMockServer server;
    private NamespacedKubernetesClient client;
    private int port;
    private final Map<String, String> logs = new ConcurrentHashMap<>();
    public final List<String> logRequests = new CopyOnWriteArrayList<>();
    /** Every Authorization header a client sent: which credentials a kubeconfig's context really used. */
    public final Set<String> authorizations = ConcurrentHashMap.newKeySet();
    /** When each status write that the server stored reached it, by monitor ("namespace/name"). */
    public final Map<String, List<Long>> statusWrites = new ConcurrentHashMap<>();
    /** Told of each request as it arrives, before it is served: the benchmark counts and times them. */
    private volatile java.util.function.Consumer<RecordedRequest> requestObserver = r -> { };
    /** While a test records: the requests made with one Authorization header, in arrival order; null otherwise (the demo runs for days). */
    private volatile RequestRecording recorded;

    private static final Pattern WATCH_RESOURCE_VERSION = Pattern.compile("[?&]resourceVersion=(\\d+)");
    private static final Pattern STATUS_PATH = Pattern.compile("^/apis/homelab\\.rafaribe\\.com/v1alpha1/namespaces/([^/]+)/volsyncmonitors/([^/]+)/status");

    private SandboxApiServer(String name) {
        this.name = name;
        this.dispatcher = new LogServingDispatcher();
    }

    public static SandboxApiServer start(String name) {
        SandboxApiServer cluster = new SandboxApiServer(name);
        cluster.startServer(0);
        cluster.client.apiextensions().v1().customResourceDefinitions().resource(volSyncMonitorCrd()).create();
        // Every cluster has one, and its UID is how the hub tells clusters apart: two contexts of this server reach one cluster.
        cluster.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("kube-system")
                .withUid(UUID.randomUUID().toString()).endMetadata().build()).create();
        return cluster;
    }

    /** The UID of this cluster's kube-system namespace: its identity, as the hub reads it. */
    public String clusterUid() {
        return client.namespaces().withName("kube-system").get().getMetadata().getUid();
    }

    private void startServer(int onPort) {
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), responses, dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), onPort);
        port = URI.create(server.createClient().getConfiguration().getMasterUrl()).getPort();
        client = server.createClient();
    }

    public NamespacedKubernetesClient client() {
        return client;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void setLog(String namespace, String pod, String text) {
        logs.put(namespace + "/" + pod, text);
    }

    /**
     * From now on, every request made with this Authorization header (the hub's, not the test's own
     * client's) is kept as "METHOD path?query", until {@link #stopRecording()}: what the client asked,
     * without its transport's resends ({@link RequestRecording}).
     */
    public List<String> recordRequests(String authorization) {
        RequestRecording recording = new RequestRecording(authorization);
        recorded = recording;
        return recording.requests;
    }

    /** Every request of the current recording's client, with the name a create sent, its answer's code and when. */
    public List<String> recordedAnswers() {
        RequestRecording recording = recorded;
        return recording == null ? List.of() : List.copyOf(recording.answers);
    }

    /** The creates the current recording took for its client's transport sending one again, not for the client asking twice. */
    public List<String> recordedResends() {
        RequestRecording recording = recorded;
        return recording == null ? List.of() : List.copyOf(recording.resends);
    }

    public void stopRecording() {
        recorded = null;
    }

    /** Stops the server; its objects live on in the dispatcher. */
    public void stop() {
        server.destroy();
    }

    /** Starts again on the same port with the same objects, as a cluster back from an outage. */
    public void restart() {
        startServer(port);
    }

    /**
     * A second server on another port over the same objects: lets a test change the cluster while
     * the hub's server is down, as happens to a real cluster the hub cannot reach.
     */
    public KubernetesMockServer backdoor() {
        KubernetesMockServer side = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), responses, dispatcher, false);
        side.init(InetAddress.getLoopbackAddress(), 0);
        return side;
    }

    /** @param observer called on the server's thread with each request as it arrives; it must be quick */
    public void observeRequests(java.util.function.Consumer<RecordedRequest> observer) {
        requestObserver = observer;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }

    /** The CRD users apply, packaged into the jar from agent-config/crd/. */
    public static CustomResourceDefinition volSyncMonitorCrd() {
        try (var in = SandboxApiServer.class.getResourceAsStream("/crd/volsyncmonitors.homelab.rafaribe.com-v1.yml")) {
            if (in == null) {
                throw new IllegalStateException("the VolSyncMonitor CRD is not on the classpath");
            }
            return Serialization.unmarshal(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one kubeconfig with a context per cluster (the context is named after the cluster). */
    public static Path kubeconfig(Path dir, SandboxApiServer... clusters) {
        StringBuilder y = new StringBuilder("apiVersion: v1\nkind: Config\nclusters:\n");
        for (SandboxApiServer c : clusters) {
            y.append("- name: ").append(c.name).append("\n  cluster:\n    server: ").append(c.url()).append('\n');
        }
        y.append("users:\n");
        for (SandboxApiServer c : clusters) {
            y.append("- name: ").append(c.name).append("-user\n  user:\n    token: token-").append(c.name).append('\n');
        }
        y.append("contexts:\n");
        for (SandboxApiServer c : clusters) {
            y.append("- name: ").append(c.name).append("\n  context:\n    cluster: ").append(c.name)
                    .append("\n    user: ").append(c.name).append("-user\n");
        }
        y.append("current-context: ").append(clusters[0].name).append('\n');
        try {
            // Named by its clusters, shortened past a few (a file name has at most 255 bytes; the benchmark runs 100 clusters).
            String names = String.join("-", Arrays.stream(clusters).map(c -> c.name).toList());
            String file = names.length() <= 100 ? names : clusters[0].name + "-and-" + (clusters.length - 1) + "-more-" + Integer.toHexString(names.hashCode());
            return Files.writeString(dir.resolve("kubeconfig-" + file), y);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * kubernetes-server-mock 8.0.0 waits up to a minute, on its event loop, for a closed watch's
     * sender to finish, and that sender needs the same event loop: a hub killed while events flow
     * stalls every connection on that thread. The wait happens here on a thread of its own.
     */
    private static final class CloseOffTheEventLoop extends WebSocketListener {
        private static final ExecutorService CLEANUP = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mock-watch-cleanup");
            t.setDaemon(true);
            return t;
        });
        private final WebSocketListener inner;
        private final long sinceResourceVersion;

        CloseOffTheEventLoop(WebSocketListener inner, long sinceResourceVersion) {
            this.inner = inner;
            this.sinceResourceVersion = sinceResourceVersion;
        }

        @Override
        public void onBeforeAccept(WebSocket webSocket, Response response) {
            inner.onBeforeAccept(webSocket, response);
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            inner.onOpen(sinceResourceVersion > 0 ? new SinceResourceVersion(webSocket, sinceResourceVersion) : webSocket, response);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            inner.onMessage(webSocket, text);
        }

        @Override
        public void onMessage(WebSocket webSocket, byte[] bytes) {
            inner.onMessage(webSocket, bytes);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            inner.onClosing(webSocket, code, reason);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            CLEANUP.execute(() -> inner.onClosed(webSocket, code, reason));
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            CLEANUP.execute(() -> inner.onFailure(webSocket, t, response));
        }
    }

    /**
     * A watch from a resource version, as a real API server serves it: the mock sends every stored object as ADDED
     * when a watch opens, even those the client's list already had; those are dropped (an object's resource version
     * is the mock's write counter, the list's is its value then). Without it each informer takes in its cluster twice
     * at start, and a benchmark measures the mock rather than the hub.
     */
    private static final class SinceResourceVersion implements WebSocket {
        private static final String ADDED = "\"type\":\"ADDED\"";
        private static final Pattern RESOURCE_VERSION = Pattern.compile("\"resourceVersion\":\"(\\d+)\"");
        private final WebSocket inner;
        private final long since;

        SinceResourceVersion(WebSocket inner, long since) {
            this.inner = inner;
            this.since = since;
        }

        @Override
        public RecordedRequest request() {
            return inner.request();
        }

        @Override
        public boolean send(String text) {
            return knownToTheClient(text) || inner.send(text);
        }

        @Override
        public boolean send(byte[] bytes) {
            return knownToTheClient(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)) || inner.send(bytes);
        }

        @Override
        public boolean close(int code, String reason) {
            return inner.close(code, reason);
        }

        /**
         * Read off the text, not parsed: a watch's start sends the whole cluster. The first {@code "resourceVersion":"}
         * of an event is its object's: the object's fields before metadata's are apiVersion and kind, and metadata's
         * before it (annotations, labels, managedFields, owners) hold none (a quote inside a value is escaped).
         */
        private boolean knownToTheClient(String event) {
            if (!event.contains(ADDED)) {
                return false;
            }
            Matcher version = RESOURCE_VERSION.matcher(event);
            return version.find() && Long.parseLong(version.group(1)) <= since;
        }
    }

    /** The name a POST asks for, or null. */
    private static String createdName(RecordedRequest request) {
        if (!"POST".equals(request.getMethod()) || request.getBody() == null) {
            return null;
        }
        try {
            // getBytes, not getUtf8Body: reading drains the body, and the dispatcher after this would find no object in it (400).
            return Serialization.unmarshal(new String(request.getBody().getBytes(), StandardCharsets.UTF_8), GenericKubernetesResource.class)
                    .getMetadata().getName();
        } catch (RuntimeException notAnObject) {
            return null;
        }
    }

    private final class LogServingDispatcher extends KubernetesMixedDispatcher {
        LogServingDispatcher() {
            super(responses);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            requestObserver.accept(request);
            String authorization = request.getHeader("Authorization");
            if (authorization != null) {
                authorizations.add(authorization);
            }
            RequestRecording recording = recorded;
            boolean ours = recording != null && recording.authorization.equals(authorization);
            String created = ours ? createdName(request) : null;
            MockResponse response = answer(request);
            if (ours) {
                recording.answered(request.getMethod(), request.getPath(), created, response.code(), System.currentTimeMillis());
            }
            return response;
        }

        private MockResponse answer(RecordedRequest request) {
            Matcher m = LOG_PATH.matcher(request.getPath());
            if (!"GET".equals(request.getMethod()) || !m.matches()) {
                long received = System.nanoTime();
                MockResponse response = super.dispatch(request);
                Matcher status = STATUS_PATH.matcher(request.getPath());
                // Stored writes only: the client retries a 5xx answer on its own within ~100 ms, which is not the hub writing again.
                if (!"GET".equals(request.getMethod()) && status.find() && response.code() / 100 == 2) {
                    statusWrites.computeIfAbsent(status.group(1) + "/" + status.group(2), k -> new CopyOnWriteArrayList<>()).add(received);
                }
                if (response.getWebSocketListener() != null) {
                    Matcher since = WATCH_RESOURCE_VERSION.matcher(request.getPath());
                    response.withWebSocketUpgrade(new CloseOffTheEventLoop(response.getWebSocketListener(),
                            since.find() ? Long.parseLong(since.group(1)) : 0));
                }
                return response;
            }
            logRequests.add(request.getPath());
            String log = logs.get(m.group(1) + "/" + m.group(2));
            if (log == null) {
                return new MockResponse().setResponseCode(404).setBody("{\"kind\":\"Status\",\"code\":404,\"message\":\"no log\"}");
            }
            Matcher tail = Pattern.compile("[?&]tailLines=(\\d+)").matcher(m.group(3) == null ? "" : m.group(3));
            if (tail.find()) {
                String[] lines = log.split("\n", -1);
                int keep = Integer.parseInt(tail.group(1));
                int drop = Math.max(0, lines.length - 1 - keep);
                log = String.join("\n", Arrays.copyOfRange(lines, drop, lines.length));
            }
            return new MockResponse().setResponseCode(200).setBody(log);
        }
    }
}
