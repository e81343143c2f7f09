package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailedMoverTest {
    static final String NS = "media";
    /** A ReplicationSource whose Job name VolSync shortens to volsync-src-<crc32>: only the Job's owner reference names it. */
    static final String LONG_APP = "a-replication-source-with-a-name-long-enough-to-be-shortened-by-volsync";
    final Job failedJob = VolSyncObjects.sourceJob(NS, LONG_APP, "rs-uid", "failed-job-uid");
    final Pod pod = VolSyncObjects.sourcePod(failedJob, "x7k2p", "pod-uid", "app-restic").build();

    @Test
    void theJobUidIsThePodsControllerNotThatOfANewerJobOfTheSameName() {
        Job newer = new JobBuilder(VolSyncObjects.sourceJob(NS, LONG_APP, "other-rs-uid", "newer-job-uid"))
                .editMetadata().editFirstOwnerReference().withName("another-source").endOwnerReference().endMetadata().build();
        FailedMover mover = FailedMover.of(pod, newer);
        assertThat(mover.jobUid()).isEqualTo("failed-job-uid");
        assertThat(mover.jobName()).isEqualTo(failedJob.getMetadata().getName());
        assertThat(mover.ownerName()).as("the newer Job's owner is not this pod's").isNotEqualTo("another-source")
                .isEqualTo(failedJob.getMetadata().getName().substring("volsync-src-".length()));
    }

    @Test
    void thePodsOwnJobNamesTheReplicationSource() {
        FailedMover mover = FailedMover.of(pod, failedJob);
        assertThat(mover.jobUid()).isEqualTo("failed-job-uid");
        assertThat(mover.ownerKind()).isEqualTo(FailedMover.SOURCE_KIND);
        assertThat(mover.ownerName()).isEqualTo(LONG_APP);
    }

    @Test
    void withoutAnOwnerReferenceTheControllerUidLabelNamesTheJob() {
        Pod labelled = VolSyncObjects.sourcePod(failedJob, "x7k2p", "pod-uid", "app-restic")
                .editMetadata().withOwnerReferences().endMetadata().build();
        assertThat(FailedMover.of(labelled, null).jobUid()).isEqualTo("failed-job-uid");
        assertThat(FailedMover.of(labelled, failedJob).ownerName()).isEqualTo(LONG_APP);
    }

    @Test
    void aPodThatNamesNoJobUidHasNone() {
        Pod bare = VolSyncObjects.sourcePod(failedJob, "x7k2p", "pod-uid", "app-restic")
                .withMetadata(new ObjectMetaBuilder().withName(pod.getMetadata().getName()).withNamespace(NS).withUid("pod-uid")
                        .withLabels(Map.of("job-name", failedJob.getMetadata().getName())).build()).build();
        FailedMover mover = FailedMover.of(bare, failedJob);
        assertThat(mover.jobUid()).as("a Job found by name may be a newer one: its UID is not taken").isNull();
        assertThat(mover.jobName()).isEqualTo(failedJob.getMetadata().getName());
    }
}
