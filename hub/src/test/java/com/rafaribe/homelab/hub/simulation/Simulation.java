package com.rafaribe.homelab.hub.simulation;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent.PodFact;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.FailureView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.UnlockView;
import com.rafaribe.homelab.hub.policy.FailedMover;
import com.rafaribe.homelab.hub.policy.HolderRule;
import com.rafaribe.homelab.hub.policy.PodStates;
import com.rafaribe.homelab.hub.policy.PolicyAction;
import com.rafaribe.homelab.hub.policy.StatusBook;
import com.rafaribe.homelab.hub.policy.TrustedNamespaces;
import com.rafaribe.homelab.hub.policy.UnlockLifecycle;
import com.rafaribe.homelab.hub.policy.UnlockLog;
import com.rafaribe.homelab.hub.policy.UnlockRecordView;
import com.rafaribe.homelab.hub.simulation.SimWorld.App;
import com.rafaribe.homelab.hub.simulation.SimWorld.Cluster;
import com.rafaribe.homelab.hub.simulation.SimWorld.Lock;
import com.rafaribe.homelab.hub.simulation.SimWorld.Monitor;
import com.rafaribe.homelab.hub.simulation.SimWorld.MoverJob;
import com.rafaribe.homelab.hub.simulation.SimWorld.Nas;
import com.rafaribe.homelab.hub.simulation.SimWorld.PodKind;
import com.rafaribe.homelab.hub.simulation.SimWorld.Repo;
import com.rafaribe.homelab.hub.simulation.SimWorld.SimPod;
import com.rafaribe.homelab.hub.simulation.SimWorld.UnlockJob;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One schedule: a world built from the seed, moved by a discrete event queue (VolSync's movers,
 * the Job controller, NAS processes, faults), and the hub's {@link UnlockLifecycle} fed what a
 * {@code ClusterVerticle} would report and answered the way {@code PolicyVerticle} answers its
 * actions, late and out of order. {@link Invariants} are checked after every step and at each
 * unlock's execution; the first violation throws {@link Violation} with the seed and the trace.
 */
final class Simulation {
    static final Duration RECHECK = Duration.ofMinutes(1);
    static final Duration RESCAN = Duration.ofMinutes(5);
    static final Duration SETTLE = Duration.ofMinutes(20);
    static final Instant EPOCH = Instant.parse("2026-03-01T00:00:00Z");
    /** How often an app uses a restic repository another app (another namespace or cluster, another Secret) uses too. */
    static final double SHARE_REPOS = Double.parseDouble(System.getProperty("simulation.shareRepos", "0.15"));

    /** A failed invariant: the seed, what failed, the last events. */
    static final class Violation extends RuntimeException {
        final long seed;

        Violation(long seed, String message, String trace) {
            super("seed " + seed + " (replay with -Dsimulation.seed=" + seed + "): " + message + "\nlast events:\n" + trace);
            this.seed = seed;
        }
    }

    private static final class Ev implements Comparable<Ev> {
        final Instant at;
        final long seq;
        final String what;
        final Runnable run;
        final boolean counts;

        Ev(Instant at, long seq, String what, Runnable run, boolean counts) {
            this.at = at;
            this.seq = seq;
            this.what = what;
            this.run = run;
            this.counts = counts;
        }

        @Override
        public int compareTo(Ev o) {
            int c = at.compareTo(o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** An action of the hub on its way to a cluster; a restart orphans it (it may still happen, unanswered). */
    private static final class Pending {
        final PolicyAction action;
        final int epoch;
        boolean orphan;
        boolean performAnyway;

        Pending(PolicyAction action, int epoch) {
            this.action = action;
            this.epoch = epoch;
        }
    }

    /** What the hub counted for one monitor, as observed: since its status was born (all) and as last written. */
    static final class Counted {
        final Set<String> detected = new HashSet<>();
        final Set<String> created = new HashSet<>();
        /** Per unlock Job, how the hub first concluded it: S(ucceeded), F(ailed) or O(ther: nothing removed, raced). Counted once. */
        final Map<String, Character> concluded = new HashMap<>();
        Counted written = null;

        long succeeded() {
            return concluded.values().stream().filter(c -> c == 'S').count();
        }

        long failed() {
            return concluded.values().stream().filter(c -> c == 'F').count();
        }

        Counted copy() {
            Counted c = new Counted();
            c.detected.addAll(detected);
            c.created.addAll(created);
            c.concluded.putAll(concluded);
            return c;
        }
    }

    /** A live mover the hub did not know about when an unlock ran (the time-of-check race): the hub must record it once told. */
    record RaceObligation(String cluster, String moverUid, String unlockJob, String namespace, String failedPodUid) {
    }

    final long seed;
    final Random rnd;
    final int budget;
    Instant now = EPOCH;
    private final PriorityQueue<Ev> queue = new PriorityQueue<>();
    private long seq;
    int worldEvents;
    int steps;
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    final List<Cluster> clusters = new ArrayList<>();
    final List<Repo> repos = new ArrayList<>();
    final List<Nas> nases = new ArrayList<>();
    private int ids;
    boolean settling;

    // the hub
    UnlockLifecycle hub;
    int epoch;
    /** The hub's clock against the clusters' (NTP keeps them within seconds). */
    Duration skew = Duration.ZERO;
    /** The hub's process is suspended until then (a clock jump when it resumes). */
    Instant pausedUntil;
    /** The hub's time at its last tick. */
    Instant lastTick;
    private final List<PolicyAction> out = new ArrayList<>();
    private final List<Pending> pending = new ArrayList<>();
    Collection<UnlockRecordView> records = List.of();
    private Instant wakeScheduled;

    // what was observed, for the invariants
    final Map<String, Counted> counted = new HashMap<>();
    /** Latest decision published per failed pod (cluster/uid), this hub epoch. */
    final Map<String, String> decisions = new HashMap<>();
    /** Lock failures reported to this hub epoch: cluster/uid to the pod. */
    final Map<String, SimPod> toldLockFailures = new HashMap<>();
    /** When a lock failure was first reported to this hub epoch. */
    final Map<String, Instant> toldAt = new HashMap<>();
    /** Latest published state of every record this epoch, by cluster/failed pod UID. */
    final Map<String, UnlockView> views = new HashMap<>();
    /** Unlock Jobs whose creation this hub confirmed (answered) or adopted. */
    final Set<String> knownCreated = new HashSet<>();
    final List<RaceObligation> obligations = new ArrayList<>();
    /** Names of unlock Jobs the hub created, per cluster/namespace/name: never forged. */
    final Map<String, UnlockJob> hubJobs = new HashMap<>();
    /** cluster/name of every unlock Job the hub created. */
    final Set<String> hubJobNames = new HashSet<>();
    final Map<String, Instant> stuckSince = new HashMap<>();

    /** What the hub decided and knew about one unlock Job name, for invariant 2. */
    static final class JobFacts {
        /** When the hub last asked for this Job to be created (it checked the repository then). */
        Instant decidedAt;
        /** When this hub first knew the Job exists (create answered, or its watch reported it). */
        Instant knownAt;
        long decidedOrder;
        /** Orders of the hub calls that asked for it to be deleted. */
        final List<Long> deletesAskedOrder = new ArrayList<>();
        long knownOrder;
        /** This hub's watch reported the Job at least once. */
        boolean watched;
    }

    final Map<String, JobFacts> jobFacts = new HashMap<>();

    JobFacts jobFacts(String cluster, String namespace, String name) {
        return jobFacts.computeIfAbsent(cluster + "/" + namespace + "/" + name, k -> new JobFacts());
    }
    final Invariants invariants = new Invariants(this);
    int unlocksExecuted;
    /** --remove-all removals of a live lock of another repository key: the design gap {@link Invariants} documents. */
    int crossKeyRemovals;
    int removeAllExecuted;
    int lockFailures;

    Simulation(long seed, int budget) {
        this.seed = seed;
        this.rnd = new Random(seed);
        this.budget = budget;
    }

    // ---- running ----

    void run() {
        try {
            build();
            startHub();
            while (worldEvents < budget && !queue.isEmpty()) {
                step();
            }
            settle();
        } catch (Violation v) {
            throw v;
        } catch (RuntimeException | AssertionError e) {
            throw new Violation(seed, "exception: " + e, traceText() + "\n" + stack(e));
        }
    }

    private static String stack(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        String s = w.toString();
        return s.length() > 4000 ? s.substring(0, 4000) : s;
    }

    private void step() {
        Ev e = queue.poll();
        if (e.at.isAfter(now)) {
            now = e.at;
        }
        note(e.what);
        e.run.run();
        if (e.counts) {
            worldEvents++;
        }
        steps++;
        afterStep();
    }

    boolean paused() {
        return pausedUntil != null && now.isBefore(pausedUntil);
    }

    private void afterStep() {
        if (!paused()) {
            call("tick", (o) -> hub.tick(hubNow(), o));
            lastTick = hubNow();
        }
        writeStatuses();
        records = hub.records();
        invariants.afterStep();
        scheduleWake();
    }

    /**
     * Every fault healed, no new Jobs: {@link #SETTLE} (longer than an unlock Job can live unseen, 15 minutes) for the hub to
     * finish what it started, then every lock failure must be accounted for.
     */
    private void settle() {
        settling = true;
        Instant until = now.plus(SETTLE);
        if (paused()) {
            pausedUntil = now;
            resume();
            requeueDeferredActions();
        }
        for (Cluster c : clusters) {
            if (!c.reachable) {
                recover(c);
            }
            if (c.gapUntil != null && c.gapUntil.isAfter(now)) {
                c.gapUntil = now;
                at(now.plusSeconds(1), "watch gap ends on " + c.name, () -> relist(c), false);
            }
        }
        while (!queue.isEmpty() && queue.peek().at.isBefore(until)) {
            step();
        }
        invariants.atEnd();
    }

    Instant hubNow() {
        return now.plus(skew);
    }

    void at(Instant when, String what, Runnable run, boolean counts) {
        queue.add(new Ev(when.isBefore(now) ? now : when, seq++, what, run, counts));
    }

    void after(Duration d, String what, Runnable run) {
        at(now.plus(d), what, run, true);
    }

    static final boolean VERBOSE = Boolean.getBoolean("simulation.verbose");

    void note(String what) {
        if (VERBOSE) {
            System.out.println(now + " " + what);
        }
        if (trace.size() == 40) {
            trace.removeFirst();
        }
        trace.addLast(now + " " + what);
    }

    String traceText() {
        return String.join("\n", trace);
    }

    Violation violation(String message) {
        return new Violation(seed, message, traceText());
    }

    // ---- random ----

    Duration secs(double min, double max) {
        return Duration.ofMillis((long) ((min + rnd.nextDouble() * (max - min)) * 1000));
    }

    Duration mins(double min, double max) {
        return secs(min * 60, max * 60);
    }

    boolean chance(double p) {
        return rnd.nextDouble() < p;
    }

    <T> T pick(List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }

    String uid() {
        return Long.toHexString(rnd.nextLong() | Long.MIN_VALUE) + "-" + (++ids);
    }

    String suffix() {
        String chars = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder s = new StringBuilder(5);
        for (int i = 0; i < 5; i++) {
            s.append(chars.charAt(rnd.nextInt(chars.length())));
        }
        return s.toString();
    }

    String lockId() {
        return String.format("%08x", rnd.nextInt());
    }

    // ---- the world ----

    private void build() {
        now = EPOCH.plus(mins(0, 600));
        skew = Duration.ofMillis(rnd.nextInt(4000) - 2000);
        int clusterCount = 1 + rnd.nextInt(3);
        String[] nsNames = {"media", "home", "db", "tools"};
        String[] appNames = {"jellyfin", "sonarr", "radarr", "immich", "paperless", "postgres", "gitea", "vault"};
        int servers = 1 + rnd.nextInt(2);
        for (int i = 0; i < clusterCount; i++) {
            Cluster c = new Cluster("c" + (i + 1));
            clusters.add(c);
            c.namespaces.add(SimWorld.TRUSTED);
            int nsCount = 1 + rnd.nextInt(3);
            for (int n = 0; n < nsCount; n++) {
                c.namespaces.add(nsNames[n]);
            }
        }
        // Repositories: each on an NFS export; several exports shared by namespaces and clusters.
        for (Cluster c : clusters) {
            for (String ns : c.namespaces.subList(1, c.namespaces.size())) {
                int apps = 1 + rnd.nextInt(2);
                for (int a = 0; a < apps; a++) {
                    String name = appNames[rnd.nextInt(appNames.length)];
                    if (c.apps.stream().anyMatch(x -> x.namespace.equals(ns) && x.name.equals(name))) {
                        continue;
                    }
                    Repo repo;
                    if (!repos.isEmpty() && chance(SHARE_REPOS)) {
                        // The same restic repository used by another namespace or cluster (a restore, a second source).
                        repo = pick(repos);
                    } else {
                        String server = "nas" + (1 + rnd.nextInt(servers)) + ".lan";
                        String export = chance(0.6) ? "/mnt/tank/volsync" : "/mnt/tank/volsync-" + name;
                        repo = new Repo(server + ":" + export + "/" + name + "-" + repos.size(), server, export);
                        repos.add(repo);
                    }
                    String secret = name + "-restic";
                    c.secrets.put(ns + "/" + secret, repo);
                    App app = new App(c, ns, name, secret, repo, uid(), mins(20, 90));
                    c.apps.add(app);
                    app.nextTrigger = now.plus(mins(0, 30));
                    at(app.nextTrigger, "trigger " + app, () -> trigger(app), true);
                }
            }
        }
        for (Cluster c : clusters) {
            Monitor m = newMonitor(c, SimWorld.TRUSTED, "volsync-monitor");
            if (chance(0.3) && c.namespaces.size() > 2) {
                Monitor specific = newMonitor(c, SimWorld.TRUSTED, "volsync-monitor-" + c.namespaces.get(1));
                specific.selectNamespaces = List.of(c.namespaces.get(1));
            }
            if (chance(0.2)) {
                newMonitor(c, c.namespaces.get(1), "untrusted-monitor");
            }
            if (chance(0.1)) {
                m.enabled = false;
            }
        }
        if (chance(0.45)) {
            for (int i = 0; i < 1 + rnd.nextInt(2); i++) {
                Repo repo = pick(repos);
                Nas nas = new Nas(chance(0.5) ? "truenas" : "nas-backup-" + (i + 1), repo, 1000 + rnd.nextInt(30000));
                nases.add(nas);
                after(mins(0, 90), "NAS " + nas.host + " starts restic on " + repo, () -> nasStart(nas, repo));
            }
        }
        after(mins(1, 15), "chaos", this::chaos);
    }

    Monitor newMonitor(Cluster c, String namespace, String name) {
        Monitor m = new Monitor(namespace, name, uid(), now);
        m.maxConcurrent = 1 + rnd.nextInt(3);
        m.ttl = switch (rnd.nextInt(4)) {
            case 0 -> null;
            case 1 -> 0;
            case 2 -> 60;
            default -> 600;
        };
        m.removeFailedJobs = chance(0.3);
        c.monitors.put(m.key(), m);
        c.monitorVersion++;
        return m;
    }

    // -- VolSync --

    private void trigger(App app) {
        if (settling) {
            return;
        }
        if (app.job == null) {
            MoverJob job = new MoverJob(app, uid());
            app.job = job;
            app.cluster.moverJobs.put(app.namespace + "/" + app.jobName, job);
            after(secs(0, 2), "job controller: first pod of " + app.jobName, () -> newMoverPod(job));
        }
        app.nextTrigger = now.plus(app.period).plus(mins(0, 5));
        at(app.nextTrigger, "trigger " + app, () -> trigger(app), true);
    }

    private void newMoverPod(MoverJob job) {
        if (job.finished || job.app.job != job) {
            return;
        }
        Cluster c = job.app.cluster;
        String name = job.app.jobName + "-" + suffix();
        String uid = uid();
        ObjectMeta meta = SimWorld.moverPodMeta(job, name, uid, now);
        SimPod pod = new SimPod(PodKind.MOVER, c, uid, name, job.app.namespace, now, meta, job.app.spec, job.app, job, null);
        job.pods.add(pod);
        c.pods.put(uid, pod);
        podChanged(pod);
        after(secs(2, 15), "mover " + name + " starts", () -> moverStarts(pod));
    }

    private void moverStarts(SimPod pod) {
        if (pod.deleted || !"Pending".equals(pod.phase)) {
            return;
        }
        pod.phase = "Running";
        pod.startedAt = now;
        pod.processAlive = true;
        pod.rebuild();
        podChanged(pod);
        after(secs(1, 3), "mover " + pod.name + " locks " + pod.app.repo, () -> moverLocks(pod));
    }

    private void moverLocks(SimPod pod) {
        if (pod.deleted || !pod.processAlive) {
            return;
        }
        Repo repo = pod.app.repo;
        if (!repo.locks.isEmpty()) {
            Lock first = repo.locks.get(0);
            int shape = rnd.nextInt(20) == 0 ? 0 : rnd.nextInt(12) == 0 ? 1 : 2;
            pod.lockFailure = true;
            lockFailures++;
            moverEnds(pod, "Failed", 1, "Error", SimWorld.lockLog(first, now, shape), false);
            return;
        }
        pod.lock = new Lock(lockId(), pod.name, 10 + rnd.nextInt(90), pod, now, false);
        repo.locks.add(pod.lock);
        note("mover " + pod.name + " holds " + pod.lock);
        after(mins(2, 25), "mover " + pod.name + " finishes", () -> moverFinishes(pod));
    }

    private void moverFinishes(SimPod pod) {
        if (pod.deleted || !pod.processAlive) {
            return;
        }
        double r = rnd.nextDouble();
        if (r < 0.66) {
            release(pod);
            moverEnds(pod, "Succeeded", 0, "Completed", SimWorld.backupLog() + "snapshot 1a2b3c4d saved\n", false);
        } else if (r < 0.74) {
            release(pod);
            moverEnds(pod, "Failed", 1, "Error", SimWorld.otherFailureLog(), false);
        } else if (r < 0.90) {
            // OOM: the process dies holding its lock.
            moverEnds(pod, "Failed", 137, "OOMKilled", SimWorld.backupLog(), true);
        } else {
            // The node goes down: the process dies holding its lock; the pod is failed or deleted later.
            pod.processAlive = false;
            pod.diedAt = now;
            note("node of " + pod.name + " goes down");
            after(secs(20, 300), "node of " + pod.name + " is gone", () -> {
                if (pod.deleted) {
                    return;
                }
                if (chance(0.5)) {
                    deletePod(pod);
                    moverJobPodGone(pod);
                } else {
                    moverEnds(pod, "Failed", 137, "NodeShutdown", SimWorld.backupLog(), true);
                }
            });
        }
    }

    private void release(SimPod pod) {
        if (pod.lock != null) {
            pod.app.repo.locks.remove(pod.lock);
            pod.lock = null;
        }
    }

    private void moverEnds(SimPod pod, String phase, int exit, String reason, String log, boolean killed) {
        pod.phase = phase;
        pod.exitCode = exit;
        pod.terminatedReason = reason;
        pod.finishedAt = now;
        if (pod.processAlive) {
            pod.processAlive = false;
            pod.diedAt = now;
        }
        pod.log = log;
        pod.rebuild();
        podChanged(pod);
        MoverJob job = pod.moverJob;
        if ("Succeeded".equals(phase)) {
            job.finished = true;
            after(secs(1, 10), "VolSync cleans up " + job.app.jobName + " (succeeded)", () -> deleteMoverJob(job));
        } else {
            moverJobPodGone(pod);
        }
    }

    /** A pod of the Job failed or went: the Job controller makes the next one after its backoff, up to 8. */
    private void moverJobPodGone(SimPod pod) {
        MoverJob job = pod.moverJob;
        if (job.finished || job.app.job != job) {
            return;
        }
        job.failures++;
        if (job.failures >= 8) {
            job.finished = true;
            after(secs(1, 30), "VolSync deletes " + job.app.jobName + " (8 failures)", () -> deleteMoverJob(job));
            return;
        }
        long backoff = Math.min(360, 10L << Math.min(job.failures - 1, 6));
        after(Duration.ofSeconds(backoff), "job controller: pod " + (job.failures + 1) + " of " + job.app.jobName, () -> newMoverPod(job));
    }

    void deleteMoverJob(MoverJob job) {
        Cluster c = job.app.cluster;
        if (c.moverJobs.get(job.app.namespace + "/" + job.app.jobName) != job) {
            return;
        }
        c.moverJobs.remove(job.app.namespace + "/" + job.app.jobName);
        job.finished = true;
        if (job.app.job == job) {
            job.app.job = null;
        }
        for (SimPod p : List.copyOf(job.pods)) {
            if (!p.deleted) {
                if (p.processAlive) {
                    // SIGTERM: restic removes its own lock on the way out.
                    release(p);
                    p.processAlive = false;
                    p.diedAt = now;
                }
                deletePod(p);
            }
        }
    }

    void deletePod(SimPod pod) {
        if (pod.deleted) {
            return;
        }
        pod.deleted = true;
        if (pod.processAlive) {
            if (pod.kind == PodKind.MOVER) {
                release(pod);
            }
            pod.processAlive = false;
            pod.diedAt = now;
        }
        pod.cluster.pods.remove(pod.uid);
        podDeleted(pod);
    }

    // -- NAS --

    private void nasStart(Nas nas, Repo repo) {
        if (settling) {
            return;
        }
        if (!repo.locks.isEmpty()) {
            after(mins(10, 30), "NAS " + nas.host + " tries again", () -> nasStart(nas, repo));
            return;
        }
        Nas run = new Nas(nas.host, repo, 1000 + rnd.nextInt(30000));
        run.lock = new Lock(lockId(), run.host, run.pid, run, now, false);
        repo.locks.add(run.lock);
        note("NAS holds " + run.lock + " on " + repo);
        after(mins(40, 180), "NAS " + run.host + " ends", () -> {
            if (!run.alive) {
                return;
            }
            run.alive = false;
            run.diedAt = now;
            if (chance(0.6)) {
                repo.locks.remove(run.lock);
                note("NAS " + run.host + " exits, removing its lock");
            } else {
                note("NAS " + run.host + " is killed, leaving " + run.lock);
            }
            after(mins(30, 120), "NAS " + nas.host + " starts again", () -> nasStart(nas, repo));
        });
    }

    // -- unlock Jobs: the Job controller and restic unlock --

    UnlockJob createUnlockJob(Cluster c, Job job, boolean forged) {
        UnlockJob j = new UnlockJob(c, job, uid(), now, forged);
        c.unlockJobs.put(j.namespace + "/" + j.name, j);
        Repo repo = SimWorld.repoOf(c, j.namespace, j.spec.getTemplate().getSpec());
        j.stuck = repo == null || chance(0.03);
        j.failing = chance(0.08);
        jobChanged(j);
        if (!forged && chance(0.06)) {
            // Someone deletes it before it finishes (kubectl delete, a GitOps prune of what it does not know).
            after(secs(1, 40), "kubectl delete " + j + " (before it finishes)", () -> {
                if (j.active()) {
                    deleteUnlockJob(j);
                }
            });
        }
        Duration firstPod = chance(0.8) ? secs(1, 8) : secs(8, 90);
        after(firstPod, "job controller: pod of " + j, () -> newUnlockPod(j));
        after(Duration.ofSeconds(600), "deadline of " + j, () -> {
            if (j.active()) {
                j.result = "Failed";
                j.finishedAt = now;
                for (SimPod p : j.pods) {
                    if (p.alive()) {
                        p.phase = "Failed";
                        p.finishedAt = now;
                        p.exitCode = 137;
                        p.terminatedReason = "DeadlineExceeded";
                        p.processAlive = false;
                        p.rebuild();
                        podChanged(p);
                    }
                }
                jobFinished(j);
            }
        });
        return j;
    }

    private void newUnlockPod(UnlockJob j) {
        if (!j.active()) {
            return;
        }
        String name = j.name.length() > 57 ? j.name.substring(0, 57) + "-" + suffix() : j.name + "-" + suffix();
        String uid = uid();
        SimPod pod = new SimPod(PodKind.UNLOCK, j.cluster, uid, name, j.namespace, now, SimWorld.unlockPodMeta(j, name, uid, now),
                j.spec.getTemplate().getSpec(), null, null, j);
        if (j.stuck) {
            pod.waitingReason = "CreateContainerConfigError";
            pod.rebuild();
        }
        j.pods.add(pod);
        j.cluster.pods.put(uid, pod);
        podChanged(pod);
        j.rebuild();
        jobChanged(j);
        if (!j.stuck) {
            after(secs(1, 20), "unlock pod " + name + " starts", () -> unlockPodRuns(j, pod));
        }
    }

    private void unlockPodRuns(UnlockJob j, SimPod pod) {
        if (pod.deleted || !j.active()) {
            return;
        }
        pod.phase = "Running";
        pod.startedAt = now;
        pod.processAlive = true;
        pod.rebuild();
        boolean fails = j.failing && chance(0.8);
        if (!fails) {
            Repo repo = SimWorld.repoOf(j.cluster, j.namespace, pod.spec);
            if (!j.forged) {
                invariants.unlockExecutes(j, pod, repo);
            }
            List<Lock> removed = new ArrayList<>();
            for (Lock l : repo.locks) {
                if (j.removeAll || l.stale(now)) {
                    removed.add(l);
                }
            }
            repo.locks.removeAll(removed);
            j.removed = removed.size();
            unlocksExecuted++;
            if (j.removeAll) {
                removeAllExecuted++;
            }
            note(j + " removes " + removed + " from " + repo + ", leaving " + repo.locks);
        }
        podChanged(pod);
        after(secs(1, 4), "unlock pod " + pod.name + " ends", () -> {
            if (pod.deleted || !"Running".equals(pod.phase)) {
                return;
            }
            pod.processAlive = false;
            pod.diedAt = now;
            pod.finishedAt = now;
            if (fails) {
                pod.phase = "Failed";
                pod.exitCode = 1;
                pod.terminatedReason = "Error";
                pod.log = "Fatal: unable to open repository at /repository: connection refused\n";
                j.failedPods++;
            } else {
                pod.phase = "Succeeded";
                pod.exitCode = 0;
                pod.terminatedReason = "Completed";
                pod.log = SimWorld.unlockLog(j.removed);
            }
            pod.rebuild();
            podChanged(pod);
            if (!fails) {
                j.result = "Succeeded";
                j.finishedAt = now;
                jobFinished(j);
            } else if (j.failedPods >= 3) {
                j.result = "Failed";
                j.finishedAt = now;
                jobFinished(j);
            } else {
                j.rebuild();
                jobChanged(j);
                after(Duration.ofSeconds(10L << (j.failedPods - 1)), "job controller: next pod of " + j, () -> newUnlockPod(j));
            }
        });
    }

    private void jobFinished(UnlockJob j) {
        j.rebuild();
        jobChanged(j);
        Integer ttl = j.spec.getTtlSecondsAfterFinished();
        if (ttl != null) {
            after(Duration.ofSeconds(ttl).plus(secs(0, 2)), "TTL deletes " + j, () -> deleteUnlockJob(j));
        }
    }

    void deleteUnlockJob(UnlockJob j) {
        if (j.deleted) {
            return;
        }
        j.deleted = true;
        j.cluster.unlockJobs.remove(j.namespace + "/" + j.name);
        jobDeleted(j);
        for (SimPod p : List.copyOf(j.pods)) {
            if (!p.deleted) {
                after(secs(0, 3), "garbage collector deletes " + p.name, () -> deletePod(p));
            }
        }
    }

    // ---- faults ----

    private void chaos() {
        if (settling) {
            return;
        }
        after(mins(2, 20), "chaos", this::chaos);
        int kind = rnd.nextInt(100);
        Cluster c = pick(clusters);
        if (kind < 10) {
            restartHub();
        } else if (kind < 22) {
            if (c.reachable) {
                c.reachable = false;
                note("cluster " + c.name + " becomes unreachable");
                after(secs(0, 10), "hub's probe finds " + c.name + " down", () -> {
                    if (!c.reachable && c.connected && !paused()) {
                        c.connected = false;
                        c.toldDown = true;
                        call("clusterDown " + c.name, o -> hub.clusterDown(c.name, true, hubNow(), o));
                    }
                });
                after(chance(0.7) ? mins(0.5, 5) : mins(5, 40), "cluster " + c.name + " answers again", () -> recover(c));
            }
        } else if (kind < 36) {
            Duration gap = chance(0.7) ? secs(5, 120) : mins(2, 20);
            if (c.gapUntil != null && c.gapUntil.isAfter(now.plus(gap))) {
                return;
            }
            c.gapUntil = now.plus(gap);
            note("watch gap on " + c.name + " for " + gap);
            at(c.gapUntil, "watch gap ends on " + c.name + ": relist", () -> relist(c), true);
        } else if (kind < 46) {
            List<UnlockJob> active = c.unlockJobs.values().stream().filter(j -> j.active() && !j.forged).toList();
            if (!active.isEmpty()) {
                UnlockJob j = pick(active);
                note("kubectl delete " + j);
                deleteUnlockJob(j);
            }
        } else if (kind < 53) {
            forgeJob(c);
        } else if (kind < 61) {
            impostor();
        } else if (kind < 66) {
            // The hub's host is suspended and resumes later: its clock jumps forward, its watches expired.
            Duration pause = chance(0.7) ? secs(10, 300) : mins(5, 60);
            pausedUntil = now.plus(pause);
            note("hub paused for " + pause + ": its clock will jump forward");
            at(pausedUntil, "hub resumes", this::resume, true);
            for (Cluster x : clusters) {
                if (x.gapUntil == null || x.gapUntil.isBefore(pausedUntil)) {
                    x.gapUntil = pausedUntil;
                }
                at(pausedUntil, "hub resumes: relist " + x.name, () -> relist(x), true);
            }
        } else if (kind < 84) {
            monitorChange(c);
        } else if (kind < 92) {
            // kubectl delete of a running mover pod: restic removes its lock on SIGTERM; the Job makes another.
            List<SimPod> running = c.pods.values().stream().filter(p -> p.kind == PodKind.MOVER && p.alive()).toList();
            if (!running.isEmpty()) {
                SimPod p = pick(running);
                note("kubectl delete pod " + p.name);
                deletePod(p);
                moverJobPodGone(p);
            }
        } else {
            // A manual sync: VolSync starts a mover now.
            if (!c.apps.isEmpty()) {
                App app = pick(c.apps);
                if (app.job == null) {
                    MoverJob job = new MoverJob(app, uid());
                    app.job = job;
                    c.moverJobs.put(app.namespace + "/" + app.jobName, job);
                    after(secs(0, 2), "manual sync of " + app, () -> newMoverPod(job));
                }
            }
        }
    }

    void recover(Cluster c) {
        if (c.reachable) {
            return;
        }
        c.reachable = true;
        note("cluster " + c.name + " reachable again");
        after(secs(1, 10), "hub reconnects to " + c.name, () -> reconnect(c));
    }

    private void reconnect(Cluster c) {
        if (paused()) {
            at(pausedUntil, "hub reconnects to " + c.name + " (after its pause)", () -> reconnect(c), false);
            return;
        }
        if (!c.reachable) {
            return;
        }
        if (c.connected) {
            relist(c);
        } else {
            // After an outage the informers list again (reporting what went meanwhile), before or after the probe
            // reports the cluster Connected and connected() reports everything.
            boolean recovering = c.connectedOnce;
            boolean relistFirst = recovering && chance(0.5);
            if (relistFirst) {
                c.connected = true;
                relist(c);
            }
            connect(c);
            if (recovering && !relistFirst) {
                relist(c);
            }
        }
    }

    private void forgeJob(Cluster c) {
        List<UnlockJob> jobs = c.unlockJobs.values().stream().filter(j -> !j.forged).toList();
        if (jobs.isEmpty()) {
            return;
        }
        UnlockJob original = pick(jobs);
        JobBuilder b = new JobBuilder().withMetadata(new ObjectMetaBuilder(original.meta).withUid(null).withCreationTimestamp(null)
                .withResourceVersion(null).build()).withSpec(original.spec);
        Job forged = b.build();
        forged.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
        if (chance(0.5)) {
            forged.getMetadata().setName(original.name.length() > 58 ? original.name.substring(0, 58) + "-fake" : original.name + "-fake");
        } else {
            List<String> others = c.namespaces.stream().filter(n -> !n.equals(original.namespace)).toList();
            if (others.isEmpty()) {
                return;
            }
            forged.getMetadata().setNamespace(pick(others));
        }
        if (c.unlockJobs.containsKey(forged.getMetadata().getNamespace() + "/" + forged.getMetadata().getName())) {
            return;
        }
        note("someone forges a copy of " + original + " as " + forged.getMetadata().getNamespace() + "/" + forged.getMetadata().getName());
        createUnlockJob(c, forged, true);
    }

    /** A pod named like a lock's holder, created after the lock: in another namespace, or in the same one once the holder is gone. */
    private void impostor() {
        List<Lock> locks = new ArrayList<>();
        repos.forEach(r -> r.locks.stream().filter(l -> l.holder instanceof SimPod).forEach(locks::add));
        if (locks.isEmpty()) {
            return;
        }
        Lock lock = pick(locks);
        SimPod holder = (SimPod) lock.holder;
        Cluster c = chance(0.7) ? holder.cluster : pick(clusters);
        String ns = chance(0.5) ? holder.namespace : pick(c.namespaces);
        if (c.podNamed(ns, holder.name) != null) {
            return;
        }
        String uid = uid();
        ObjectMeta meta = new ObjectMetaBuilder().withName(holder.name).withNamespace(ns).withUid(uid)
                .withCreationTimestamp(SimWorld.k8sTime(now)).withLabels(Map.of("app", "impostor")).build();
        SimPod pod = new SimPod(PodKind.OTHER, c, uid, holder.name, ns, now, meta, holder.spec, null, null, null);
        pod.phase = "Running";
        pod.startedAt = now;
        pod.processAlive = true;
        pod.rebuild();
        c.pods.put(uid, pod);
        note("impostor pod " + c.name + "/" + ns + "/" + holder.name + " created after " + lock);
        after(mins(5, 60), "impostor " + holder.name + " goes", () -> deletePod(pod));
    }

    private void monitorChange(Cluster c) {
        List<Monitor> trusted = c.monitors.values().stream().filter(m -> m.namespace.equals(SimWorld.TRUSTED)).toList();
        int k = rnd.nextInt(6);
        if (trusted.isEmpty() || k == 0) {
            String name = "volsync-monitor" + (chance(0.5) ? "" : "-" + (++ids));
            if (c.monitors.containsKey(SimWorld.TRUSTED + "/" + name)) {
                return;
            }
            Monitor m = newMonitor(c, SimWorld.TRUSTED, name);
            note(c.name + ": kubectl apply " + m);
        } else {
            Monitor m = pick(trusted);
            switch (k) {
                case 1 -> {
                    m.enabled = !m.enabled;
                    m.generation++;
                    note(c.name + ": " + (m.enabled ? "enable " : "disable ") + m);
                }
                case 2 -> {
                    m.maxConcurrent = 1 + rnd.nextInt(3);
                    m.generation++;
                    note(c.name + ": change " + m);
                }
                case 3 -> {
                    c.monitors.remove(m.key());
                    monitorObjectGone(c, m);
                    note(c.name + ": kubectl delete " + m);
                }
                case 4 -> {
                    c.monitors.remove(m.key());
                    monitorObjectGone(c, m);
                    Monitor renamed = newMonitor(c, m.namespace, m.name + "-" + (++ids));
                    renamed.enabled = m.enabled;
                    renamed.maxConcurrent = m.maxConcurrent;
                    renamed.selectNamespaces = m.selectNamespaces;
                    note(c.name + ": rename " + m + " to " + renamed.name);
                }
                default -> {
                    m.retryToken = "retry-" + (++ids);
                    note(c.name + ": annotate " + m + " to retry");
                }
            }
        }
        c.monitorVersion++;
        monitorsChanged(c);
    }

    /** The object whose status the hub wrote is gone: a monitor made again with its name starts with no status. */
    private void monitorObjectGone(Cluster c, Monitor m) {
        String key = c.name + "/" + m.key();
        Counted k = counted.get(key);
        if (k != null && hub.statuses().get(key) == null) {
            // No hub holds its status: a monitor made again with that name starts from nothing.
            counted.remove(key);
        } else if (k != null) {
            // The hub keeps its status in memory (it has not seen the deletion) and writes it to the next object of that name.
            k.written = new Counted();
        }
    }

    // ---- the hub: what its watches report ----

    private final List<Consumer<Consumer<PolicyAction>>> deferred = new ArrayList<>();
    /** Counts the hub's calls: what it knew and decided, in the order it did. */
    long order;

    /** Actions held back by a pause that is over early (the world settles): carried out now. */
    private void requeueDeferredActions() {
        for (Pending p : List.copyOf(pending)) {
            after(secs(0, 1), "carry out (the pause is over) " + describe(p.action), () -> carryOut(p));
        }
    }

    private void resume() {
        List<Consumer<Consumer<PolicyAction>>> calls = new ArrayList<>(deferred);
        deferred.clear();
        for (Consumer<Consumer<PolicyAction>> c : calls) {
            call("deferred", c);
        }
    }

    void call(String what, Consumer<Consumer<PolicyAction>> input) {
        if (!paused()) {
            order++;
        }
        if (paused()) {
            // Events published to a suspended hub wait in its event loop's queue.
            deferred.add(input);
            return;
        }
        input.accept(out::add);
        if (!out.isEmpty()) {
            List<PolicyAction> actions = new ArrayList<>(out);
            out.clear();
            for (PolicyAction a : actions) {
                act(a);
            }
        }
    }

    private void startHub() {
        epoch++;
        deferred.clear();
        pausedUntil = null;
        hub = new UnlockLifecycle(new TrustedNamespaces(Set.of(SimWorld.TRUSTED)), RECHECK);
        decisions.clear();
        remembered.clear();
        knownCreated.clear();
        jobFacts.values().forEach(f -> {
            f.knownAt = null;
            f.watched = false;
            f.deletesAskedOrder.clear();
        });
        toldLockFailures.clear();
        toldAt.clear();
        views.clear();
        for (Cluster c : clusters) {
            c.cachePods.clear();
            c.cacheJobs.clear();
            c.toldAlive.clear();
            c.toldAliveOrder.clear();
            c.reportedFailed.clear();
            c.holderWatches.clear();
            c.cacheMonitorVersion = -1;
            c.connected = false;
            c.connectedOnce = false;
            c.toldDown = false;
            if (c.reachable) {
                // Its ClusterVerticle reports Connecting (not Failed) before it has listed anything.
                call("clusterDown(false) " + c.name + " (Connecting)", o -> hub.clusterDown(c.name, false, hubNow(), o));
                after(secs(0.5, 5), "hub connects to " + c.name, () -> reconnect(c));
            } else {
                c.toldDown = true;
                call("clusterDown " + c.name, o -> hub.clusterDown(c.name, true, hubNow(), o));
            }
        }
    }

    private void restartHub() {
        note("hub restarts (epoch " + (epoch + 1) + ")");
        for (Pending p : pending) {
            p.orphan = true;
            p.performAnyway = chance(0.5);
        }
        // What was not written is lost with the process.
        for (Map.Entry<String, Counted> e : counted.entrySet()) {
            Counted w = e.getValue().written;
            Counted restored = w == null ? new Counted() : w.copy();
            restored.written = w;
            e.setValue(restored);
        }
        // A monitor that is gone meanwhile is never seeded by the new hub.
        counted.keySet().removeIf(key -> {
            int slash = key.indexOf('/');
            return !cluster(key.substring(0, slash)).monitors.containsKey(key.substring(slash + 1));
        });
        startHub();
    }

    /** ClusterVerticle.connected(): the monitors, unlock pods and Jobs, mover pods (failed ones as failures), then synced. */
    void connect(Cluster c) {
        // A new connection: the holder watches went with the old one; the records ask (and watch) again once it is synced.
        c.holderWatches.clear();
        c.connected = true;
        c.connectedOnce = true;
        if (c.toldDown) {
            c.toldDown = false;
            call("clusterDown(false) " + c.name, o -> hub.clusterDown(c.name, false, hubNow(), o));
        }
        deliverMonitors(c);
        for (SimPod p : List.copyOf(c.pods.values())) {
            if (p.kind == PodKind.UNLOCK) {
                deliverPod(c, p, false, false);
            }
        }
        for (UnlockJob j : List.copyOf(c.unlockJobs.values())) {
            deliverJob(c, j, false);
        }
        c.reportedFailed.clear();
        for (SimPod p : List.copyOf(c.pods.values())) {
            if (p.kind == PodKind.MOVER) {
                deliverPod(c, p, false, false);
            }
        }
        call("clusterSynced " + c.name, o -> hub.clusterSynced(c.name, hubNow(), o));
    }

    /** The informers list again after a gap: what changed, and what went (deleted while unseen). */
    void relist(Cluster c) {
        if (!c.watching(now) || paused()) {
            return;
        }
        // The holder watches resume from their resourceVersion after the gap: what changed meanwhile is told now.
        for (String key : List.copyOf(c.holderWatches.keySet())) {
            String ns = key.substring(0, key.indexOf('/'));
            String name = key.substring(key.indexOf('/') + 1);
            call("holder changed (after the gap) " + name, o -> hub.holderChanged(c.name, ns, name, hubNow(), o));
        }
        int first = rnd.nextInt(3);
        for (int i = 0; i < 3; i++) {
            switch ((first + i) % 3) {
                case 0 -> {
                    for (String uid : List.copyOf(c.cachePods.keySet())) {
                        SimPod p = c.pods.get(uid);
                        if (p == null) {
                            deliverGone(c, uid);
                        }
                    }
                    for (SimPod p : List.copyOf(c.pods.values())) {
                        if (p.kind != PodKind.OTHER && c.cachePods.get(p.uid) != p.object) {
                            deliverPod(c, p, false, false);
                        }
                    }
                }
                case 1 -> {
                    for (String key : List.copyOf(c.cacheJobs.keySet())) {
                        UnlockJob j = c.unlockJobs.get(key);
                        if (j == null || c.cacheJobs.get(key).getMetadata().getUid() != null
                                && !c.cacheJobs.get(key).getMetadata().getUid().equals(j.uid)) {
                            Job gone = c.cacheJobs.remove(key);
                            List<Pod> pods = cachedPodsOf(c, gone);
                            call("unlock Job deleted (relist) " + key, o -> hub.unlockJobChanged(c.name, gone, pods, true, hubNow(), o));
                        }
                    }
                    for (UnlockJob j : List.copyOf(c.unlockJobs.values())) {
                        if (c.cacheJobs.get(j.namespace + "/" + j.name) != j.object) {
                            deliverJob(c, j, false);
                        }
                    }
                }
                default -> {
                    if (c.cacheMonitorVersion != c.monitorVersion) {
                        deliverMonitors(c);
                    }
                }
            }
        }
    }

    /** ClusterVerticle's rescan: the cached monitors, unlock Jobs and failed movers again. */
    private void rescan(Cluster c) {
        if (!c.connected || !c.reachable || paused()) {
            return;
        }
        List<VolSyncMonitor> monitors = cachedMonitors.getOrDefault(c.name, List.of());
        call("rescan monitors " + c.name, o -> hub.monitorsChanged(c.name, monitors, hubNow(), o));
        for (Map.Entry<String, Job> e : List.copyOf(c.cacheJobs.entrySet())) {
            Job job = e.getValue();
            List<Pod> pods = cachedPodsOf(c, job);
            call("rescan unlock Job " + e.getKey(), o -> hub.unlockJobChanged(c.name, job, pods, false, hubNow(), o));
        }
        for (Map.Entry<String, Pod> e : List.copyOf(c.cachePods.entrySet())) {
            Pod pod = e.getValue();
            SimPod sim = c.pods.get(e.getKey());
            if (!isUnlockPod(pod) && PodStates.failed(pod)) {
                reportFailed(c, pod, sim);
            }
        }
    }

    private final Map<String, List<VolSyncMonitor>> cachedMonitors = new HashMap<>();

    private void deliverMonitors(Cluster c) {
        c.cacheMonitorVersion = c.monitorVersion;
        List<VolSyncMonitor> list = c.monitors.values().stream().map(Monitor::object).toList();
        if (VERBOSE) {
            note("  monitors of " + c.name + ": " + c.monitors.values());
        }
        cachedMonitors.put(c.name, list);
        call("monitors of " + c.name, o -> hub.monitorsChanged(c.name, list, hubNow(), o));
    }

    boolean watching(Cluster c) {
        return c.watching(now) && !paused();
    }

    void monitorsChanged(Cluster c) {
        if (watching(c)) {
            deliverMonitors(c);
        }
    }

    void podChanged(SimPod pod) {
        holderChanged(pod);
        if (pod.kind != PodKind.OTHER && watching(pod.cluster)) {
            deliverPod(pod.cluster, pod, false, true);
        }
    }

    void podDeleted(SimPod pod) {
        holderChanged(pod);
        if (pod.kind != PodKind.OTHER && watching(pod.cluster) && pod.cluster.cachePods.containsKey(pod.uid)) {
            deliverGone(pod.cluster, pod.uid);
        }
    }

    /** A pod the informers do not cover, watched by name because a record waits for it: the watch tells of its change. */
    private void holderChanged(SimPod pod) {
        Cluster c = pod.cluster;
        java.util.Set<String> waiting = c.holderWatches.get(pod.namespace + "/" + pod.name);
        if (pod.kind == PodKind.OTHER && waiting != null && !waiting.isEmpty() && watching(c)) {
            call("holder changed " + pod.name, o -> hub.holderChanged(c.name, pod.namespace, pod.name, hubNow(), o));
        }
    }

    void jobChanged(UnlockJob j) {
        if (watching(j.cluster)) {
            deliverJob(j.cluster, j, false);
        }
    }

    void jobDeleted(UnlockJob j) {
        Cluster c = j.cluster;
        String key = j.namespace + "/" + j.name;
        if (watching(c) && c.cacheJobs.containsKey(key)) {
            Job gone = c.cacheJobs.remove(key);
            List<Pod> pods = cachedPodsOf(c, gone);
            call("unlock Job deleted " + key, o -> hub.unlockJobChanged(c.name, gone, pods, true, hubNow(), o));
        }
    }

    private void deliverGone(Cluster c, String uid) {
        Pod gone = c.cachePods.remove(uid);
        PodFact fact = cachedFacts.remove(c.name + "/" + uid);
        c.reportedFailed.remove(uid);
        if (fact != null) {
            call("pod deleted " + gone.getMetadata().getName(), o -> hub.podChanged(c.name, fact, true, hubNow(), o));
        }
    }

    private final Map<String, PodFact> cachedFacts = new HashMap<>();

    private void deliverPod(Cluster c, SimPod p, boolean deleted, boolean live) {
        c.cachePods.put(p.uid, p.object);
        cachedFacts.put(c.name + "/" + p.uid, p.fact);
        PodFact fact = p.fact;
        boolean firstAlive = fact.alive() && !c.toldAlive.containsKey(p.uid);
        call("pod " + p.name + " " + p.phase, o -> hub.podChanged(c.name, fact, false, hubNow(), o));
        if (firstAlive && !paused()) {
            c.toldAlive.put(p.uid, now);
            c.toldAliveOrder.put(p.uid, order);
        }
        if (firstAlive && p.kind == PodKind.MOVER) {
            invariants.moverTold(c, p);
        }
        if (p.kind == PodKind.MOVER) {
            if (PodStates.failed(p.object) && c.reportedFailed.add(p.uid)) {
                reportFailed(c, p.object, p);
            }
        } else if (p.kind == PodKind.UNLOCK) {
            Job job = c.cacheJobs.get(p.namespace + "/" + p.unlockJob.name);
            if (job != null) {
                List<Pod> pods = cachedPodsOf(c, job);
                call("unlock Job " + job.getMetadata().getName() + " (its pod changed)", o -> hub.unlockJobChanged(c.name, job, pods, false, hubNow(), o));
            }
        }
    }

    private void reportFailed(Cluster c, Pod pod, SimPod sim) {
        MoverJob mj = sim == null ? null : sim.moverJob;
        Job job = mj != null && c.moverJobs.get(mj.app.namespace + "/" + mj.app.jobName) == mj ? mj.object : null;
        FailedMover mover = FailedMover.of(pod, job);
        Map<String, String> labels = job != null ? job.getMetadata().getLabels() : pod.getMetadata().getLabels();
        if (sim != null && sim.lockFailure) {
            toldLockFailures.put(c.name + "/" + sim.uid, sim);
            toldAt.putIfAbsent(c.name + "/" + sim.uid, now);
        }
        touched.clear();
        call("mover failed " + pod.getMetadata().getName(), o -> hub.moverFailed(c.name, pod, mover, labels, null, hubNow(), o));
        if (!paused() && !touched.contains(pod.getMetadata().getUid()) && !decisions.containsKey(c.name + "/" + pod.getMetadata().getUid())) {
            // Neither read nor decided: the hub remembers (in a monitor's status) that it created or joined an unlock for it.
            remembered.add(c.name + "/" + pod.getMetadata().getUid());
        }
    }

    private void deliverJob(Cluster c, UnlockJob j, boolean deleted) {
        c.cacheJobs.put(j.namespace + "/" + j.name, j.object);
        JobFacts f = jobFacts(c.name, j.namespace, j.name);
        Job job = j.object;
        List<Pod> pods = cachedPodsOf(c, job);
        if (!paused() && f.knownAt == null) {
            f.knownAt = now;
            f.knownOrder = order + 1;
        }
        f.watched |= !paused();
        call("unlock Job " + j.name + " " + (j.result == null ? "active" : j.result), o -> hub.unlockJobChanged(c.name, job, pods, deleted, hubNow(), o));
    }

    private static boolean isUnlockPod(Pod p) {
        Map<String, String> l = p.getMetadata().getLabels();
        return l != null && "volsync-unlock".equals(l.get("app.kubernetes.io/name"));
    }

    private List<Pod> cachedPodsOf(Cluster c, Job job) {
        List<Pod> pods = new ArrayList<>();
        for (Pod p : c.cachePods.values()) {
            if (isUnlockPod(p) && p.getMetadata().getNamespace().equals(job.getMetadata().getNamespace())
                    && job.getMetadata().getName().equals(p.getMetadata().getLabels().get("job-name"))) {
                pods.add(p);
            }
        }
        return pods;
    }

    // ---- the hub: carrying out its actions ----

    private Duration actionDelay() {
        double r = rnd.nextDouble();
        return r < 0.7 ? secs(0.05, 1.5) : r < 0.95 ? secs(1.5, 5) : secs(5, 40);
    }

    /** Failed pods an action of the current call was about. */
    private final Set<String> touched = new HashSet<>();
    /** Lock failures a hub skipped at once because its status says they were handled (this epoch). */
    final Set<String> remembered = new HashSet<>();

    private void act(PolicyAction action) {
        if (action instanceof PolicyAction.ReadEvidence r) {
            touched.add(r.podUid());
        } else if (action instanceof PolicyAction.Publish p && p.update() instanceof FailureView f) {
            touched.add(f.failedPodUid());
        }
        if (action instanceof PolicyAction.Publish p) {
            observe(p.update());
            return;
        }
        if (action instanceof PolicyAction.RecordEvent) {
            return;
        }
        // The watch starts from the resourceVersion of the answer the decision to wait was made on: nothing is missed in between.
        if (action instanceof PolicyAction.WatchHolder w) {
            Cluster c = cluster(w.cluster());
            if (watching(c)) {
                c.holderWatches.computeIfAbsent(w.namespace() + "/" + w.podName(), k -> new HashSet<>()).add(w.recordKey());
            }
            return;
        }
        if (action instanceof PolicyAction.UnwatchHolder w) {
            Cluster c = cluster(w.cluster());
            java.util.Set<String> waiting = c.holderWatches.get(w.namespace() + "/" + w.podName());
            if (waiting != null && waiting.remove(w.recordKey()) && waiting.isEmpty()) {
                c.holderWatches.remove(w.namespace() + "/" + w.podName());
            }
            return;
        }
        if (action instanceof PolicyAction.CreateJob a) {
            invariants.creating(a, records = hub.records());
            JobFacts f = jobFacts(a.cluster(), a.job().getMetadata().getNamespace(), a.job().getMetadata().getName());
            f.decidedAt = now;
            f.decidedOrder = order;
        } else if (action instanceof PolicyAction.DeleteUnlockJob d) {
            jobFacts(d.cluster(), d.namespace(), d.name()).deletesAskedOrder.add(order);
        }
        Pending p = new Pending(action, epoch);
        pending.add(p);
        after(actionDelay(), "carry out " + describe(action), () -> carryOut(p));
    }

    private void carryOut(Pending p) {
        if (paused() && !p.orphan) {
            // A suspended hub sends nothing and hears nothing until it resumes.
            at(pausedUntil, "carry out (after the pause) " + describe(p.action), () -> carryOut(p), false);
            return;
        }
        if (!pending.remove(p)) {
            return;
        }
        if (p.orphan && !p.performAnyway) {
            return;
        }
        perform(p);
    }

    private static String describe(PolicyAction a) {
        if (a instanceof PolicyAction.CreateJob c) {
            return "CreateJob " + c.cluster() + "/" + c.job().getMetadata().getNamespace() + "/" + c.job().getMetadata().getName();
        }
        if (a instanceof PolicyAction.FindHolder f) {
            return "FindHolder " + f.podName() + " on " + f.cluster() + " in " + f.namespaces();
        }
        if (a instanceof PolicyAction.DeleteUnlockJob d) {
            return "DeleteUnlockJob " + d.cluster() + "/" + d.namespace() + "/" + d.name() + " uid " + d.uid();
        }
        if (a instanceof PolicyAction.ReadEvidence r) {
            return "ReadEvidence " + r.cluster() + "/" + r.namespace() + "/" + r.pod();
        }
        if (a instanceof PolicyAction.ReadUnlockLog r) {
            return "ReadUnlockLog " + r.cluster() + "/" + r.namespace() + "/" + r.pod();
        }
        return a.getClass().getSimpleName();
    }

    boolean pendingFor(String recordKey) {
        for (Pending p : pending) {
            if (p.orphan) {
                continue;
            }
            PolicyAction a = p.action;
            if (a instanceof PolicyAction.FindHolder f && f.recordKey().equals(recordKey)
                    || a instanceof PolicyAction.CreateJob c && c.recordKey().equals(recordKey)
                    || a instanceof PolicyAction.ReadUnlockLog r && r.recordKey().equals(recordKey)) {
                return true;
            }
        }
        return false;
    }

    Cluster cluster(String name) {
        for (Cluster c : clusters) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException(name);
    }

    private void perform(Pending p) {
        boolean answer = !p.orphan && p.epoch == epoch;
        PolicyAction action = p.action;
        if (action instanceof PolicyAction.ReadEvidence a) {
            Cluster c = cluster(a.cluster());
            SimPod pod = c.pods.get(a.podUid());
            if (!answer) {
                return;
            }
            if (!c.reachable || pod == null) {
                String why = !c.reachable ? "cluster " + c.name + " does not answer" : "pods \"" + a.pod() + "\" not found";
                call("evidence unavailable " + a.pod(), o -> hub.evidenceUnavailable(a.cluster(), a.podUid(), why, hubNow(), o));
                return;
            }
            String text = a.alreadyRead() != null ? a.alreadyRead() : pod.log;
            String evidence = a.terminationMessage() == null || a.terminationMessage().isBlank() ? text : text + "\n" + a.terminationMessage();
            var verdict = a.detector().examine(evidence);
            call("detected " + a.pod() + " lock=" + verdict.lock(), o -> hub.detected(a.cluster(), a.podUid(), verdict, hubNow(), o));
        } else if (action instanceof PolicyAction.FindHolder a) {
            if (!answer) {
                return;
            }
            Cluster c = cluster(a.cluster());
            if (!c.reachable) {
                call("holder not checked on " + c.name, o -> hub.holderAnswered(a.recordKey(), a.cluster(), null, hubNow(), o));
                return;
            }
            List<HolderRule.HolderPod> found = new ArrayList<>();
            for (String ns : a.namespaces()) {
                Pod pod = null;
                // A watched pod is read from the informer cache; any other costs a GET.
                for (Pod cached : c.cachePods.values()) {
                    if (cached.getMetadata().getNamespace().equals(ns) && cached.getMetadata().getName().equals(a.podName())) {
                        pod = cached;
                    }
                }
                // As ClusterCommands: a pod of the failed mover's own Job, absent from the cache that reported the failure, is gone.
                boolean ownJobPod = ns.equals(a.ownJobNamespace()) && a.ownJob() != null && PodStates.isPodOfJob(a.podName(), a.ownJob());
                if (pod == null && !ownJobPod) {
                    SimPod live = c.podNamed(ns, a.podName());
                    pod = live == null ? null : live.object;
                }
                if (pod != null) {
                    String created = pod.getMetadata().getCreationTimestamp();
                    found.add(new HolderRule.HolderPod(a.cluster(), ns, pod.getMetadata().getName(), pod.getMetadata().getUid(),
                            PodStates.phase(pod), PodStates.alive(pod), created == null ? null : Instant.parse(created)));
                }
            }
            call("holder answer " + a.podName() + " on " + c.name + ": " + found.size(),
                    o -> hub.holderAnswered(a.recordKey(), a.cluster(), found, hubNow(), o));
        } else if (action instanceof PolicyAction.CreateJob a) {
            Cluster c = cluster(a.cluster());
            Job job = a.job();
            String key = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
            if (!c.reachable) {
                if (answer) {
                    call("create failed", o -> hub.jobCreateAnswered(a.recordKey(), false, "cluster " + c.name + " is Failed", hubNow(), o));
                }
                return;
            }
            boolean existed = c.unlockJobs.containsKey(key);
            UnlockJob created = null;
            if (!existed) {
                created = createUnlockJob(c, job, false);
                hubJobs.put(c.name + "/" + key, created);
                hubJobNames.add(c.name + "/" + created.name);
                note("created " + created + " for " + a.recordKey());
            }
            if (answer) {
                boolean timeout = created != null && chance(0.03);
                JobFacts f = jobFacts(c.name, job.getMetadata().getNamespace(), job.getMetadata().getName());
                call("create answered " + key + (existed ? " (existed)" : ""), o -> hub.jobCreateAnswered(a.recordKey(), existed,
                        timeout ? "request timed out after 15s" : null, hubNow(), o));
                if (!timeout && f.knownAt == null) {
                    f.knownAt = now;
                    f.knownOrder = order;
                }
            }
        } else if (action instanceof PolicyAction.DeleteUnlockJob a) {
            Cluster c = cluster(a.cluster());
            UnlockJob j = c.unlockJobs.get(a.namespace() + "/" + a.name());
            if (c.reachable && j != null && (a.uid() == null || a.uid().equals(j.uid))) {
                note("hub deletes " + j);
                deleteUnlockJob(j);
            }
        } else if (action instanceof PolicyAction.ReadUnlockLog a) {
            Cluster c = cluster(a.cluster());
            SimPod pod = c.podNamed(a.namespace(), a.pod());
            if (!answer) {
                return;
            }
            OptionalInt removed = !c.reachable || pod == null ? OptionalInt.empty() : UnlockLog.removedLocks(pod.log);
            call("unlock log of " + a.pod() + ": " + removed, o -> hub.unlockLogRead(a.recordKey(), removed, hubNow(), o));
        } else if (action instanceof PolicyAction.DeleteFailedJob a) {
            Cluster c = cluster(a.cluster());
            MoverJob mj = c.moverJobs.get(a.namespace() + "/" + a.name());
            boolean deleted = false;
            if (c.reachable && mj != null && mj.uid.equals(a.uid()) && mj.pods.stream().noneMatch(x -> !x.deleted && x.alive())) {
                note("hub deletes failed Job " + a.name());
                deleteMoverJob(mj);
                deleted = true;
            }
            if (answer && c.reachable) {
                boolean d = deleted;
                call("failed Job deleted " + d, o -> hub.failedJobDeleted(a.recordKey(), d));
            }
        }
    }

    // ---- observations ----

    static final Set<String> COUNTED_DECISIONS = Set.of("unlocked", "joined", "circuit-open");

    private boolean hasStatus(String cluster, String monitor) {
        return hub.statuses().get(cluster + "/" + monitor) != null;
    }

    Counted counted(String cluster, String monitor) {
        return counted.computeIfAbsent(cluster + "/" + monitor, k -> new Counted());
    }

    private void observe(ReadModelUpdate update) {
        if (update instanceof FailureView f) {
            if (VERBOSE) {
                note("  decision " + f.decision() + " for " + f.failedPod() + " (" + f.failedPodUid() + "): " + f.reason());
            }
            decisions.put(f.cluster() + "/" + f.failedPodUid(), f.decision());
            if (COUNTED_DECISIONS.contains(f.decision()) && f.monitor() != null && hasStatus(f.cluster(), f.monitor())) {
                counted(f.cluster(), f.monitor()).detected.add(f.failedPodUid());
            }
        } else if (update instanceof UnlockView v) {
            if (VERBOSE) {
                note("  record " + v.failedPod() + " " + v.state() + " job " + v.unlockJob() + ": " + v.reason());
            }
            UnlockView previous = views.put(v.cluster() + "/" + v.failedPodUid(), v);
            if (previous != null && previous.state().equals(v.state()) && java.util.Objects.equals(previous.unlockJob(), v.unlockJob())
                    && java.util.Objects.equals(previous.reason(), v.reason())) {
                // Published again (a recovery noted), not a change: nothing was counted.
                return;
            }
            if (!hasStatus(v.cluster(), v.monitor())) {
                // The monitor went away meanwhile: its status is gone, nothing is counted anywhere.
                return;
            }
            Counted c = counted(v.cluster(), v.monitor());
            String reason = v.reason() == null ? "" : v.reason();
            if (v.unlockJob() != null && reason.startsWith("unlock Job " + v.unlockJob() + " found at start")) {
                c.detected.add(v.failedPodUid());
                c.created.add(v.unlockJob());
            } else if (v.unlockJob() != null && (reason.startsWith("unlock Job " + v.unlockJob() + " created: ")
                    || reason.startsWith("unlock Job " + v.unlockJob() + " was created after"))) {
                c.created.add(v.unlockJob());
                // A created unlock counts its failed pod as detected too, if this status had not (StatusBook.countCreated).
                c.detected.add(v.failedPodUid());
            }
            String job = v.unlockJob();
            if ("Succeeded".equals(v.state())) {
                c.concluded.putIfAbsent(job, 'S');
            } else if ("Failed".equals(v.state())) {
                c.concluded.putIfAbsent(job, 'F');
            } else if (job != null && reason.startsWith("plain restic unlock " + job + " removed no lock")) {
                c.concluded.putIfAbsent(job, 'O');
            } else if (job != null && (reason.contains("started before unlock Job " + job + " ran") && knownCreated.contains(v.cluster() + "/" + job)
                    || reason.startsWith("unlock Job " + job + " was created after"))) {
                // Raced after its creation was confirmed: counted as raced. Raced while the create was in flight: not counted.
                c.concluded.putIfAbsent(job, 'O');
            }
            if (job != null && (reason.startsWith("unlock Job " + job + " found at start") || reason.startsWith("unlock Job " + job + " created: "))) {
                knownCreated.add(v.cluster() + "/" + job);
            }
        } else if (update instanceof ReadModelUpdate.MonitorGone g) {
            counted.remove(g.cluster() + "/" + g.namespace() + "/" + g.name());
        }
    }

    // ---- status writes ----

    /** MonitorStatusWriter: a dirty status is written when its cluster answers and the monitor exists. */
    private void writeStatuses() {
        for (StatusBook.Entry e : hub.statuses().entries()) {
            if (!e.dirty) {
                continue;
            }
            Cluster c = cluster(e.cluster);
            Monitor m = c.monitors.get(e.namespace + "/" + e.name);
            if (!c.reachable || m == null) {
                continue;
            }
            e.dirty = false;
            m.written = copy(e.status);
            Counted k = counted(e.cluster, e.namespace + "/" + e.name);
            k.written = k.copy();
            if (chance(0.05)) {
                // The write is a change of the monitor: its watch reports it.
                c.monitorVersion++;
                monitorsChanged(c);
            }
        }
    }

    /** A deep copy of what is written (fabric8's Serialization.clone costs more than a whole step). */
    static VolSyncMonitorStatus copy(VolSyncMonitorStatus s) {
        VolSyncMonitorStatus c = new VolSyncMonitorStatus();
        c.setPhase(s.getPhase());
        c.setActiveUnlockCount(s.getActiveUnlockCount());
        c.setTotalUnlocksCreated(s.getTotalUnlocksCreated());
        c.setTotalUnlocksSucceeded(s.getTotalUnlocksSucceeded());
        c.setTotalUnlocksFailed(s.getTotalUnlocksFailed());
        c.setTotalLockErrorsDetected(s.getTotalLockErrorsDetected());
        c.setTotalFailedJobsRemoved(s.getTotalFailedJobsRemoved());
        c.setLastUnlockTime(s.getLastUnlockTime());
        c.setLastError(s.getLastError());
        c.setObservedGeneration(s.getObservedGeneration());
        c.setRetryUnlockSeen(s.getRetryUnlockSeen());
        for (var a : s.getActiveUnlocks()) {
            var x = new com.rafaribe.homelab.hub.api.ActiveUnlock();
            x.setAppName(a.getAppName());
            x.setNamespace(a.getNamespace());
            x.setObjectName(a.getObjectName());
            x.setJobName(a.getJobName());
            x.setStartTime(a.getStartTime());
            x.setAlertFingerprint(a.getAlertFingerprint());
            x.setState(a.getState());
            x.setFailedJob(a.getFailedJob());
            x.setPodUid(a.getPodUid());
            c.getActiveUnlocks().add(x);
        }
        for (var p : s.getProcessedJobs()) {
            var x = new com.rafaribe.homelab.hub.api.ProcessedJob();
            x.setJobName(p.getJobName());
            x.setNamespace(p.getNamespace());
            x.setProcessedTime(p.getProcessedTime());
            x.setUnlockJobName(p.getUnlockJobName());
            x.setRemoved(p.getRemoved());
            x.setLockError(p.getLockError());
            x.setPodUid(p.getPodUid());
            x.setUnlockResult(p.getUnlockResult());
            c.getProcessedJobs().add(x);
        }
        for (var f : s.getFailingRepositories()) {
            var x = new com.rafaribe.homelab.hub.api.RepositoryFailures();
            x.setRepositoryKey(f.getRepositoryKey());
            x.setConsecutiveFailures(f.getConsecutiveFailures());
            x.setLastFailureTime(f.getLastFailureTime());
            x.setLastError(f.getLastError());
            c.getFailingRepositories().add(x);
        }
        for (var k : s.getConditions()) {
            c.getConditions().add(new io.fabric8.kubernetes.api.model.Condition(k.getLastTransitionTime(), k.getMessage(),
                    k.getObservedGeneration(), k.getReason(), k.getStatus(), k.getType()));
        }
        return c;
    }

    private void scheduleWake() {
        Instant next = null;
        for (UnlockRecordView r : records) {
            if (r.wakeAt() != null && ("Queued".equals(r.state()) || "WaitingForHolder".equals(r.state()))) {
                Instant worldTime = r.wakeAt().minus(skew);
                if (worldTime.isAfter(now) && (next == null || worldTime.isBefore(next))) {
                    next = worldTime;
                }
            }
        }
        if (next != null && (wakeScheduled == null || !wakeScheduled.isAfter(now) || next.isBefore(wakeScheduled))) {
            wakeScheduled = next;
            at(next, "tick", () -> { }, false);
        }
        if (nextRescan == null || !nextRescan.isAfter(now)) {
            nextRescan = now.plus(RESCAN);
            at(nextRescan, "rescan", () -> clusters.forEach(this::rescan), false);
        }
    }

    private Instant nextRescan;
}
