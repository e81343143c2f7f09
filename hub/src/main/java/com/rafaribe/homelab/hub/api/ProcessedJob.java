package com.rafaribe.homelab.hub.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A failed mover the hub decided on; keyed on the pod UID because VolSync reuses Job names. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ProcessedJob {
    private String jobName;
    private String namespace;
    private String processedTime;
    private String unlockJobName;
    private Boolean removed;
    @JsonPropertyDescription("The deciding log line, redacted.")
    private String lockError;
    @JsonPropertyDescription("UID of the failed mover pod.")
    private String podUid;
    @JsonPropertyDescription("Succeeded or Failed once the unlock Job finished: a restarted hub counts each outcome once.")
    private String unlockResult;

    public String getJobName() { return jobName; }
    public void setJobName(String jobName) { this.jobName = jobName; }
    public String getNamespace() { return namespace; }
    public void setNamespace(String namespace) { this.namespace = namespace; }
    public String getProcessedTime() { return processedTime; }
    public void setProcessedTime(String processedTime) { this.processedTime = processedTime; }
    public String getUnlockJobName() { return unlockJobName; }
    public void setUnlockJobName(String unlockJobName) { this.unlockJobName = unlockJobName; }
    public Boolean getRemoved() { return removed; }
    public void setRemoved(Boolean removed) { this.removed = removed; }
    public String getLockError() { return lockError; }
    public void setLockError(String lockError) { this.lockError = lockError; }
    public String getPodUid() { return podUid; }
    public void setPodUid(String podUid) { this.podUid = podUid; }
    public String getUnlockResult() { return unlockResult; }
    public void setUnlockResult(String unlockResult) { this.unlockResult = unlockResult; }
}
