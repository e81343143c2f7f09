package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

/** A 403 on an unlock Job's create names the namespace and what grants it: RBAC's RoleBinding, or the admission policy's own rule. */
class CreateRefusedTest {
    final Job job = new JobBuilder().withNewMetadata().withName("volsync-unlock-sonarr-1a2b3c4d").withNamespace("apps").endMetadata().build();

    static KubernetesClientException forbidden(String message) {
        return new KubernetesClientException(new StatusBuilder().withCode(403).withReason("Forbidden").withMessage(message).build());
    }

    @Test
    void rbacSaysWhichRoleBindingIsMissing() {
        String why = ClusterCommands.createRefused(job, forbidden("jobs.batch is forbidden: User \"system:serviceaccount:homelab-assistant-system:"
                + "volsync-monitor-hub\" cannot create resource \"jobs\" in API group \"batch\" in the namespace \"apps\""));
        assertThat(why).isEqualTo("the hub may not create Jobs in namespace apps: forbidden (403); grant it with a RoleBinding of the "
                + "ClusterRole volsync-monitor-hub-unlock to the hub's ServiceAccount in apps (agent-config/rbac-namespaced/app-namespaces.yaml)");
    }

    @Test
    void anAdmissionPolicyIsQuotedNotTakenForRbac() {
        String why = ClusterCommands.createRefused(job, forbidden("jobs.batch \"volsync-unlock-sonarr-1a2b3c4d\" is forbidden: "
                + "ValidatingAdmissionPolicy 'volsync-monitor-hub-job-create' with binding 'volsync-monitor-hub-job-create' denied request: "
                + "an unlock Job may not mount a hostPath volume"));
        assertThat(why).startsWith("the API server refused unlock Job volsync-unlock-sonarr-1a2b3c4d in namespace apps (403): ")
                .contains("may not mount a hostPath volume").doesNotContain("RoleBinding");
    }
}
