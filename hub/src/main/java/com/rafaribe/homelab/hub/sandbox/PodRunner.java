package com.rafaribe.homelab.hub.sandbox;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small kubelet for a sandbox cluster: every Pod runs its first container as a local process.
 * {@code restic ...} runs the machine's restic. Env is resolved from the Pod spec against the
 * sandbox's Secrets and ConfigMaps; volumes are folders under the sandbox's root, and paths under
 * a mount point in env and arguments are rewritten to them. As root, each container gets the Pod's
 * name as its UTS hostname (restic records it in every lock), and the Pod's runAsUser/runAsGroup.
 * The output becomes the container log; the Pod's status is written as a kubelet writes it.
 */
public final class PodRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodRunner.class);
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    /** VolSync's mover entrypoint; its steps are {@link MoverScript}'s. */
    static final String MOVER_ENTRYPOINT = "/mover-restic/entry.sh";

    private final ContainerLogs logs;
    private final KubernetesClient client;
    /** Runs only the pods bound to this node; null: every pod, as on the mock API server, which has no scheduler to wait for. */
    private final String node;
    private final Path root;
    private final SharedIndexInformer<Pod> pods;
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private final Map<String, Process> running = new ConcurrentHashMap<>();
    /** The restic command (backup, forget ...) each pod's running process runs. */
    private final Map<String, String> commands = new ConcurrentHashMap<>();
    /** Set once, under the lock on {@link #running}: after it no process starts. */
    private boolean closed;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sandbox-pod");
        t.setDaemon(true);
        return t;
    });

    public PodRunner(SandboxApiServer api, Path root) {
        this(api.client(), api, root, null);
    }

    /** A runner against any API server: pods of {@code node} (all, when null); output kept in {@code logs}. */
    public PodRunner(KubernetesClient client, ContainerLogs logs, Path root, String node) {
        this.logs = logs;
        this.client = client;
        this.node = node;
        this.root = root;
        if (!ROOT) {
            LOG.info("sandbox: not root, so pods share this machine's hostname and user");
        }
        this.pods = client.pods().inAnyNamespace().inform(OnChange.handler(this::maybeStart, pod -> {
            Process p = running.remove(pod.getMetadata().getUid());
            if (p != null) {
                p.destroyForcibly();
            }
        }));
    }

    /** The host folder a volume of a pod maps to. */
    public Path volumeDir(Pod pod, Volume v) {
        if (v.getNfs() != null) {
            return root.resolve("nfs").resolve(v.getNfs().getServer()).resolve(strip(v.getNfs().getPath()));
        }
        if (v.getPersistentVolumeClaim() != null) {
            return root.resolve("pvc").resolve(pod.getMetadata().getNamespace()).resolve(v.getPersistentVolumeClaim().getClaimName());
        }
        if (v.getHostPath() != null) {
            return root.resolve("host").resolve(strip(v.getHostPath().getPath()));
        }
        return root.resolve("pods").resolve(pod.getMetadata().getUid()).resolve(v.getName());
    }

    /** Where an NFS export lives on this machine, for tests and the demo to prepare repositories. */
    public Path nfsDir(String server, String path) {
        return nfsDir(root, server, path);
    }

    static Path nfsDir(Path root, String server, String path) {
        return root.resolve("nfs").resolve(server).resolve(strip(path));
    }

    private static String strip(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    private void maybeStart(Pod pod) {
        boolean pending = pod.getStatus() == null || pod.getStatus().getPhase() == null || "Pending".equals(pod.getStatus().getPhase());
        boolean mine = node == null || node.equals(pod.getSpec().getNodeName());
        if (node != null && mine && pod.getMetadata().getDeletionTimestamp() != null) {
            executor.execute(() -> finishDeletion(pod));
            return;
        }
        if (pending && mine && pod.getMetadata().getDeletionTimestamp() == null && started.add(pod.getMetadata().getUid())) {
            executor.execute(() -> run(pod));
        }
    }

    /**
     * A real API server deletes a pod bound to a node gracefully: it stays, marked, until its
     * kubelet has stopped the containers and deletes it for good. The container gets no grace
     * period here, as if its node had died: the holder of a lock that never gets released.
     */
    private void finishDeletion(Pod pod) {
        Process p = running.remove(pod.getMetadata().getUid());
        if (p != null) {
            p.destroyForcibly();
        }
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            LOG.warn("sandbox: pod {}/{} not deleted: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), e.getMessage());
        }
    }

    private void run(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        Container container = pod.getSpec().getContainers().get(0);
        StringBuilder output = new StringBuilder();
        int exit;
        try {
            Map<String, Path> mounts = mounts(pod, container);
            Map<String, String> env = rewrite(env(ns, container), mounts);
            List<String> command = new ArrayList<>();
            if (container.getCommand() != null) {
                command.addAll(container.getCommand());
            }
            if (container.getArgs() != null) {
                command.addAll(container.getArgs());
            }
            List<String> argv = command.stream().map(a -> rewrite(a, mounts)).toList();
            setStatus(pod, "Running", null, null);
            MoverScript.Result result;
            if (!argv.isEmpty() && argv.get(0).equals(MOVER_ENTRYPOINT)) {
                result = new MoverScript((args, dir) -> restic(pod, args, dir, env), env).run(argv.subList(1, argv.size()));
            } else if (!argv.isEmpty() && (argv.get(0).equals("restic") || argv.get(0).endsWith("/restic"))) {
                result = restic(pod, argv.subList(1, argv.size()), null, env);
            } else {
                throw new UnknownCommandException("sandbox: unknown command " + argv
                        + ": the sandbox runs restic and VolSync's " + MOVER_ENTRYPOINT + " only");
            }
            output.append(result.output());
            exit = result.exit();
        } catch (UnknownCommandException e) {
            output.append(e.getMessage()).append('\n');
            exit = 127;
        } catch (IOException | RuntimeException e) {
            output.append("sandbox: cannot run the container: ").append(e.getMessage()).append('\n');
            exit = 128;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        logs.setLog(ns, name, output.toString());
        setStatus(pod, exit == 0 ? "Succeeded" : "Failed", exit, exit == 0 ? "Completed" : "Error");
        LOG.info("sandbox: pod {}/{} exited {}", ns, name, exit);
    }

    /** One restic process of a pod: as root under the pod's hostname and user, always with the pod's env. */
    private MoverScript.Result restic(Pod pod, List<String> args, Path workDir, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        if (ROOT) {
            // The pod's own hostname: restic records it in its locks, and calls a lock of a dead PID on the same host stale.
            argv.addAll(List.of("unshare", "--uts", "sh", "-c", "hostname \"$0\" && exec \"$@\"", pod.getMetadata().getName()));
            Long uid = pod.getSpec().getSecurityContext() == null ? null : pod.getSpec().getSecurityContext().getRunAsUser();
            Long gid = pod.getSpec().getSecurityContext() == null ? null : pod.getSpec().getSecurityContext().getRunAsGroup();
            if (uid != null) {
                argv.addAll(List.of("setpriv", "--reuid", uid.toString(), "--regid", String.valueOf(gid == null ? uid : gid), "--clear-groups"));
            }
        }
        argv.add("restic");
        argv.addAll(args);
        Path home = root.resolve("pods").resolve(pod.getMetadata().getUid());
        Files.createDirectories(home);
        home.toFile().setWritable(true, false);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("HOME", home.toString());
        pb.environment().putAll(env);
        Process p;
        synchronized (running) {
            if (closed) {
                throw new InterruptedException("the sandbox is stopping");
            }
            p = pb.start();
            running.put(pod.getMetadata().getUid(), p);
            commands.put(pod.getMetadata().getUid(), args.isEmpty() ? "" : args.get(0));
        }
        try {
            if (!Boolean.TRUE.equals(pod.getSpec().getContainers().get(0).getStdin())) {
                // A container with stdin: true keeps it open, as kubelet does for an attachable container, until the pod ends.
                p.getOutputStream().close();
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new MoverScript.Result(p.waitFor(), output);
        } finally {
            commands.remove(pod.getMetadata().getUid());
            running.remove(pod.getMetadata().getUid());
        }
    }

    private Map<String, Path> mounts(Pod pod, Container container) throws IOException {
        Map<String, Volume> volumes = new LinkedHashMap<>();
        if (pod.getSpec().getVolumes() != null) {
            pod.getSpec().getVolumes().forEach(v -> volumes.put(v.getName(), v));
        }
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (VolumeMount m : container.getVolumeMounts() == null ? List.<VolumeMount>of() : container.getVolumeMounts()) {
            Volume v = volumes.get(m.getName());
            if (v == null) {
                throw new IOException("volume " + m.getName() + " is mounted but not defined");
            }
            Path dir = volumeDir(pod, v);
            if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
                dir = dir.resolve(m.getSubPath());
            }
            Files.createDirectories(dir);
            if (v.getSecret() != null) {
                writeSecret(pod.getMetadata().getNamespace(), v.getSecret().getSecretName(), dir);
            }
            if (ROOT) {
                dir.toFile().setWritable(true, false);
            }
            mounts.put(m.getMountPath(), dir);
        }
        return mounts;
    }

    private void writeSecret(String ns, String name, Path dir) throws IOException {
        Secret secret = client.secrets().inNamespace(ns).withName(name).get();
        if (secret == null) {
            throw new IOException("secret " + ns + "/" + name + " not found");
        }
        for (Map.Entry<String, String> e : data(secret).entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
    }

    private Map<String, String> env(String ns, Container c) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
            if (from.getSecretRef() != null) {
                env.putAll(data(secret(ns, from.getSecretRef().getName())));
            } else if (from.getConfigMapRef() != null) {
                env.putAll(configMap(ns, from.getConfigMapRef().getName()).getData());
            }
        }
        for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
            if (e.getValueFrom() == null) {
                env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
            } else if (e.getValueFrom().getSecretKeyRef() != null) {
                var ref = e.getValueFrom().getSecretKeyRef();
                Secret s = client.secrets().inNamespace(ns).withName(ref.getName()).get();
                String value = s == null ? null : data(s).get(ref.getKey());
                if (value == null && !Boolean.TRUE.equals(ref.getOptional())) {
                    throw new IOException("CreateContainerConfigError: secret " + ref.getName() + " has no key " + ref.getKey());
                }
                if (value != null) {
                    env.put(e.getName(), value);
                }
            } else if (e.getValueFrom().getConfigMapKeyRef() != null) {
                var ref = e.getValueFrom().getConfigMapKeyRef();
                String value = configMap(ns, ref.getName()).getData().get(ref.getKey());
                if (value != null) {
                    env.put(e.getName(), value);
                }
            }
        }
        return env;
    }

    private Secret secret(String ns, String name) throws IOException {
        Secret s = client.secrets().inNamespace(ns).withName(name).get();
        if (s == null) {
            throw new IOException("CreateContainerConfigError: secret " + ns + "/" + name + " not found");
        }
        return s;
    }

    private ConfigMap configMap(String ns, String name) throws IOException {
        ConfigMap m = client.configMaps().inNamespace(ns).withName(name).get();
        if (m == null) {
            throw new IOException("CreateContainerConfigError: configmap " + ns + "/" + name + " not found");
        }
        return m;
    }

    private static Map<String, String> data(Secret s) {
        Map<String, String> values = new LinkedHashMap<>();
        if (s.getData() != null) {
            s.getData().forEach((k, v) -> values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (s.getStringData() != null) {
            values.putAll(s.getStringData());
        }
        return values;
    }

    /** A path under a mount point, in env or an argument, becomes the folder behind it (longest mount first). */
    static String rewrite(String value, Map<String, Path> mounts) {
        List<String> points = new ArrayList<>(mounts.keySet());
        points.sort(Comparator.comparingInt(String::length).reversed());
        for (String point : points) {
            if (value.equals(point) || value.startsWith(point + "/")) {
                return mounts.get(point) + value.substring(point.length());
            }
        }
        return value;
    }

    private static Map<String, String> rewrite(Map<String, String> env, Map<String, Path> mounts) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((k, v) -> out.put(k, rewrite(v, mounts)));
        return out;
    }

    private void setStatus(Pod pod, String phase, Integer exit, String reason) {
        var builder = new PodStatusBuilder().withPhase(phase).withStartTime(Instant.now().toString());
        var container = new ContainerStatusBuilder().withName(pod.getSpec().getContainers().get(0).getName())
                .withImage(pod.getSpec().getContainers().get(0).getImage()).withReady("Running".equals(phase));
        if (exit == null) {
            container.withNewState().withNewRunning().withStartedAt(Instant.now().toString()).endRunning().endState();
        } else {
            container.withNewState().withNewTerminated().withExitCode(exit).withReason(reason)
                    .withFinishedAt(Instant.now().toString()).endTerminated().endState();
        }
        Pod current = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
        if (current == null) {
            return;
        }
        current.setStatus(builder.withContainerStatuses(container.build()).build());
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(current).updateStatus();
        } catch (KubernetesClientException e) {
            // Deleted meanwhile (a real API server says 409 when the pod went between the read and the write).
            boolean gone = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get() == null;
            if (!gone || e.getCode() != 404 && e.getCode() != 409) {
                throw e;
            }
        }
    }

    /** The restic command the pod runs now (backup, forget ...), or null. */
    String runningCommand(String podUid) {
        return commands.get(podUid);
    }

    /** SIGKILL to the process the pod runs now (its restic); false when it runs none. */
    boolean kill(String podUid) {
        Process p = running.get(podUid);
        if (p == null) {
            return false;
        }
        p.destroyForcibly();
        return true;
    }

    @Override
    public void close() {
        pods.close();
        synchronized (running) {
            closed = true;
            running.values().forEach(Process::destroyForcibly);
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class UnknownCommandException extends RuntimeException {
        UnknownCommandException(String message) {
            super(message);
        }
    }
}
