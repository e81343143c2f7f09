package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.TemplateSecurityContext;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;

/**
 * The unlock pod's privileges: what restic needs to remove a lock file, and no more. The mover's
 * user, group and fsGroup stay (the repository's files on NFS or a local path are theirs); an
 * API token, added capabilities and privileged mode do not (VolSync's privileged movers get
 * DAC_OVERRIDE and friends to read every file of the data volume, which the unlock never mounts).
 */
final class UnlockSecurity {
    static final String RUNTIME_DEFAULT = "RuntimeDefault";
    static final String ALL = "ALL";

    private UnlockSecurity() {
    }

    /** The kubelet's projected {@code kube-api-access-*} volume, or any other projected volume holding a ServiceAccount token. */
    static boolean carriesApiToken(Volume volume) {
        return volume.getProjected() != null && volume.getProjected().getSources() != null
                && volume.getProjected().getSources().stream().anyMatch(s -> s.getServiceAccountToken() != null);
    }

    /** The mover pod's security context with the template's ids in place of the mirrored ones; null when neither has one. */
    static PodSecurityContext pod(PodSecurityContext mirrored, TemplateSecurityContext override) {
        if (mirrored == null && override == null) {
            return null;
        }
        PodSecurityContextBuilder b = mirrored == null ? new PodSecurityContextBuilder() : new PodSecurityContextBuilder(mirrored);
        if (override != null) {
            if (override.getRunAsUser() != null) {
                b.withRunAsUser(override.getRunAsUser());
            }
            if (override.getRunAsGroup() != null) {
                b.withRunAsGroup(override.getRunAsGroup());
            }
            if (override.getFsGroup() != null) {
                b.withFsGroup(override.getFsGroup());
            }
        }
        return b.build();
    }

    /**
     * The mover container's security context without {@code privileged}, added capabilities or
     * privilege escalation; a mover without one gets the restricted profile's defaults. Either
     * way the unlock runs as non-root when its user is known to be non-root.
     *
     * @param moverPod the mover pod's security context, whose runAsUser applies where the container sets none
     */
    static SecurityContext container(PodSecurityContext moverPod, Container mover, TemplateSecurityContext override) {
        SecurityContext own = mover == null ? null : mover.getSecurityContext();
        SecurityContextBuilder b;
        if (own == null) {
            b = new SecurityContextBuilder().withNewCapabilities().withDrop(ALL).endCapabilities();
            if (moverPod == null || moverPod.getSeccompProfile() == null) {
                b.withNewSeccompProfile().withType(RUNTIME_DEFAULT).endSeccompProfile();
            }
        } else {
            b = new SecurityContextBuilder(own);
            if (Boolean.TRUE.equals(own.getPrivileged())) {
                b.withPrivileged(false);
            }
            Capabilities caps = own.getCapabilities();
            if (caps != null && caps.getAdd() != null && !caps.getAdd().isEmpty()) {
                b.withCapabilities(new Capabilities(null, caps.getDrop()));
            }
            // The container's own runAsUser/runAsGroup beat the pod's in Kubernetes, so the template's must replace them there too.
            if (override != null && override.getRunAsUser() != null && own.getRunAsUser() != null) {
                b.withRunAsUser(override.getRunAsUser());
            }
            if (override != null && override.getRunAsGroup() != null && own.getRunAsGroup() != null) {
                b.withRunAsGroup(override.getRunAsGroup());
            }
        }
        b.withAllowPrivilegeEscalation(false);
        SecurityContext built = b.build();
        Long user = built.getRunAsUser() != null ? built.getRunAsUser()
                : override != null && override.getRunAsUser() != null ? override.getRunAsUser()
                : moverPod == null ? null : moverPod.getRunAsUser();
        if (built.getRunAsNonRoot() == null && user != null && user > 0) {
            built.setRunAsNonRoot(true);
        }
        return built;
    }
}
