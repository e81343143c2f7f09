package com.rafaribe.homelab.hub.sandbox;

import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;

/**
 * One sandbox cluster: an API server, a pod runner, a Job controller and VolSync, with apps whose
 * PVCs hold a little data and whose restic repositories live on the emulated NAS.
 */
public final class Sandbox implements AutoCloseable {
    public static final String NFS_SERVER = "truenas.example";
    public static final String NFS_PATH = "/mnt/storage-0/volsync";
    public static final String APPS_NAMESPACE = "apps";
    static final String PASSWORD = "sandbox-demo-password";

    public final String name;
    public final SandboxApiServer api;
    private final Path root;
    private final PodRunner runner;
    private final JobController jobs;
    private final VolSyncEmulator volsync;

    private Sandbox(String name, Path root, Duration syncInterval) {
        this.name = name;
        this.root = root;
        this.api = SandboxApiServer.start(name);
        this.runner = new PodRunner(api, root);
        this.jobs = new JobController(api);
        this.volsync = new VolSyncEmulator(api, NFS_SERVER, NFS_PATH, syncInterval);
    }

    /** A cluster with these apps backed up every {@code syncInterval}, and a monitor that may unlock them. */
    public static Sandbox start(String name, Path root, List<String> apps, Duration syncInterval) throws IOException, InterruptedException {
        Sandbox sandbox = new Sandbox(name, root, syncInterval);
        try {
            sandbox.monitor();
            for (String app : apps) {
                sandbox.addApp(app);
            }
            return sandbox;
        } catch (IOException | InterruptedException | RuntimeException e) {
            sandbox.close();
            throw e;
        }
    }

    private void monitor() throws IOException {
        VolSyncMonitor monitor = MonitorYaml.parseAll("""
                apiVersion: homelab.rafaribe.com/v1alpha1
                kind: VolSyncMonitor
                metadata: {name: volsync-monitor, namespace: homelab-assistant-system}
                spec: {enabled: true, removeFailedJobs: true, ttlSecondsAfterFinished: 3600}
                """).get(0);
        api.client().resources(VolSyncMonitor.class).inNamespace(monitor.getMetadata().getNamespace()).resource(monitor).create();
    }

    private void addApp(String app) throws IOException, InterruptedException {
        String repository = "/repository/" + name + "/" + app;
        api.client().secrets().inNamespace(APPS_NAMESPACE).resource(new SecretBuilder()
                .withNewMetadata().withName(app + "-restic").withNamespace(APPS_NAMESPACE).endMetadata()
                .withStringData(Map.of("RESTIC_REPOSITORY", repository, "RESTIC_PASSWORD", PASSWORD)).build()).create();
        Path data = Files.createDirectories(root.resolve("pvc").resolve(APPS_NAMESPACE).resolve(app + "-data"));
        Files.writeString(data.resolve("config.xml"), "<" + app + " version=\"1\"/>\n");
        if (restic(app, "init").exit() != 0) {
            throw new IOException("restic init failed for " + app);
        }
        GenericKubernetesResource rs = new GenericKubernetesResource();
        rs.setApiVersion("volsync.backube/v1alpha1");
        rs.setKind("ReplicationSource");
        rs.setMetadata(new ObjectMetaBuilder().withName(app).withNamespace(APPS_NAMESPACE).build());
        rs.setAdditionalProperty("spec", Map.of("sourcePVC", app + "-data", "trigger", Map.of("schedule", "*/1 * * * *"),
                "restic", Map.of("repository", app + "-restic", "copyMethod", "Direct")));
        api.client().genericKubernetesResources(VolSyncEmulator.REPLICATION_SOURCES).inNamespace(APPS_NAMESPACE).resource(rs).create();
    }

    /** The app's repository folder on the emulated NAS. */
    public Path repository(String app) {
        return runner.nfsDir(NFS_SERVER, NFS_PATH).resolve(name).resolve(app);
    }

    /**
     * A real stale lock, as a node dying mid-run leaves it: a restic that holds its lock is killed
     * with SIGKILL. Its hostname (root only) is {@code hostname}: an earlier attempt of the app's mover
     * (the hub can tell it is gone) or a stranger such as a NAS cron job (the hub must wait).
     */
    public void injectStaleLock(String app, String hostname) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            argv.addAll(List.of("unshare", "--uts", "sh", "-c", "hostname \"$0\" && exec \"$@\"", hostname));
        }
        argv.addAll(List.of("restic", "backup", "--stdin", "--stdin-filename", "dump.sql"));
        Path locks = repository(app).resolve("locks");
        Instant deadline = Instant.now().plusSeconds(60);
        // A mover may hold an exclusive lock right now; then the holder fails at once, and is started again.
        while (Instant.now().isBefore(deadline)) {
            Set<String> before = lockFiles(locks);
            Process holder = process(app, argv).start();
            while (holder.isAlive() && Instant.now().isBefore(deadline)) {
                // A mover's lock may appear at the same moment: only a lock recording the holder's PID will do.
                for (String lock : lockFiles(locks)) {
                    if (!before.contains(lock) && restic(app, "cat", "lock", lock, "--no-lock").output()
                            .replaceAll("\\s", "").matches("(?s).*\"pid\":" + holder.pid() + "[,}].*")) {
                        holder.destroyForcibly().waitFor();
                        return;
                    }
                }
                holder.waitFor(50, TimeUnit.MILLISECONDS);
            }
            holder.destroyForcibly().waitFor();
            Thread.sleep(500);
        }
        throw new IOException("restic could not take a lock in " + repository(app) + " within a minute");
    }

    private static Set<String> lockFiles(Path locks) throws IOException {
        if (!Files.isDirectory(locks)) {
            return Set.of();
        }
        try (var s = Files.list(locks)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    public long locks(String app) throws IOException {
        Path locks = repository(app).resolve("locks");
        if (!Files.isDirectory(locks)) {
            return 0;
        }
        try (var s = Files.list(locks)) {
            return s.count();
        }
    }

    private MoverScript.Result restic(String app, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("restic"));
        argv.addAll(List.of(args));
        Process p = process(app, argv).start();
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

    @Override
    public void close() {
        volsync.close();
        jobs.close();
        runner.close();
        api.close();
    }
}
