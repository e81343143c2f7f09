package com.rafaribe.homelab.hub.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** The original controller's status, field for field, plus additive fields. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class VolSyncMonitorStatus {
    public static final int MAX_PROCESSED_JOBS = 50;

    private MonitorPhase phase;
    private List<ActiveUnlock> activeUnlocks = new ArrayList<>();

    @JsonPropertyDescription("Number of entries in activeUnlocks, for the printer column.")
    private Integer activeUnlockCount;

    @JsonPropertyDescription("The last 50 failed mover pods the hub decided on, newest last.")
    private List<ProcessedJob> processedJobs = new ArrayList<>();

    private Long totalUnlocksCreated;
    private Long totalUnlocksSucceeded;
    private Long totalUnlocksFailed;
    private Long totalLockErrorsDetected;
    private Long totalFailedJobsRemoved;
    private String lastUnlockTime;
    private String lastError;
    private List<Condition> conditions = new ArrayList<>();
    private Long observedGeneration;

    @JsonPropertyDescription("Repositories whose unlocks failed in a row; at 3 the hub stops for that repository until the spec changes or the retry-unlock annotation is set.")
    private List<RepositoryFailures> failingRepositories = new ArrayList<>();

    @JsonPropertyDescription("The homelab.rafaribe.com/retry-unlock annotation value last acted on.")
    private String retryUnlockSeen;

    public MonitorPhase getPhase() { return phase; }
    public void setPhase(MonitorPhase phase) { this.phase = phase; }
    public List<ActiveUnlock> getActiveUnlocks() { return activeUnlocks; }
    public void setActiveUnlocks(List<ActiveUnlock> activeUnlocks) { this.activeUnlocks = activeUnlocks; }
    public Integer getActiveUnlockCount() { return activeUnlockCount; }
    public void setActiveUnlockCount(Integer activeUnlockCount) { this.activeUnlockCount = activeUnlockCount; }
    public List<ProcessedJob> getProcessedJobs() { return processedJobs; }
    public void setProcessedJobs(List<ProcessedJob> processedJobs) { this.processedJobs = processedJobs; }
    public Long getTotalUnlocksCreated() { return totalUnlocksCreated; }
    public void setTotalUnlocksCreated(Long totalUnlocksCreated) { this.totalUnlocksCreated = totalUnlocksCreated; }
    public Long getTotalUnlocksSucceeded() { return totalUnlocksSucceeded; }
    public void setTotalUnlocksSucceeded(Long totalUnlocksSucceeded) { this.totalUnlocksSucceeded = totalUnlocksSucceeded; }
    public Long getTotalUnlocksFailed() { return totalUnlocksFailed; }
    public void setTotalUnlocksFailed(Long totalUnlocksFailed) { this.totalUnlocksFailed = totalUnlocksFailed; }
    public Long getTotalLockErrorsDetected() { return totalLockErrorsDetected; }
    public void setTotalLockErrorsDetected(Long totalLockErrorsDetected) { this.totalLockErrorsDetected = totalLockErrorsDetected; }
    public Long getTotalFailedJobsRemoved() { return totalFailedJobsRemoved; }
    public void setTotalFailedJobsRemoved(Long totalFailedJobsRemoved) { this.totalFailedJobsRemoved = totalFailedJobsRemoved; }
    public String getLastUnlockTime() { return lastUnlockTime; }
    public void setLastUnlockTime(String lastUnlockTime) { this.lastUnlockTime = lastUnlockTime; }
    public String getLastError() { return lastError; }
    public void setLastError(String lastError) { this.lastError = lastError; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public List<RepositoryFailures> getFailingRepositories() { return failingRepositories; }
    public void setFailingRepositories(List<RepositoryFailures> failingRepositories) { this.failingRepositories = failingRepositories; }
    public String getRetryUnlockSeen() { return retryUnlockSeen; }
    public void setRetryUnlockSeen(String retryUnlockSeen) { this.retryUnlockSeen = retryUnlockSeen; }
}
