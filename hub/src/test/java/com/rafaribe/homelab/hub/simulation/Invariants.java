package com.rafaribe.homelab.hub.simulation;

import com.rafaribe.homelab.hub.api.VolSyncMonitorSpec;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.UnlockView;
import com.rafaribe.homelab.hub.policy.PolicyAction;
import com.rafaribe.homelab.hub.policy.StatusBook;
import com.rafaribe.homelab.hub.policy.UnlockRecordView;
import com.rafaribe.homelab.hub.simulation.SimWorld.Cluster;
import com.rafaribe.homelab.hub.simulation.SimWorld.Lock;
import com.rafaribe.homelab.hub.simulation.SimWorld.PodKind;
import com.rafaribe.homelab.hub.simulation.SimWorld.Repo;
import com.rafaribe.homelab.hub.simulation.SimWorld.SimPod;
import com.rafaribe.homelab.hub.simulation.SimWorld.UnlockJob;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * What must hold whatever the schedule. Each method checks one invariant and throws a
 * {@link Simulation.Violation} naming it. The safety invariants (1, 2) are checked at the moment
 * an unlock Job's restic runs in the world; 3 when the hub decides to create an unlock Job and
 * after every step; 4 and 5 after every step; 4 again once the world has settled.
 */
final class Invariants {
    /** How long a Running record may outlive its Job (or its Job's end) while the cluster reports normally. */
    static final Duration STUCK_GRACE = Duration.ofMinutes(5);
    /**
     * A Job the hub's watch never reported (created, run and deleted during a watch gap) leaves no
     * trace a relist could report: the hub can only tell from the time, 600 s (activeDeadlineSeconds)
     * and 5 minutes after it created the Job.
     */
    static final Duration UNSEEN_GRACE = Duration.ofMinutes(16);
    /** A stated wait may be overdue by this much (the verticle ticks every second). */
    static final Duration TICK_SLACK = Duration.ofSeconds(2);

    private final Simulation sim;

    Invariants(Simulation sim) {
        this.sim = sim;
    }

    // ---- 1 and 2: at the moment an unlock runs ----

    /**
     * Invariant 1: {@code unlock --remove-all} never removes a live lock: no process holding a
     * lock in that repository (a mover pod's restic, a NAS process) is alive when it runs.
     * Invariant 2: no unlock of any kind runs while another pod of the repository (a mover of the
     * same repository key in that cluster) is Pending or Running.
     *
     * <p>The one exception to both is the time-of-check race the hub can only detect afterwards:
     * a mover of the same repository key that the hub had not been told about (its watch had not
     * reported it alive) when the unlock Job was created. The hub must then record the race as soon
     * as it is told: see {@link #moverTold}.
     *
     * <p>A second, documented exception to invariant 1 is a gap of the settled design, not of its
     * implementation: "busy" is per repository key (cluster, namespace, Secret), so a mover of
     * another key whose Secret names the same restic repository (two namespaces or clusters backing
     * up into one repository) is not protected from --remove-all unless it is the holder the lock
     * error named; and the named holder itself only if the hub had been told of its pod when it
     * decided (a pod of a same-named Job in another cluster, started during a watch gap there, is
     * invisible to rule (ii)'s name shortcut). Such removals are counted ({@code crossKeyRemovals})
     * and reported, not failed; -Dsimulation.shareRepos=0 builds worlds without shared repositories.
     */
    void unlockExecutes(UnlockJob job, SimPod unlockPod, Repo repo) {
        Cluster c = job.cluster;
        for (SimPod w : c.pods.values()) {
            if (w.kind != PodKind.MOVER || !w.alive() || w.uid.equals(job.failedPodUid) || !job.repositoryKey.equals(w.fact.repository())) {
                continue;
            }
            if (!excused(job, w)) {
                throw sim.violation("invariant 2 (no unlock while the repository is in use): " + job + " runs while " + w
                        + " of the same repository runs, and the hub was told it was alive at " + c.toldAlive.get(w.uid)
                        + ", before it decided to create the Job at " + sim.jobFacts(c.name, job.namespace, job.name).decidedAt);
            }
        }
        if (!job.removeAll) {
            return;
        }
        for (Lock l : repo.locks) {
            if (!l.live()) {
                continue;
            }
            if (l.holder instanceof SimPod w && w.kind == PodKind.MOVER && w.cluster == c && job.repositoryKey.equals(w.fact.repository())
                    && excused(job, w)) {
                continue;
            }
            if (l.holder instanceof SimPod w && w.kind == PodKind.MOVER && !job.repositoryKey.equals(w.fact.repository())
                    && (!l.host.equals(namedHolder(job)) || !toldBeforeDecision(job, w))) {
                sim.crossKeyRemovals++;
                sim.note("design gap: " + job + " removes live " + l + " of another repository key on the same restic repository");
                continue;
            }
            throw sim.violation("invariant 1 (never --remove-all a live lock): " + job + " (for failed pod " + job.failedPodUid
                    + ") runs while " + l + " is live in " + repo);
        }
    }

    /**
     * A live mover of the repository the hub had not been told about when it decided to create the
     * Job (the time-of-check race): excused, provided the hub acts once it knows both the mover and
     * the Job: it has asked for the Job's deletion since it knew the Job exists, and records the race.
     */
    private boolean excused(UnlockJob job, SimPod w) {
        Instant told = w.cluster.toldAlive.get(w.uid);
        Long toldOrder = w.cluster.toldAliveOrder.get(w.uid);
        Simulation.JobFacts facts = sim.jobFacts(job.cluster.name, job.namespace, job.name);
        if (toldOrder != null && facts.decidedAt != null && toldOrder <= facts.decidedOrder) {
            return false;
        }
        if (toldOrder != null && facts.knownAt != null) {
            // A delete asked for once the hub knew the Job exists (for this race or an earlier one) may still be on its way.
            Instant bothAt = told.isAfter(facts.knownAt) ? told : facts.knownAt;
            boolean deleteAsked = facts.deletesAskedOrder.stream().anyMatch(t -> t >= facts.knownOrder);
            if (!deleteAsked && Duration.between(bothAt, sim.now).compareTo(Duration.ofSeconds(1)) > 0) {
                throw sim.violation("invariant 2 (a raced unlock Job is deleted): " + job + " runs while " + w + " runs; the hub knew"
                        + " the mover at " + told + " and the Job at " + facts.knownAt + " and never asked to delete the Job after that");
            }
        }
        Simulation.RaceObligation o = new Simulation.RaceObligation(job.cluster.name, w.uid, job.name, job.namespace, job.failedPodUid);
        if (told != null) {
            check(o, w.cluster);
        } else {
            sim.obligations.add(o);
        }
        return true;
    }

    /** Whether the hub's watch had reported the pod (alive) before the hub decided to create the Job. */
    private boolean toldBeforeDecision(UnlockJob job, SimPod w) {
        Long told = w.cluster.toldAliveOrder.get(w.uid);
        Simulation.JobFacts facts = sim.jobFacts(job.cluster.name, job.namespace, job.name);
        return told != null && facts.decidedAt != null && told <= facts.decidedOrder;
    }

    /** The host the lock error named, from the unlock Job's holder annotation ("host (PID n, ...)"). */
    private static String namedHolder(UnlockJob job) {
        Map<String, String> a = job.meta.getAnnotations();
        String holder = a == null ? null : a.get(com.rafaribe.homelab.hub.api.UnlockJobMetadata.HOLDER);
        return holder == null || holder.indexOf(" (") < 0 ? "" : holder.substring(0, holder.indexOf(" ("));
    }

    /** The hub was told a mover is alive: any race it is owed must show now. */
    void moverTold(Cluster c, SimPod mover) {
        for (Iterator<Simulation.RaceObligation> it = sim.obligations.iterator(); it.hasNext(); ) {
            Simulation.RaceObligation o = it.next();
            if (o.cluster().equals(c.name) && o.moverUid().equals(mover.uid)) {
                it.remove();
                check(o, c);
            }
        }
    }

    /**
     * Invariant 2, second half: told of a mover of the repository while its unlock Job has not run
     * to the end, the hub records the race (races > 0) and deletes the Job; an unlock pod that had
     * already succeeded (in the hub's view) is a race the hub can no longer undo. A failed unlock pod
     * is no excuse: the Job makes another one.
     */
    private void check(Simulation.RaceObligation o, Cluster c) {
        for (UnlockRecordView r : sim.hub.records()) {
            if (!r.cluster().equals(o.cluster()) || !r.podUid().equals(o.failedPodUid())) {
                continue;
            }
            if (!"Running".equals(r.state()) || !o.unlockJob().equals(r.unlockJob()) || r.races() > 0) {
                return;
            }
            boolean ran = c.cachePods.values().stream().anyMatch(p -> o.unlockJob().equals(p.getMetadata().getLabels() == null ? null
                    : p.getMetadata().getLabels().get("job-name")) && p.getMetadata().getNamespace().equals(o.namespace())
                    && "Succeeded".equals(com.rafaribe.homelab.hub.policy.PodStates.phase(p)));
            if (!ran) {
                throw sim.violation("invariant 2 (a race is recorded): the hub was told mover " + o.moverUid() + " of the repository runs"
                        + " while unlock Job " + o.unlockJob() + " was Running and had not run, and recorded no race: " + r);
            }
        }
    }

    // ---- 3: limits ----

    /**
     * Invariant 3, as the hub decides: creating an unlock Job leaves at most one Running record per
     * repository and at most maxConcurrentUnlocks Running records for the monitor (as the hub was
     * told its spec).
     */
    void creating(PolicyAction.CreateJob a, Collection<UnlockRecordView> records) {
        UnlockRecordView self = records.stream().filter(r -> (r.cluster() + "/" + r.podUid()).equals(a.recordKey())).findFirst().orElse(null);
        if (self == null) {
            throw sim.violation("the hub creates an unlock Job for record " + a.recordKey() + " it does not have");
        }
        long sameRepository = records.stream().filter(r -> "Running".equals(r.state()) && r.cluster().equals(self.cluster())
                && r.repository().equals(self.repository())).count();
        if (sameRepository > 1) {
            throw sim.violation("invariant 3 (one unlock per repository): creating " + a.job().getMetadata().getName() + " makes "
                    + sameRepository + " Running unlocks of " + self.repository());
        }
        long sameMonitor = records.stream().filter(r -> "Running".equals(r.state()) && r.monitorKey().equals(self.monitorKey())).count();
        int max = maxConcurrent(self.cluster(), self.monitorKey());
        if (sameMonitor > max) {
            throw sim.violation("invariant 3 (maxConcurrentUnlocks): creating " + a.job().getMetadata().getName() + " makes " + sameMonitor
                    + " Running unlocks of monitor " + self.monitorKey() + " (max " + max + ")");
        }
    }

    private int maxConcurrent(String cluster, String monitorKey) {
        Cluster c = sim.cluster(cluster);
        for (SimWorld.Monitor m : c.monitors.values()) {
            if (StatusBook.key(cluster, m.namespace, m.name).equals(monitorKey)) {
                return m.maxConcurrent <= 0 ? VolSyncMonitorSpec.DEFAULT_MAX_CONCURRENT_UNLOCKS : m.maxConcurrent;
            }
        }
        return VolSyncMonitorSpec.DEFAULT_MAX_CONCURRENT_UNLOCKS;
    }

    /**
     * Invariant 3 at any time: at most one Running record per repository. Records a restarted hub
     * rebuilt from the Jobs it found are exempt: it did not choose to run them.
     */
    void oneRunningPerRepository() {
        Map<String, UnlockRecordView> running = new HashMap<>();
        for (UnlockRecordView r : sim.records) {
            if (!"Running".equals(r.state()) || r.reason() != null && r.reason().contains("found at start")) {
                continue;
            }
            UnlockRecordView other = running.put(r.cluster() + "/" + r.repository(), r);
            if (other != null) {
                throw sim.violation("invariant 3 (one unlock per repository): " + other + " and " + r + " both Running");
            }
        }
    }

    // ---- 4: liveness ----

    /**
     * Invariant 4, each step: a Running record whose unlock Job is gone or finished must not stay
     * Running longer than {@link #STUCK_GRACE} while its cluster reports normally; a waiting record
     * with a stated wait (wakeAt) must not be overdue unless an answer it waits for is on its way
     * or it waits for its cluster's first complete listing.
     */
    void progress() {
        if (sim.paused()) {
            sim.stuckSince.clear();
            return;
        }
        Instant hubNow = sim.lastTick;
        Set<String> seen = new java.util.HashSet<>();
        for (UnlockRecordView r : sim.records) {
            String key = r.cluster() + "/" + r.podUid();
            Cluster c = sim.cluster(r.cluster());
            boolean healthy = c.reachable && c.connected && (c.gapUntil == null || !sim.now.isBefore(c.gapUntil));
            if ("Running".equals(r.state()) && r.unlockJob() != null) {
                UnlockJob job = c.unlockJobs.get(r.namespace() + "/" + r.unlockJob());
                boolean over = job == null || !job.active();
                String stuckKey = key + "/" + r.unlockJob();
                if (!over || !healthy || sim.pendingFor(key)) {
                    sim.stuckSince.remove(stuckKey);
                    continue;
                }
                seen.add(stuckKey);
                Instant since = sim.stuckSince.computeIfAbsent(stuckKey, k -> sim.now);
                Simulation.JobFacts facts = sim.jobFacts(r.cluster(), r.namespace(), r.unlockJob());
                boolean overdue = Duration.between(since, sim.now).compareTo(STUCK_GRACE) > 0;
                if (job == null && !facts.watched && overdue) {
                    // Never reported by the watch: the hub can only tell by the time since it created the Job.
                    overdue = facts.decidedAt == null || Duration.between(facts.decidedAt, sim.now).compareTo(UNSEEN_GRACE) > 0;
                }
                if (overdue) {
                    throw sim.violation("invariant 4 (no record without progress): " + r + " is still Running " + STUCK_GRACE.toMinutes()
                            + " minutes after its unlock Job " + (job == null ? "went away" : "ended " + job.result));
                }
            } else if (("Queued".equals(r.state()) || "WaitingForHolder".equals(r.state())) && r.wakeAt() != null
                    && r.wakeAt().plus(TICK_SLACK).isBefore(hubNow) && !sim.pendingFor(key)
                    && !(r.reason() != null && r.reason().startsWith("waiting for cluster"))) {
                throw sim.violation("invariant 4 (stated waits end): " + r + " should have woken at " + r.wakeAt() + "; it is " + hubNow);
            }
        }
        sim.stuckSince.keySet().retainAll(seen);
    }

    /**
     * Invariant 4 once the world settled (every fault healed, 20 minutes without new Jobs): every lock
     * failure this hub was told about was decided, and a decided unlock ended (Succeeded, Failed,
     * Cancelled) or waits with a stated end; a failure whose log could not be read was read again
     * unless its pod is gone.
     */
    void atEnd() {
        progress();
        for (Map.Entry<String, SimPod> e : sim.toldLockFailures.entrySet()) {
            SimPod pod = e.getValue();
            if (sim.toldAt.get(e.getKey()).isAfter(sim.now.minus(Duration.ofMinutes(5)))) {
                continue; // reported in the settle's last minutes: its evidence may still be on its way
            }
            String decision = sim.decisions.get(e.getKey());
            if (decision == null && (sim.remembered.contains(e.getKey()) || processedEarlier(pod))) {
                // An earlier hub created (or joined) its unlock and wrote so in the status: a restarted hub rightly leaves it alone.
                continue;
            }
            if (decision == null) {
                throw sim.violation("invariant 4 (every lock failure is decided): " + pod + " was reported to the hub with a lock failure"
                        + " and never decided");
            }
            if ("not-a-lock".equals(decision)) {
                throw sim.violation("the detector did not see a lock in " + pod + ":\n" + pod.log);
            }
            if ("log-unavailable".equals(decision) && !pod.deleted) {
                throw sim.violation("invariant 4: the log of " + pod + " was unavailable once and never read again");
            }
            if (!"unlocked".equals(decision)) {
                continue;
            }
            UnlockView v = sim.views.get(e.getKey());
            String state = v == null ? null : v.state();
            if (state != null && Set.of("Succeeded", "Failed", "Cancelled").contains(state)) {
                continue;
            }
            UnlockRecordView r = sim.records.stream().filter(x -> (x.cluster() + "/" + x.podUid()).equals(e.getKey())).findFirst().orElse(null);
            if (r == null) {
                throw sim.violation("invariant 4: the unlock of " + pod + " (last " + v + ") is neither finished nor waiting");
            }
            if (("Queued".equals(r.state()) || "WaitingForHolder".equals(r.state())) && r.wakeAt() == null && !sim.pendingFor(e.getKey())
                    && !waitsForALiveHolder(r)) {
                throw sim.violation("invariant 4 (a wait has a stated end): " + r + " waits with no end");
            }
        }
    }

    private static final java.util.regex.Pattern LIVE_HOLDER = java.util.regex.Pattern.compile("^holder (\\S+) is \\S+ in cluster (\\S+?)[: ]");

    /**
     * A wait for a live holder has no stated end: its end is the holder's next change, which a watch tells (the pod
     * watches, or the hub's watch on that one name). Allowed only while that holder is alive in the world: a holder
     * gone whose record still waits is a change the hub missed.
     */
    private boolean waitsForALiveHolder(UnlockRecordView r) {
        java.util.regex.Matcher m = r.reason() == null || !"WaitingForHolder".equals(r.state()) ? null : LIVE_HOLDER.matcher(r.reason());
        if (m == null || !m.find()) {
            return false;
        }
        Cluster c = sim.cluster(m.group(2));
        return c.pods.values().stream().anyMatch(p -> !p.deleted && p.name.equals(m.group(1)) && p.alive());
    }

    private boolean processedEarlier(SimPod pod) {
        for (StatusBook.Entry e : sim.hub.statuses().entries()) {
            if (e.cluster.equals(pod.cluster.name) && e.status.getProcessedJobs().stream()
                    .anyMatch(p -> pod.uid.equals(p.getPodUid()) && p.getUnlockJobName() != null)) {
                return true;
            }
        }
        return false;
    }

    // ---- 5: counters ----

    /**
     * Invariant 5: each monitor's counters, as written, equal the distinct pods and Jobs the hub
     * counted for it since its status was born: totalLockErrorsDetected the distinct failed pods
     * decided as lock failures (unlocked, joined, circuit-open) or whose unlock Job a restarted hub
     * adopted; totalUnlocksCreated the distinct unlock Jobs whose creation it confirmed or adopted;
     * totalUnlocksSucceeded/Failed the distinct Jobs it ended so. Across restarts the relation is
     * kept exactly: what was counted but not yet written when the hub restarted is forgotten on both
     * sides (the hub seeds from the written status; the observation sets fall back to their written
     * copy). Only entries whose status is written (not dirty) are compared. Every Job counted as
     * created is one the hub created (never a forged one), and every Job counted as succeeded
     * succeeded in the world.
     */
    void counters() {
        for (StatusBook.Entry e : sim.hub.statuses().entries()) {
            if (e.dirty) {
                continue;
            }
            Simulation.Counted k = sim.counted.get(e.cluster + "/" + e.namespace + "/" + e.name);
            int detected = k == null ? 0 : k.detected.size();
            int created = k == null ? 0 : k.created.size();
            long succeeded = k == null ? 0 : k.succeeded();
            long failed = k == null ? 0 : k.failed();
            VolSyncMonitorStatus s = e.status;
            compare(e, "totalLockErrorsDetected", s.getTotalLockErrorsDetected(), detected);
            compare(e, "totalUnlocksCreated", s.getTotalUnlocksCreated(), created);
            compare(e, "totalUnlocksSucceeded", s.getTotalUnlocksSucceeded(), succeeded);
            compare(e, "totalUnlocksFailed", s.getTotalUnlocksFailed(), failed);
            if (k != null) {
                for (String job : k.created) {
                    boolean ours = sim.hubJobNames.contains(e.cluster + "/" + job);
                    if (!ours) {
                        throw sim.violation("invariant 5: monitor " + e.namespace + "/" + e.name + " counts unlock Job " + job
                                + " as created, a Job the hub never created (forged)");
                    }
                }
            }
        }
    }

    private void compare(StatusBook.Entry e, String counter, Long value, long expected) {
        long v = value == null ? 0 : value;
        if (v != expected) {
            throw sim.violation("invariant 5 (counters equal what they count): monitor " + e.cluster + "/" + e.namespace + "/" + e.name + " "
                    + counter + " is " + v + " but " + expected + " distinct were counted:" + describe(sim.counted.get(e.cluster + "/" + e.namespace + "/" + e.name)));
        }
    }

    private static String describe(Simulation.Counted k) {
        return k == null ? "" : " detected=" + k.detected + " created=" + k.created + " concluded=" + k.concluded;
    }

    void afterStep() {
        oneRunningPerRepository();
        progress();
        counters();
    }
}
