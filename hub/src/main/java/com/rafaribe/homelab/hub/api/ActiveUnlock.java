package com.rafaribe.homelab.hub.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** An unlock in progress; appName..alertFingerprint are the original controller's, the rest ours. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ActiveUnlock {
    private String appName;
    private String namespace;
    @JsonPropertyDescription("The ReplicationSource or ReplicationDestination served.")
    private String objectName;
    @JsonPropertyDescription("The unlock Job.")
    private String jobName;
    private String startTime;
    private String alertFingerprint;
    @JsonPropertyDescription("Queued, WaitingForHolder or Running.")
    private String state;
    @JsonPropertyDescription("The failed mover Job.")
    private String failedJob;
    @JsonPropertyDescription("UID of the failed mover pod this unlock serves.")
    private String podUid;

    public String getAppName() { return appName; }
    public void setAppName(String appName) { this.appName = appName; }
    public String getNamespace() { return namespace; }
    public void setNamespace(String namespace) { this.namespace = namespace; }
    public String getObjectName() { return objectName; }
    public void setObjectName(String objectName) { this.objectName = objectName; }
    public String getJobName() { return jobName; }
    public void setJobName(String jobName) { this.jobName = jobName; }
    public String getStartTime() { return startTime; }
    public void setStartTime(String startTime) { this.startTime = startTime; }
    public String getAlertFingerprint() { return alertFingerprint; }
    public void setAlertFingerprint(String alertFingerprint) { this.alertFingerprint = alertFingerprint; }
    public String getState() { return state; }
    public void setState(String state) { this.state = state; }
    public String getFailedJob() { return failedJob; }
    public void setFailedJob(String failedJob) { this.failedJob = failedJob; }
    public String getPodUid() { return podUid; }
    public void setPodUid(String podUid) { this.podUid = podUid; }
}
