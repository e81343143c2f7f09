package com.rafaribe.homelab.hub.sandbox;

import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import org.slf4j.LoggerFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One sandbox cluster: an API server, a pod runner, a Job controller and VolSync, with apps whose
 * PVCs hold a little data and whose restic repositories live on the emulated NAS.
 */
public final class Sandbox implements AutoCloseable {
    public static final String NFS_SERVER = "truenas.example";
    public static final String NFS_PATH = "/mnt/storage-0/volsync";
    public static final String APPS_NAMESPACE = "apps";
    static final String PASSWORD = "sandbox-demo-password";
    private static final java.util.regex.Pattern LOCK_ID = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    /** What the demo's monitor says: unlock, and remove the failed mover Job so VolSync runs it again at once. */
    public static final String DEFAULT_MONITOR_SPEC = "{enabled: true, removeFailedJobs: true, ttlSecondsAfterFinished: 3600}";

    public final String name;
    /** The embedded API server; null when the sandbox runs on a real one ({@link #startOn}). */
    public final SandboxApiServer api;
    private final KubernetesClient client;
    private final Path root;
    private final Duration syncInterval;
    private final List<String> apps = new ArrayList<>();
    private final Set<Process> processes = ConcurrentHashMap.newKeySet();
    private boolean closed;
    /** What makes the API server a cluster: pod runner and Job controller, or the virtual kubelet; then VolSync. Closed in reverse. */
    private final List<AutoCloseable> parts = new ArrayList<>();
    /** Runs this cluster's pods: {@link #killResticHoldingLock} reaches a pod's restic through it. */
    private PodRunner runner;

    private Sandbox(String name, Path root, Duration syncInterval, SandboxApiServer api, KubernetesClient client) {
        this.name = name;
        this.root = root;
        this.syncInterval = syncInterval;
        this.api = api;
        this.client = client;
    }

    private void startVolSync() {
        parts.add(new VolSyncEmulator(client, NFS_SERVER, NFS_PATH, syncInterval == null ? Duration.ofDays(1) : syncInterval));
    }

    /** A cluster with these apps backed up every {@code syncInterval}, and a monitor that may unlock them. */
    public static Sandbox start(String name, Path root, List<String> apps, Duration syncInterval) throws IOException, InterruptedException {
        return start(name, root, apps, syncInterval, DEFAULT_MONITOR_SPEC);
    }

    /**
     * A cluster with these apps and a monitor of this spec (YAML flow style). The apps are backed
     * up every {@code syncInterval}, or, when it is null, only on {@link #syncNow}.
     */
    public static Sandbox start(String name, Path root, List<String> apps, Duration syncInterval, String monitorSpec)
            throws IOException, InterruptedException {
        SandboxApiServer api = SandboxApiServer.start(name);
        Sandbox sandbox = new Sandbox(name, root, syncInterval, api, api.client());
        sandbox.parts.add(api);
        return sandbox.runOn(api, apps, monitorSpec);
    }

    /** The same on a mock API server that the caller started and stops. */
    public static Sandbox startOn(SandboxApiServer api, Path root, List<String> apps, Duration syncInterval, String monitorSpec)
            throws IOException, InterruptedException {
        return new Sandbox(api.name, root, syncInterval, api, api.client()).runOn(api, apps, monitorSpec);
    }

    private Sandbox runOn(SandboxApiServer api, List<String> apps, String monitorSpec) throws IOException, InterruptedException {
        runner = new PodRunner(api, root);
        parts.add(runner);
        parts.add(new JobController(api));
        startVolSync();
        return populate(apps, monitorSpec);
    }

    /**
     * The same cluster on a real API server (its own Job controller; a virtual kubelet runs the
     * pods): the CRDs and namespaces are applied first, as an admin would.
     */
    public static Sandbox startOn(String name, KubernetesClient client, Path root, List<String> apps, Duration syncInterval,
                                  String monitorSpec) throws IOException, InterruptedException, GeneralSecurityException {
        return startOn(name, client, VirtualKubelet.Endpoint.LOOPBACK, root, apps, syncInterval, monitorSpec);
    }

    /** The same, with a kubelet the API server reaches at {@code kubelet} (an API server in a container). */
    public static Sandbox startOn(String name, KubernetesClient client, VirtualKubelet.Endpoint kubelet, Path root, List<String> apps,
                                  Duration syncInterval, String monitorSpec) throws IOException, InterruptedException, GeneralSecurityException {
        Sandbox sandbox = new Sandbox(name, root, syncInterval, null, client);
        try {
            for (String crd : List.of("/crd/volsyncmonitors.homelab.rafaribe.com-v1.yml", "/sandbox-replicationsource-crd.yaml")) {
                try (InputStream in = Sandbox.class.getResourceAsStream(crd)) {
                    client.load(in).forceConflicts().serverSideApply();
                }
            }
            for (String crd : List.of("volsyncmonitors.homelab.rafaribe.com", "replicationsources.volsync.backube")) {
                client.apiextensions().v1().customResourceDefinitions().withName(crd).waitUntilCondition(c -> c != null
                        && c.getStatus() != null && c.getStatus().getConditions() != null && c.getStatus().getConditions().stream()
                        .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())), 30, TimeUnit.SECONDS);
            }
            for (String ns : List.of(APPS_NAMESPACE, "homelab-assistant-system")) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                        .createOr(NonDeletingOperation::update);
            }
            VirtualKubelet kubeletOfSandbox = new VirtualKubelet(client, root, kubelet);
            sandbox.parts.add(kubeletOfSandbox);
            sandbox.runner = kubeletOfSandbox.runner();
        } catch (IOException | InterruptedException | GeneralSecurityException | RuntimeException e) {
            sandbox.close();
            throw e;
        }
        sandbox.startVolSync();
        return sandbox.populate(apps, monitorSpec);
    }

    private Sandbox populate(List<String> apps, String monitorSpec) throws IOException, InterruptedException {
        try {
            monitor(monitorSpec);
            for (String app : apps) {
                addApp(app);
            }
            return this;
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** A client of this cluster's API server, with every right: the sandbox plays its admin. */
    public KubernetesClient client() {
        return client;
    }

    private void monitor(String spec) throws IOException {
        VolSyncMonitor monitor = MonitorYaml.parseAll("""
                apiVersion: homelab.rafaribe.com/v1alpha1
                kind: VolSyncMonitor
                metadata: {name: volsync-monitor, namespace: homelab-assistant-system}
                spec: %s
                """.formatted(spec)).get(0);
        client.resources(VolSyncMonitor.class).inNamespace(monitor.getMetadata().getNamespace()).resource(monitor).create();
    }

    /** An app that has been backed up before: its PVC holds a config and a database, its repository one snapshot. */
    private void addApp(String app) throws IOException, InterruptedException {
        client.secrets().inNamespace(APPS_NAMESPACE).resource(new SecretBuilder()
                .withNewMetadata().withName(secretName(app)).withNamespace(APPS_NAMESPACE).endMetadata()
                .withStringData(Map.of("RESTIC_REPOSITORY", "/repository/" + name + "/" + app, "RESTIC_PASSWORD", PASSWORD)).build()).create();
        Path data = Files.createDirectories(root.resolve("pvc").resolve(APPS_NAMESPACE).resolve(app + "-data"));
        Files.writeString(data.resolve("config.xml"), "<" + app + " version=\"1\"/>\n");
        // Random, so it does not compress: a check reading it at 1 KiB/s holds its lock for minutes.
        byte[] database = new byte[256 * 1024];
        new Random(app.hashCode()).nextBytes(database);
        Files.write(data.resolve("app.db"), database);
        if (restic(app, "init").exit() != 0 || restic(app, "backup", data.toString()).exit() != 0) {
            throw new IOException("restic could not init and back up " + app + " in " + repository(app));
        }
        GenericKubernetesResource rs = new GenericKubernetesResource();
        rs.setApiVersion("volsync.backube/v1alpha1");
        rs.setKind("ReplicationSource");
        rs.setMetadata(new ObjectMetaBuilder().withName(app).withNamespace(APPS_NAMESPACE).build());
        Map<String, Object> trigger = syncInterval == null ? Map.of("manual", "initial") : Map.of("schedule", "*/1 * * * *");
        rs.setAdditionalProperty("spec", Map.of("sourcePVC", app + "-data", "trigger", trigger,
                "restic", Map.of("repository", secretName(app), "copyMethod", "Direct")));
        replicationSources().resource(rs).create();
        apps.add(app);
    }

    public List<String> apps() {
        return List.copyOf(apps);
    }

    private static String secretName(String app) {
        return app + "-restic";
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> replicationSources() {
        return client.genericKubernetesResources(VolSyncEmulator.REPLICATION_SOURCES).inNamespace(APPS_NAMESPACE);
    }

    /** The app's ReplicationSource as it is now. */
    public GenericKubernetesResource replicationSource(String app) {
        return replicationSources().withName(app).get();
    }

    /** A manual sync, as {@code spec.trigger.manual} asks VolSync for one; returns the trigger, which {@code status.lastManualSync} takes once it succeeded. */
    public String syncNow(String app) {
        String token = "sync-" + UUID.randomUUID();
        setSpec(app, "trigger", Map.of("manual", token));
        return token;
    }

    /**
     * Sets one field of the app's ReplicationSource's spec. The VolSync emulator writes its status at any moment, and an
     * edit that lost that race is refused (409): it reads the object again and edits that, as a Kubernetes client must.
     */
    private void setSpec(String app, String field, Object value) {
        for (int attempt = 1; ; attempt++) {
            try {
                replicationSources().withName(app).edit(rs -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) rs.getAdditionalProperties().get("spec"));
                    spec.put(field, value);
                    rs.setAdditionalProperty("spec", spec);
                    return rs;
                });
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Someone changed the repository password in the Secret: every later run of the mover fails to open the repository. */
    public void changePassword(String app, String password) {
        client.secrets().inNamespace(APPS_NAMESPACE).withName(secretName(app)).edit(s -> {
            Map<String, String> data = new LinkedHashMap<>(s.getStringData() == null ? Map.of() : s.getStringData());
            data.put("RESTIC_PASSWORD", password);
            s.setStringData(data);
            s.setData(null);
            return s;
        });
    }

    /**
     * The repository cannot be reached where it should be, nor created there (a file stands where its
     * folder should be, as when an NFS export is not what it should be): VolSync's init fails too.
     */
    public void breakRepository(String app) throws IOException {
        try (Stream<Path> files = Files.walk(repository(app))) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.writeString(repository(app), "not a restic repository\n");
    }

    /**
     * A backup into the app's repository that runs until its pod is deleted, as the mover of a
     * second ReplicationSource (say, of the app's database dump) would: a VolSync-labelled pod
     * named {@code podName} running {@code restic backup --stdin} with its stdin held open. It
     * holds a non-exclusive lock under the pod's name, which a mover's forget cannot get past.
     */
    public Pod startBackupPod(String app, String podName) throws InterruptedException {
        Pod pod = client.pods().inNamespace(APPS_NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName(podName).withNamespace(APPS_NAMESPACE)
                    .withLabels(Map.of("app.kubernetes.io/created-by", "volsync")).endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                    .addNewContainer().withName("restic").withImage("docker.io/restic/restic:0.14.0").withStdin(true)
                        .withCommand("restic", "backup", "--stdin", "--stdin-filename", app + ".db")
                        .withEnv(secretEnv("RESTIC_REPOSITORY", secretName(app)), secretEnv("RESTIC_PASSWORD", secretName(app)))
                        .addNewVolumeMount().withName("repository").withMountPath("/repository").endVolumeMount()
                    .endContainer()
                    .addNewVolume().withName("repository").withNewNfs(NFS_PATH, false, NFS_SERVER).endVolume()
                .endSpec().build()).create();
        return pod;
    }

    private static EnvVar secretEnv(String name, String secret) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef(name, secret, null).endValueFrom().build();
    }

    /** The folder behind the app's data PVC: what its mover backs up. */
    public Path data(String app) {
        return root.resolve("pvc").resolve(APPS_NAMESPACE).resolve(app + "-data");
    }

    /**
     * Kills the restic backup of the app's running mover pod with SIGKILL while it holds its lock,
     * as the kernel's OOM killer or a {@code kill -9} does: restic gets no chance to remove its
     * lock, and the pod ends with exit code 137 (entry.sh runs the backup under {@code set -e} and
     * exits with restic's code). Returns the pod. Call it before the sync starts; a backup of new
     * data holds its lock for long enough to be caught.
     */
    public Pod killResticHoldingLock(String app, Duration timeout) throws IOException, InterruptedException {
        Pod holder = awaitBackupHoldingLock(app, timeout);
        if (!runner.kill(holder.getMetadata().getUid())) {
            throw new IOException("the restic of " + holder.getMetadata().getName() + " ended before it could be killed");
        }
        return holder;
    }

    /**
     * Deletes the app's mover Job and its pod while the pod's restic backup holds its lock, as
     * VolSync does when it replaces its Job (then the garbage collector deletes the pod; the
     * sandbox has none, so this deletes both). Kubernetes would send SIGTERM to the container's
     * PID 1, VolSync's entry.sh: bash as PID 1 has no handler for it and does not pass it on, so
     * restic, which would remove its lock on SIGTERM, is killed with SIGKILL when the grace period
     * ends and its lock stays. The sandbox's pod runner kills at once on deletion: the same lock
     * left, without the 30 s wait. Returns the pod as it was before the deletion.
     */
    public Pod deleteRunningMover(String app, Duration timeout) throws IOException, InterruptedException {
        Pod holder = awaitBackupHoldingLock(app, timeout);
        client.batch().v1().jobs().inNamespace(APPS_NAMESPACE).withName("volsync-src-" + app).delete();
        client.pods().inNamespace(APPS_NAMESPACE).withName(holder.getMetadata().getName()).delete();
        return holder;
    }

    /**
     * The app's running mover pod, once its {@code restic backup} holds a lock. The earlier steps
     * lock too ({@code cat config}), for a moment: a mover killed there fails in entry.sh's own
     * words (exit 3), not with restic's 137.
     */
    private Pod awaitBackupHoldingLock(String app, Duration timeout) throws IOException, InterruptedException {
        Path locks = repository(app).resolve("locks");
        if (!lockFiles(locks).isEmpty()) {
            throw new IOException("the repository of " + app + " is locked already: " + lockFiles(locks));
        }
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!lockFiles(locks).isEmpty()) {
                for (Pod pod : client.pods().inNamespace(APPS_NAMESPACE).withLabel("job-name", "volsync-src-" + app).list().getItems()) {
                    // Only the app's mover opens its repository: a lock while its backup runs is the backup's.
                    if ("backup".equals(runner.runningCommand(pod.getMetadata().getUid())) && !lockFiles(locks).isEmpty()) {
                        return pod;
                    }
                }
            }
            // A backup of new data holds its lock for a second or more: looking every 10 ms catches it.
            Thread.sleep(10);
        }
        throw new IOException("no backup of " + app + " held a lock in " + repository(app) + " within " + timeout);
    }

    /** The app's repository folder on the emulated NAS. */
    public Path repository(String app) {
        return PodRunner.nfsDir(root, NFS_SERVER, NFS_PATH).resolve(name).resolve(app);
    }

    /**
     * A real stale exclusive lock, as a node dying mid-check leaves it: a {@code restic check} that
     * holds its exclusive lock is killed with SIGKILL. Its hostname (root only) is {@code hostname}:
     * an earlier attempt of the app's mover (the hub can tell it is gone) or a stranger such as a NAS
     * cron job (the hub must wait). Every later backup of the app fails until an unlock.
     */
    public void injectStaleLock(String app, String hostname) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            argv.addAll(List.of("unshare", "--uts", "sh", "-c", "hostname \"$0\" && exec \"$@\"", hostname));
        }
        argv.addAll(List.of("restic", "check", "--read-data", "--limit-download", "1"));
        Path locks = repository(app).resolve("locks");
        Instant deadline = Instant.now().plusSeconds(60);
        // VolSync's spec.paused: no mover of the app runs while the lock is made, so the one new lock file is the holder's.
        setPaused(app, true);
        try {
            while (Instant.now().isBefore(deadline)) {
                awaitNoMoverRunning(app, deadline);
                Set<String> before = lockFiles(locks);
                // Nobody reads a holder's progress: discarded, so a full pipe never stalls it.
                Process holder = start(process(app, argv).redirectOutput(ProcessBuilder.Redirect.DISCARD));
                try {
                    while (holder.isAlive() && Instant.now().isBefore(deadline)) {
                        if (!before.containsAll(lockFiles(locks))) {
                            return;
                        }
                        holder.waitFor(50, TimeUnit.MILLISECONDS);
                    }
                } finally {
                    // SIGKILL: restic gets no chance to remove its lock. Also when interrupted, so no holder outlives the sandbox.
                    holder.destroyForcibly();
                    holder.onExit().join();
                }
                // The check could not lock: a lock that blocks it was there already (an earlier injection's, say).
                Thread.sleep(500);
            }
            throw new IOException("restic could not take a lock in " + repository(app) + " within a minute");
        } finally {
            setPaused(app, false);
        }
    }

    /** VolSync's {@code spec.paused}: no new mover Job, and the running one's parallelism at 0. */
    public void setPaused(String app, boolean paused) {
        setSpec(app, "paused", paused);
    }

    /** Watches the app's mover pods until none is pending or running. */
    private void awaitNoMoverRunning(String app, Instant deadline) throws IOException, InterruptedException {
        var idle = client.pods().inNamespace(APPS_NAMESPACE).withLabel("job-name", "volsync-src-" + app)
                .informOnCondition(pods -> pods.stream().allMatch(p -> p.getStatus() != null
                        && List.of("Succeeded", "Failed").contains(p.getStatus().getPhase())));
        try {
            idle.get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("a mover of " + app + " was still running after a minute", e);
        } finally {
            // Cancelling stops the informer behind it, whatever the outcome.
            idle.cancel(true);
        }
    }

    /** Lock files by name. A name that is not a 64-hex ID is restic still writing one (a -tmp- file): not a lock yet. */
    private static Set<String> lockFiles(Path locks) throws IOException {
        if (!Files.isDirectory(locks)) {
            return Set.of();
        }
        try (var s = Files.list(locks)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> LOCK_ID.matcher(n).matches()).collect(Collectors.toSet());
        }
    }

    /** The app's repository's locks, as restic counts them. */
    public long locks(String app) throws IOException {
        return lockFiles(repository(app).resolve("locks")).size();
    }

    private MoverScript.Result restic(String app, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("restic"));
        argv.addAll(List.of(args));
        Process p = start(process(app, argv));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new MoverScript.Result(p.waitFor(), out);
    }

    private ProcessBuilder process(String app, List<String> argv) throws IOException {
        Files.createDirectories(repository(app).getParent());
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("RESTIC_REPOSITORY", repository(app).toString());
        pb.environment().put("RESTIC_PASSWORD", PASSWORD);
        pb.environment().put("RESTIC_CACHE_DIR", root.resolve("host-cache").toString());
        return pb;
    }

    /** Every process the sandbox starts outside its pods is tracked, so close() can stop the ones still running. */
    private Process start(ProcessBuilder builder) throws IOException {
        synchronized (processes) {
            if (closed) {
                throw new IOException("sandbox " + name + " is stopped");
            }
            Process p = builder.start();
            processes.add(p);
            p.onExit().thenRun(() -> processes.remove(p));
            return p;
        }
    }

    @Override
    public void close() {
        synchronized (processes) {
            closed = true;
            processes.forEach(Process::destroyForcibly);
        }
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                LoggerFactory.getLogger(Sandbox.class).warn("sandbox {}: {} did not stop cleanly: {}", name, parts.get(i), e.getMessage());
            }
        }
    }
}
