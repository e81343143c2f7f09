package com.rafaribe.homelab.hub.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.rafaribe.homelab.hub.Hub;
import com.rafaribe.homelab.hub.HubConfig;
import com.rafaribe.homelab.hub.HubVertx;
import com.rafaribe.homelab.hub.dashboard.BindAddress;
import com.rafaribe.homelab.hub.dashboard.DashboardTokens;
import com.rafaribe.homelab.hub.cluster.LeaseSettings;
import com.rafaribe.homelab.hub.cluster.StartUpWarmUp;
import com.rafaribe.homelab.hub.policy.TrustedNamespaces;
import com.rafaribe.homelab.hub.policy.UnlockAllowList;
import io.vertx.core.Vertx;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Watches every cluster of the kubeconfigs until the process is stopped. */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = HubVersion.class,
        description = {"Watches every cluster of the kubeconfigs and unlocks stale restic locks.",
                "Every option can also be set by the environment variable its description names."})
public final class RunCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Option(names = "--kubeconfig", paramLabel = "PATH", split = ",", defaultValue = "${env:HUB_KUBECONFIG}",
            description = {"Reads this kubeconfig file, or every file in this folder; repeatable.",
                    "Environment: HUB_KUBECONFIG, comma-separated.", "Default: $KUBECONFIG, then ~/.kube/config."})
    private List<Path> kubeconfigs = new ArrayList<>();

    @Option(names = "--context", paramLabel = "NAME", split = ",", defaultValue = "${env:HUB_CONTEXT}",
            description = {"Watches only this context; repeatable.", "Environment: HUB_CONTEXT, comma-separated.", "Default: every context."})
    private List<String> contexts = new ArrayList<>();

    @Option(names = "--in-cluster", defaultValue = "${env:HUB_IN_CLUSTER:-false}",
            description = {"Also watches the cluster the hub runs in, through its service account.", "Environment: HUB_IN_CLUSTER."})
    private boolean inCluster;

    @Option(names = "--monitor-namespace", paramLabel = "NS", split = ",",
            defaultValue = "${env:HUB_MONITOR_NAMESPACE:-" + TrustedNamespaces.DEFAULT + "}",
            description = {"Honours VolSyncMonitors only in this namespace (* for all); repeatable.",
                    "Environment: HUB_MONITOR_NAMESPACE, comma-separated.", "Default: ${DEFAULT-VALUE}."})
    private List<String> monitorNamespaces = new ArrayList<>();

    @Option(names = "--lease-namespace", paramLabel = "NS", defaultValue = "${env:HUB_LEASE_NAMESPACE}",
            description = {"Keeps each cluster's Lease " + LeaseSettings.NAME + " in this namespace.",
                    "Acts on a cluster only while holding its Lease.", "Environment: HUB_LEASE_NAMESPACE.",
                    "Default: the first --monitor-namespace."})
    private String leaseNamespace;

    @Option(names = "--identity", paramLabel = "NAME", defaultValue = "${env:HUB_IDENTITY}",
            description = {"Holds the Leases under this name, unique per running hub.", "Environment: HUB_IDENTITY.",
                    "Default: the pod's name (POD_NAME, HOSTNAME), else host:pid."})
    private String identity;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "${env:HUB_REPLICAS:-1}",
            description = {"Shares the clusters among N hubs running at once.",
                    "Takes at most ceil(clusters/N)+1 Leases while others may take the rest.",
                    "A Lease left free for a whole lease duration is taken anyway.",
                    "Environment: HUB_REPLICAS (the Deployment's replicas).", "Default: ${DEFAULT-VALUE}."})
    private int replicas = 1;

    @Option(names = UnlockAllowList.IMAGE_FLAG, paramLabel = "PATTERN", split = ",", defaultValue = "${env:" + UnlockAllowList.IMAGE_ENV + "}",
            description = {"Lets an unlockJobTemplate ask for images this glob matches; repeatable.",
                    "Example: docker.io/restic/restic:*.",
                    "Environment: " + UnlockAllowList.IMAGE_ENV + ", comma-separated.", "Default: none, only the failed mover's own image."})
    private List<String> unlockImageAllow = new ArrayList<>();

    @Option(names = UnlockAllowList.SERVICE_ACCOUNT_FLAG, paramLabel = "NAME", split = ",",
            defaultValue = "${env:" + UnlockAllowList.SERVICE_ACCOUNT_ENV + "}",
            description = {"Lets an unlockJobTemplate ask for this ServiceAccount; repeatable.",
                    "Environment: " + UnlockAllowList.SERVICE_ACCOUNT_ENV + ", comma-separated.", "Default: none, only the mover's own."})
    private List<String> unlockServiceAccountAllow = new ArrayList<>();

    @Option(names = "--http-host", defaultValue = "${env:HUB_HTTP_HOST}",
            description = {"Serves the dashboard and API on this address.", "Environment: HUB_HTTP_HOST.",
                    "Default: 0.0.0.0 in a Kubernetes pod, else 127.0.0.1."})
    private String httpHost;

    @Option(names = "--http-port", defaultValue = "${env:HUB_HTTP_PORT:-8080}",
            description = {"Serves the dashboard and API on this port; 0 picks a free one.", "Environment: HUB_HTTP_PORT.",
                    "Default: ${DEFAULT-VALUE}."})
    private int httpPort;

    @Option(names = "--dashboard-token-file", paramLabel = "FILE", defaultValue = "${env:HUB_DASHBOARD_TOKEN_FILE}",
            description = {"Asks for the token this file holds on the dashboard and /api/*.",
                    "At least 32 characters; read again when the file changes.", "Environment: HUB_DASHBOARD_TOKEN_FILE.",
                    "Default: none, an open dashboard, on a loopback address only."})
    private Path dashboardTokenFile;

    @Option(names = "--insecure-open-dashboard", defaultValue = "${env:HUB_INSECURE_OPEN_DASHBOARD:-false}",
            description = {"Serves without a token on an address others reach.", "Environment: HUB_INSECURE_OPEN_DASHBOARD.",
                    "Default: refused; give --dashboard-token-file."})
    private boolean insecureOpenDashboard;

    @Option(names = "--log-format", defaultValue = "${env:HUB_LOG_FORMAT:-text}",
            description = {"Logs as text or json.", "Environment: HUB_LOG_FORMAT.", "Default: ${DEFAULT-VALUE}."})
    private String logFormat;

    @Override
    public void run() {
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            throw new ParameterException(spec.commandLine(), "--log-format must be text or json, not " + logFormat);
        }
        configureLogging(logFormat);
        // Before anything else: it loads on the CPU the main thread leaves idle what the first connection and failure need.
        CompletableFuture<Void> ready = new CompletableFuture<>();
        StartUpWarmUp.start(ready);
        HubConfig config = config();
        HubVertx hubVertx = HubVertx.create();
        Vertx vertx = hubVertx.vertx();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
            stopped.countDown();
        }, "hub-shutdown"));
        try {
            Hub hub = Hub.start(vertx, config, Clock.systemUTC(), hubVertx.registry()).toCompletionStage().toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            hub.ready().onComplete(v -> ready.complete(null));
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LoggerFactory.getLogger(RunCommand.class).error("the hub could not start: {}", e.getMessage(), e);
            vertx.close();
            throw new IllegalStateException("the hub could not start: " + e.getMessage(), e);
        }
    }

    HubConfig config() {
        List<Path> paths = new ArrayList<>(kubeconfigs);
        if (paths.isEmpty() && !inCluster) {
            String env = System.getenv("KUBECONFIG");
            if (env != null && !env.isBlank()) {
                for (String part : env.split(File.pathSeparator)) {
                    if (!part.isBlank()) {
                        paths.add(Path.of(part));
                    }
                }
            } else {
                Path home = Path.of(System.getProperty("user.home"), ".kube", "config");
                if (Files.exists(home)) {
                    paths.add(home);
                }
            }
        }
        if (paths.isEmpty() && !inCluster) {
            throw new ParameterException(spec.commandLine(), "no kubeconfig: give --kubeconfig, set KUBECONFIG, or use --in-cluster");
        }
        String token = dashboardToken();
        String host = httpHost(System::getenv);
        if (token == null && !BindAddress.loopback(host) && !insecureOpenDashboard) {
            throw new ParameterException(spec.commandLine(), "--http-host " + host + " lets other machines in, and there is no "
                    + "--dashboard-token-file: give one (openssl rand -hex 32 > FILE), or --http-host 127.0.0.1, "
                    + "or --insecure-open-dashboard to serve cluster names and errors to everyone who reaches the port");
        }
        TrustedNamespaces trusted = new TrustedNamespaces(new LinkedHashSet<>(monitorNamespaces));
        return new HubConfig(paths, new LinkedHashSet<>(contexts), inCluster, trusted, host, httpPort, HubConfig.DEFAULT_RESYNC,
                token, dashboardTokenFile, unlockAllow(), lease(trusted, System::getenv));
    }

    /** Where the Leases live and whose they are; a name the API server would refuse stops the hub at once. */
    LeaseSettings lease(TrustedNamespaces trusted, UnaryOperator<String> env) {
        String namespace = leaseNamespace == null || leaseNamespace.isBlank() ? LeaseSettings.defaultNamespace(trusted) : leaseNamespace.strip();
        if (!namespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || namespace.length() > 63) {
            throw new ParameterException(spec.commandLine(), "--lease-namespace " + namespace + " is not a namespace name");
        }
        String name = identity == null || identity.isBlank() ? LeaseSettings.defaultIdentity(env) : identity.strip();
        if (replicas < 1 || replicas > 1000) {
            throw new ParameterException(spec.commandLine(), "--replicas " + replicas + " is not a number of hubs (1 to 1000)");
        }
        return new LeaseSettings(namespace, name).withReplicas(replicas);
    }

    /** Bad patterns or names stop the hub at once: a typo would silently make every such monitor invalid. */
    private UnlockAllowList unlockAllow() {
        for (String name : unlockServiceAccountAllow) {
            if (!name.equals(UnlockAllowList.ANY_SERVICE_ACCOUNT) && (name.length() > 253 || !name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"))) {
                throw new ParameterException(spec.commandLine(), UnlockAllowList.SERVICE_ACCOUNT_FLAG + " " + name + " is not a ServiceAccount name");
            }
        }
        try {
            return new UnlockAllowList(unlockImageAllow, new LinkedHashSet<>(unlockServiceAccountAllow));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * Outside a pod, only this machine by default: a laptop's hub is not the whole network's. In a pod
     * (the kubelet sets KUBERNETES_SERVICE_HOST, as InCluster reads it) the Service must reach it.
     */
    String httpHost(UnaryOperator<String> env) {
        if (httpHost != null && !httpHost.isBlank()) {
            return httpHost.strip();
        }
        return env.apply("KUBERNETES_SERVICE_HOST") != null ? "0.0.0.0" : "127.0.0.1";
    }

    /** The token, read at start; a file that is missing, empty or short is an error, not an open dashboard. */
    private String dashboardToken() {
        if (dashboardTokenFile == null) {
            return null;
        }
        String token;
        try {
            token = Files.readString(dashboardTokenFile).strip();
        } catch (java.io.IOException e) {
            throw new ParameterException(spec.commandLine(), "--dashboard-token-file " + dashboardTokenFile + " cannot be read: " + e.getMessage());
        }
        if (token.isEmpty() || token.contains("\n")) {
            throw new ParameterException(spec.commandLine(), "--dashboard-token-file " + dashboardTokenFile
                    + " must hold one line, the token");
        }
        try {
            return DashboardTokens.checked(token);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--dashboard-token-file " + dashboardTokenFile + ": " + e.getMessage());
        }
    }

    /** The logging configuration (HubLogConfiguration) picks its encoder from hub.log.format; logging may already be set up, so set it up again. */
    static void configureLogging(String format) {
        System.setProperty("hub.log.format", format);
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.reset();
            try {
                new ContextInitializer(context).autoConfig();
            } catch (Exception e) {
                System.err.println("logging not configured: " + e.getMessage());
            }
        }
    }
}
