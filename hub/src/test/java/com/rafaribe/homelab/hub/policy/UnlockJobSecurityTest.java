package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.policy.UnlockJobFactoryTest.LOCK_LINE;
import static com.rafaribe.homelab.hub.policy.UnlockJobFactoryTest.NS;
import static com.rafaribe.homelab.hub.policy.UnlockJobFactoryTest.POD_UID;
import static com.rafaribe.homelab.hub.policy.UnlockJobFactoryTest.build;
import static com.rafaribe.homelab.hub.policy.UnlockJobFactoryTest.container;
import static com.rafaribe.homelab.hub.policy.UnlockJobFactoryTest.monitor;
import static com.rafaribe.homelab.hub.policy.UnlockJobFactoryTest.mounts;
import static com.rafaribe.homelab.hub.policy.UnlockJobFactoryTest.volumes;
import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The unlock pod gets what restic needs to remove a lock and nothing the mover had for other reasons. */
class UnlockJobSecurityTest {
    final Job moverJob = VolSyncObjects.sourceJob(NS, "jellyfin", "rs-uid-1", "job-uid-1");

    PodBuilder moverPod() {
        return VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic");
    }

    Job unlockOf(Pod pod) throws IOException {
        return build(pod, moverJob, monitor("  enabled: true\n"), LOCK_LINE);
    }

    static PodSpec podSpec(Job job) {
        return job.getSpec().getTemplate().getSpec();
    }

    /** What the API server stores for every pod: the kubelet's token, its CA and namespace, mounted in each container. */
    static void addKubeApiAccess(Pod pod) {
        pod.getSpec().getVolumes().add(new VolumeBuilder().withName("kube-api-access-9xk2d").withNewProjected().withDefaultMode(420)
                .addNewSource().withNewServiceAccountToken().withPath("token").withExpirationSeconds(3607L).endServiceAccountToken().endSource()
                .addNewSource().withNewConfigMap().withName("kube-root-ca.crt").addNewItem().withKey("ca.crt").withPath("ca.crt").endItem()
                .endConfigMap().endSource()
                .endProjected().build());
        pod.getSpec().getContainers().get(0).getVolumeMounts().add(new VolumeMountBuilder().withName("kube-api-access-9xk2d")
                .withMountPath("/var/run/secrets/kubernetes.io/serviceaccount").withReadOnly(true).build());
    }

    @Test
    void theMoversApiTokenIsNeitherCopiedNorMountedAgain() throws IOException {
        Pod pod = moverPod().build();
        addKubeApiAccess(pod);
        pod.getSpec().getVolumes().add(new VolumeBuilder().withName("custom-ca").withNewProjected()
                .addNewSource().withNewConfigMap().withName("ca-bundle").endConfigMap().endSource().endProjected().build());
        pod.getSpec().getContainers().get(0).getVolumeMounts().add(new VolumeMountBuilder().withName("custom-ca").withMountPath("/etc/ca").build());

        Job job = unlockOf(pod);

        assertThat(podSpec(job).getAutomountServiceAccountToken()).as("restic never calls the API server").isFalse();
        assertThat(volumes(job)).doesNotContainKey("kube-api-access-9xk2d").containsKey("custom-ca");
        assertThat(mounts(job)).doesNotContainKey("/var/run/secrets/kubernetes.io/serviceaccount").containsKey("/etc/ca");
    }

    /** VolSync's privileged movers (root, DAC_OVERRIDE and the like) need them to read the data volume, which an unlock never mounts. */
    @Test
    void aPrivilegedMoversAddedCapabilitiesAndPrivilegedModeAreNotMirrored() throws IOException {
        Pod pod = moverPod().editSpec().editFirstContainer().withNewSecurityContext()
                .withPrivileged(true).withAllowPrivilegeEscalation(true).withRunAsUser(0L).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withAdd("DAC_OVERRIDE", "CHOWN", "FOWNER", "SYS_ADMIN").withDrop("ALL").endCapabilities()
                .endSecurityContext().endContainer().endSpec().build();

        SecurityContext sc = container(unlockOf(pod)).getSecurityContext();

        assertThat(sc.getPrivileged()).isFalse();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getRunAsUser()).as("the repository's files are root's: the user stays").isZero();
        assertThat(sc.getRunAsNonRoot()).isNull();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    }

    @Test
    void aMoverRunningAs1000GivesANonRootUnlockAs1000() throws IOException {
        Pod pod = moverPod().editSpec().withNewSecurityContext().withRunAsUser(1000L).withRunAsGroup(1000L).withFsGroup(1000L)
                .endSecurityContext().editFirstContainer().withSecurityContext(null).endContainer().endSpec().build();

        Job job = unlockOf(pod);

        assertThat(podSpec(job).getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(podSpec(job).getSecurityContext().getRunAsGroup()).isEqualTo(1000L);
        assertThat(podSpec(job).getSecurityContext().getFsGroup()).isEqualTo(1000L);
        SecurityContext sc = container(job).getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }

    @Test
    void aMoverWithNoSecurityContextGetsTheRestrictedDefaults() throws IOException {
        Pod pod = moverPod().editSpec().withSecurityContext(null).editFirstContainer().withSecurityContext(null).endContainer().endSpec().build();

        Job job = unlockOf(pod);

        assertThat(podSpec(job).getSecurityContext()).as("no user to keep").isNull();
        SecurityContext sc = container(job).getSecurityContext();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(sc.getPrivileged()).isNull();
        assertThat(sc.getRunAsNonRoot()).as("the image's user is unknown: runAsNonRoot would refuse a root image").isNull();
    }

    @Test
    void aMoverAlreadyRestrictedStaysAsItWasAndNonRoot() throws IOException {
        SecurityContext sc = container(unlockOf(moverPod().build())).getSecurityContext();
        assertThat(sc.getRunAsUser()).isEqualTo(568L);
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    }
}
