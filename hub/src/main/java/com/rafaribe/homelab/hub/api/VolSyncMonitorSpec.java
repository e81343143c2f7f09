package com.rafaribe.homelab.hub.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class VolSyncMonitorSpec {
    /** A Go duration as metav1.Duration prints it: "30s", "5m", "1h30m", "1.5h". */
    public static final String GO_DURATION_PATTERN = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";
    public static final int MAX_PATTERNS = 64;
    public static final int MAX_PATTERN_LENGTH = 1024;
    public static final int DEFAULT_MAX_CONCURRENT_UNLOCKS = 3;
    public static final String DEFAULT_SCAN_INTERVAL = "30s";

    @JsonPropertyDescription("Act on lock failures. Defaults to false, as in the original controller.")
    @Default("false")
    private Boolean enabled;

    @JsonPropertyDescription("Unlock Jobs running at once for this monitor. 0 or unset means 3, as in the original controller.")
    @Min(0)
    private Integer maxConcurrentUnlocks;

    @JsonPropertyDescription("ttlSecondsAfterFinished of the unlock Jobs.")
    @Min(0)
    private Integer ttlSecondsAfterFinished;

    @JsonPropertyDescription("Extra regular expressions (RE2 syntax, case-insensitive) that mark a log line as a lock error. They add to the built-in restic lock detector.")
    @Size(max = MAX_PATTERNS)
    private List<String> lockErrorPatterns;

    @JsonPropertyDescription("Delete the failed mover Job once its unlock succeeded.")
    private Boolean removeFailedJobs;

    @JsonPropertyDescription("A Go duration: how often the hub re-examines what it watches (no extra API calls). Defaults to 30s.")
    @Pattern(GO_DURATION_PATTERN)
    private String scanInterval;

    private JobSelector jobSelector;

    private UnlockJobTemplate unlockJobTemplate;

    public Boolean getEnabled() { return enabled; }
    public void setEnabled(Boolean enabled) { this.enabled = enabled; }
    public Integer getMaxConcurrentUnlocks() { return maxConcurrentUnlocks; }
    public void setMaxConcurrentUnlocks(Integer maxConcurrentUnlocks) { this.maxConcurrentUnlocks = maxConcurrentUnlocks; }
    public Integer getTtlSecondsAfterFinished() { return ttlSecondsAfterFinished; }
    public void setTtlSecondsAfterFinished(Integer ttlSecondsAfterFinished) { this.ttlSecondsAfterFinished = ttlSecondsAfterFinished; }
    public List<String> getLockErrorPatterns() { return lockErrorPatterns; }
    public void setLockErrorPatterns(List<String> lockErrorPatterns) { this.lockErrorPatterns = lockErrorPatterns; }
    public Boolean getRemoveFailedJobs() { return removeFailedJobs; }
    public void setRemoveFailedJobs(Boolean removeFailedJobs) { this.removeFailedJobs = removeFailedJobs; }
    public String getScanInterval() { return scanInterval; }
    public void setScanInterval(String scanInterval) { this.scanInterval = scanInterval; }
    public JobSelector getJobSelector() { return jobSelector; }
    public void setJobSelector(JobSelector jobSelector) { this.jobSelector = jobSelector; }
    public UnlockJobTemplate getUnlockJobTemplate() { return unlockJobTemplate; }
    public void setUnlockJobTemplate(UnlockJobTemplate unlockJobTemplate) { this.unlockJobTemplate = unlockJobTemplate; }
}
