package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.api.UnlockJobMetadata.*;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.Map;

/**
 * What an unlock Job says it is, believed only when its name is the one the hub gives the unlock
 * of the failed pod it names (labels and annotations alone can be copied by anyone who may create
 * a Job). A restarted hub rebuilds its records from these; the repository is read from the Job's
 * own pod template and namespace, never from its annotations.
 */
record UnlockJobClaim(String podUid, int attempt, String owner, HolderRule.Kind mode) {
    /** A rebuilt record has no verdict: it retries with a plain unlock. */
    static final LockVerdict NO_VERDICT = new LockVerdict(true, new LockVerdict.Rule("rebuilt", "rebuilt from an unlock Job"), false,
            null, 0, 0, null, null, null, null, null);

    /** The claim, or null when the Job is not the hub's own unlock Job. */
    static UnlockJobClaim of(Job job) {
        Map<String, String> a = job.getMetadata().getAnnotations() == null ? Map.of() : job.getMetadata().getAnnotations();
        String podUid = a.get(FAILED_POD_UID);
        String app = a.getOrDefault(APP, "");
        String owner = app.indexOf('/') < 0 ? app : app.substring(app.indexOf('/') + 1);
        int attempt;
        try {
            attempt = Integer.parseInt(a.getOrDefault(ATTEMPT, "1"));
        } catch (NumberFormatException e) {
            return null;
        }
        if (!UnlockJobFactory.isOwnName(job.getMetadata().getName(), owner, podUid, attempt) || !a.getOrDefault(MONITOR, "").contains("/")) {
            return null;
        }
        HolderRule.Kind mode = "plain".equals(a.get(UNLOCK_MODE)) ? HolderRule.Kind.PLAIN : HolderRule.Kind.REMOVE_ALL;
        return new UnlockJobClaim(podUid, attempt, owner, mode);
    }

    /** A restarted hub learns its unlock back from the Job it created: Running until the Job says otherwise. */
    static UnlockRecord rebuild(String cluster, Job job, UnlockJobClaim claim, Instant now) {
        Map<String, String> a = job.getMetadata().getAnnotations();
        String monitor = a.get(MONITOR);
        String app = a.getOrDefault(APP, "");
        int kindSlash = app.indexOf('/');
        FailedMover mover = new FailedMover(job.getMetadata().getNamespace(), a.get(FAILED_POD), claim.podUid(), a.get(FAILED_JOB),
                a.get(FAILED_JOB_UID), kindSlash < 0 ? null : app.substring(0, kindSlash), claim.owner());
        Instant created = job.getMetadata().getCreationTimestamp() == null ? now : Instant.parse(job.getMetadata().getCreationTimestamp());
        Pod template = new PodBuilder().withNewMetadata().withName(mover.podName()).withNamespace(mover.namespace()).withUid(claim.podUid())
                .withLabels(job.getSpec().getTemplate().getMetadata() == null ? null : job.getSpec().getTemplate().getMetadata().getLabels())
                .endMetadata().withSpec(job.getSpec().getTemplate().getSpec()).build();
        Map<String, String> moverLabels = mover.jobName() == null ? Map.of() : Map.of("job-name", mover.jobName());
        UnlockRecord r = new UnlockRecord(cluster, mover, moverLabels, monitor.substring(0, monitor.indexOf('/')),
                monitor.substring(monitor.indexOf('/') + 1), RepositoryKey.of(cluster, template), a.get(MATCHED_LINE), a.get(HOLDER),
                created, null, template, null);
        r.unlockJob = job.getMetadata().getName();
        r.unlockJobUid = job.getMetadata().getUid();
        r.attempt = claim.attempt();
        r.mode = claim.mode();
        r.createdAt = created;
        r.state = UnlockRecord.State.Running;
        r.reason = "unlock Job " + r.unlockJob + " found at start";
        return r;
    }
}
