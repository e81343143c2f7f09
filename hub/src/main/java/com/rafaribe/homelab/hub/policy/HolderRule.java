package com.rafaribe.homelab.hub.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Never remove a live lock. A pod is the holder only if it could have taken the lock: it was
 * created no later than the lock, in the failed mover's namespace or one whose pods use the same
 * repository. (i) Such a pod is Pending, Running, Unknown or has a container still running: wait.
 * (ii) It is provably gone (terminated, or seen deleted, or the name is a pod of the failed
 * mover's own Job and no such pod exists): {@code restic unlock --remove-all}. (iii) Anything
 * else, a watched cluster that could not be asked included: plain {@code restic unlock}, which
 * removes only what restic itself calls stale on the lock's current timestamp, and not before
 * the lock could be stale by the newest age seen in a mover log of the repository.
 */
public final class HolderRule {
    /** restic's own stale age: a live lock is refreshed every 5 minutes. */
    public static final Duration STALE_AGE = Duration.ofMinutes(30);
    /**
     * The API server writes whole seconds, and a node's clock (the lock's time, the container's end)
     * is not the API server's: a holder whose pod was created this little after the lock's time by
     * those clocks may still have taken it. Seen on the real control plane, where restic locks
     * within a second of its pod's creation.
     */
    static final Duration CLOCK_SLACK = Duration.ofSeconds(5);

    private HolderRule() {
    }

    public enum Kind { WAIT, REMOVE_ALL, PLAIN }

    /** @param notBefore for WAIT: when to look again (null: on the holder's next change); for PLAIN: the earliest start */
    public record Decision(Kind kind, Instant notBefore, String reason) {
    }

    /** A pod of the holder's name, as a cluster reported it; {@code cause}: why a lock it held was left, as its state says. */
    public record HolderPod(String cluster, String namespace, String name, String uid, String phase, boolean alive, Instant createdAt,
                            LockCause cause) {
        public HolderPod(String cluster, String namespace, String name, String uid, String phase, boolean alive, Instant createdAt) {
            this(cluster, namespace, name, uid, phase, alive, createdAt, LockCause.UNKNOWN);
        }
    }

    /**
     * @param lockTime        when the lock was (last) written, as the mover's log said; null when it printed no age
     * @param allowed         per cluster asked, the namespaces where the holder may run
     * @param pods            pods of the holder's name that the clusters reported
     * @param unreachable     watched clusters that should have been asked and could not be
     * @param deletedHolder   a pod of that name the hub saw deleted (in an allowed namespace), or null
     * @param busyBy          a pod of the repository that is Pending or Running now, or null
     * @param staleNotBefore  the earliest time the lock could be stale by the newest age seen for the repository
     */
    public record Evidence(LockVerdict verdict, Instant lockTime, String failingCluster, String moverNamespace, String moverJobName,
                           Map<String, Set<String>> allowed, List<HolderPod> pods, Set<String> unreachable,
                           HolderPod deletedHolder, String busyBy, Instant staleNotBefore) {
    }

    public static Decision decide(Evidence e, Instant now) {
        LockVerdict verdict = e.verdict();
        if (verdict != null && verdict.invalidLockFile()) {
            if (e.busyBy() != null) {
                return new Decision(Kind.WAIT, null, "an invalid lock file names no holder; waiting while pod " + e.busyBy() + " of the repository runs");
            }
            if (!e.unreachable().isEmpty()) {
                return new Decision(Kind.WAIT, null, "an invalid lock file names no holder; waiting until cluster " + String.join(", ", e.unreachable())
                        + " (sharing the repository) answers");
            }
            return new Decision(Kind.REMOVE_ALL, now, "an invalid lock file names no holder, no pod of the repository runs and every cluster"
                    + " sharing it answers: restic's own hint, unlock --remove-all");
        }
        LockHolder holder = verdict == null ? null : verdict.holder();
        if (holder == null || holder.host().isEmpty()) {
            return plain(e, now, "restic named no holder");
        }
        String host = holder.host();
        HolderPod terminated = null;
        for (HolderPod pod : e.pods()) {
            if (!couldHold(e, pod)) {
                continue;
            }
            if (pod.alive()) {
                return new Decision(Kind.WAIT, null, "holder " + host + " is " + pod.phase() + " in cluster " + pod.cluster()
                        + (pod.namespace().equals(e.moverNamespace()) ? "" : " (a namespace sharing the repository)") + ": the lock is live");
            }
            terminated = terminated == null ? pod : terminated;
        }
        if (!e.unreachable().isEmpty()) {
            return plain(e, now, "holder " + host + " cannot be checked: cluster " + String.join(", ", e.unreachable()) + " does not answer");
        }
        if (terminated != null) {
            return new Decision(Kind.REMOVE_ALL, now, "holder pod " + host + " has terminated (" + terminated.phase() + ")");
        }
        if (e.deletedHolder() != null && couldHold(e, e.deletedHolder())) {
            return new Decision(Kind.REMOVE_ALL, now, "holder pod " + host + " was deleted (seen by the hub)");
        }
        boolean noSuchPodHere = e.pods().stream().noneMatch(p -> p.cluster().equals(e.failingCluster()) && p.namespace().equals(e.moverNamespace()));
        if (e.moverJobName() != null && PodStates.isPodOfJob(host, e.moverJobName()) && noSuchPodHere) {
            return new Decision(Kind.REMOVE_ALL, now, "holder " + host + " was a pod of the failed mover's own Job and no longer exists");
        }
        return plain(e, now, "holder " + host + " is not a pod the hub can place");
    }

    /** A pod of the holder's name that came after the lock, or runs where the repository is not used, is an impostor. */
    static boolean couldHold(Evidence e, HolderPod pod) {
        Set<String> namespaces = e.allowed().getOrDefault(pod.cluster(), Set.of());
        if (!namespaces.contains(pod.namespace())) {
            return false;
        }
        return e.lockTime() == null || pod.createdAt() == null || !pod.createdAt().isAfter(e.lockTime().plus(CLOCK_SLACK));
    }

    private static Decision plain(Evidence e, Instant now, String why) {
        Instant at = e.staleNotBefore();
        if (at != null && at.isAfter(now)) {
            return new Decision(Kind.PLAIN, at, why + ": a plain restic unlock (never --remove-all) once the lock could be stale, "
                    + STALE_AGE.toMinutes() + " minutes after it was last seen fresh");
        }
        return new Decision(Kind.PLAIN, now, why + ": a plain restic unlock (never --remove-all), which removes the lock only if restic"
                + " itself calls it stale");
    }
}
