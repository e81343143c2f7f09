package com.rafaribe.homelab.hub.simulation;

import com.rafaribe.homelab.hub.api.JobSelector;
import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorSpec;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent.PodFact;
import com.rafaribe.homelab.hub.policy.FailedMover;
import com.rafaribe.homelab.hub.policy.PodFacts;
import com.rafaribe.homelab.hub.policy.UnlockJobFactory;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulated world the hub acts on: clusters with namespaces and VolSync apps, their mover
 * Jobs and pods, the hub's unlock Jobs and pods, VolSyncMonitors, restic repositories with
 * their lock tables, and NAS processes outside Kubernetes. Plain data and the rules of restic
 * and Kubernetes that the objects follow; {@link Simulation} moves it in time.
 *
 * <p>restic's rules as modelled: every lock is exclusive (VolSync's mover ends with forget/prune,
 * which take an exclusive lock, and a failed lock attempt is what the hub sees); a live holder
 * rewrites its lock's time every 5 minutes; a holder that dies leaves its lock with the time of
 * its last refresh; a process that exits (or is stopped by SIGTERM) removes its lock; plain
 * {@code restic unlock} removes the locks whose time is 30 minutes old or more (never a live
 * one), {@code unlock --remove-all} removes every lock file, invalid ones included.
 */
final class SimWorld {
    static final String TRUSTED = "homelab-assistant-system";
    static final Duration REFRESH = Duration.ofMinutes(5);
    static final Duration STALE = Duration.ofMinutes(30);
    static final DateTimeFormatter LOCK_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    // ---- restic ----

    /** A restic repository: one lock table. */
    static final class Repo {
        final String id;
        final String server;
        final String export;
        final List<Lock> locks = new ArrayList<>();

        Repo(String id, String server, String export) {
            this.id = id;
            this.server = server;
            this.export = export;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** Whatever holds a lock: a mover pod's restic, a NAS job, an unlock pod. */
    interface Holder {
        boolean processAlive();

        Instant diedAt();

        String describe();
    }

    static final class Lock {
        final String id;
        final String host;
        final int pid;
        final Holder holder;
        final Instant acquiredAt;
        final boolean invalid;

        Lock(String id, String host, int pid, Holder holder, Instant acquiredAt, boolean invalid) {
            this.id = id;
            this.host = host;
            this.pid = pid;
            this.holder = holder;
            this.acquiredAt = acquiredAt;
            this.invalid = invalid;
        }

        boolean live() {
            return !invalid && holder.processAlive();
        }

        /** The time field of the lock file as it is now: refreshed every 5 minutes while its holder lives. */
        Instant time(Instant now) {
            Instant end = holder.processAlive() ? now : holder.diedAt();
            long periods = Math.max(0, Duration.between(acquiredAt, end).toSeconds() / REFRESH.toSeconds());
            return acquiredAt.plusSeconds(periods * REFRESH.toSeconds());
        }

        boolean stale(Instant now) {
            return !invalid && Duration.between(time(now), now).compareTo(STALE) >= 0;
        }

        @Override
        public String toString() {
            return (invalid ? "invalid " : "") + "lock " + id + " of " + holder.describe();
        }
    }

    /** A restic process on a NAS, outside Kubernetes: holds a lock for hours, then exits (lock removed) or is killed (lock stale). */
    static final class Nas implements Holder {
        final String host;
        final Repo repo;
        final int pid;
        boolean alive = true;
        Instant diedAt;
        Lock lock;

        Nas(String host, Repo repo, int pid) {
            this.host = host;
            this.repo = repo;
            this.pid = pid;
        }

        @Override
        public boolean processAlive() {
            return alive;
        }

        @Override
        public Instant diedAt() {
            return diedAt;
        }

        @Override
        public String describe() {
            return "NAS process " + host + "/" + pid + (alive ? " (alive)" : " (dead)");
        }
    }

    // ---- Kubernetes ----

    static final class Cluster {
        final String name;
        final List<String> namespaces = new ArrayList<>();
        final List<App> apps = new ArrayList<>();
        final Map<String, Monitor> monitors = new LinkedHashMap<>();
        /** Every pod that exists, by UID: movers, unlock pods, other pods. */
        final Map<String, SimPod> pods = new LinkedHashMap<>();
        final Map<String, UnlockJob> unlockJobs = new LinkedHashMap<>();
        final Map<String, MoverJob> moverJobs = new LinkedHashMap<>();
        /** "namespace/secret" to the repository its RESTIC_REPOSITORY names. */
        final Map<String, Repo> secrets = new HashMap<>();
        boolean reachable = true;
        Instant gapUntil;
        int monitorVersion;

        // The hub's view: what the watches delivered (reset when the hub restarts).
        final Map<String, Pod> cachePods = new HashMap<>();
        final Map<String, Job> cacheJobs = new HashMap<>();
        final Map<String, Instant> toldAlive = new HashMap<>();
        /** The order (Simulation.order) of the hub call that first told it a pod is alive. */
        final Map<String, Long> toldAliveOrder = new HashMap<>();
        final java.util.Set<String> reportedFailed = new java.util.HashSet<>();
        /** The hub's watches on single holders ("namespace/name" to the records waiting), as ClusterCommands keeps them. */
        final Map<String, java.util.Set<String>> holderWatches = new HashMap<>();
        int cacheMonitorVersion = -1;
        /** The hub's connection to this cluster: false from a restart or an outage until its replay. */
        boolean connected;
        /** The hub was told this cluster is down (ClusterView Failed). */
        boolean toldDown;
        /** This hub has had a complete picture of the cluster once (its ClusterVerticle ran connected()). */
        boolean connectedOnce;

        Cluster(String name) {
            this.name = name;
        }

        boolean watching(Instant now) {
            return reachable && connected && (gapUntil == null || !now.isBefore(gapUntil));
        }

        SimPod podNamed(String namespace, String name) {
            for (SimPod p : pods.values()) {
                if (p.namespace.equals(namespace) && p.name.equals(name)) {
                    return p;
                }
            }
            return null;
        }
    }

    /** A ReplicationSource: VolSync runs its mover Job on a schedule. */
    static final class App {
        final Cluster cluster;
        final String namespace;
        final String name;
        final String jobName;
        final String secret;
        final Repo repo;
        final String rsUid;
        final PodSpec spec;
        final Duration period;
        final io.fabric8.kubernetes.api.model.OwnerReference owner;
        MoverJob job;
        Instant nextTrigger;

        App(Cluster cluster, String namespace, String name, String secret, Repo repo, String rsUid, Duration period) {
            this.cluster = cluster;
            this.namespace = namespace;
            this.name = name;
            this.jobName = "volsync-src-" + name;
            this.secret = secret;
            this.repo = repo;
            this.rsUid = rsUid;
            this.spec = moverSpec(name, secret, repo);
            this.period = period;
            this.owner = new OwnerReferenceBuilder().withApiVersion("volsync.backube/v1alpha1").withKind("ReplicationSource").withName(name)
                    .withUid(rsUid).withController(true).withBlockOwnerDeletion(true).build();
        }

        @Override
        public String toString() {
            return cluster.name + "/" + namespace + "/" + name;
        }
    }

    static final class MoverJob {
        final App app;
        final String uid;
        final Job object;
        final List<SimPod> pods = new ArrayList<>();
        int failures;
        boolean finished;

        MoverJob(App app, String uid) {
            this.app = app;
            this.uid = uid;
            Job job = new Job();
            job.setApiVersion("batch/v1");
            job.setKind("Job");
            job.setMetadata(new ObjectMetaBuilder().withName(app.jobName).withNamespace(app.namespace).withUid(uid)
                    .withLabels(Map.of("app.kubernetes.io/created-by", "volsync", "volsync.backube/cleanup", app.rsUid))
                    .withOwnerReferences(app.owner).build());
            io.fabric8.kubernetes.api.model.batch.v1.JobSpec spec = new io.fabric8.kubernetes.api.model.batch.v1.JobSpec();
            spec.setBackoffLimit(8);
            io.fabric8.kubernetes.api.model.PodTemplateSpec template = new io.fabric8.kubernetes.api.model.PodTemplateSpec();
            template.setMetadata(new ObjectMetaBuilder().addToLabels("app.kubernetes.io/created-by", "volsync").build());
            template.setSpec(app.spec);
            spec.setTemplate(template);
            job.setSpec(spec);
            this.object = job;
        }
    }

    enum PodKind { MOVER, UNLOCK, OTHER }

    static final class SimPod implements Holder {
        final PodKind kind;
        final Cluster cluster;
        final String uid;
        final String name;
        final String namespace;
        final Instant createdAt;
        final ObjectMeta meta;
        final PodSpec spec;
        final App app;
        final MoverJob moverJob;
        final UnlockJob unlockJob;
        String phase = "Pending";
        String waitingReason = "ContainerCreating";
        boolean processAlive;
        Instant diedAt;
        Instant startedAt;
        Instant finishedAt;
        Integer exitCode;
        String terminatedReason;
        String log = "";
        Lock lock;
        boolean deleted;
        /** For movers: the log is a lock failure. */
        boolean lockFailure;
        /** Current object and fact, rebuilt on every change (the cache keeps the delivered ones). */
        Pod object;
        PodFact fact;

        SimPod(PodKind kind, Cluster cluster, String uid, String name, String namespace, Instant createdAt, ObjectMeta meta, PodSpec spec,
               App app, MoverJob moverJob, UnlockJob unlockJob) {
            this.kind = kind;
            this.cluster = cluster;
            this.uid = uid;
            this.name = name;
            this.namespace = namespace;
            this.createdAt = createdAt;
            this.meta = meta;
            this.spec = spec;
            this.app = app;
            this.moverJob = moverJob;
            this.unlockJob = unlockJob;
            rebuild();
        }

        boolean alive() {
            return "Pending".equals(phase) || "Running".equals(phase);
        }

        @Override
        public boolean processAlive() {
            return processAlive;
        }

        @Override
        public Instant diedAt() {
            return diedAt;
        }

        @Override
        public String describe() {
            return kind.name().toLowerCase() + " pod " + cluster.name + "/" + namespace + "/" + name + " (" + phase
                    + (processAlive ? ", process alive" : "") + ")";
        }

        void rebuild() {
            PodStatus status = new PodStatus();
            status.setPhase(phase);
            // Plain constructors: builders copy deeply and cost more than the rest of a step.
            ContainerStatus cs = new ContainerStatus();
            cs.setName(spec.getContainers().get(0).getName());
            ContainerState state = new ContainerState();
            if (finishedAt != null) {
                ContainerStateTerminated t = new ContainerStateTerminated();
                t.setExitCode(exitCode);
                t.setReason(terminatedReason);
                t.setStartedAt(startedAt == null ? null : k8sTime(startedAt));
                t.setFinishedAt(k8sTime(finishedAt));
                state.setTerminated(t);
            } else if ("Running".equals(phase)) {
                ContainerStateRunning r = new ContainerStateRunning();
                r.setStartedAt(k8sTime(startedAt));
                state.setRunning(r);
            } else {
                ContainerStateWaiting w = new ContainerStateWaiting();
                w.setReason(waitingReason);
                state.setWaiting(w);
            }
            cs.setState(state);
            status.setContainerStatuses(List.of(cs));
            Pod pod = new Pod();
            pod.setApiVersion("v1");
            pod.setKind("Pod");
            pod.setMetadata(meta);
            pod.setSpec(spec);
            pod.setStatus(status);
            object = pod;
            fact = kind == PodKind.OTHER ? null : PodFacts.of(cluster.name, pod);
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** An unlock Job: the hub's own (created through a CreateJob action) or a forged one. */
    static final class UnlockJob {
        final Cluster cluster;
        final String namespace;
        final String name;
        final String uid;
        final boolean forged;
        final boolean removeAll;
        final String failedPodUid;
        final String monitor;
        final Instant createdAt;
        final ObjectMeta meta;
        final io.fabric8.kubernetes.api.model.batch.v1.JobSpec spec;
        final List<SimPod> pods = new ArrayList<>();
        Job object;
        String result;
        Instant finishedAt;
        boolean deleted;
        int failedPods;
        /** What the last unlock pod printed: locks removed, -1 before any ran. */
        int removed = -1;
        /** This Job's pods will fail before running restic (repository unreachable). */
        boolean failing;
        /** This Job's pod never starts (a Secret it mirrors is missing). */
        boolean stuck;
        /** The failed pod's repository key, from the Job's own pod template. */
        final String repositoryKey;

        UnlockJob(Cluster cluster, Job job, String uid, Instant createdAt, boolean forged) {
            this.cluster = cluster;
            this.namespace = job.getMetadata().getNamespace();
            this.name = job.getMetadata().getName();
            this.uid = uid;
            this.forged = forged;
            this.createdAt = createdAt;
            this.meta = new ObjectMetaBuilder(job.getMetadata()).withUid(uid).withCreationTimestamp(k8sTime(createdAt)).build();
            this.spec = job.getSpec();
            List<String> args = spec.getTemplate().getSpec().getContainers().get(0).getArgs();
            this.removeAll = args != null && args.contains(UnlockJobFactory.REMOVE_ALL);
            Map<String, String> a = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
            this.failedPodUid = a.get(UnlockJobMetadata.FAILED_POD_UID);
            this.monitor = a.get(UnlockJobMetadata.MONITOR);
            Pod template = new Pod();
            template.setMetadata(new ObjectMetaBuilder().withName("template").withNamespace(namespace).build());
            template.setSpec(spec.getTemplate().getSpec());
            this.repositoryKey = PodFacts.of(cluster.name, template).repository();
            rebuild();
        }

        boolean active() {
            return result == null && !deleted;
        }

        void rebuild() {
            Job job = new Job();
            job.setApiVersion("batch/v1");
            job.setKind("Job");
            job.setMetadata(meta);
            job.setSpec(spec);
            JobStatus status = new JobStatus();
            if ("Succeeded".equals(result)) {
                status.setSucceeded(1);
                JobCondition c = new JobCondition();
                c.setType("Complete");
                c.setStatus("True");
                status.setConditions(List.of(c));
            } else if ("Failed".equals(result)) {
                status.setFailed(Math.max(1, failedPods));
                JobCondition c = new JobCondition();
                c.setType("Failed");
                c.setStatus("True");
                c.setReason(failedPods > 0 ? "BackoffLimitExceeded" : "DeadlineExceeded");
                c.setMessage(failedPods > 0 ? "Job has reached the specified backoff limit" : "Job was active longer than specified deadline");
                status.setConditions(List.of(c));
            } else {
                status.setActive(pods.stream().anyMatch(SimPod::alive) ? 1 : 0);
                status.setFailed(failedPods == 0 ? null : failedPods);
            }
            job.setStatus(status);
            object = job;
        }

        @Override
        public String toString() {
            return (forged ? "forged " : "") + "unlock Job " + cluster.name + "/" + namespace + "/" + name + (removeAll ? " (--remove-all)" : " (plain)");
        }
    }

    static final class Monitor {
        final String namespace;
        final String name;
        final String uid;
        final Instant createdAt;
        long generation = 1;
        boolean enabled = true;
        int maxConcurrent;
        Integer ttl;
        boolean removeFailedJobs;
        List<String> selectNamespaces;
        String retryToken;
        /** The status as the hub last wrote it. */
        VolSyncMonitorStatus written;

        Monitor(String namespace, String name, String uid, Instant createdAt) {
            this.namespace = namespace;
            this.name = name;
            this.uid = uid;
            this.createdAt = createdAt;
        }

        String key() {
            return namespace + "/" + name;
        }

        VolSyncMonitor object() {
            VolSyncMonitor m = new VolSyncMonitor();
            Map<String, String> annotations = retryToken == null ? null : Map.of("homelab.rafaribe.com/retry-unlock", retryToken);
            m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).withUid(uid).withGeneration(generation)
                    .withCreationTimestamp(k8sTime(createdAt)).withAnnotations(annotations).build());
            VolSyncMonitorSpec spec = new VolSyncMonitorSpec();
            spec.setEnabled(enabled);
            spec.setMaxConcurrentUnlocks(maxConcurrent);
            spec.setTtlSecondsAfterFinished(ttl);
            spec.setRemoveFailedJobs(removeFailedJobs);
            JobSelector selector = new JobSelector();
            selector.setNamespaces(selectNamespaces);
            spec.setJobSelector(selector);
            m.setSpec(spec);
            m.setStatus(written);
            return m;
        }

        @Override
        public String toString() {
            return "monitor " + key() + (enabled ? "" : " (disabled)") + " max " + maxConcurrent;
        }
    }

    // ---- objects ----

    /** Kubernetes writes times with second precision. */
    static String k8sTime(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** VolSync's mover pod spec with the repository on NFS: the Secret by reference, data and cache PVCs, the NFS export. */
    static PodSpec moverSpec(String rs, String secret, Repo repo) {
        List<EnvVar> env = new ArrayList<>();
        env.add(secretEnv("RESTIC_REPOSITORY", secret));
        env.add(secretEnv("RESTIC_PASSWORD", secret));
        env.add(new EnvVar("DATA_DIR", "/data", null));
        env.add(new EnvVar("RESTIC_CACHE_DIR", "/cache", null));
        return new PodSpecBuilder()
                .withRestartPolicy("Never")
                .withServiceAccountName("volsync-src-" + rs)
                .addNewContainer()
                    .withName("restic").withImage("quay.io/backube/volsync:0.16.0").withCommand("/mover-restic/entry.sh").withArgs("backup")
                    .withEnv(env)
                    .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                    .addNewVolumeMount().withName("cache").withMountPath("/cache").endVolumeMount()
                    .addNewVolumeMount().withName("repository").withMountPath("/repository").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim("volsync-" + rs + "-src", true).endVolume()
                .addNewVolume().withName("cache").withNewPersistentVolumeClaim("volsync-src-" + rs + "-cache", false).endVolume()
                .addNewVolume().withName("repository").withNewNfs(repo.export, false, repo.server).endVolume()
                .build();
    }

    private static EnvVar secretEnv(String name, String secret) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef(name, secret, null).endValueFrom().build();
    }

    static ObjectMeta moverPodMeta(MoverJob job, String name, String uid, Instant createdAt) {
        return new ObjectMetaBuilder().withName(name).withNamespace(job.app.namespace).withUid(uid).withCreationTimestamp(k8sTime(createdAt))
                .withLabels(Map.of("app.kubernetes.io/created-by", "volsync", "job-name", job.app.jobName,
                        "batch.kubernetes.io/job-name", job.app.jobName, "controller-uid", job.uid, "batch.kubernetes.io/controller-uid", job.uid))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                        .withName(job.app.jobName).withUid(job.uid).withController(true).build())
                .build();
    }

    static ObjectMeta unlockPodMeta(UnlockJob job, String name, String uid, Instant createdAt) {
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> template = job.spec.getTemplate().getMetadata() == null ? null : job.spec.getTemplate().getMetadata().getLabels();
        if (template != null) {
            labels.putAll(template);
        }
        labels.put("job-name", job.name);
        labels.put("batch.kubernetes.io/job-name", job.name);
        labels.put("controller-uid", job.uid);
        return new ObjectMetaBuilder().withName(name).withNamespace(job.namespace).withUid(uid).withCreationTimestamp(k8sTime(createdAt))
                .withLabels(labels).build();
    }

    /** Which repository a pod's restic reaches: its RESTIC_REPOSITORY Secret in its namespace, on the NFS export it mounts. */
    static Repo repoOf(Cluster c, String namespace, PodSpec spec) {
        for (EnvVar e : spec.getContainers().get(0).getEnv()) {
            if ("RESTIC_REPOSITORY".equals(e.getName()) && e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                Repo repo = c.secrets.get(namespace + "/" + e.getValueFrom().getSecretKeyRef().getName());
                if (repo == null) {
                    return null;
                }
                for (Volume v : spec.getVolumes()) {
                    if (v.getNfs() != null && v.getNfs().getServer().equals(repo.server) && v.getNfs().getPath().equals(repo.export)) {
                        return repo;
                    }
                }
                return null;
            }
        }
        return null;
    }

    // ---- logs ----

    /** restic's age as Go prints a time.Duration: "4m2.5s", "2h4m0s", "3.25s". */
    static String goDuration(Duration d) {
        long ms = Math.max(0, d.toMillis());
        long h = ms / 3_600_000;
        long m = ms / 60_000 % 60;
        long s = ms / 1000 % 60;
        long frac = ms % 1000;
        String secs = frac == 0 ? s + "s" : s + "." + String.format("%03d", frac).replaceAll("0+$", "") + "s";
        if (h > 0) {
            return h + "h" + m + "m" + secs;
        }
        if (m > 0) {
            return m + "m" + secs;
        }
        return secs;
    }

    /** The head of VolSync's mover log (cut short: the detector's cost grows with the lines). */
    static final String LOG_HEAD = "=== Check for dir initialized ===\n";

    /** What a mover meeting {@code lock} prints; {@code shape} picks restic's variants. */
    static String lockLog(Lock lock, Instant now, int shape) {
        if (lock.invalid) {
            return LOG_HEAD + "Fatal: invalid lock file: LoadRaw(<lock/" + lock.id + ">): invalid data returned\n\n"
                    + "the `unlock --remove-all` command can be used to remove invalid locks. Make sure that no other restic process is"
                    + " accessing the repository when running the command\nERROR: failure locking repository\n";
        }
        Instant time = lock.time(now);
        String conflict = "unable to create lock in backend: repository is already locked exclusively by PID " + lock.pid + " on " + lock.host
                + " by root (UID 0, GID 0)\n";
        return switch (shape) {
            // restic and VolSync cut off before the details: no holder, no age.
            case 0 -> LOG_HEAD + "ERROR: failure locking repository\n";
            // an older restic: the time without the age
            case 1 -> LOG_HEAD + conflict + "lock was created at " + LOCK_TIME.format(time) + "\nstorage ID " + lock.id + "\n"
                    + "ERROR: failure locking repository\n";
            default -> LOG_HEAD + conflict + "lock was created at " + LOCK_TIME.format(time) + " (" + goDuration(Duration.between(time, now))
                    + " ago)\nstorage ID " + lock.id + "\nthe `unlock` command can be used to remove stale locks\nERROR: failure locking repository\n";
        };
    }

    static String backupLog() {
        return LOG_HEAD + "=== Starting backup ===\nrepository 3f2a9c1b opened (version 2, compression level auto)\n"
                + "using parent snapshot 6c1f0a2e\n";
    }

    static String otherFailureLog() {
        return LOG_HEAD + "Fatal: unable to open config file: Stat: stat /repository/config: input/output error\n"
                + "Is there a repository at the following location?\nERROR: failure checking existence of repository\n";
    }

    static String unlockLog(int removed) {
        return "=== Starting unlock ===\nsuccessfully removed " + removed + " locks\n";
    }

    static FailedMover mover(SimPod pod) {
        return FailedMover.of(pod.object, pod.moverJob == null ? null : pod.moverJob.object);
    }
}
