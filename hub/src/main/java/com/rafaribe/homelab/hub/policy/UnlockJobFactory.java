package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.api.UnlockJobMetadata.*;

import com.rafaribe.homelab.hub.api.TemplateResources;
import com.rafaribe.homelab.hub.api.UnlockJobTemplate;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Builds the unlock Job for a failed mover pod: the desired object, as plain data. It runs with
 * the mover's own image, env (Secret references stay references: the hub never reads a Secret)
 * and repository volumes, and never mounts VolSync's {@code data} volume, which is often a
 * ReadWriteOnce PVC attached elsewhere (the Job would hang in ContainerCreating). It gets only
 * what restic needs: no API token (restic never calls the API server) and no privilege the
 * mover was given for reading its data.
 */
public final class UnlockJobFactory {
    public static final String NAME_PREFIX = "volsync-unlock-";
    public static final String CONTAINER_NAME = "unlock";
    public static final int BACKOFF_LIMIT = 2;
    public static final long ACTIVE_DEADLINE_SECONDS = 600;
    public static final List<String> DEFAULT_COMMAND = List.of("restic");
    public static final String REMOVE_ALL = "--remove-all";
    public static final List<String> DEFAULT_ARGS = List.of("unlock", REMOVE_ALL);
    static final int MAX_LOCK_ERROR_CHARS = 1024;
    static final int MAX_ANNOTATION_CHARS = 1024;
    private static final int MAX_NAME = 63;
    private static final String DATA_VOLUME = "data";
    private static final Set<String> SCRATCH_VOLUMES = Set.of("cache", "tempdir");
    private static final Set<String> ADDED_ENV = Set.of(ENV_FAILED_JOB_NAME, ENV_LOCK_ERROR, ENV_UNLOCK_OPERATION);
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

    private UnlockJobFactory() {
    }

    /**
     * {@code volsync-unlock-<owner>-<8 hex of sha256(pod UID)>}, a DNS-1123 label of at most 63
     * characters: the same failed pod always gets the same name, so creating it twice is harmless.
     */
    public static String jobName(String owner, String podUid) {
        return jobName(owner, podUid, 1);
    }

    /** A later attempt for the same pod gets a name of its own: the previous Job may still be there (no TTL). */
    public static String jobName(String owner, String podUid, int attempt) {
        String suffix = "-" + RepositoryKey.sha256Hex(attempt <= 1 ? podUid : podUid + "#" + attempt).substring(0, 8);
        String cleaned = owner == null ? "" : owner.toLowerCase().replaceAll("[^a-z0-9-]", "-");
        int room = MAX_NAME - NAME_PREFIX.length() - suffix.length();
        if (cleaned.length() > room) {
            cleaned = cleaned.substring(0, room);
        }
        cleaned = cleaned.replaceAll("^-+|-+$", "");
        return NAME_PREFIX + (cleaned.isEmpty() ? "job" : cleaned) + suffix;
    }

    /** The value itself when it is a valid label value, else a stable hash of it. */
    public static String labelValue(String value) {
        if (value != null && value.length() <= MAX_NAME && LABEL_VALUE.matcher(value).matches()) {
            return value;
        }
        return "h" + RepositoryKey.sha256Hex(value == null ? "" : value).substring(0, 40);
    }

    public static Job build(UnlockRequest request) {
        // Builders copy nested objects: the Job shares no mutable model object with the informer's cached pod.
        Pod failedPod = new PodBuilder(request.failedPod()).build();
        PodSpec moverPod = failedPod.getSpec();
        Container mover = MoverContainer.of(failedPod);
        UnlockJobTemplate template = request.monitor().template() == null ? new UnlockJobTemplate() : request.monitor().template();
        FailedMover failed = request.mover();
        String name = jobName(failed.ownerName(), failed.podUid(), request.attempt());

        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, NAME);
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(MONITOR_LABEL, labelValue(request.monitor().name()));
        labels.put(MONITOR_NAMESPACE_LABEL, labelValue(request.monitor().namespace()));
        labels.put(FAILED_JOB_LABEL, labelValue(failed.jobName()));

        List<Volume> volumes = new ArrayList<>();
        for (Volume v : orEmpty(moverPod.getVolumes())) {
            if (DATA_VOLUME.equals(v.getName()) || UnlockSecurity.carriesApiToken(v)) {
                continue;
            }
            volumes.add(SCRATCH_VOLUMES.contains(v.getName()) ? scratch(v) : v);
        }
        Set<String> kept = new java.util.HashSet<>();
        volumes.forEach(v -> kept.add(v.getName()));
        List<VolumeMount> mounts = new ArrayList<>();
        if (mover != null) {
            for (VolumeMount m : orEmpty(mover.getVolumeMounts())) {
                if (kept.contains(m.getName())) {
                    mounts.add(m);
                }
            }
        }

        Container unlock = new ContainerBuilder()
                .withName(CONTAINER_NAME)
                .withImage(template.getImage() != null ? template.getImage() : mover == null ? null : mover.getImage())
                .withImagePullPolicy(mover == null ? null : mover.getImagePullPolicy())
                .withCommand(withoutRemoveAll(command(template), request.mode()))
                .withArgs(args(template, request.mode()))
                .withEnv(env(mover, failed, request.verdict()))
                .withEnvFrom(mover == null ? null : mover.getEnvFrom())
                .withVolumeMounts(mounts)
                .withResources(resources(template.getResources(), mover))
                .withSecurityContext(UnlockSecurity.container(moverPod.getSecurityContext(), mover, template.getSecurityContext()))
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .build();

        return new JobBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(failed.namespace())
                    .withLabels(labels)
                    .withAnnotations(annotations(request))
                .endMetadata()
                .withNewSpec()
                    .withBackoffLimit(BACKOFF_LIMIT)
                    .withActiveDeadlineSeconds(ACTIVE_DEADLINE_SECONDS)
                    .withTtlSecondsAfterFinished(request.monitor().ttlSecondsAfterFinished())
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withContainers(unlock)
                            .withVolumes(volumes)
                            .withServiceAccountName(template.getServiceAccount() != null ? template.getServiceAccount()
                                    : moverPod.getServiceAccountName())
                            .withAutomountServiceAccountToken(false)
                            .withImagePullSecrets(moverPod.getImagePullSecrets())
                            .withNodeSelector(moverPod.getNodeSelector())
                            .withTolerations(moverPod.getTolerations())
                            .withAffinity(moverPod.getAffinity())
                            .withSecurityContext(UnlockSecurity.pod(moverPod.getSecurityContext(), template.getSecurityContext()))
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    private static List<String> command(UnlockJobTemplate template) {
        return template.getCommand() != null ? List.copyOf(template.getCommand()) : DEFAULT_COMMAND;
    }

    /**
     * The holder rule decides between {@code --remove-all} and a plain unlock; a template's own
     * arguments cannot turn a plain unlock (a holder the hub cannot prove gone) into --remove-all.
     */
    static List<String> args(UnlockJobTemplate template, HolderRule.Kind mode) {
        List<String> args;
        if (template.getArgs() != null) {
            args = List.copyOf(template.getArgs());
        } else {
            // A command of the user's own gets no default arguments appended to it.
            args = template.getCommand() == null ? DEFAULT_ARGS : List.of();
        }
        return withoutRemoveAll(args, mode);
    }

    private static List<String> withoutRemoveAll(List<String> words, HolderRule.Kind mode) {
        return mode == HolderRule.Kind.REMOVE_ALL ? words : words.stream().filter(a -> !REMOVE_ALL.equals(a)).toList();
    }

    /** The deterministic name this Job would have if the hub had made it: anything else carrying the labels is not the hub's. */
    public static boolean isOwnName(String name, String owner, String podUid, int attempt) {
        return name != null && podUid != null && attempt >= 1 && name.equals(jobName(owner, podUid, attempt));
    }

    private static List<EnvVar> env(Container mover, FailedMover failed, LockVerdict verdict) {
        List<EnvVar> env = new ArrayList<>();
        if (mover != null) {
            for (EnvVar e : orEmpty(mover.getEnv())) {
                if (!ADDED_ENV.contains(e.getName())) {
                    env.add(e);
                }
            }
        }
        env.add(new EnvVar(ENV_FAILED_JOB_NAME, failed.jobName(), null));
        env.add(new EnvVar(ENV_LOCK_ERROR, Redactor.redact(verdict.line() == null ? "" : verdict.line(), MAX_LOCK_ERROR_CHARS), null));
        env.add(new EnvVar(ENV_UNLOCK_OPERATION, "true", null));
        return env;
    }

    private static Map<String, String> annotations(UnlockRequest request) {
        FailedMover failed = request.mover();
        LockVerdict verdict = request.verdict();
        Map<String, String> a = new LinkedHashMap<>();
        a.put(CLUSTER, request.cluster());
        a.put(MONITOR, request.monitor().namespace() + "/" + request.monitor().name());
        a.put(APP, failed.ownerKind() == null ? failed.ownerName() : failed.ownerKind() + "/" + failed.ownerName());
        a.put(FAILED_JOB, failed.jobName());
        putIfSet(a, FAILED_JOB_UID, failed.jobUid());
        a.put(FAILED_POD, failed.podName());
        a.put(FAILED_POD_UID, failed.podUid());
        a.put(DECIDED_BY, verdict.rule().equals(LockVerdict.Rule.PATTERN) ? "pattern " + LockPatterns.quote(verdict.pattern())
                : verdict.rule().id());
        a.put(MATCHED_LINE, verdict.line() == null ? "" : verdict.line());
        a.put(HOLDER, verdict.holder() != null ? verdict.holder().describe()
                : verdict.invalidLockFile() ? "invalid lock file" : "unknown");
        a.put(REPOSITORY_KEY, request.repository().asString());
        a.put(ATTEMPT, String.valueOf(request.attempt()));
        a.put(UNLOCK_MODE, request.mode() == HolderRule.Kind.REMOVE_ALL ? "remove-all" : "plain");
        // Every annotation is made here, and each is redacted here: the holder and app come from the log and the pod too.
        a.replaceAll((key, value) -> Redactor.redact(value, MAX_ANNOTATION_CHARS));
        return a;
    }

    /** VolSync's cache and /tmp become fresh emptyDirs: the cache PVC may be ReadWriteOnce, and restic only needs scratch space. */
    private static Volume scratch(Volume original) {
        EmptyDirVolumeSource emptyDir = original.getEmptyDir() != null ? original.getEmptyDir() : new EmptyDirVolumeSource();
        return new VolumeBuilder().withName(original.getName()).withEmptyDir(emptyDir).build();
    }

    private static ResourceRequirements resources(TemplateResources fromTemplate, Container mover) {
        if (fromTemplate != null && (fromTemplate.getLimits() != null || fromTemplate.getRequests() != null)) {
            return new ResourceRequirementsBuilder()
                    .withLimits(quantities(fromTemplate.getLimits()))
                    .withRequests(quantities(fromTemplate.getRequests()))
                    .build();
        }
        // A namespace with a LimitRange or quota admitted the mover with these, so they admit the unlock too.
        return mover == null ? null : mover.getResources();
    }

    private static Map<String, Quantity> quantities(Map<String, String> values) {
        if (values == null) {
            return null;
        }
        Map<String, Quantity> q = new TreeMap<>();
        values.forEach((k, v) -> q.put(k, new Quantity(v)));
        return q;
    }

    private static void putIfSet(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
