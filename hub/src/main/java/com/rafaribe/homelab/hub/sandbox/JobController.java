package com.rafaribe.homelab.hub.sandbox;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Job controller a sandbox cluster lacks: a Job gets a Pod from its template; when the Pod
 * fails, another, until failures pass backoffLimit; then the Job's status says Complete or Failed,
 * with the counts Kubernetes keeps. Labels and owner reference are Kubernetes' own.
 */
public final class JobController implements AutoCloseable {
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KubernetesClient client;
    private final SharedIndexInformer<Job> jobs;
    private final SharedIndexInformer<Pod> pods;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox-job-retry");
        t.setDaemon(true);
        return t;
    });

    public JobController(SandboxApiServer api) {
        this.client = api.client();
        this.jobs = client.batch().v1().jobs().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                reconcile(job);
            }

            @Override
            public void onUpdate(Job oldJob, Job job) {
                if (parallelism(oldJob) == 0 && parallelism(job) > 0) {
                    reconcile(job);
                }
            }

            @Override
            public void onDelete(Job job, boolean unknown) {
            }
        });
        this.pods = client.pods().inAnyNamespace().withLabel("job-name").inform(OnChange.handler(this::podChanged, pod -> { }));
    }

    /** A Job with no running pod gets one, unless it finished or its parallelism is 0 (suspended, as a paused VolSync source's). */
    private synchronized void reconcile(Job job) {
        if (finished(job) || parallelism(job) == 0) {
            return;
        }
        boolean active = owned(job).stream().anyMatch(p -> p.getStatus() == null || !List.of("Succeeded", "Failed").contains(p.getStatus().getPhase()));
        if (!active) {
            createPod(job);
        }
    }

    private synchronized void podChanged(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
            return;
        }
        String jobName = pod.getMetadata().getLabels().get("job-name");
        Job job = client.batch().v1().jobs().inNamespace(pod.getMetadata().getNamespace()).withName(jobName).get();
        if (job == null || finished(job) || !job.getMetadata().getUid().equals(pod.getMetadata().getLabels().get("controller-uid"))) {
            return;
        }
        List<Pod> owned = owned(job);
        long succeeded = owned.stream().filter(p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase())).count();
        long failed = owned.stream().filter(p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase())).count();
        int backoffLimit = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
        JobStatusBuilder status = new JobStatusBuilder().withStartTime(Instant.now().toString())
                .withSucceeded((int) succeeded).withFailed((int) failed).withActive(0);
        if (succeeded > 0) {
            status.withCompletionTime(Instant.now().toString()).withConditions(condition("Complete", "Completed", "Job completed"));
        } else if (failed > backoffLimit) {
            status.withConditions(condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"));
        }
        job.setStatus(status.build());
        client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).resource(job).updateStatus();
        if (succeeded == 0 && failed <= backoffLimit) {
            // Kubernetes' back-off: 10 s x 2^(n-1), at most six minutes.
            long delay = Math.min(360_000, 10_000L << Math.min(failed - 1, 6));
            retries.schedule(() -> retry(job), delay, TimeUnit.MILLISECONDS);
        }
    }

    /** The next attempt, unless the Job was deleted or replaced while it waited; a suspended Job gets it when resumed. */
    private synchronized void retry(Job job) {
        Job current = client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName()).get();
        if (current != null && current.getMetadata().getUid().equals(job.getMetadata().getUid())) {
            reconcile(current);
        }
    }

    private static int parallelism(Job job) {
        return job.getSpec() == null || job.getSpec().getParallelism() == null ? 1 : job.getSpec().getParallelism();
    }

    private static JobCondition condition(String type, String reason, String message) {
        return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastTransitionTime(Instant.now().toString()).build();
    }

    private static boolean finished(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
                .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
    }

    private List<Pod> owned(Job job) {
        return client.pods().inNamespace(job.getMetadata().getNamespace()).withLabel("controller-uid", job.getMetadata().getUid())
                .list().getItems();
    }

    private void createPod(Job job) {
        Map<String, String> labels = new HashMap<>();
        if (job.getSpec().getTemplate().getMetadata() != null && job.getSpec().getTemplate().getMetadata().getLabels() != null) {
            labels.putAll(job.getSpec().getTemplate().getMetadata().getLabels());
        }
        labels.put("job-name", job.getMetadata().getName());
        labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
        labels.put("controller-uid", job.getMetadata().getUid());
        labels.put("batch.kubernetes.io/controller-uid", job.getMetadata().getUid());
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(job.getMetadata().getName() + "-" + suffix()).withNamespace(job.getMetadata().getNamespace())
                    .withLabels(labels)
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                            .withName(job.getMetadata().getName()).withUid(job.getMetadata().getUid()).withController(true).build())
                .endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec())
                .build();
        client.pods().inNamespace(job.getMetadata().getNamespace()).resource(pod).create();
    }

    private static String suffix() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }

    @Override
    public void close() {
        retries.shutdownNow();
        jobs.close();
        pods.close();
    }
}
