package com.rafaribe.homelab.hub.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** Failed unlocks in a row for one repository: the circuit breaker's memory, kept where a restart finds it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class RepositoryFailures {
    private String repositoryKey;
    private Integer consecutiveFailures;
    private String lastFailureTime;
    private String lastError;

    public String getRepositoryKey() { return repositoryKey; }
    public void setRepositoryKey(String repositoryKey) { this.repositoryKey = repositoryKey; }
    public Integer getConsecutiveFailures() { return consecutiveFailures; }
    public void setConsecutiveFailures(Integer consecutiveFailures) { this.consecutiveFailures = consecutiveFailures; }
    public String getLastFailureTime() { return lastFailureTime; }
    public void setLastFailureTime(String lastFailureTime) { this.lastFailureTime = lastFailureTime; }
    public String getLastError() { return lastError; }
    public void setLastError(String lastError) { this.lastError = lastError; }
}
