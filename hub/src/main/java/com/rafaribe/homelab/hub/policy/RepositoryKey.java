package com.rafaribe.homelab.hub.policy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which restic repository a mover pod uses, without reading any Secret: cluster + namespace +
 * the reference behind RESTIC_REPOSITORY + the sources of the volumes that can hold a
 * repository (NFS server and path, PVC claim, host path, CSI driver and a hash of its attributes). Two pods with the same key
 * take locks in the same repository, so only one unlock may run for it at a time.
 */
public record RepositoryKey(String cluster, String namespace, String credentials, List<String> volumeSources) {
    /** VolSync's own volumes: the source data, the restic cache and /tmp never hold the repository. */
    static final Set<String> MOVER_WORK_VOLUMES = Set.of("data", "cache", "tempdir");

    public static RepositoryKey of(String cluster, Pod pod) {
        Container mover = MoverContainer.of(pod);
        return new RepositoryKey(cluster, pod.getMetadata().getNamespace(), credentials(mover), volumeSources(pod));
    }

    /**
     * A pod's spec cut to what {@link #of} reads: the mover container with only its name,
     * RESTIC_REPOSITORY and envFrom, and the volumes that may hold the repository. The same key comes from
     * it; for caches of finished pods, which are never mirrored.
     */
    public static PodSpec inputs(PodSpec spec) {
        PodSpec kept = new PodSpec();
        Container mover = MoverContainer.of(spec);
        if (mover != null) {
            Container c = new Container();
            c.setName(mover.getName());
            c.setEnv(mover.getEnv() == null ? null : mover.getEnv().stream().filter(e -> "RESTIC_REPOSITORY".equals(e.getName())).toList());
            c.setEnvFrom(mover.getEnvFrom());
            kept.setContainers(List.of(c));
        }
        kept.setVolumes(spec.getVolumes() == null ? null
                : spec.getVolumes().stream().filter(v -> !MOVER_WORK_VOLUMES.contains(v.getName())).toList());
        return kept;
    }

    private static String credentials(Container mover) {
        if (mover == null) {
            return "none";
        }
        if (mover.getEnv() != null) {
            for (EnvVar env : mover.getEnv()) {
                if (!"RESTIC_REPOSITORY".equals(env.getName())) {
                    continue;
                }
                if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                    return "secret:" + env.getValueFrom().getSecretKeyRef().getName() + "#" + env.getValueFrom().getSecretKeyRef().getKey();
                }
                if (env.getValueFrom() != null && env.getValueFrom().getConfigMapKeyRef() != null) {
                    return "configmap:" + env.getValueFrom().getConfigMapKeyRef().getName() + "#" + env.getValueFrom().getConfigMapKeyRef().getKey();
                }
                // A literal repository may hold credentials in its URL: only its hash leaves the hub.
                return "value:" + sha256Hex(env.getValue() == null ? "" : env.getValue()).substring(0, 16);
            }
        }
        List<String> fromSources = new ArrayList<>();
        if (mover.getEnvFrom() != null) {
            for (EnvFromSource source : mover.getEnvFrom()) {
                if (source.getSecretRef() != null) {
                    fromSources.add("envFrom-secret:" + source.getSecretRef().getName());
                } else if (source.getConfigMapRef() != null) {
                    fromSources.add("envFrom-configmap:" + source.getConfigMapRef().getName());
                }
            }
        }
        return fromSources.isEmpty() ? "none" : String.join("+", fromSources);
    }

    private static List<String> volumeSources(Pod pod) {
        TreeSet<String> sources = new TreeSet<>();
        if (pod.getSpec().getVolumes() == null) {
            return List.of();
        }
        for (Volume v : pod.getSpec().getVolumes()) {
            if (MOVER_WORK_VOLUMES.contains(v.getName())) {
                continue;
            }
            if (v.getNfs() != null) {
                sources.add("nfs:" + v.getNfs().getServer() + ":" + v.getNfs().getPath());
            } else if (v.getPersistentVolumeClaim() != null) {
                sources.add("pvc:" + v.getPersistentVolumeClaim().getClaimName());
            } else if (v.getHostPath() != null) {
                sources.add("hostPath:" + v.getHostPath().getPath());
            } else if (v.getCsi() != null) {
                sources.add("csi:" + v.getCsi().getDriver() + ":" + attributesHash(v.getCsi().getVolumeAttributes()));
            }
        }
        return List.copyOf(sources);
    }

    /**
     * csi-rclone and the S3 CSI drivers take their access keys in volumeAttributes: the key, which
     * goes into annotations, status, Events and the API, holds only a hash of them. Sorted by name
     * and length-prefixed, so the same attributes always give the same hash and no two sets share one.
     */
    static String attributesHash(Map<String, String> attributes) {
        StringBuilder canonical = new StringBuilder();
        new TreeMap<>(attributes == null ? Map.<String, String>of() : attributes).forEach((k, v) -> {
            String value = v == null ? "" : v;
            canonical.append(k.length()).append(':').append(k).append(value.length()).append(':').append(value).append(';');
        });
        return sha256Hex(canonical.toString()).substring(0, 16);
    }

    /**
     * Where the repository lives whatever the namespace: the volume sources, or a literal
     * repository URL's hash; null when only a per-namespace Secret names it. Pods in two
     * namespaces with the same location may take locks in the same repository.
     */
    public String location() {
        if (!volumeSources.isEmpty()) {
            return String.join(",", volumeSources);
        }
        return credentials.startsWith("value:") ? credentials : null;
    }

    /** "home/media/secret:jellyfin-restic#RESTIC_REPOSITORY/nfs:truenas.example:/mnt/storage-0/volsync". */
    public String asString() {
        StringBuilder s = new StringBuilder(cluster).append('/').append(namespace).append('/').append(credentials);
        if (!volumeSources.isEmpty()) {
            s.append('/').append(String.join(",", volumeSources));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return asString();
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
