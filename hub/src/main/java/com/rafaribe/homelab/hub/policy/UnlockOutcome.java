package com.rafaribe.homelab.hub.policy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Where an unlock Job stands, from the Job and its pods. */
public final class UnlockOutcome {
    /**
     * Waiting reasons that will not resolve by themselves. Not ContainerCreating: a slow image pull
     * or volume attach may still finish, and the Job's activeDeadlineSeconds ends it otherwise (a
     * Failed condition, DeadlineExceeded). Not ErrImagePull: it is the result of one failed pull
     * attempt, which a retry may fix; a pull that keeps failing shows ImagePullBackOff between
     * attempts, and that one counts.
     */
    static final Set<String> STUCK_REASONS = Set.of("CreateContainerConfigError", "ImagePullBackOff",
            "InvalidImageName", "CreateContainerError");
    public static final Duration STUCK_AFTER = Duration.ofMinutes(3);

    public enum State { RUNNING, SUCCEEDED, FAILED }

    public record Result(State state, String reason) {
    }

    private UnlockOutcome() {
    }

    public static Result of(Job job, List<Pod> pods, Instant now) {
        if (job.getStatus() != null) {
            if (job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() > 0) {
                return new Result(State.SUCCEEDED, "unlock Job succeeded");
            }
            Optional<String> failed = job.getStatus().getConditions() == null ? Optional.empty()
                    : job.getStatus().getConditions().stream()
                    .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))
                    .map(c -> "unlock Job failed: " + c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()))
                    .findFirst();
            if (failed.isPresent()) {
                return new Result(State.FAILED, failed.get());
            }
        }
        for (Pod pod : pods) {
            Optional<String> waiting = PodStates.waitingReason(pod);
            Instant created = pod.getMetadata().getCreationTimestamp() == null ? now : Instant.parse(pod.getMetadata().getCreationTimestamp());
            if (waiting.isPresent() && STUCK_REASONS.contains(waiting.get()) && created.plus(STUCK_AFTER).isBefore(now)) {
                return new Result(State.FAILED, "unlock pod " + pod.getMetadata().getName() + " stuck in " + waiting.get()
                        + " for more than " + STUCK_AFTER.toMinutes() + " minutes");
            }
        }
        return new Result(State.RUNNING, "unlock Job running");
    }
}
