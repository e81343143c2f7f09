package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.ProcessedJob;
import com.rafaribe.homelab.hub.api.RepositoryFailures;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** Two hubs' writes of one monitor's status, one after a Lease handover: nothing counted twice, nothing lost. */
class StatusMergeTest {

    @Test
    void countersAddThisHubsIncrementsToWhatTheOtherHubWrote() {
        VolSyncMonitorStatus base = status(3, 2);
        VolSyncMonitorStatus mine = status(5, 3);   // this hub: 2 created, 1 succeeded since it read base
        VolSyncMonitorStatus theirs = status(4, 4); // the other hub, before handing over: 1 created, 2 succeeded

        VolSyncMonitorStatus merged = StatusMerge.merge(base, mine, theirs);

        assertThat(merged.getTotalUnlocksCreated()).isEqualTo(6);
        assertThat(merged.getTotalUnlocksSucceeded()).isEqualTo(5);
    }

    @Test
    void processedJobsAreJoinedByPodUidAndThisHubsChangesWin() {
        VolSyncMonitorStatus base = status(0, 0);
        base.getProcessedJobs().add(processed("uid-a", "2026-12-06T01:00:00Z", null));
        VolSyncMonitorStatus mine = Serialization.clone(base);
        mine.getProcessedJobs().get(0).setUnlockResult("Succeeded");
        mine.getProcessedJobs().add(processed("uid-c", "2026-12-06T03:00:00Z", null));
        VolSyncMonitorStatus theirs = Serialization.clone(base);
        theirs.getProcessedJobs().add(processed("uid-b", "2026-12-06T02:00:00Z", "volsync-unlock-b"));

        VolSyncMonitorStatus merged = StatusMerge.merge(base, mine, theirs);

        assertThat(merged.getProcessedJobs()).extracting(ProcessedJob::getPodUid).containsExactly("uid-a", "uid-b", "uid-c");
        assertThat(merged.getProcessedJobs().get(0).getUnlockResult()).isEqualTo("Succeeded");
        assertThat(merged.getProcessedJobs().get(1).getUnlockJobName()).isEqualTo("volsync-unlock-b");
    }

    @Test
    void theCircuitBreakersStateOfEachRepositoryIsKept() {
        VolSyncMonitorStatus base = status(0, 0);
        base.getFailingRepositories().add(failing("apps/closed-by-me", 2));
        VolSyncMonitorStatus mine = Serialization.clone(base);
        mine.getFailingRepositories().clear();                          // this hub unlocked it: the breaker closed
        mine.getFailingRepositories().add(failing("apps/mine", 1));
        VolSyncMonitorStatus theirs = Serialization.clone(base);
        theirs.getFailingRepositories().add(failing("apps/theirs", 3)); // the other hub's failures: one short of open

        VolSyncMonitorStatus merged = StatusMerge.merge(base, mine, theirs);

        assertThat(merged.getFailingRepositories()).extracting(r -> r.getRepositoryKey() + "=" + r.getConsecutiveFailures())
                .containsExactlyInAnyOrder("apps/mine=1", "apps/theirs=3");
    }

    @Test
    void theBookWritesTheMergeAgainstTheNewVersion() {
        StatusBook book = new StatusBook();
        com.rafaribe.homelab.hub.api.VolSyncMonitor monitor = new com.rafaribe.homelab.hub.api.VolSyncMonitor();
        monitor.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withNamespace("ns").withName("m")
                .withResourceVersion("10").build());
        monitor.setStatus(status(1, 1));
        book.seed("east", monitor);
        String key = StatusBook.key("east", "ns", "m");
        book.update(key, s -> s.setTotalUnlocksCreated(2L));

        book.conflicted(key, status(7, 7), "12");

        StatusBook.Entry e = book.entries().get(0);
        assertThat(e.dirty).isTrue();
        assertThat(e.resourceVersion()).isEqualTo("12");
        assertThat(e.status.getTotalUnlocksCreated()).isEqualTo(8);
        // Written, then changed again: the next conflict adds only what came after the write.
        book.written(key, Serialization.clone(e.status), "13");
        book.update(key, s -> s.setTotalUnlocksCreated(s.getTotalUnlocksCreated() + 1));
        book.conflicted(key, status(10, 7), "15");
        assertThat(book.get(key).getTotalUnlocksCreated()).isEqualTo(11);
    }

    private static VolSyncMonitorStatus status(long created, long succeeded) {
        VolSyncMonitorStatus s = new VolSyncMonitorStatus();
        s.setTotalUnlocksCreated(created);
        s.setTotalUnlocksSucceeded(succeeded);
        return s;
    }

    private static ProcessedJob processed(String uid, String at, String unlockJob) {
        ProcessedJob p = new ProcessedJob();
        p.setPodUid(uid);
        p.setNamespace("apps");
        p.setJobName("volsync-src-" + uid);
        p.setProcessedTime(at);
        p.setUnlockJobName(unlockJob);
        return p;
    }

    private static RepositoryFailures failing(String repository, int failures) {
        RepositoryFailures r = new RepositoryFailures();
        r.setRepositoryKey(repository);
        r.setConsecutiveFailures(failures);
        return r;
    }
}
