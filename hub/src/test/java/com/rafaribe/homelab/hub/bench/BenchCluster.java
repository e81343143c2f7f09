package com.rafaribe.homelab.hub.bench;

import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One mock cluster of the benchmark: its API server, the requests it received, the VolSync objects
 * of its apps, and the floor: a bare informer on its pods in this JVM, noting when each failed pod arrived.
 */
final class BenchCluster implements AutoCloseable {
    static final int APPS_PER_NAMESPACE = 20;

    final SandboxApiServer api;
    final RequestLog requests;
    /** "namespace/pod" to when the bare informer saw it Failed. */
    final Map<String, Long> floorSeen = new ConcurrentHashMap<>();
    private SharedIndexInformer<Pod> floor;

    BenchCluster(String name) {
        api = SandboxApiServer.start(name);
        requests = new RequestLog("token-" + name);
        api.observeRequests(requests::record);
    }

    String name() {
        return api.name;
    }

    /** A mover pod of a backup that worked, with its Job (Complete) and ReplicationSource, as VolSync leaves them. */
    void addFinishedMover(int app) {
        KubernetesClient c = api.client();
        String ns = "apps-" + (app / APPS_PER_NAMESPACE);
        if (app % APPS_PER_NAMESPACE == 0) {
            VolSyncWorld.ensureNamespace(c, ns);
        }
        String name = "app-" + app;
        Job job = VolSyncObjects.sourceJob(ns, name, VolSyncWorld.replicationSourceUid(c, ns, name), null);
        job.getMetadata().setUid(null);
        job.setStatus(new JobStatusBuilder().withSucceeded(1).addNewCondition().withType("Complete").withStatus("True").endCondition().build());
        job = c.batch().v1().jobs().inNamespace(ns).resource(job).create();
        Pod pod = VolSyncObjects.sourcePod(job, "x1y2z", null, name + "-restic").build();
        pod.setStatus(new PodStatusBuilder().withPhase("Succeeded").withContainerStatuses(new ContainerStatusBuilder().withName("restic")
                .withNewState().withNewTerminated().withExitCode(0).withReason("Completed").endTerminated().endState().build()).build());
        c.pods().inNamespace(ns).resource(pod).create();
    }

    /** The floor: how soon any client of this JVM hears of a pod write, with nothing else to do. */
    void startFloor() {
        floor = api.client().pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                seen(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                seen(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
            }
        });
    }

    private void seen(Pod pod) {
        long now = System.nanoTime();
        if (pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase())) {
            floorSeen.putIfAbsent(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(), now);
        }
    }

    boolean floorSynced() {
        return floor != null && floor.hasSynced();
    }

    @Override
    public void close() {
        if (floor != null) {
            floor.close();
        }
        api.close();
    }
}
